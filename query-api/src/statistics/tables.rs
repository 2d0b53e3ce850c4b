//! Indicators as published tables: counts read from the statistics read models, laid out as a
//! crosstab with its margins, and passed through disclosure control before anything leaves. GraphQL,
//! the exports and the dashboard all publish through here, so what one may show, all may.

use super::labels::{self, Label};
use domain::statistics::disclosure::{self, Published, Threshold};
use domain::statistics::{chapters, surveillance};
use projections::read::statistics::{Dimension as Column, Filter, Group, Source, Tally};
use projections::read::ReadModels;
use projections::ProjectionError;
use std::collections::{BTreeMap, BTreeSet};

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Indicator {
    /// Doses of vaccine given.
    DosesGiven,
    /// Visits (encounters).
    Encounters,
    /// New diagnoses (recorded active or recurring).
    NewDiagnoses,
    Deaths,
    /// Referrals and transfers between facilities.
    Referrals,
    /// Patients registered, by where they live.
    Registrations,
}

impl Indicator {
    pub fn code(self) -> &'static str {
        match self {
            Indicator::DosesGiven => "doses_given",
            Indicator::Encounters => "encounters",
            Indicator::NewDiagnoses => "new_diagnoses",
            Indicator::Deaths => "deaths",
            Indicator::Referrals => "referrals",
            Indicator::Registrations => "registrations",
        }
    }

    fn source(self) -> Source {
        match self {
            Indicator::DosesGiven => Source::Doses,
            Indicator::Encounters => Source::Encounters,
            Indicator::NewDiagnoses => Source::Diagnoses,
            Indicator::Deaths => Source::Deaths,
            Indicator::Referrals => Source::Referrals,
            Indicator::Registrations => Source::Registrations,
        }
    }
}

/// What a table's rows or columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Region,
    District,
    Facility,
    Day,
    Week,
    Month,
    Year,
    Sex,
    AgeBand,
    Antigen,
    DoseNumber,
    /// The ICD-10 chapter of a diagnosis or cause of death.
    Icd10Chapter,
    /// Its three-character category.
    Icd10Category,
    /// The notifiable disease a diagnosis counts for (the surveillance reference data's mapping).
    Disease,
    PlaceOfDeath,
    ReferralKind,
    /// A visit's class (outpatient, emergency…), `not_stated` for visits recorded without one.
    EncounterClass,
    FromRegion,
    ToRegion,
}

impl Dimension {
    pub fn code(self) -> &'static str {
        match self {
            Dimension::Region => "region",
            Dimension::District => "district",
            Dimension::Facility => "facility",
            Dimension::Day => "day",
            Dimension::Week => "week",
            Dimension::Month => "month",
            Dimension::Year => "year",
            Dimension::Sex => "sex",
            Dimension::AgeBand => "age_band",
            Dimension::Antigen => "antigen",
            Dimension::DoseNumber => "dose_number",
            Dimension::Icd10Chapter => "icd10_chapter",
            Dimension::Icd10Category => "icd10_category",
            Dimension::Disease => "disease",
            Dimension::PlaceOfDeath => "place_of_death",
            Dimension::ReferralKind => "referral_kind",
            Dimension::EncounterClass => "encounter_class",
            Dimension::FromRegion => "from_region",
            Dimension::ToRegion => "to_region",
        }
    }

    /// The read model's column this dimension is read through (chapters and diseases are grouped from
    /// full codes here, so that the mapping stays data).
    fn column(self) -> Column {
        match self {
            Dimension::Region => Column::Region,
            Dimension::District => Column::District,
            Dimension::Facility => Column::Facility,
            Dimension::Day => Column::Day,
            Dimension::Week => Column::Week,
            Dimension::Month => Column::Month,
            Dimension::Year => Column::Year,
            Dimension::Sex => Column::Sex,
            Dimension::AgeBand => Column::AgeBand,
            Dimension::Antigen => Column::Antigen,
            Dimension::DoseNumber => Column::DoseNumber,
            Dimension::Icd10Chapter | Dimension::Disease => Column::Icd10,
            Dimension::Icd10Category => Column::Icd10Category,
            Dimension::PlaceOfDeath => Column::PlaceOfDeath,
            Dimension::ReferralKind => Column::ReferralKind,
            Dimension::EncounterClass => Column::EncounterClass,
            Dimension::FromRegion => Column::FromRegion,
            Dimension::ToRegion => Column::ToRegion,
        }
    }

    /// A read model's value as this dimension's key (`None`: not counted under any, e.g. a diagnosis
    /// of no notifiable disease in a table by disease).
    fn key(self, value: &str) -> Option<String> {
        match self {
            Dimension::Icd10Chapter => chapters::chapter_of(value).map(|chapter| chapter.numeral.to_owned()),
            Dimension::Disease => surveillance::disease_of(value).map(|disease| disease.code.clone()),
            Dimension::EncounterClass if value.is_empty() => Some(NOT_STATED.to_owned()),
            _ => Some(value.to_owned()),
        }
    }
}

/// The filters a request narrows a table by, each checked against the reference data before use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowing {
    /// Days from and to, inclusive.
    pub days: Option<(String, String)>,
    pub region: Option<String>,
    pub district: Option<String>,
    pub facility: Option<String>,
    pub sex: Option<String>,
    pub age_band: Option<String>,
    pub antigen: Option<String>,
    pub dose_number: Option<i64>,
    /// A notifiable disease's code.
    pub disease: Option<String>,
    /// A three-character ICD-10 category.
    pub icd10_category: Option<String>,
    /// A visit's class, `not_stated` for those recorded without one.
    pub encounter_class: Option<String>,
}

/// The key of visits recorded without a class (stored as '').
pub const NOT_STATED: &str = "not_stated";

impl Narrowing {
    fn filters(&self) -> Vec<Filter> {
        let mut filters = Vec::new();
        if let Some((from, to)) = &self.days {
            filters.push(Filter::Days(from.clone(), to.clone()));
        }
        if let Some(region) = &self.region {
            filters.push(Filter::Region(region.clone()));
        }
        if let Some(district) = &self.district {
            filters.push(Filter::District(district.clone()));
        }
        if let Some(facility) = &self.facility {
            filters.push(Filter::Facility(facility.clone()));
        }
        if let Some(sex) = &self.sex {
            filters.push(Filter::Sex(sex.clone()));
        }
        if let Some(band) = &self.age_band {
            filters.push(Filter::AgeBand(band.clone()));
        }
        if let Some(antigen) = &self.antigen {
            filters.push(Filter::Antigen(antigen.clone()));
        }
        if let Some(dose) = self.dose_number {
            filters.push(Filter::DoseNumber(dose));
        }
        if let Some(code) = &self.disease {
            filters.push(disease_filter(code));
        }
        if let Some(category) = &self.icd10_category {
            filters.push(Filter::Icd10 { codes: Vec::new(), categories: vec![category.clone()] });
        }
        if let Some(class) = &self.encounter_class {
            let stored = if class == NOT_STATED { String::new() } else { class.clone() };
            filters.push(Filter::EncounterClass(stored));
        }
        filters
    }
}

/// The codes a disease's cases are diagnosed under, as a filter (a disease not in the reference data
/// matches nothing; callers check codes first).
pub(crate) fn disease_filter(code: &str) -> Filter {
    let mut codes = Vec::new();
    let mut categories = Vec::new();
    if let Some(disease) = surveillance::disease(code) {
        for pattern in disease.icd10_patterns() {
            match pattern {
                surveillance::Icd10Pattern::Code(code) => codes.push(code.clone()),
                surveillance::Icd10Pattern::Category(category) => categories.push(category.clone()),
            }
        }
    }
    Filter::Icd10 { codes, categories }
}

/// A published crosstab: rows by columns, with row, column and grand totals. Every figure is
/// published as disclosure control decided: shown, or suppressed.
#[derive(Debug, Clone, PartialEq)]
pub struct Crosstab {
    pub indicator: Indicator,
    pub rows: Dimension,
    pub columns: Option<Dimension>,
    pub row_labels: Vec<Label>,
    /// Empty when the table has no columns (one count per row).
    pub column_labels: Vec<Label>,
    /// Row by row; one figure per row when the table has no columns.
    pub cells: Vec<Vec<Published>>,
    pub row_totals: Vec<Published>,
    pub column_totals: Vec<Published>,
    pub total: Published,
    pub k: u64,
}

impl Crosstab {
    /// Every figure of the table: the cells row by row, the row totals, the column totals, the total.
    pub fn figures(&self) -> impl Iterator<Item = Published> + '_ {
        self.cells
            .iter()
            .flatten()
            .chain(&self.row_totals)
            .chain(&self.column_totals)
            .chain(std::iter::once(&self.total))
            .copied()
    }
}

/// The most figures one table may hold: beyond it a request must narrow its range or its filters.
pub const MAX_CELLS: usize = 20_000;

/// Why a table cannot be published as asked.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The request asks for something the indicator has no such breakdown or filter for, or for a
    /// table too large: the message says which.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    ReadModels(#[from] ProjectionError),
    #[error("disclosure control: {0}")]
    Disclosure(#[from] disclosure::DisclosureError),
}

/// Reads, lays out and protects one crosstab.
pub async fn crosstab(
    read_models: &ReadModels,
    indicator: Indicator,
    rows: Dimension,
    columns: Option<Dimension>,
    narrowing: &Narrowing,
    k: Threshold,
) -> Result<Crosstab, TableError> {
    let source = indicator.source();
    let mut by = vec![rows.column()];
    if let Some(columns) = columns {
        if columns == rows {
            return Err(TableError::Invalid("rows and columns must be different breakdowns".into()));
        }
        by.push(columns.column());
    }
    let tally = Tally { source, by, filters: narrowing.filters() };
    let groups = read_models.tally(&tally).await.map_err(|error| match error {
        ProjectionError::Corrupt(reason) => {
            TableError::Invalid(format!("{} cannot be broken down or narrowed so: {reason}", indicator.code()))
        }
        other => TableError::ReadModels(other),
    })?;
    let counts = regroup(&groups, rows, columns);
    let row_keys =
        labels::universe(rows, narrowing, counts.keys().map(|(row, _)| row.clone())).map_err(TableError::Invalid)?;
    let column_keys = match columns {
        Some(columns) => labels::universe(columns, narrowing, counts.keys().map(|(_, column)| column.clone()))
            .map_err(TableError::Invalid)?,
        None => vec![String::new()],
    };
    let figures = row_keys.len().saturating_mul(column_keys.len() + 1);
    if figures > MAX_CELLS {
        return Err(TableError::Invalid(format!(
            "the table would hold {figures} figures, more than {MAX_CELLS}: narrow the range or the breakdown"
        )));
    }
    let mut values = Vec::with_capacity(row_keys.len() * column_keys.len());
    for row in &row_keys {
        for column in &column_keys {
            let n = counts.get(&(row.clone(), column.clone())).copied().unwrap_or(0);
            values.push(u64::try_from(n).unwrap_or(0));
        }
    }
    let (width, height) = (column_keys.len(), row_keys.len());
    let row_labels = labels::label_all(read_models, rows, &row_keys).await?;
    let column_labels = match columns {
        Some(columns) => labels::label_all(read_models, columns, &column_keys).await?,
        None => Vec::new(),
    };
    if height == 0 {
        return Ok(Crosstab {
            indicator,
            rows,
            columns,
            row_labels,
            column_labels,
            cells: Vec::new(),
            row_totals: Vec::new(),
            column_totals: vec![Published::Shown(0); if columns.is_some() { width } else { 0 }],
            total: Published::Shown(0),
            k: k.get(),
        });
    }
    let table = disclosure::Table::grid(height, width, values)?;
    let publication = disclosure::protect(&table, k);
    let cells: Vec<Vec<Published>> = publication.cells().chunks(width).map(<[Published]>::to_vec).collect();
    let sums = publication.sums();
    let row_totals = sums[..height].to_vec();
    let column_totals = if columns.is_some() { sums[height..height + width].to_vec() } else { Vec::new() };
    let total = sums.get(height + width).copied().unwrap_or(Published::Suppressed);
    Ok(Crosstab {
        indicator,
        rows,
        columns,
        row_labels,
        column_labels,
        cells,
        row_totals,
        column_totals,
        total,
        k: k.get(),
    })
}

/// The read model's groups as counts by (row key, column key), keys mapped through their dimensions.
fn regroup(groups: &[Group], rows: Dimension, columns: Option<Dimension>) -> BTreeMap<(String, String), i64> {
    let mut counts = BTreeMap::new();
    for group in groups {
        let Some(row) = group.key.first().and_then(|value| rows.key(value)) else { continue };
        let column = match columns {
            Some(columns) => match group.key.get(1).and_then(|value| columns.key(value)) {
                Some(column) => column,
                None => continue,
            },
            None => String::new(),
        };
        *counts.entry((row, column)).or_insert(0) += group.n;
    }
    counts
}

/// The keys a read observed, sorted and unique.
pub(crate) fn observed(keys: impl Iterator<Item = String>) -> Vec<String> {
    keys.collect::<BTreeSet<_>>().into_iter().collect()
}
