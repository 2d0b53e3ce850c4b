//! Exports of a published table: a CSV file for analysts' spreadsheets, and a DHIS2 `dataValueSets`
//! document for the national health information system.
//!
//! Both are the crosstab GraphQL publishes ([`tables::crosstab`]), already through disclosure control,
//! so an export can show nothing that `statistics.table` would not. The CSV lists every figure, the
//! margins included, a suppressed one with an empty value. DHIS2 has no notion of a suppressed value,
//! so its export leaves suppressed figures out and says how many; it also leaves out the margins
//! (DHIS2 adds values up itself, by category and up the organisation unit tree, and a total sent beside
//! its parts would be counted twice) and every figure the operator's mapping does not place.
//!
//! Each export is recorded in the ledger as a statistics read (`access.statistics_read`, table
//! `export.csv:<indicator>` or `export.dhis2:<indicator>`) before it is answered.

use super::tables::{self, Crosstab, Dimension, Indicator, Narrowing, TableError};
use crate::error::Code;
use crate::viewer::{ReadTracker, TableNoted};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use domain::statistics::age_band::AgeBand;
use domain::statistics::disclosure::{Published, Threshold};
use domain::statistics::{population, surveillance};
use domain::FieldError;
use projections::read::ReadModels;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The longest period one export may span, as in GraphQL.
const MAX_RANGE_DAYS: i64 = 5 * 366;

/// Every indicator, in the order the documentation lists them.
pub const INDICATORS: [Indicator; 6] = [
    Indicator::DosesGiven,
    Indicator::Encounters,
    Indicator::NewDiagnoses,
    Indicator::Deaths,
    Indicator::Referrals,
    Indicator::Registrations,
];

/// Every breakdown, in the order the documentation lists them.
pub const DIMENSIONS: [Dimension; 19] = [
    Dimension::Region,
    Dimension::District,
    Dimension::Facility,
    Dimension::Day,
    Dimension::Week,
    Dimension::Month,
    Dimension::Year,
    Dimension::Sex,
    Dimension::AgeBand,
    Dimension::Antigen,
    Dimension::DoseNumber,
    Dimension::Icd10Chapter,
    Dimension::Icd10Category,
    Dimension::Disease,
    Dimension::PlaceOfDeath,
    Dimension::ReferralKind,
    Dimension::EncounterClass,
    Dimension::FromRegion,
    Dimension::ToRegion,
];

/// The breakdowns a DHIS2 value can be placed by: an organisation unit, a period, a data element (by
/// antigen, dose or disease) and a category option combo (by sex and age band). A table broken down by
/// anything else has no DHIS2 counterpart.
pub const DHIS2_DIMENSIONS: [Dimension; 12] = [
    Dimension::Region,
    Dimension::District,
    Dimension::Facility,
    Dimension::Day,
    Dimension::Week,
    Dimension::Month,
    Dimension::Year,
    Dimension::Sex,
    Dimension::AgeBand,
    Dimension::Antigen,
    Dimension::DoseNumber,
    Dimension::Disease,
];

/// The sexes a table may be narrowed to, as stored.
pub const SEXES: [&str; 3] = ["female", "male", "unknown"];

/// The age bands as requests and the DHIS2 mapping name them (GraphQL's names, in lower case: the
/// stored codes hold `+`, which a query string reads as a space).
pub const AGE_BANDS: [(&str, AgeBand); 7] = [
    ("under1", AgeBand::Under1),
    ("from1_to4", AgeBand::From1To4),
    ("from5_to14", AgeBand::From5To14),
    ("from15_to24", AgeBand::From15To24),
    ("from25_to49", AgeBand::From25To49),
    ("from50_to64", AgeBand::From50To64),
    ("from65", AgeBand::From65),
];

/// The code a margin's row or column carries in the CSV.
pub const TOTAL: &str = "_total";

/// The columns of the CSV export, in order.
pub const CSV_COLUMNS: [&str; 15] = [
    "indicator",
    "period_from",
    "period_to",
    "filters",
    "row_dimension",
    "row_code",
    "row_name_en",
    "row_name_fr",
    "column_dimension",
    "column_code",
    "column_name_en",
    "column_name_fr",
    "value",
    "suppressed",
    "threshold",
];

/// The indicator of this code (`new_diagnoses`).
pub fn indicator(code: &str) -> Option<Indicator> {
    INDICATORS.into_iter().find(|indicator| indicator.code() == code)
}

/// The breakdown of this code (`district`).
pub fn dimension(code: &str) -> Option<Dimension> {
    DIMENSIONS.into_iter().find(|dimension| dimension.code() == code)
}

/// The age band of this request name (`from1_to4`).
pub fn age_band(name: &str) -> Option<AgeBand> {
    AGE_BANDS.iter().find(|(known, _)| *known == name).map(|(_, band)| *band)
}

/// Why an export or the dashboard is not answered.
#[derive(Debug)]
pub enum Refusal {
    /// The caller may not read statistics (`Forbidden`), or nothing may be answered now: the read could
    /// not be recorded, or the read models are behind (`Unavailable`); or a failure logged on the
    /// server (`Internal`).
    Code(Code),
    /// The request keeps to its documented shape and breaks a rule beyond it; each field is named.
    Rule(Vec<FieldError>),
    /// The DHIS2 export was asked for and the operator configured no mapping.
    NoMapping,
    /// The reader reads statistics, but not of the place asked for; the message says what they read.
    OutOfScope(String),
}

impl From<super::scope::Refused> for Refusal {
    fn from(refused: super::scope::Refused) -> Self {
        match refused {
            super::scope::Refused::Code(code) => Refusal::Code(code),
            super::scope::Refused::OutOfScope(super::scope::OutOfScope(message)) => Refusal::OutOfScope(message),
        }
    }
}

impl From<Code> for Refusal {
    fn from(code: Code) -> Self {
        Refusal::Code(code)
    }
}

/// A table as the reader asked for it, every field checked against the reference data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRequest {
    pub indicator: Indicator,
    pub rows: Dimension,
    pub columns: Option<Dimension>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub narrowing: Narrowing,
}

/// A table export's arguments as the query string gave them, before any check.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableArguments<'a> {
    pub indicator: Option<&'a str>,
    pub rows: Option<&'a str>,
    pub columns: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub region: Option<&'a str>,
    pub district: Option<&'a str>,
    pub facility_id: Option<&'a str>,
    pub sex: Option<&'a str>,
    pub age_band: Option<&'a str>,
    pub antigen: Option<&'a str>,
    pub dose_number: Option<&'a str>,
    pub disease: Option<&'a str>,
    pub icd10_category: Option<&'a str>,
}

/// Collects a request's field errors, so that one answer names every invalid field.
#[derive(Default)]
pub(crate) struct Checks {
    pub(crate) errors: Vec<FieldError>,
}

impl Checks {
    /// A field outside what its documented schema states (a 400).
    pub(crate) fn malformed(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A field that keeps to its schema and breaks a rule beyond it (a 422).
    pub(crate) fn rule(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::rule(field, message));
    }

    pub(crate) fn required<'a>(&mut self, field: &'static str, value: Option<&'a str>) -> Option<&'a str> {
        if value.is_none() {
            self.malformed(field, "is required");
        }
        value
    }

    /// A day, `YYYY-MM-DD`.
    pub(crate) fn day(&mut self, field: &'static str, value: Option<&str>) -> Option<NaiveDate> {
        let text = value?;
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().filter(|_| text.len() == 10);
        if day.is_none() {
            self.malformed(field, "must be a date, YYYY-MM-DD");
        }
        day
    }

    /// A period's two ends: in order, and at most five years apart.
    pub(crate) fn period(&mut self, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        if to < from {
            self.rule("/to", "must not be before from");
            return None;
        }
        if (to - from).num_days() > MAX_RANGE_DAYS {
            self.rule("/to", "a period spans at most five years");
            return None;
        }
        Some((from, to))
    }

    /// A region's code (the document lists them).
    pub(crate) fn region(&mut self, value: Option<&str>) -> Option<String> {
        let code = value?;
        if domain::reference::region(code).is_none() {
            let known: Vec<&str> = domain::reference::regions().iter().map(|region| region.code.as_str()).collect();
            self.malformed("/region", format!("must be a region code, one of {}", known.join(", ")));
            return None;
        }
        Some(code.to_owned())
    }

    /// A health district of the reference data, in the region if one is given.
    pub(crate) fn district(&mut self, value: Option<&str>, region: Option<&str>) -> Option<String> {
        let name = value?;
        match population::district(name) {
            Some(district) if region.is_none_or(|region| district.region == region) => Some(district.name.clone()),
            Some(_) => {
                self.rule("/district", "is not in the region given");
                None
            }
            None => {
                self.rule("/district", "is not a health district of the reference data, as the record spells it");
                None
            }
        }
    }

    /// An antigen of the immunisation schedule (the document lists them).
    pub(crate) fn antigen(&mut self, value: Option<&str>) -> Option<String> {
        let code = value?;
        if domain::record::schedule::versions().iter().any(|version| version.antigen(code).is_some()) {
            Some(code.to_owned())
        } else {
            self.malformed("/antigen", "must be an antigen of the immunisation schedule");
            None
        }
    }

    /// A dose number, 0 to 10.
    pub(crate) fn dose_number(&mut self, field: &'static str, value: Option<&str>) -> Option<i64> {
        let text = value?;
        match text.parse::<i64>() {
            Ok(number) if (0..=10).contains(&number) => Some(number),
            _ => {
                self.malformed(field, "must be a whole number, 0 to 10");
                None
            }
        }
    }

    /// A notifiable disease of the surveillance reference data (the document lists them).
    pub(crate) fn disease(&mut self, value: Option<&str>) -> Option<String> {
        let code = value?;
        match surveillance::disease(code) {
            Some(disease) => Some(disease.code.clone()),
            None => {
                self.malformed("/disease", "must be a notifiable disease's code");
                None
            }
        }
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(self.errors),
        }
    }
}

impl TableRequest {
    /// Checks every argument, naming each invalid one: a value outside what the documentation states
    /// (an unknown code, a malformed date) as malformed, a rule only the reference data or another field
    /// can decide (a district outside the region, a period inverted) as a rule broken.
    pub fn parse(arguments: &TableArguments) -> Result<TableRequest, Vec<FieldError>> {
        let mut checks = Checks::default();
        let indicator = checks.required("/indicator", arguments.indicator).and_then(|code| {
            let found = indicator(code);
            if found.is_none() {
                let known: Vec<&str> = INDICATORS.iter().map(|indicator| indicator.code()).collect();
                checks.malformed("/indicator", format!("must be one of {}", known.join(", ")));
            }
            found
        });
        let mut breakdown = |field: &'static str, value: Option<&str>| {
            let code = value?;
            let found = dimension(code);
            if found.is_none() {
                let known: Vec<&str> = DIMENSIONS.iter().map(|dimension| dimension.code()).collect();
                checks.malformed(field, format!("must be one of {}", known.join(", ")));
            }
            found
        };
        let rows = breakdown("/rows", arguments.rows);
        let columns = breakdown("/columns", arguments.columns);
        if arguments.rows.is_none() {
            checks.malformed("/rows", "is required");
        }
        if rows.is_some() && rows == columns {
            checks.rule("/columns", "must be another breakdown than rows");
        }
        let from = checks.required("/from", arguments.from);
        let from = checks.day("/from", from);
        let to = checks.required("/to", arguments.to);
        let to = checks.day("/to", to);
        let period = from.zip(to).and_then(|(from, to)| checks.period(from, to));
        let region = checks.region(arguments.region);
        let district = match arguments.district {
            Some(name) if name.is_empty() || name.chars().count() > 120 => {
                checks.malformed("/district", "must be 1 to 120 characters");
                None
            }
            name => checks.district(name, region.as_deref()),
        };
        let facility = arguments.facility_id.and_then(|id| match uuid::Uuid::parse_str(id) {
            Ok(id) => Some(id.to_string()),
            Err(_) => {
                checks.malformed("/facility_id", "must be a facility's id (a UUID)");
                None
            }
        });
        let sex = arguments.sex.and_then(|sex| {
            if SEXES.contains(&sex) {
                Some(sex.to_owned())
            } else {
                checks.malformed("/sex", format!("must be one of {}", SEXES.join(", ")));
                None
            }
        });
        let band = arguments.age_band.and_then(|name| match age_band(name) {
            Some(band) => Some(band.code().to_owned()),
            None => {
                let known: Vec<&str> = AGE_BANDS.iter().map(|(name, _)| *name).collect();
                checks.malformed("/age_band", format!("must be one of {}", known.join(", ")));
                None
            }
        });
        let antigen = checks.antigen(arguments.antigen);
        let dose_number = checks.dose_number("/dose_number", arguments.dose_number);
        let disease = checks.disease(arguments.disease);
        let icd10_category = arguments.icd10_category.and_then(|category| {
            let shaped = category.len() == 3
                && category.starts_with(|c: char| c.is_ascii_uppercase())
                && category[1..].chars().all(|c| c.is_ascii_digit());
            if !shaped {
                checks.malformed("/icd10_category", "must be a three-character ICD-10 category, e.g. B50");
                None
            } else if domain::record::icd10::title(category).is_none() {
                checks.rule("/icd10_category", "is not a category of the ICD-10 list");
                None
            } else {
                Some(category.to_owned())
            }
        });
        let request = match (indicator, rows, period) {
            (Some(indicator), Some(rows), Some((from, to))) => Some(TableRequest {
                indicator,
                rows,
                columns,
                from,
                to,
                narrowing: Narrowing {
                    days: Some((from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string())),
                    region,
                    district,
                    facility,
                    sex,
                    age_band: band,
                    antigen,
                    dose_number,
                    disease,
                    icd10_category,
                    encounter_class: None,
                },
            }),
            _ => None,
        };
        checks.finish(request)
    }

    /// What the read is recorded with, as `name=value`, as GraphQL records a table.
    fn parameters(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        out.insert(format!("rows={}", self.rows.code()));
        if let Some(columns) = self.columns {
            out.insert(format!("columns={}", columns.code()));
        }
        for (name, value) in self.filters() {
            out.insert(format!("{name}={value}"));
        }
        out
    }

    /// The period and every filter, as `(name, value)`, sorted by name.
    fn filters(&self) -> Vec<(&'static str, String)> {
        let narrowing = &self.narrowing;
        let all = [
            ("age_band", narrowing.age_band.clone()),
            ("antigen", narrowing.antigen.clone()),
            ("disease", narrowing.disease.clone()),
            ("district", narrowing.district.clone()),
            ("dose_number", narrowing.dose_number.map(|number| number.to_string())),
            ("facility", narrowing.facility.clone()),
            ("from", Some(self.from.format("%Y-%m-%d").to_string())),
            ("icd10_category", narrowing.icd10_category.clone()),
            ("region", narrowing.region.clone()),
            ("sex", narrowing.sex.clone()),
            ("to", Some(self.to.format("%Y-%m-%d").to_string())),
        ];
        all.into_iter().filter_map(|(name, value)| Some((name, value?))).collect()
    }
}

/// Reads, lays out and protects the table a request asks for.
async fn published(read_models: &ReadModels, request: &TableRequest, k: Threshold) -> Result<Crosstab, Refusal> {
    tables::crosstab(read_models, request.indicator, request.rows, request.columns, &request.narrowing, k)
        .await
        .map_err(|error| refusal(error, request.indicator))
}

/// A table that cannot be published as asked, as the reader is answered.
pub(crate) fn refusal(error: TableError, indicator: Indicator) -> Refusal {
    match error {
        // The table names what it cannot do; the indicator is what lacks a breakdown or filter, and a
        // table too large is narrowed by its period or breakdowns.
        TableError::Invalid(message) if message.starts_with(indicator.code()) => {
            Refusal::Rule(vec![FieldError::rule("/indicator", message)])
        }
        TableError::Invalid(message) => Refusal::Rule(vec![FieldError::rule("/rows", message)]),
        TableError::ReadModels(error) => Refusal::Code(Code::from(error)),
        TableError::Disclosure(error) => {
            let correlation = uuid::Uuid::new_v4();
            tracing::error!(%correlation, %error, "query_api.statistics.disclosure_failed");
            Refusal::Code(Code::Internal)
        }
    }
}

/// How many figures of a table are shown and how many suppressed, margins included.
fn figures(table: &Crosstab) -> (u32, u32) {
    let all = table.cells.iter().flatten().chain(&table.row_totals).chain(&table.column_totals);
    std::iter::once(&table.total).chain(all).fold((0, 0), |(shown, hidden), figure| match figure {
        Published::Shown(_) => (shown + 1, hidden),
        Published::Suppressed => (shown, hidden + 1),
    })
}

/// A CSV export, ready to send.
#[derive(Debug, Clone)]
pub struct CsvExport {
    /// The file's name, for `Content-Disposition`.
    pub file_name: String,
    /// UTF-8, a header row and one line per figure.
    pub body: Vec<u8>,
}

/// The CSV export of a request's table, its read noted in `reads`.
pub(crate) async fn csv_export(
    read_models: &ReadModels,
    request: &TableRequest,
    k: Threshold,
    reads: &ReadTracker,
) -> Result<CsvExport, Refusal> {
    let table = published(read_models, request, k).await?;
    let body = csv(request, &table).map_err(|error| {
        let correlation = uuid::Uuid::new_v4();
        tracing::error!(%correlation, %error, "query_api.statistics.csv_failed");
        Refusal::Code(Code::Internal)
    })?;
    let (shown, suppressed) = figures(&table);
    reads.note_table(TableNoted {
        table: format!("export.csv:{}", request.indicator.code()),
        parameters: request.parameters(),
        shown,
        suppressed,
    });
    let file_name = format!("cloudmedi-{}-{}-{}.csv", request.indicator.code(), request.from, request.to);
    Ok(CsvExport { file_name, body })
}

/// The table as CSV: a header row ([`CSV_COLUMNS`]), then one line per figure: the body row by row,
/// each row's total after its cells, then the column totals and the grand total. A margin's code is
/// [`TOTAL`]; a table without columns has no column fields and one line per row, then its total. A
/// suppressed figure's value is empty.
pub fn csv(request: &TableRequest, table: &Crosstab) -> Result<Vec<u8>, csv::Error> {
    // RFC 4180's line ends, which spreadsheets on every system read.
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    out.write_record(CSV_COLUMNS)?;
    let filters: Vec<String> = request
        .filters()
        .into_iter()
        .filter(|(name, _)| *name != "from" && *name != "to")
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let filters = filters.join(";");
    let (from, to) = (request.from.format("%Y-%m-%d").to_string(), request.to.format("%Y-%m-%d").to_string());
    let k = table.k.to_string();
    let total = super::labels::Label { code: TOTAL.into(), name_en: "Total".into(), name_fr: "Total".into() };
    let blank = super::labels::Label { code: String::new(), name_en: String::new(), name_fr: String::new() };
    let rows = table.rows.code();
    let columns = table.columns.map_or("", Dimension::code);
    let mut line = |row: &super::labels::Label, column: &super::labels::Label, figure: Published| {
        let (value, suppressed) = match figure {
            Published::Shown(count) => (count.to_string(), "false"),
            Published::Suppressed => (String::new(), "true"),
        };
        out.write_record([
            table.indicator.code(),
            &from,
            &to,
            &filters,
            rows,
            &row.code,
            &row.name_en,
            &row.name_fr,
            columns,
            &column.code,
            &column.name_en,
            &column.name_fr,
            &value,
            suppressed,
            &k,
        ])
    };
    for (index, label) in table.row_labels.iter().enumerate() {
        let cells = table.cells.get(index).map_or(&[][..], Vec::as_slice);
        if table.columns.is_some() {
            for (column, figure) in table.column_labels.iter().zip(cells) {
                line(label, column, *figure)?;
            }
            line(label, &total, table.row_totals.get(index).copied().unwrap_or(Published::Suppressed))?;
        } else {
            line(label, &blank, cells.first().copied().unwrap_or(Published::Suppressed))?;
        }
    }
    if table.columns.is_some() {
        for (column, figure) in table.column_labels.iter().zip(&table.column_totals) {
            line(&total, column, *figure)?;
        }
        line(&total, &total, table.total)?;
    } else {
        line(&total, &blank, table.total)?;
    }
    out.into_inner().map_err(|error| csv::Error::from(error.into_error()))
}

// ---------------------------------------------------------------------------------------------------
// DHIS2

/// A DHIS2 `dataValueSets` document, as DHIS2's Web API imports it (`POST /api/dataValueSets`): every
/// value names its data element, period, organisation unit and category option combo by UID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValueSet {
    /// The data set the values belong to, when the mapping names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub data_set: Option<String>,
    /// The period of every value, when the export covers exactly one (DHIS2 syntax).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub period: Option<String>,
    /// The attribute option combo of every value, when the mapping names one (DHIS2's default
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub attribute_option_combo: Option<String>,
    pub data_values: Vec<DataValue>,
}

/// One value for DHIS2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DataValue {
    /// The data element's UID.
    pub data_element: String,
    /// In DHIS2's syntax: a day `20260105`, an ISO week `2026W2`, a month `202601`, a year `2026`.
    pub period: String,
    /// The organisation unit's UID.
    pub org_unit: String,
    /// The category option combo's UID.
    pub category_option_combo: String,
    /// The count, as DHIS2 writes values: a string of digits.
    pub value: String,
}

/// A DHIS2 export and what it left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dhis2Export {
    pub set: DataValueSet,
    /// Figures of the table's body that disclosure control suppressed.
    pub suppressed_omitted: u32,
    /// Figures shown that the mapping does not place in DHIS2.
    pub unmapped_omitted: u32,
}

/// Why a DHIS2 mapping file is refused.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("not a valid mapping file: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("{at}: {problem}")]
    Invalid { at: String, problem: String },
}

fn invalid(at: impl Into<String>, problem: impl Into<String>) -> MappingError {
    MappingError::Invalid { at: at.into(), problem: problem.into() }
}

/// The mapping file as written (see `docs/dhis2-mapping.example.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    data_set: Option<String>,
    attribute_option_combo: Option<String>,
    #[serde(default)]
    org_units: OrgUnitsFile,
    #[serde(default)]
    data_elements: Vec<DataElementFile>,
    #[serde(default)]
    category_option_combos: Vec<ComboFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgUnitsFile {
    national: Option<String>,
    #[serde(default)]
    regions: BTreeMap<String, String>,
    #[serde(default)]
    districts: BTreeMap<String, String>,
    #[serde(default)]
    facilities: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataElementFile {
    indicator: String,
    antigen: Option<String>,
    dose_number: Option<i64>,
    disease: Option<String>,
    uid: String,
    #[serde(default = "default_combo")]
    category_combo: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComboFile {
    #[serde(default = "default_combo")]
    category_combo: String,
    sex: Option<String>,
    age_band: Option<String>,
    uid: String,
}

fn default_combo() -> String {
    "default".into()
}

/// What a data element counts: an indicator, and the antigen, dose or disease it is limited to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ElementKey {
    indicator: Indicator,
    antigen: Option<String>,
    dose_number: Option<i64>,
    disease: Option<String>,
}

/// A category option combo's place: its category combo, and the sex and age band (stored codes) it is
/// limited to.
type ComboKey = (String, Option<String>, Option<String>);

/// The operator's mapping from CloudMedi's tables to DHIS2's metadata, checked when the server starts:
/// which data element an indicator (for an antigen and dose, or a disease) is, which category option
/// combo a sex and age band are, and which organisation unit a region, district or facility is.
///
/// A figure is placed only by an exact match: a data element for `doses_given` with antigen `PENTA` and
/// dose 1 takes only figures counting Penta1 doses, never all doses of Penta, and a category option
/// combo with no sex or age band takes only figures not broken down by either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dhis2Mapping {
    data_set: Option<String>,
    attribute_option_combo: Option<String>,
    national: Option<String>,
    regions: BTreeMap<String, String>,
    districts: BTreeMap<String, String>,
    facilities: BTreeMap<String, String>,
    data_elements: BTreeMap<ElementKey, (String, String)>,
    combos: BTreeMap<ComboKey, String>,
}

/// A DHIS2 UID: eleven letters and digits, the first a letter.
fn uid(at: &str, value: &str) -> Result<String, MappingError> {
    let valid = value.len() == 11
        && value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        Ok(value.to_owned())
    } else {
        Err(invalid(at, format!("{value:?} is not a DHIS2 UID (eleven letters and digits, the first a letter)")))
    }
}

impl Dhis2Mapping {
    /// Reads and checks a mapping file: every code against the reference data, every UID's shape, no
    /// two entries for one place, and every category combo a data element names defined.
    pub fn from_toml(text: &str) -> Result<Dhis2Mapping, MappingError> {
        let file: MappingFile = toml::from_str(text)?;
        let data_set = file.data_set.as_deref().map(|value| uid("data_set", value)).transpose()?;
        let attribute_option_combo =
            file.attribute_option_combo.as_deref().map(|value| uid("attribute_option_combo", value)).transpose()?;
        let national = file.org_units.national.as_deref().map(|value| uid("org_units.national", value)).transpose()?;
        let mut regions = BTreeMap::new();
        for (code, value) in &file.org_units.regions {
            let at = format!("org_units.regions.{code}");
            if domain::reference::region(code).is_none() {
                return Err(invalid(at, "is not a region code"));
            }
            regions.insert(code.clone(), uid(&at, value)?);
        }
        let mut districts = BTreeMap::new();
        for (name, value) in &file.org_units.districts {
            let at = format!("org_units.districts.{name:?}");
            if population::district(name).is_none() {
                return Err(invalid(at, "is not a health district of the reference data, as the record spells it"));
            }
            districts.insert(name.clone(), uid(&at, value)?);
        }
        let mut facilities = BTreeMap::new();
        for (id, value) in &file.org_units.facilities {
            let at = format!("org_units.facilities.{id:?}");
            let parsed = uuid::Uuid::parse_str(id).map_err(|_| invalid(&at, "is not a facility id (a UUID)"))?;
            if facilities.insert(parsed.to_string(), uid(&at, value)?).is_some() {
                return Err(invalid(at, "names a facility already mapped"));
            }
        }
        let mut combos = BTreeMap::new();
        for (index, combo) in file.category_option_combos.iter().enumerate() {
            let at = format!("category_option_combos[{index}]");
            if let Some(sex) = &combo.sex {
                if !SEXES.contains(&sex.as_str()) {
                    return Err(invalid(&at, format!("sex must be one of {}", SEXES.join(", "))));
                }
            }
            let band = match &combo.age_band {
                Some(name) => Some(
                    age_band(name)
                        .ok_or_else(|| {
                            let known: Vec<&str> = AGE_BANDS.iter().map(|(name, _)| *name).collect();
                            invalid(&at, format!("age_band must be one of {}", known.join(", ")))
                        })?
                        .code()
                        .to_owned(),
                ),
                None => None,
            };
            let key = (combo.category_combo.clone(), combo.sex.clone(), band);
            if combos.insert(key, uid(&at, &combo.uid)?).is_some() {
                return Err(invalid(at, "repeats the sex and age band of another combo of its category combo"));
            }
        }
        let mut data_elements = BTreeMap::new();
        for (index, element) in file.data_elements.iter().enumerate() {
            let at = format!("data_elements[{index}]");
            let indicator = indicator(&element.indicator).ok_or_else(|| {
                let known: Vec<&str> = INDICATORS.iter().map(|indicator| indicator.code()).collect();
                invalid(&at, format!("indicator must be one of {}", known.join(", ")))
            })?;
            let mut checks = Checks::default();
            let antigen = checks.antigen(element.antigen.as_deref());
            let disease = checks.disease(element.disease.as_deref());
            if let Some(error) = checks.errors.first() {
                return Err(invalid(&at, format!("{} {}", error.field.trim_start_matches('/'), error.message)));
            }
            if element.dose_number.is_some_and(|number| !(0..=10).contains(&number)) {
                return Err(invalid(&at, "dose_number must be 0 to 10"));
            }
            if !combos.keys().any(|(name, _, _)| *name == element.category_combo) {
                return Err(invalid(
                    &at,
                    format!("category_combo {:?} has no entry in category_option_combos", element.category_combo),
                ));
            }
            let key = ElementKey { indicator, antigen, dose_number: element.dose_number, disease };
            let target = (uid(&at, &element.uid)?, element.category_combo.clone());
            if data_elements.insert(key, target).is_some() {
                return Err(invalid(at, "counts what another data element already counts"));
            }
        }
        Ok(Dhis2Mapping {
            data_set,
            attribute_option_combo,
            national,
            regions,
            districts,
            facilities,
            data_elements,
            combos,
        })
    }

    /// The organisation unit of the finest place a figure counts: its facility, else its district,
    /// else its region, else the whole country. Never a coarser one than the figure's own, which would
    /// put a district's count on its region.
    fn org_unit(&self, at: &Coordinates) -> Option<&str> {
        if let Some(facility) = &at.facility {
            return self.facilities.get(facility).map(String::as_str);
        }
        if let Some(district) = &at.district {
            return self.districts.get(district).map(String::as_str);
        }
        if let Some(region) = &at.region {
            return self.regions.get(region).map(String::as_str);
        }
        self.national.as_deref()
    }

    /// The data element and category option combo of a figure, if the mapping places it.
    fn element(&self, indicator: Indicator, at: &Coordinates) -> Option<(&str, &str)> {
        let key = ElementKey {
            indicator,
            antigen: at.antigen.clone(),
            dose_number: at.dose_number,
            disease: at.disease.clone(),
        };
        let (element, combo) = self.data_elements.get(&key)?;
        let option = self.combos.get(&(combo.clone(), at.sex.clone(), at.age_band.clone()))?;
        Some((element, option))
    }
}

/// Where one figure of a table sits, as DHIS2 places values: what the request narrowed to, and the
/// row's and column's keys.
#[derive(Debug, Clone, Default)]
struct Coordinates {
    region: Option<String>,
    district: Option<String>,
    facility: Option<String>,
    /// In DHIS2's syntax.
    period: Option<String>,
    sex: Option<String>,
    age_band: Option<String>,
    antigen: Option<String>,
    dose_number: Option<i64>,
    disease: Option<String>,
}

impl Coordinates {
    fn of(narrowing: &Narrowing) -> Coordinates {
        Coordinates {
            region: narrowing.region.clone(),
            district: narrowing.district.clone(),
            facility: narrowing.facility.clone(),
            period: None,
            sex: narrowing.sex.clone(),
            age_band: narrowing.age_band.clone(),
            antigen: narrowing.antigen.clone(),
            dose_number: narrowing.dose_number,
            disease: narrowing.disease.clone(),
        }
    }

    /// The same place with one breakdown's key set; `None` if DHIS2 cannot place it.
    fn with(&self, dimension: Dimension, key: &str) -> Option<Coordinates> {
        let mut at = self.clone();
        match dimension {
            Dimension::Region => at.region = Some(key.to_owned()),
            Dimension::District => at.district = Some(key.to_owned()),
            Dimension::Facility => at.facility = Some(key.to_owned()),
            Dimension::Day | Dimension::Week | Dimension::Month | Dimension::Year => {
                at.period = Some(dhis2_period(dimension, key)?)
            }
            Dimension::Sex => at.sex = Some(key.to_owned()),
            Dimension::AgeBand => at.age_band = Some(key.to_owned()),
            Dimension::Antigen => at.antigen = Some(key.to_owned()),
            Dimension::DoseNumber => at.dose_number = Some(key.parse().ok()?),
            Dimension::Disease => at.disease = Some(key.to_owned()),
            Dimension::Icd10Chapter
            | Dimension::Icd10Category
            | Dimension::PlaceOfDeath
            | Dimension::ReferralKind
            | Dimension::EncounterClass
            | Dimension::FromRegion
            | Dimension::ToRegion => return None,
        }
        Some(at)
    }
}

/// A period's key in a table (`2026-01-05`, `2026-W02`, `2026-01`, `2026`) in DHIS2's syntax
/// (`20260105`, `2026W2`, `202601`, `2026`).
pub fn dhis2_period(dimension: Dimension, key: &str) -> Option<String> {
    match dimension {
        Dimension::Day => {
            let day = NaiveDate::parse_from_str(key, "%Y-%m-%d").ok()?;
            Some(day.format("%Y%m%d").to_string())
        }
        Dimension::Week => {
            let start = domain::statistics::period::week_start(key)?;
            let week = start.iso_week();
            Some(format!("{}W{}", week.year(), week.week()))
        }
        Dimension::Month => {
            let first = NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok()?;
            Some(first.format("%Y%m").to_string())
        }
        Dimension::Year => {
            let year: i32 = key.parse().ok().filter(|_| key.len() == 4)?;
            Some(format!("{year:04}"))
        }
        _ => None,
    }
}

fn last_of_month(day: NaiveDate) -> Option<NaiveDate> {
    let next = if day.month() == 12 {
        NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
    };
    next?.pred_opt()
}

/// The one DHIS2 period `from` to `to` is exactly, if it is one: a day, an ISO week, a month or a year.
pub fn single_period(from: NaiveDate, to: NaiveDate) -> Option<String> {
    if from == to {
        return Some(from.format("%Y%m%d").to_string());
    }
    if from.weekday() == Weekday::Mon && from.checked_add_days(Days::new(6)) == Some(to) {
        let week = from.iso_week();
        return Some(format!("{}W{}", week.year(), week.week()));
    }
    if from.day() == 1 && last_of_month(from) == Some(to) {
        return Some(from.format("%Y%m").to_string());
    }
    if from.ordinal() == 1 && to.year() == from.year() && to.month() == 12 && to.day() == 31 {
        return Some(from.format("%Y").to_string());
    }
    None
}

/// The checks only a DHIS2 export needs: breakdowns DHIS2 can place, and a period made of whole DHIS2
/// periods, since DHIS2 keeps one value per period and would read a part of one as the whole. Answers
/// the export's one period, when it has no breakdown by time.
pub fn dhis2_checks(request: &TableRequest) -> Result<Option<String>, Vec<FieldError>> {
    let mut checks = Checks::default();
    let known: Vec<&str> = DHIS2_DIMENSIONS.iter().map(|dimension| dimension.code()).collect();
    for (field, dimension) in [("/rows", Some(request.rows)), ("/columns", request.columns)] {
        if dimension.is_some_and(|dimension| !DHIS2_DIMENSIONS.contains(&dimension)) {
            checks.malformed(field, format!("must be one DHIS2 can place values by: {}", known.join(", ")));
        }
    }
    if request.narrowing.icd10_category.is_some() {
        checks.malformed("/icd10_category", "has no DHIS2 counterpart");
    }
    let time = [Some(request.rows), request.columns]
        .into_iter()
        .flatten()
        .find(|dimension| matches!(dimension, Dimension::Day | Dimension::Week | Dimension::Month | Dimension::Year));
    let (from, to) = (request.from, request.to);
    let single = match time {
        None => {
            let single = single_period(from, to);
            if single.is_none() {
                checks.rule(
                    "/to",
                    "without a breakdown by day, week, month or year, from and to must span exactly one day, \
                     ISO week, month or year",
                );
            }
            single
        }
        Some(Dimension::Week) => {
            if from.weekday() != Weekday::Mon {
                checks.rule("/from", "must be a Monday, the first day of an ISO week, in an export by week");
            }
            if to.weekday() != Weekday::Sun {
                checks.rule("/to", "must be a Sunday, the last day of an ISO week, in an export by week");
            }
            None
        }
        Some(Dimension::Month) => {
            if from.day() != 1 {
                checks.rule("/from", "must be the first day of a month in an export by month");
            }
            if last_of_month(to) != Some(to) {
                checks.rule("/to", "must be the last day of a month in an export by month");
            }
            None
        }
        Some(Dimension::Year) => {
            if from.ordinal() != 1 {
                checks.rule("/from", "must be 1 January in an export by year");
            }
            if !(to.month() == 12 && to.day() == 31) {
                checks.rule("/to", "must be 31 December in an export by year");
            }
            None
        }
        Some(_) => None,
    };
    if checks.errors.is_empty() {
        Ok(single)
    } else {
        Err(checks.errors)
    }
}

/// The DHIS2 export of a request's table, its read noted in `reads`.
pub(crate) async fn dhis2_export(
    read_models: &ReadModels,
    request: &TableRequest,
    mapping: &Dhis2Mapping,
    k: Threshold,
    reads: &ReadTracker,
) -> Result<Dhis2Export, Refusal> {
    let single = dhis2_checks(request).map_err(Refusal::Rule)?;
    let table = published(read_models, request, k).await?;
    let export = dhis2(request, &table, mapping, single);
    reads.note_table(TableNoted {
        table: format!("export.dhis2:{}", request.indicator.code()),
        parameters: request.parameters(),
        shown: u32::try_from(export.set.data_values.len()).unwrap_or(u32::MAX),
        suppressed: export.suppressed_omitted,
    });
    Ok(export)
}

/// The shown figures of the table's body that the mapping places, as DHIS2 values; `single` is the
/// export's one period when the table has no breakdown by time.
pub fn dhis2(request: &TableRequest, table: &Crosstab, mapping: &Dhis2Mapping, single: Option<String>) -> Dhis2Export {
    let base = Coordinates { period: single.clone(), ..Coordinates::of(&request.narrowing) };
    let mut values = Vec::new();
    let (mut suppressed, mut unmapped) = (0u32, 0u32);
    for (index, row) in table.row_labels.iter().enumerate() {
        let cells = table.cells.get(index).map_or(&[][..], Vec::as_slice);
        let row_at = base.with(table.rows, &row.code);
        for (column, figure) in cells.iter().enumerate() {
            let count = match figure {
                Published::Shown(count) => *count,
                Published::Suppressed => {
                    suppressed += 1;
                    continue;
                }
            };
            let at = match (table.columns, &row_at) {
                (Some(columns), Some(at)) => {
                    table.column_labels.get(column).and_then(|label| at.with(columns, &label.code))
                }
                (None, at) => at.clone(),
                (Some(_), None) => None,
            };
            let placed = at.and_then(|at| {
                let period = at.period.clone()?;
                let org_unit = mapping.org_unit(&at)?;
                let (element, combo) = mapping.element(table.indicator, &at)?;
                Some(DataValue {
                    data_element: element.to_owned(),
                    period,
                    org_unit: org_unit.to_owned(),
                    category_option_combo: combo.to_owned(),
                    value: count.to_string(),
                })
            });
            match placed {
                Some(value) => values.push(value),
                None => unmapped += 1,
            }
        }
    }
    Dhis2Export {
        set: DataValueSet {
            data_set: mapping.data_set.clone(),
            period: single,
            attribute_option_combo: mapping.attribute_option_combo.clone(),
            data_values: values,
        },
        suppressed_omitted: suppressed,
        unmapped_omitted: unmapped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::labels::Label;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn label(code: &str) -> Label {
        Label { code: code.into(), name_en: format!("{code} (en)"), name_fr: format!("{code} (fr)") }
    }

    fn arguments<'a>(pairs: &[(&str, &'a str)]) -> TableArguments<'a> {
        let mut arguments = TableArguments::default();
        for (name, value) in pairs {
            let value = Some(*value);
            match *name {
                "indicator" => arguments.indicator = value,
                "rows" => arguments.rows = value,
                "columns" => arguments.columns = value,
                "from" => arguments.from = value,
                "to" => arguments.to = value,
                "region" => arguments.region = value,
                "district" => arguments.district = value,
                "facility_id" => arguments.facility_id = value,
                "sex" => arguments.sex = value,
                "age_band" => arguments.age_band = value,
                "antigen" => arguments.antigen = value,
                "dose_number" => arguments.dose_number = value,
                "disease" => arguments.disease = value,
                "icd10_category" => arguments.icd10_category = value,
                other => panic!("no argument {other}"),
            }
        }
        arguments
    }

    /// Doses of Penta1 in two districts of the Littoral by sex, in January 2026; Nylon's figures
    /// suppressed.
    fn table() -> (TableRequest, Crosstab) {
        let request = TableRequest::parse(&arguments(&[
            ("indicator", "doses_given"),
            ("rows", "district"),
            ("columns", "sex"),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
            ("region", "LT"),
            ("antigen", "PENTA"),
            ("dose_number", "1"),
        ]))
        .unwrap();
        let table = Crosstab {
            indicator: Indicator::DosesGiven,
            rows: Dimension::District,
            columns: Some(Dimension::Sex),
            row_labels: vec![label("Deido"), label("Nylon")],
            column_labels: vec![label("female"), label("male")],
            cells: vec![
                vec![Published::Shown(7), Published::Shown(9)],
                vec![Published::Suppressed, Published::Suppressed],
            ],
            row_totals: vec![Published::Shown(16), Published::Shown(6)],
            column_totals: vec![Published::Suppressed, Published::Suppressed],
            total: Published::Shown(22),
            k: 5,
        };
        (request, table)
    }

    const MAPPING: &str = r#"
        data_set = "BfMAe6Itzgt"
        [org_units]
        national = "ImspTQPwCqd"
        [org_units.regions]
        LT = "O6uvpzGd5pu"
        [org_units.districts]
        Deido = "fdc6uOvgoji"
        Nylon = "lc3eMKXaEfw"
        [[data_elements]]
        indicator = "doses_given"
        antigen = "PENTA"
        dose_number = 1
        uid = "s46m5MS0hxu"
        category_combo = "by_sex"
        [[category_option_combos]]
        category_combo = "by_sex"
        sex = "female"
        uid = "Prlt0C1RF0s"
        [[category_option_combos]]
        category_combo = "by_sex"
        sex = "male"
        uid = "V6L425pT3A0"
        [[category_option_combos]]
        uid = "HllvX50cXC0"
    "#;

    #[test]
    fn codes_round_trip_and_every_variant_is_listed() {
        for indicator in INDICATORS {
            assert_eq!(super::indicator(indicator.code()), Some(indicator));
        }
        for dimension in DIMENSIONS {
            assert_eq!(super::dimension(dimension.code()), Some(dimension));
        }
        // A variant added to the tables without being listed here fails to compile.
        let listed = |dimension: Dimension| match dimension {
            Dimension::Region
            | Dimension::District
            | Dimension::Facility
            | Dimension::Day
            | Dimension::Week
            | Dimension::Month
            | Dimension::Year
            | Dimension::Sex
            | Dimension::AgeBand
            | Dimension::Antigen
            | Dimension::DoseNumber
            | Dimension::Icd10Chapter
            | Dimension::Icd10Category
            | Dimension::Disease
            | Dimension::PlaceOfDeath
            | Dimension::ReferralKind
            | Dimension::EncounterClass
            | Dimension::FromRegion
            | Dimension::ToRegion => DIMENSIONS.contains(&dimension),
        };
        assert!(DIMENSIONS.into_iter().all(listed));
        let listed = |indicator: Indicator| match indicator {
            Indicator::DosesGiven
            | Indicator::Encounters
            | Indicator::NewDiagnoses
            | Indicator::Deaths
            | Indicator::Referrals
            | Indicator::Registrations => INDICATORS.contains(&indicator),
        };
        assert!(INDICATORS.into_iter().all(listed));
        for (name, band) in AGE_BANDS {
            assert_eq!(age_band(name), Some(band));
        }
    }

    #[test]
    fn every_invalid_argument_is_named_with_what_it_breaks() {
        let errors = TableRequest::parse(&arguments(&[
            ("indicator", "nope"),
            ("rows", "district"),
            ("columns", "galaxy"),
            ("from", "2026-13-01"),
            ("to", "2026-02-01"),
            ("sex", "f"),
            ("age_band", "65+"),
            ("dose_number", "eleven"),
            ("facility_id", "x"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
        assert_eq!(
            fields,
            ["/indicator", "/columns", "/from", "/facility_id", "/sex", "/age_band", "/dose_number"],
            "{errors:?}"
        );
        assert!(errors.iter().all(|error| error.kind == domain::Breach::Constraint));
        let missing = TableRequest::parse(&TableArguments::default()).unwrap_err();
        let fields: Vec<&str> = missing.iter().map(|error| error.field).collect();
        assert_eq!(fields, ["/indicator", "/rows", "/from", "/to"]);

        let rules = TableRequest::parse(&arguments(&[
            ("indicator", "deaths"),
            ("rows", "district"),
            ("columns", "district"),
            ("from", "2026-02-01"),
            ("to", "2026-01-01"),
            ("region", "CE"),
            ("district", "Deido"),
        ]))
        .unwrap_err();
        let fields: Vec<&str> = rules.iter().map(|error| error.field).collect();
        assert_eq!(fields, ["/columns", "/to", "/district"], "{rules:?}");
        assert!(rules.iter().all(|error| error.kind == domain::Breach::Rule));
    }

    #[test]
    fn the_csv_has_a_line_per_figure_and_no_value_for_a_suppressed_one() {
        let (request, table) = table();
        let body = csv(&request, &table).unwrap();
        assert!(body.starts_with(b"indicator,period_from,") && body.ends_with(b"\r\n"));
        assert_eq!(body.iter().filter(|&&byte| byte == b'\n').count(), 10, "a header and nine lines, CRLF ended");
        let mut reader = csv::Reader::from_reader(body.as_slice());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), CSV_COLUMNS);
        let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        // Four cells, two row totals, two column totals and the grand total.
        assert_eq!(lines.len(), 9);
        let at = |row: &str, column: &str| {
            lines.iter().find(|line| &line[5] == row && &line[9] == column).unwrap_or_else(|| panic!("{row} {column}"))
        };
        let deido = at("Deido", "female");
        assert_eq!(&deido[0], "doses_given");
        assert_eq!((&deido[1], &deido[2]), ("2026-01-01", "2026-01-31"));
        assert_eq!(&deido[3], "antigen=PENTA;dose_number=1;region=LT");
        assert_eq!((&deido[4], &deido[6], &deido[7]), ("district", "Deido (en)", "Deido (fr)"));
        assert_eq!((&deido[8], &deido[10], &deido[11]), ("sex", "female (en)", "female (fr)"));
        assert_eq!((&deido[12], &deido[13], &deido[14]), ("7", "false", "5"));
        let hidden = at("Nylon", "male");
        assert_eq!((&hidden[12], &hidden[13]), ("", "true"));
        assert_eq!(&at("Nylon", TOTAL)[12], "6");
        assert_eq!(&at(TOTAL, "female")[12], "");
        let total = at(TOTAL, TOTAL);
        assert_eq!((&total[6], &total[11], &total[12]), ("Total", "Total", "22"));
    }

    #[test]
    fn a_table_without_columns_has_one_line_per_row_then_its_total() {
        let (request, mut table) = table();
        table.columns = None;
        table.column_labels.clear();
        table.cells = vec![vec![Published::Shown(16)], vec![Published::Shown(6)]];
        table.column_totals.clear();
        let body = csv(&request, &table).unwrap();
        let mut reader = csv::Reader::from_reader(body.as_slice());
        let lines: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!((&lines[0][5], &lines[0][8], &lines[0][9], &lines[0][12]), ("Deido", "", "", "16"));
        assert_eq!((&lines[2][5], &lines[2][12]), (TOTAL, "22"));
    }

    #[test]
    fn names_with_commas_and_quotes_are_quoted() {
        let (request, mut table) = table();
        table.row_labels[0] = Label { code: "x".into(), name_en: "Ebolowa, \"Nord\"".into(), name_fr: "É".into() };
        let body = csv(&request, &table).unwrap();
        assert!(String::from_utf8(body.clone()).unwrap().contains("\"Ebolowa, \"\"Nord\"\"\""));
        let mut reader = csv::Reader::from_reader(body.as_slice());
        let first = reader.records().next().unwrap().unwrap();
        assert_eq!(&first[6], "Ebolowa, \"Nord\"");
    }

    #[test]
    fn dhis2_takes_the_shown_figures_the_mapping_places() {
        let (request, table) = table();
        let mapping = Dhis2Mapping::from_toml(MAPPING).unwrap();
        let single = dhis2_checks(&request).unwrap();
        assert_eq!(single.as_deref(), Some("202601"));
        let export = dhis2(&request, &table, &mapping, single);
        assert_eq!(export.suppressed_omitted, 2);
        assert_eq!(export.unmapped_omitted, 0);
        let value = |org_unit: &str, combo: &str, value: &str| DataValue {
            data_element: "s46m5MS0hxu".into(),
            period: "202601".into(),
            org_unit: org_unit.into(),
            category_option_combo: combo.into(),
            value: value.into(),
        };
        assert_eq!(
            export.set.data_values,
            [value("fdc6uOvgoji", "Prlt0C1RF0s", "7"), value("fdc6uOvgoji", "V6L425pT3A0", "9")]
        );
        let json = serde_json::to_value(&export.set).unwrap();
        assert_eq!(json["dataSet"], "BfMAe6Itzgt");
        assert_eq!(json["period"], "202601");
        assert!(json.get("attributeOptionCombo").is_none());
        assert_eq!(json["dataValues"][0]["categoryOptionCombo"], "Prlt0C1RF0s");
        assert_eq!(json["dataValues"][0]["orgUnit"], "fdc6uOvgoji");

        // Another dose is another data element, which this mapping does not have.
        let mut other = request.clone();
        other.narrowing.dose_number = Some(2);
        let export = dhis2(&other, &table, &mapping, Some("202601".into()));
        assert!(export.set.data_values.is_empty());
        assert_eq!(export.unmapped_omitted, 2);
    }

    #[test]
    fn periods_are_written_as_dhis2_writes_them() {
        assert_eq!(dhis2_period(Dimension::Day, "2026-01-05").as_deref(), Some("20260105"));
        assert_eq!(dhis2_period(Dimension::Week, "2026-W02").as_deref(), Some("2026W2"));
        assert_eq!(dhis2_period(Dimension::Week, "2025-W53"), None);
        assert_eq!(dhis2_period(Dimension::Week, "2020-W53").as_deref(), Some("2020W53"));
        assert_eq!(dhis2_period(Dimension::Month, "2026-01").as_deref(), Some("202601"));
        assert_eq!(dhis2_period(Dimension::Year, "2026").as_deref(), Some("2026"));
        assert_eq!(single_period(day("2026-01-05"), day("2026-01-05")).as_deref(), Some("20260105"));
        assert_eq!(single_period(day("2025-12-29"), day("2026-01-04")).as_deref(), Some("2026W1"));
        assert_eq!(single_period(day("2026-02-01"), day("2026-02-28")).as_deref(), Some("202602"));
        assert_eq!(single_period(day("2026-01-01"), day("2026-12-31")).as_deref(), Some("2026"));
        assert_eq!(single_period(day("2026-01-01"), day("2026-01-30")), None);
    }

    #[test]
    fn dhis2_refuses_part_of_a_period_and_breakdowns_it_cannot_place() {
        let request = |pairs: &[(&str, &'static str)]| TableRequest::parse(&arguments(pairs)).unwrap();
        let by_week =
            request(&[("indicator", "new_diagnoses"), ("rows", "week"), ("from", "2026-01-07"), ("to", "2026-01-31")]);
        let fields: Vec<&str> = dhis2_checks(&by_week).unwrap_err().iter().map(|error| error.field).collect();
        assert_eq!(fields, ["/from", "/to"]);
        let aligned =
            request(&[("indicator", "new_diagnoses"), ("rows", "week"), ("from", "2026-01-05"), ("to", "2026-02-01")]);
        assert_eq!(dhis2_checks(&aligned), Ok(None));
        let chapter = request(&[
            ("indicator", "new_diagnoses"),
            ("rows", "icd10_chapter"),
            ("from", "2026-01-01"),
            ("to", "2026-01-31"),
        ]);
        let errors = dhis2_checks(&chapter).unwrap_err();
        assert_eq!(errors[0].field, "/rows");
        assert_eq!(errors[0].kind, domain::Breach::Constraint);
        let no_period =
            request(&[("indicator", "encounters"), ("rows", "district"), ("from", "2026-01-01"), ("to", "2026-01-30")]);
        assert_eq!(dhis2_checks(&no_period).unwrap_err()[0].field, "/to");
    }

    #[test]
    fn the_example_mapping_in_the_documentation_is_valid() {
        let example = include_str!("../../../docs/dhis2-mapping.example.toml");
        let mapping = Dhis2Mapping::from_toml(example).unwrap();
        assert_eq!(mapping.districts.get("Cité des Palmiers").map(String::as_str), Some("PMa2VCrupOd"));
    }

    #[test]
    fn a_mapping_is_checked_when_it_is_read() {
        assert!(Dhis2Mapping::from_toml(MAPPING).is_ok());
        for (broken, says) in [
            (MAPPING.replace("LT = ", "XX = "), "org_units.regions.XX"),
            (MAPPING.replace("Nylon = ", "Atlantis = "), "Atlantis"),
            (MAPPING.replace("\"s46m5MS0hxu\"", "\"short\""), "data_elements[0]"),
            (MAPPING.replace("antigen = \"PENTA\"", "antigen = \"NOPE\""), "antigen"),
            (
                MAPPING.replace(
                    "\"s46m5MS0hxu\"\n        category_combo = \"by_sex\"",
                    "\"s46m5MS0hxu\"\n        category_combo = \"by_age\"",
                ),
                "by_age",
            ),
            (MAPPING.replace("sex = \"male\"", "sex = \"female\""), "category_option_combos[1]"),
            (MAPPING.replace("data_set =", "dataset ="), "unknown field"),
        ] {
            let error = Dhis2Mapping::from_toml(&broken).unwrap_err().to_string();
            assert!(error.contains(says), "{says}: {error}");
        }
    }
}
