//! Anonymised public-health statistics for the ministry, the regional delegations and facilities'
//! administrators: `statistics { … }`.
//!
//! Every figure is read from the statistics read models (counts per cell, never a person), laid out
//! and passed through disclosure control (`domain::statistics::disclosure`) in [`tables`],
//! [`coverage`] and [`alerts`], which the exports and the dashboard publish through too. Each table
//! read is recorded in the ledger (`access.statistics_read`) before the answer leaves, like every
//! read of medical data. Arguments are checked against the reference data (regions, districts,
//! antigens, diseases) before anything is read: an unknown code, a range inverted or too long, is
//! `BAD_USER_INPUT` naming the argument.

pub mod alerts;
pub mod coverage;
pub mod dashboard;
pub mod export;
pub mod labels;
pub mod scope;
pub mod tables;

use crate::error::{bad_input, internal, Code};
use crate::scalars::RegionCode;
use crate::viewer::{ReadTracker, TableNoted, Viewer};
use async_graphql::{Context, Enum, ErrorExtensions, InputObject, Object, SimpleObject, ID};
use chrono::{Datelike, NaiveDate};
use domain::statistics::disclosure::{Published, PublishedRate, Threshold};
use domain::statistics::{age_band::AgeBand, population, surveillance};
use projections::read::ReadModels;
use std::collections::BTreeSet;

/// The threshold tables are published under (`k`): cells counting 1 to k − 1 people are suppressed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PublicationThreshold(pub Threshold);

/// The statistics root: anonymised tables only.
pub struct Statistics;

/// One published figure: its value, or nothing and `suppressed` when disclosure control hid it.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    /// The count, when shown.
    pub value: Option<i64>,
    /// Hidden because it counts fewer people than the threshold, or because it would give such a
    /// count away.
    pub suppressed: bool,
}

impl From<Published> for Figure {
    fn from(published: Published) -> Self {
        match published {
            Published::Shown(count) => {
                Figure { value: Some(i64::try_from(count).unwrap_or(i64::MAX)), suppressed: false }
            }
            Published::Suppressed => Figure { value: None, suppressed: true },
        }
    }
}

/// A published rate, as a percentage.
#[derive(SimpleObject, Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// The percentage, rounded to one decimal, when both parts are shown and the denominator is not 0.
    pub percent: Option<f64>,
    /// Hidden because one of its parts is.
    pub suppressed: bool,
}

impl From<PublishedRate> for Rate {
    fn from(rate: PublishedRate) -> Self {
        match rate {
            PublishedRate::Shown { .. } => {
                Rate { percent: rate.value().map(|value| (value * 1000.0).round() / 10.0), suppressed: false }
            }
            PublishedRate::Suppressed => Rate { percent: None, suppressed: true },
            PublishedRate::Undefined => Rate { percent: None, suppressed: false },
        }
    }
}

/// A row's or column's key and names.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct StatisticsLabel {
    pub code: String,
    pub name_en: String,
    pub name_fr: String,
}

impl From<labels::Label> for StatisticsLabel {
    fn from(label: labels::Label) -> Self {
        StatisticsLabel { code: label.code, name_en: label.name_en, name_fr: label.name_fr }
    }
}

/// What is counted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsIndicator {
    DosesGiven,
    Encounters,
    NewDiagnoses,
    Deaths,
    Referrals,
    Registrations,
}

impl From<StatisticsIndicator> for tables::Indicator {
    fn from(indicator: StatisticsIndicator) -> Self {
        match indicator {
            StatisticsIndicator::DosesGiven => tables::Indicator::DosesGiven,
            StatisticsIndicator::Encounters => tables::Indicator::Encounters,
            StatisticsIndicator::NewDiagnoses => tables::Indicator::NewDiagnoses,
            StatisticsIndicator::Deaths => tables::Indicator::Deaths,
            StatisticsIndicator::Referrals => tables::Indicator::Referrals,
            StatisticsIndicator::Registrations => tables::Indicator::Registrations,
        }
    }
}

/// What a table's rows or columns are.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Region,
    District,
    Facility,
    Day,
    /// ISO 8601 weeks (Monday to Sunday), the epidemiological weeks of IDSR.
    Week,
    Month,
    Year,
    Sex,
    AgeBand,
    Antigen,
    DoseNumber,
    Icd10Chapter,
    Icd10Category,
    /// The notifiable disease a diagnosis counts for.
    Disease,
    PlaceOfDeath,
    ReferralKind,
    /// A visit's class (outpatient, emergency, inpatient…; `not_stated` for visits recorded without).
    EncounterClass,
    FromRegion,
    ToRegion,
}

impl From<Breakdown> for tables::Dimension {
    fn from(breakdown: Breakdown) -> Self {
        use tables::Dimension as D;
        match breakdown {
            Breakdown::Region => D::Region,
            Breakdown::District => D::District,
            Breakdown::Facility => D::Facility,
            Breakdown::Day => D::Day,
            Breakdown::Week => D::Week,
            Breakdown::Month => D::Month,
            Breakdown::Year => D::Year,
            Breakdown::Sex => D::Sex,
            Breakdown::AgeBand => D::AgeBand,
            Breakdown::Antigen => D::Antigen,
            Breakdown::DoseNumber => D::DoseNumber,
            Breakdown::Icd10Chapter => D::Icd10Chapter,
            Breakdown::Icd10Category => D::Icd10Category,
            Breakdown::Disease => D::Disease,
            Breakdown::PlaceOfDeath => D::PlaceOfDeath,
            Breakdown::ReferralKind => D::ReferralKind,
            Breakdown::EncounterClass => D::EncounterClass,
            Breakdown::FromRegion => D::FromRegion,
            Breakdown::ToRegion => D::ToRegion,
        }
    }
}

/// A sex, as counted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsSex {
    Female,
    Male,
    Unknown,
}

/// An age band.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsAgeBand {
    Under1,
    From1To4,
    From5To14,
    From15To24,
    From25To49,
    From50To64,
    From65,
}

impl From<StatisticsAgeBand> for AgeBand {
    fn from(band: StatisticsAgeBand) -> Self {
        match band {
            StatisticsAgeBand::Under1 => AgeBand::Under1,
            StatisticsAgeBand::From1To4 => AgeBand::From1To4,
            StatisticsAgeBand::From5To14 => AgeBand::From5To14,
            StatisticsAgeBand::From15To24 => AgeBand::From15To24,
            StatisticsAgeBand::From25To49 => AgeBand::From25To49,
            StatisticsAgeBand::From50To64 => AgeBand::From50To64,
            StatisticsAgeBand::From65 => AgeBand::From65,
        }
    }
}

/// The level of the areas a cohort's table is broken down by.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaLevel {
    Region,
    District,
}

/// What a table counts: a period, and optionally a place and the people or events counted.
#[derive(InputObject, Debug, Clone)]
pub struct StatisticsFilter {
    /// The first day, `YYYY-MM-DD`.
    pub from: String,
    /// The last day, `YYYY-MM-DD` (at most five years after `from`).
    pub to: String,
    pub region: Option<RegionCode>,
    /// A health district, by name as the reference data spells it (see `statistics.districts`).
    pub district: Option<String>,
    pub facility_id: Option<ID>,
    pub sex: Option<StatisticsSex>,
    pub age_band: Option<StatisticsAgeBand>,
    /// An antigen's code in the immunisation schedule (`PENTA`, `MR`…).
    pub antigen: Option<String>,
    pub dose_number: Option<i32>,
    /// A notifiable disease's code (see `statistics.diseases`).
    pub disease: Option<String>,
    /// A three-character ICD-10 category (`B50`).
    pub icd10_category: Option<String>,
    /// Visits of one class.
    pub encounter_class: Option<StatisticsEncounterClass>,
}

/// A visit's class, as counted.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsEncounterClass {
    Outpatient,
    Emergency,
    Inpatient,
    HomeVisit,
    Outreach,
    Teleconsultation,
    /// Recorded without a class.
    NotStated,
}

impl StatisticsEncounterClass {
    fn code(self) -> &'static str {
        match self {
            StatisticsEncounterClass::Outpatient => "outpatient",
            StatisticsEncounterClass::Emergency => "emergency",
            StatisticsEncounterClass::Inpatient => "inpatient",
            StatisticsEncounterClass::HomeVisit => "home_visit",
            StatisticsEncounterClass::Outreach => "outreach",
            StatisticsEncounterClass::Teleconsultation => "teleconsultation",
            StatisticsEncounterClass::NotStated => tables::NOT_STATED,
        }
    }
}

/// One row of a published table.
#[derive(SimpleObject, Debug, Clone)]
pub struct StatisticsRow {
    pub label: StatisticsLabel,
    /// One figure per column (one in all for a table without columns).
    pub cells: Vec<Figure>,
    pub total: Figure,
}

/// A published crosstab with its margins.
#[derive(SimpleObject, Debug, Clone)]
pub struct StatisticsTable {
    pub indicator: StatisticsIndicator,
    pub rows: Breakdown,
    pub columns: Option<Breakdown>,
    pub column_labels: Vec<StatisticsLabel>,
    pub body: Vec<StatisticsRow>,
    pub column_totals: Vec<Figure>,
    pub total: Figure,
    /// The threshold the table was published under: no shown figure counts 1 to `threshold − 1`.
    pub threshold: i32,
}

/// One area's immunisation coverage.
#[derive(SimpleObject, Debug, Clone)]
pub struct CoverageRow {
    pub area: StatisticsLabel,
    /// Children of the cohort registered in CloudMedi who live there.
    pub registered: Figure,
    /// Of them, those who received the dose.
    pub vaccinated: Figure,
    /// Vaccinated over registered.
    pub coverage: Rate,
    /// The official target population (surviving infants) of the cohort's year, where the reference
    /// data has it.
    pub target_population: Option<i64>,
    /// Vaccinated over the official target.
    pub coverage_of_target: Rate,
}

impl From<coverage::CoverageRow> for CoverageRow {
    fn from(row: coverage::CoverageRow) -> Self {
        CoverageRow {
            area: row.area.into(),
            registered: row.registered.into(),
            vaccinated: row.vaccinated.into(),
            coverage: row.coverage.into(),
            target_population: row.target.and_then(|target| i64::try_from(target).ok()),
            coverage_of_target: row.coverage_of_target.into(),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct CoverageTable {
    pub birth_year: i32,
    pub antigen: String,
    pub dose_number: i32,
    pub rows: Vec<CoverageRow>,
    pub total: CoverageRow,
    pub threshold: i32,
    /// Where the official target population comes from, and how it was estimated.
    pub target_source: String,
}

/// One area's children overdue for a dose.
#[derive(SimpleObject, Debug, Clone)]
pub struct OverdueRow {
    pub area: StatisticsLabel,
    /// Children registered who live there, born in the months due for the dose by the month's end.
    pub due: Figure,
    /// Of them, those who received the dose by then.
    pub vaccinated: Figure,
    /// Of them, those who did not: the children a vaccination team goes looking for.
    pub overdue: Figure,
    /// Overdue over due.
    pub overdue_rate: Rate,
}

impl From<coverage::OverdueRow> for OverdueRow {
    fn from(row: coverage::OverdueRow) -> Self {
        OverdueRow {
            area: row.area.into(),
            due: row.due.into(),
            vaccinated: row.vaccinated.into(),
            overdue: row.overdue.into(),
            overdue_rate: row.overdue_rate.into(),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct OverdueTable {
    /// The month at whose end children are counted, `YYYY-MM`.
    pub month: String,
    pub antigen: String,
    pub dose_number: i32,
    /// The birth months counted, oldest first (`YYYY-MM`): those whose every child was past the dose's
    /// due age and the four weeks' grace by the month's end, and still young enough to catch it up.
    /// Absent when no birth month is due yet.
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    pub rows: Vec<OverdueRow>,
    pub total: OverdueRow,
    pub threshold: i32,
}

/// One area's dropout rates.
#[derive(SimpleObject, Debug, Clone)]
pub struct DropoutRow {
    pub area: StatisticsLabel,
    pub penta1: Figure,
    pub penta3: Figure,
    pub mr1: Figure,
    /// (Penta1 − Penta3) ÷ Penta1; under 10 % is the usual acceptable level.
    pub penta1_to_penta3: Rate,
    /// (Penta1 − MR1) ÷ Penta1.
    pub penta1_to_mr1: Rate,
}

impl From<coverage::DropoutRow> for DropoutRow {
    fn from(row: coverage::DropoutRow) -> Self {
        DropoutRow {
            area: row.area.into(),
            penta1: row.penta1.into(),
            penta3: row.penta3.into(),
            mr1: row.mr1.into(),
            penta1_to_penta3: row.penta1_to_penta3.into(),
            penta1_to_mr1: row.penta1_to_mr1.into(),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct DropoutTable {
    pub birth_year: i32,
    pub rows: Vec<DropoutRow>,
    pub total: DropoutRow,
    pub threshold: i32,
}

/// How far a district-week went past a disease's thresholds.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertLevel {
    Alert,
    Epidemic,
}

/// A district-week that crossed a notifiable disease's alert or epidemic threshold.
#[derive(SimpleObject, Debug, Clone)]
pub struct EpidemicAlert {
    pub disease: StatisticsLabel,
    pub district: String,
    pub region: StatisticsLabel,
    /// The ISO week, `2026-W05`.
    pub week: String,
    pub level: AlertLevel,
}

/// A notifiable disease of the surveillance reference data.
#[derive(SimpleObject, Debug, Clone)]
pub struct NotifiableDisease {
    pub code: String,
    pub name_en: String,
    pub name_fr: String,
    /// The ICD-10 codes and three-character categories its cases are diagnosed under.
    pub icd10: Vec<String>,
}

/// A health district of the reference data.
#[derive(SimpleObject, Debug, Clone)]
pub struct HealthDistrict {
    pub name: String,
    pub region: StatisticsLabel,
}

/// An argument checked as the exports check their query parameters (`export::Checks`), its refusal
/// `BAD_USER_INPUT` naming the argument.
fn checked<T>(check: impl FnOnce(&mut export::Checks) -> Option<T>) -> async_graphql::Result<T> {
    let mut checks = export::Checks::default();
    match check(&mut checks) {
        Some(value) if checks.errors.is_empty() => Ok(value),
        _ => {
            let named: Vec<String> = checks
                .errors
                .iter()
                .map(|error| format!("{}: {}", error.field.trim_start_matches('/'), error.message))
                .collect();
            Err(bad_input(if named.is_empty() { "invalid argument".to_owned() } else { named.join("; ") }))
        }
    }
}

fn day(text: &str, argument: &'static str) -> async_graphql::Result<NaiveDate> {
    checked(|checks| checks.day(argument, Some(text)))
}

/// A period's two ends, checked: in order, and at most five years apart.
fn period(from: &str, to: &str) -> async_graphql::Result<(NaiveDate, NaiveDate)> {
    let (start, end) = (day(from, "/from")?, day(to, "/to")?);
    checked(|checks| checks.period(start, end))
}

fn district(name: &str, region: Option<&str>) -> async_graphql::Result<String> {
    checked(|checks| checks.district(Some(name), region))
}

fn antigen(code: &str) -> async_graphql::Result<String> {
    checked(|checks| checks.antigen(Some(code)))
}

fn disease(code: &str) -> async_graphql::Result<String> {
    checked(|checks| checks.disease(Some(code)))
}

/// The filter as the tables read it, every code checked against the reference data.
fn narrowing(filter: &StatisticsFilter) -> async_graphql::Result<tables::Narrowing> {
    let (from, to) = period(&filter.from, &filter.to)?;
    let region = filter.region.as_ref().map(|region| region.0.clone());
    let facility = match &filter.facility_id {
        Some(id) => Some(
            uuid::Uuid::parse_str(id.as_str()).map_err(|_| bad_input("facilityId is not an id (a UUID)"))?.to_string(),
        ),
        None => None,
    };
    let dose_number = match filter.dose_number {
        Some(number) if !(0..=10).contains(&number) => return Err(bad_input("doseNumber must be 0 to 10")),
        other => other.map(i64::from),
    };
    let icd10_category = match &filter.icd10_category {
        Some(category) if category.len() == 3 && domain::record::icd10::title(category).is_some() => {
            Some(category.clone())
        }
        Some(_) => return Err(bad_input("icd10Category is not a three-character ICD-10 category")),
        None => None,
    };
    Ok(tables::Narrowing {
        days: Some((from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string())),
        district: filter.district.as_deref().map(|name| district(name, region.as_deref())).transpose()?,
        region,
        facility,
        sex: filter.sex.map(|sex| {
            match sex {
                StatisticsSex::Female => "female",
                StatisticsSex::Male => "male",
                StatisticsSex::Unknown => "unknown",
            }
            .to_owned()
        }),
        age_band: filter.age_band.map(|band| AgeBand::from(band).code().to_owned()),
        antigen: filter.antigen.as_deref().map(antigen).transpose()?,
        dose_number,
        disease: filter.disease.as_deref().map(disease).transpose()?,
        icd10_category,
        encounter_class: filter.encounter_class.map(|class| class.code().to_owned()),
    })
}

/// The narrowing's parameters as recorded with the read (`name=value`).
fn parameters(narrowing: &tables::Narrowing, extra: &[(&str, String)]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = extra.iter().map(|(name, value)| format!("{name}={value}")).collect();
    if let Some((from, to)) = &narrowing.days {
        out.insert(format!("from={from}"));
        out.insert(format!("to={to}"));
    }
    let optional = [
        ("region", narrowing.region.clone()),
        ("district", narrowing.district.clone()),
        ("facility", narrowing.facility.clone()),
        ("sex", narrowing.sex.clone()),
        ("age_band", narrowing.age_band.clone()),
        ("antigen", narrowing.antigen.clone()),
        ("dose_number", narrowing.dose_number.map(|n| n.to_string())),
        ("disease", narrowing.disease.clone()),
        ("icd10_category", narrowing.icd10_category.clone()),
        ("encounter_class", narrowing.encounter_class.clone()),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            out.insert(format!("{name}={value}"));
        }
    }
    out
}

fn count(figures: impl IntoIterator<Item = Published>) -> (u32, u32) {
    figures.into_iter().fold((0, 0), |(shown, hidden), figure| match figure {
        Published::Shown(_) => (shown + 1, hidden),
        Published::Suppressed => (shown, hidden + 1),
    })
}

fn note(ctx: &Context<'_>, table: &str, parameters: BTreeSet<String>, (shown, suppressed): (u32, u32)) {
    if let Ok(tracker) = ctx.data::<ReadTracker>() {
        tracker.note_table(TableNoted { table: table.to_owned(), parameters, shown, suppressed });
    }
}

fn read_models<'a>(ctx: &Context<'a>) -> Result<&'a ReadModels, Code> {
    ctx.data::<ReadModels>().map_err(|_| Code::Internal)
}

fn threshold(ctx: &Context<'_>) -> Threshold {
    ctx.data::<PublicationThreshold>().map(|threshold| threshold.0).unwrap_or_default()
}

fn table_error(error: tables::TableError) -> async_graphql::Error {
    match error {
        tables::TableError::Invalid(message) => bad_input(message),
        tables::TableError::ReadModels(error) => Code::from(error).into(),
        tables::TableError::Disclosure(error) => internal(&error),
    }
}

/// Who may read statistics at all: analysts (nationally, or their region) and facilities'
/// administrators (their own facility's aggregates); each read is then confined to the reader's
/// reach (`scope`).
pub(crate) fn admit(viewer: &Viewer) -> Result<(), Code> {
    scope::reach(viewer).map(|_| ())
}

fn refused(refusal: scope::Refused) -> async_graphql::Error {
    match refusal {
        scope::Refused::Code(code) => code.into(),
        scope::Refused::OutOfScope(scope::OutOfScope(message)) => async_graphql::Error::new(message)
            .extend_with(|_, extensions| extensions.set("code", Code::Forbidden.as_str())),
    }
}

fn confined(ctx: &Context<'_>, narrowing: &mut tables::Narrowing) -> async_graphql::Result<()> {
    scope::confine(crate::query::viewer(ctx)?, narrowing).map_err(refused)
}

fn confined_area(ctx: &Context<'_>, region: Option<RegionCode>) -> async_graphql::Result<Option<String>> {
    scope::confine_area(crate::query::viewer(ctx)?, region.map(|region| region.0), None).map_err(refused)
}

#[Object]
impl Statistics {
    /// A crosstab of an indicator over a period: rows by one breakdown, columns by another if given,
    /// with row, column and grand totals, each figure shown or suppressed. An analyst of a regional
    /// delegation reads their region's (a filter naming no region is theirs, another region is
    /// `FORBIDDEN`); a facility's administrator their own facility's.
    #[graphql(complexity = 200)]
    async fn table(
        &self,
        ctx: &Context<'_>,
        indicator: StatisticsIndicator,
        rows: Breakdown,
        columns: Option<Breakdown>,
        filter: StatisticsFilter,
    ) -> async_graphql::Result<StatisticsTable> {
        let mut narrowing = narrowing(&filter)?;
        confined(ctx, &mut narrowing)?;
        let table = tables::crosstab(
            read_models(ctx)?,
            indicator.into(),
            rows.into(),
            columns.map(Into::into),
            &narrowing,
            threshold(ctx),
        )
        .await
        .map_err(table_error)?;
        let figures = table.figures();
        let mut extra = vec![("rows", tables::Dimension::from(rows).code().to_owned())];
        if let Some(columns) = columns {
            extra.push(("columns", tables::Dimension::from(columns).code().to_owned()));
        }
        note(ctx, &format!("table:{}", table.indicator.code()), parameters(&narrowing, &extra), count(figures));
        Ok(publish(indicator, rows, columns, table))
    }

    /// Immunisation coverage of one dose in a birth cohort, by region or by district, against the
    /// children registered and the official target population. Children are counted where they
    /// live: an analyst of a regional delegation reads their region's, a facility's administrator
    /// none.
    #[graphql(complexity = 100)]
    // One parameter per GraphQL argument.
    #[allow(clippy::too_many_arguments)]
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        birth_year: i32,
        antigen: String,
        dose_number: i32,
        #[graphql(default_with = "AreaLevel::Region")] by: AreaLevel,
        region: Option<RegionCode>,
        #[graphql(desc = "Count doses given up to this month, `YYYY-MM` (all doses recorded when absent).")]
        given_by: Option<String>,
    ) -> async_graphql::Result<CoverageTable> {
        check_year(birth_year)?;
        let antigen = self::antigen(&antigen)?;
        if !(0..=10).contains(&dose_number) {
            return Err(bad_input("doseNumber must be 0 to 10"));
        }
        if let Some(month) = &given_by {
            let valid = month.len() == 7 && NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
            if !valid {
                return Err(bad_input("givenBy must be a month, YYYY-MM"));
            }
        }
        let region = confined_area(ctx, region)?;
        let table = coverage::coverage(
            read_models(ctx)?,
            birth_year,
            &antigen,
            i64::from(dose_number),
            level(by),
            region.as_deref(),
            given_by.as_deref(),
            threshold(ctx),
        )
        .await
        .map_err(table_error)?;
        let figures =
            table.rows.iter().chain(std::iter::once(&table.total)).flat_map(|row| [row.registered, row.vaccinated]);
        let mut extra = vec![
            ("birth_year", birth_year.to_string()),
            ("antigen", antigen.clone()),
            ("dose_number", dose_number.to_string()),
            ("by", if by == AreaLevel::Region { "region" } else { "district" }.to_owned()),
        ];
        if let Some(region) = &region {
            extra.push(("region", region.clone()));
        }
        if let Some(month) = &given_by {
            extra.push(("given_by", month.clone()));
        }
        note(ctx, "coverage", parameters(&tables::Narrowing::default(), &extra), count(figures));
        Ok(CoverageTable {
            birth_year,
            antigen,
            dose_number,
            rows: table.rows.into_iter().map(Into::into).collect(),
            total: table.total.into(),
            threshold: i32::try_from(table.k).unwrap_or(i32::MAX),
            target_source: population::source().to_owned(),
        })
    }

    /// Children overdue for a dose at the end of a month, by region or by district: the birth months
    /// all past the dose's due age and its grace by then, registered, without the dose. Counted for
    /// antigens offered to every child (not HPV, nor the malaria vaccine of selected districts).
    /// Children are counted where they live: an analyst of a regional delegation reads their region's,
    /// a facility's administrator none.
    #[graphql(complexity = 100)]
    async fn overdue(
        &self,
        ctx: &Context<'_>,
        antigen: String,
        dose_number: i32,
        #[graphql(desc = "The month at whose end children are counted, `YYYY-MM`.")] month: String,
        #[graphql(default_with = "AreaLevel::Region")] by: AreaLevel,
        region: Option<RegionCode>,
    ) -> async_graphql::Result<OverdueTable> {
        let antigen = self::antigen(&antigen)?;
        if !(0..=10).contains(&dose_number) {
            return Err(bad_input("doseNumber must be 0 to 10"));
        }
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
            .ok()
            .filter(|_| month.len() == 7)
            .ok_or_else(|| bad_input("month must be a month, YYYY-MM"))?;
        check_year(first.year())?;
        let region = confined_area(ctx, region)?;
        let table = coverage::overdue(
            read_models(ctx)?,
            &antigen,
            i64::from(dose_number),
            first,
            level(by),
            region.as_deref(),
            threshold(ctx),
        )
        .await
        .map_err(table_error)?;
        let figures = table
            .rows
            .iter()
            .chain(std::iter::once(&table.total))
            .flat_map(|row| [row.due, row.vaccinated, row.overdue]);
        let mut extra = vec![
            ("month", table.month.clone()),
            ("antigen", antigen.clone()),
            ("dose_number", dose_number.to_string()),
            ("by", if by == AreaLevel::Region { "region" } else { "district" }.to_owned()),
        ];
        if let Some(region) = &region {
            extra.push(("region", region.clone()));
        }
        note(ctx, "overdue", parameters(&tables::Narrowing::default(), &extra), count(figures));
        Ok(OverdueTable {
            month: table.month,
            antigen,
            dose_number,
            born_from: table.born_from,
            born_to: table.born_to,
            rows: table.rows.into_iter().map(Into::into).collect(),
            total: table.total.into(),
            threshold: i32::try_from(table.k).unwrap_or(i32::MAX),
        })
    }

    /// The EPI dropout rates of a birth cohort: Penta1 to Penta3, and Penta1 to MR1.
    #[graphql(complexity = 100)]
    async fn dropout(
        &self,
        ctx: &Context<'_>,
        birth_year: i32,
        #[graphql(default_with = "AreaLevel::Region")] by: AreaLevel,
        region: Option<RegionCode>,
    ) -> async_graphql::Result<DropoutTable> {
        check_year(birth_year)?;
        let region = confined_area(ctx, region)?;
        let table = coverage::dropout(read_models(ctx)?, birth_year, level(by), region.as_deref(), threshold(ctx))
            .await
            .map_err(table_error)?;
        let figures =
            table.rows.iter().chain(std::iter::once(&table.total)).flat_map(|row| [row.penta1, row.penta3, row.mr1]);
        let mut extra = vec![
            ("birth_year", birth_year.to_string()),
            ("by", if by == AreaLevel::Region { "region" } else { "district" }.to_owned()),
        ];
        if let Some(region) = &region {
            extra.push(("region", region.clone()));
        }
        note(ctx, "dropout", parameters(&tables::Narrowing::default(), &extra), count(figures));
        Ok(DropoutTable {
            birth_year,
            rows: table.rows.into_iter().map(Into::into).collect(),
            total: table.total.into(),
            threshold: i32::try_from(table.k).unwrap_or(i32::MAX),
        })
    }

    /// New cases of a notifiable disease per ISO week: by district within a region or district given,
    /// by region otherwise.
    #[graphql(complexity = 200)]
    async fn epidemic_curve(
        &self,
        ctx: &Context<'_>,
        disease: String,
        from: String,
        to: String,
        region: Option<RegionCode>,
        district: Option<String>,
    ) -> async_graphql::Result<StatisticsTable> {
        let disease = self::disease(&disease)?;
        let (start, end) = period(&from, &to)?;
        let region = region.map(|region| region.0);
        let district = district.as_deref().map(|name| self::district(name, region.as_deref())).transpose()?;
        let mut narrowing = tables::Narrowing {
            days: Some((start.format("%Y-%m-%d").to_string(), end.format("%Y-%m-%d").to_string())),
            region,
            district,
            disease: Some(disease),
            ..tables::Narrowing::default()
        };
        confined(ctx, &mut narrowing)?;
        let by_district = narrowing.region.is_some() || narrowing.district.is_some();
        let rows = if by_district { Breakdown::District } else { Breakdown::Region };
        let table = tables::crosstab(
            read_models(ctx)?,
            tables::Indicator::NewDiagnoses,
            rows.into(),
            Some(tables::Dimension::Week),
            &narrowing,
            threshold(ctx),
        )
        .await
        .map_err(table_error)?;
        let figures = table.figures();
        note(ctx, "epidemic_curve", parameters(&narrowing, &[]), count(figures));
        Ok(publish(StatisticsIndicator::NewDiagnoses, rows, Some(Breakdown::Week), table))
    }

    /// The district-weeks in which a notifiable disease crossed its alert or epidemic threshold,
    /// newest first. Names no count and no person, so every reader of statistics (facilities'
    /// administrators and regional analysts included) reads the whole country's: an outbreak next
    /// door is theirs to act on.
    #[graphql(complexity = 100)]
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
        region: Option<RegionCode>,
    ) -> async_graphql::Result<Vec<EpidemicAlert>> {
        scope::alerts(crate::query::viewer(ctx)?)?;
        let (start, end) = period(&from, &to)?;
        let region = region.map(|region| region.0);
        let found = alerts::alerts(read_models(ctx)?, start, end, region.as_deref()).await.map_err(table_error)?;
        let narrowing = tables::Narrowing {
            days: Some((start.format("%Y-%m-%d").to_string(), end.format("%Y-%m-%d").to_string())),
            region,
            ..tables::Narrowing::default()
        };
        note(ctx, "alerts", parameters(&narrowing, &[]), (u32::try_from(found.len()).unwrap_or(u32::MAX), 0));
        Ok(found
            .into_iter()
            .map(|alert| EpidemicAlert {
                disease: alert.disease.into(),
                district: alert.district,
                region: alert.region.into(),
                week: alert.week,
                level: match alert.level {
                    surveillance::Level::Alert => AlertLevel::Alert,
                    surveillance::Level::Epidemic => AlertLevel::Epidemic,
                },
            })
            .collect())
    }

    /// The notifiable diseases the surveillance tables know, with the ICD-10 codes of their cases.
    async fn diseases(&self) -> Vec<NotifiableDisease> {
        surveillance::diseases()
            .iter()
            .map(|disease| NotifiableDisease {
                code: disease.code.clone(),
                name_en: disease.name_en.clone(),
                name_fr: disease.name_fr.clone(),
                icd10: disease.icd10_patterns().iter().map(|pattern| pattern.as_str().to_owned()).collect(),
            })
            .collect()
    }

    /// The health districts of the reference data, of one region if given.
    async fn districts(&self, region: Option<RegionCode>) -> Vec<HealthDistrict> {
        population::districts()
            .iter()
            .filter(|district| region.as_ref().is_none_or(|region| district.region == region.0))
            .map(|district| HealthDistrict {
                name: district.name.clone(),
                region: labels::label(tables::Dimension::Region, &district.region).into(),
            })
            .collect()
    }
}

fn check_year(year: i32) -> async_graphql::Result<()> {
    if (1900..=2100).contains(&year) {
        Ok(())
    } else {
        Err(bad_input("birthYear must be a year, 1900 to 2100"))
    }
}

fn level(by: AreaLevel) -> coverage::AreaLevel {
    match by {
        AreaLevel::Region => coverage::AreaLevel::Region,
        AreaLevel::District => coverage::AreaLevel::District,
    }
}

fn publish(
    indicator: StatisticsIndicator,
    rows: Breakdown,
    columns: Option<Breakdown>,
    table: tables::Crosstab,
) -> StatisticsTable {
    let body = table
        .row_labels
        .into_iter()
        .zip(table.cells)
        .zip(table.row_totals)
        .map(|((label, cells), total)| StatisticsRow {
            label: label.into(),
            cells: cells.into_iter().map(Into::into).collect(),
            total: total.into(),
        })
        .collect();
    StatisticsTable {
        indicator,
        rows,
        columns,
        column_labels: table.column_labels.into_iter().map(Into::into).collect(),
        body,
        column_totals: table.column_totals.into_iter().map(Into::into).collect(),
        total: table.total.into(),
        threshold: i32::try_from(table.k).unwrap_or(i32::MAX),
    }
}
