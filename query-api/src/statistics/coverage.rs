//! Immunisation coverage and dropout, by birth cohort, as WHO and UNICEF measure them.
//!
//! Coverage is the children of a birth cohort who received a dose, over the cohort, against two
//! denominators side by side: the children registered in CloudMedi who live in the area, and the
//! official target population (surviving infants) of the reference data. A cohort is the children born
//! in one calendar year; "received" counts doses given up to the month asked (by default, the whole
//! record).
//!
//! Disclosure: an area's children who received the dose and those who did not are the two cells of
//! its row, whose total is the cohort, so that neither a small number vaccinated nor a small number
//! left out can be read or worked out. Dropout (Penta1 to Penta3, Penta1 to MR1) joins two such
//! grids sharing the children who received Penta1: those who went on and those who dropped out.

use super::labels::{self, Label};
use super::tables::{Dimension, Narrowing, TableError};
use domain::statistics::disclosure::{self, rate, Published, PublishedRate, Threshold};
use domain::statistics::population;
use projections::read::statistics::{Dimension as Column, Filter, Source, Tally};
use projections::read::ReadModels;
use std::collections::BTreeMap;

/// The level of the areas a cohort table is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaLevel {
    Region,
    District,
}

impl AreaLevel {
    fn dimension(self) -> Dimension {
        match self {
            AreaLevel::Region => Dimension::Region,
            AreaLevel::District => Dimension::District,
        }
    }

    fn column(self) -> Column {
        match self {
            AreaLevel::Region => Column::Region,
            AreaLevel::District => Column::District,
        }
    }
}

/// One area's coverage (or the whole table's, for the total row).
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRow {
    pub area: Label,
    /// Children of the cohort registered in CloudMedi who live there.
    pub registered: Published,
    /// Of them, those who received the dose.
    pub vaccinated: Published,
    /// Vaccinated over registered.
    pub coverage: PublishedRate,
    /// The official target population (surviving infants) of the cohort's year, if the reference data
    /// has it: public planning data, not a count of people in the record.
    pub target: Option<u64>,
    /// Vaccinated over the target.
    pub coverage_of_target: PublishedRate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub birth_year: i32,
    pub antigen: String,
    pub dose_number: i64,
    pub rows: Vec<CoverageRow>,
    pub total: CoverageRow,
    pub k: u64,
}

/// Sums of a cohort tally by area.
async fn by_area(
    read_models: &ReadModels,
    source: Source,
    level: AreaLevel,
    mut filters: Vec<Filter>,
    region: Option<&str>,
) -> Result<BTreeMap<String, u64>, TableError> {
    if let Some(region) = region {
        filters.push(Filter::Region(region.to_owned()));
    }
    let groups = read_models.tally(&Tally { source, by: vec![level.column()], filters }).await?;
    Ok(groups
        .into_iter()
        .filter_map(|group| Some((group.key.into_iter().next()?, u64::try_from(group.n).unwrap_or(0))))
        .collect())
}

fn areas(
    level: AreaLevel,
    region: Option<&str>,
    seen: impl Iterator<Item = String>,
) -> Result<Vec<String>, TableError> {
    let narrowing = Narrowing { region: region.map(str::to_owned), ..Narrowing::default() };
    labels::universe(level.dimension(), &narrowing, seen).map_err(TableError::Invalid)
}

fn target_of(level: AreaLevel, area: &str, year: i32) -> Option<u64> {
    match level {
        AreaLevel::Region => population::region_target(area, year),
        AreaLevel::District => population::target(area, year),
    }
    .map(|target| target.surviving_infants)
}

/// Coverage of `antigen`'s dose `dose_number` in the cohort born in `birth_year`, counting doses given
/// up to `given_by` (a month, `YYYY-MM`) if given.
#[allow(clippy::too_many_arguments)]
pub async fn coverage(
    read_models: &ReadModels,
    birth_year: i32,
    antigen: &str,
    dose_number: i64,
    level: AreaLevel,
    region: Option<&str>,
    given_by: Option<&str>,
    k: Threshold,
) -> Result<Coverage, TableError> {
    let cohort = vec![Filter::BirthYear(birth_year)];
    let registered = by_area(read_models, Source::Registrations, level, cohort.clone(), region).await?;
    let mut dosed = cohort;
    dosed.push(Filter::Antigen(antigen.to_owned()));
    dosed.push(Filter::DoseNumber(dose_number));
    if let Some(month) = given_by {
        dosed.push(Filter::GivenBy(month.to_owned()));
    }
    let vaccinated = by_area(read_models, Source::CohortDoses, level, dosed, region).await?;
    let keys = areas(level, region, registered.keys().chain(vaccinated.keys()).cloned())?;
    // A child counted with a dose but not in the cohort (registered elsewhere, then merged) is counted
    // in it, so that the two cells of a row are never negative.
    let mut values = Vec::with_capacity(keys.len() * 2);
    for key in &keys {
        let done = vaccinated.get(key).copied().unwrap_or(0);
        let all = registered.get(key).copied().unwrap_or(0).max(done);
        values.extend([done, all - done]);
    }
    let height = keys.len();
    let labels = labels::label_all(read_models, level.dimension(), &keys).await?;
    if height == 0 {
        return Err(TableError::Invalid("no area to break the cohort down by".into()));
    }
    let table = disclosure::Table::grid(height, 2, values)?;
    let publication = disclosure::protect(&table, k);
    let (cells, sums) = (publication.cells(), publication.sums());
    let row = |area: Label, vaccinated: Published, registered: Published, target: Option<u64>| CoverageRow {
        area,
        registered,
        vaccinated,
        coverage: rate(vaccinated, registered),
        target,
        coverage_of_target: match target {
            Some(target) => rate(vaccinated, Published::Shown(target)),
            None => PublishedRate::Undefined,
        },
    };
    let rows = keys
        .iter()
        .zip(labels)
        .enumerate()
        .map(|(i, (key, label))| row(label, cells[i * 2], sums[i], target_of(level, key, birth_year)))
        .collect();
    let national = match region {
        Some(region) => population::region_target(region, birth_year),
        None => population::national_target(birth_year),
    }
    .map(|target| target.surviving_infants);
    let whole = match region {
        Some(region) => labels::label(Dimension::Region, region),
        None => Label { code: "CM".into(), name_en: "Cameroon".into(), name_fr: "Cameroun".into() },
    };
    let total = row(whole, sums[height], sums[height + 2], national);
    Ok(Coverage { birth_year, antigen: antigen.to_owned(), dose_number, rows, total, k: k.get() })
}

/// One area's dropout between the first dose of Penta and the third, and between Penta1 and MR1.
#[derive(Debug, Clone, PartialEq)]
pub struct DropoutRow {
    pub area: Label,
    pub penta1: Published,
    pub penta3: Published,
    pub mr1: Published,
    /// (Penta1 − Penta3) ÷ Penta1.
    pub penta1_to_penta3: PublishedRate,
    /// (Penta1 − MR1) ÷ Penta1.
    pub penta1_to_mr1: PublishedRate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dropout {
    pub birth_year: i32,
    pub rows: Vec<DropoutRow>,
    pub total: DropoutRow,
    pub k: u64,
}

/// The EPI dropout rates of the cohort born in `birth_year`.
pub async fn dropout(
    read_models: &ReadModels,
    birth_year: i32,
    level: AreaLevel,
    region: Option<&str>,
    k: Threshold,
) -> Result<Dropout, TableError> {
    let dose = |antigen: &str, number: i64| {
        vec![Filter::BirthYear(birth_year), Filter::Antigen(antigen.to_owned()), Filter::DoseNumber(number)]
    };
    let penta1 = by_area(read_models, Source::CohortDoses, level, dose("PENTA", 1), region).await?;
    let penta3 = by_area(read_models, Source::CohortDoses, level, dose("PENTA", 3), region).await?;
    let mr1 = by_area(read_models, Source::CohortDoses, level, dose("MR", 1), region).await?;
    let keys = areas(level, region, penta1.keys().chain(penta3.keys()).chain(mr1.keys()).cloned())?;
    let height = keys.len();
    if height == 0 {
        return Err(TableError::Invalid("no area to break the cohort down by".into()));
    }
    let (mut left, mut right) = (Vec::with_capacity(height * 2), Vec::with_capacity(height * 2));
    for key in &keys {
        let (third, measles) = (penta3.get(key).copied().unwrap_or(0), mr1.get(key).copied().unwrap_or(0));
        // A later dose recorded without the first (given before the record began) counts the first.
        let first = penta1.get(key).copied().unwrap_or(0).max(third).max(measles);
        left.extend([third, first - third]);
        right.extend([measles, first - measles]);
    }
    let table = disclosure::Table::join(
        &disclosure::Table::grid(height, 2, left)?,
        &disclosure::Table::grid(height, 2, right)?,
    )?;
    let publication = disclosure::protect(&table, k);
    let (cells, sums) = (publication.cells(), publication.sums());
    // Layout of a join: the left grid's cells, the right grid's, then the shared row totals, the left
    // column totals, the right column totals and the shared grand total.
    let right_start = height * 2;
    let row =
        |area: Label, first: Published, third: Published, dropped3: Published, mr: Published, dropped_mr| DropoutRow {
            area,
            penta1: first,
            penta3: third,
            mr1: mr,
            penta1_to_penta3: rate(dropped3, first),
            penta1_to_mr1: rate(dropped_mr, first),
        };
    let labels = labels::label_all(read_models, level.dimension(), &keys).await?;
    let rows = labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| {
            row(
                label,
                sums[i],
                cells[i * 2],
                cells[i * 2 + 1],
                cells[right_start + i * 2],
                cells[right_start + i * 2 + 1],
            )
        })
        .collect();
    let whole = match region {
        Some(region) => labels::label(Dimension::Region, region),
        None => Label { code: "CM".into(), name_en: "Cameroon".into(), name_fr: "Cameroun".into() },
    };
    let columns = height;
    let total = row(whole, sums[columns + 4], sums[columns], sums[columns + 1], sums[columns + 2], sums[columns + 3]);
    Ok(Dropout { birth_year, rows, total, k: k.get() })
}

/// One area's children overdue for a dose (or the whole table's, for the total row).
#[derive(Debug, Clone, PartialEq)]
pub struct OverdueRow {
    pub area: Label,
    /// Children registered there, of the birth months due for the dose by the end of the month.
    pub due: Published,
    /// Of them, those who received it by then.
    pub vaccinated: Published,
    /// Of them, those who did not: the children to look for.
    pub overdue: Published,
    /// Overdue over due.
    pub overdue_rate: PublishedRate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Overdue {
    /// The month at whose end children are counted, `YYYY-MM`.
    pub month: String,
    pub antigen: String,
    pub dose_number: i64,
    /// The birth months counted, oldest and youngest (`YYYY-MM`); none when no month is due yet.
    pub born_from: Option<String>,
    pub born_to: Option<String>,
    pub rows: Vec<OverdueRow>,
    pub total: OverdueRow,
    pub k: u64,
}

/// Children overdue for `antigen`'s dose `dose_number` at the end of `month` (any day of it), by
/// area: of the birth months all due for the dose by then (`domain::statistics::overdue`), those
/// registered who had not received it. Laid out and protected like coverage: an area's vaccinated and
/// overdue children are the two cells of its row, its children due the total.
pub async fn overdue(
    read_models: &ReadModels,
    antigen: &str,
    dose_number: i64,
    month: chrono::NaiveDate,
    level: AreaLevel,
    region: Option<&str>,
    k: Threshold,
) -> Result<Overdue, TableError> {
    let number = u32::try_from(dose_number).map_err(|_| TableError::Invalid("doseNumber must be 0 to 10".into()))?;
    let months = domain::statistics::overdue::due_birth_months(antigen, number, month)
        .map_err(|refusal| TableError::Invalid(refusal.to_string()))?;
    let label = month.format("%Y-%m").to_string();
    let cohort = vec![Filter::BirthMonths(months.clone())];
    let registered = by_area(read_models, Source::Registrations, level, cohort.clone(), region).await?;
    let mut dosed = cohort;
    dosed.push(Filter::Antigen(antigen.to_owned()));
    dosed.push(Filter::DoseNumber(dose_number));
    dosed.push(Filter::GivenBy(label.clone()));
    let vaccinated = by_area(read_models, Source::CohortDoses, level, dosed, region).await?;
    let keys = areas(level, region, registered.keys().chain(vaccinated.keys()).cloned())?;
    let height = keys.len();
    if height == 0 {
        return Err(TableError::Invalid("no area to break the children down by".into()));
    }
    let mut values = Vec::with_capacity(height * 2);
    for key in &keys {
        let done = vaccinated.get(key).copied().unwrap_or(0);
        // As in coverage: a child counted with a dose but not in the cohort is counted in it.
        let all = registered.get(key).copied().unwrap_or(0).max(done);
        values.extend([done, all - done]);
    }
    let labels = labels::label_all(read_models, level.dimension(), &keys).await?;
    let table = disclosure::Table::grid(height, 2, values)?;
    let publication = disclosure::protect(&table, k);
    let (cells, sums) = (publication.cells(), publication.sums());
    let row = |area: Label, vaccinated: Published, overdue: Published, due: Published| OverdueRow {
        area,
        due,
        vaccinated,
        overdue,
        overdue_rate: rate(overdue, due),
    };
    let rows =
        labels.into_iter().enumerate().map(|(i, label)| row(label, cells[i * 2], cells[i * 2 + 1], sums[i])).collect();
    let whole = match region {
        Some(region) => labels::label(Dimension::Region, region),
        None => Label { code: "CM".into(), name_en: "Cameroon".into(), name_fr: "Cameroun".into() },
    };
    // Sums of a grid: the row totals, then the column totals, then the grand total.
    let total = row(whole, sums[height], sums[height + 1], sums[height + 2]);
    Ok(Overdue {
        month: label,
        antigen: antigen.to_owned(),
        dose_number,
        born_from: months.first().cloned(),
        born_to: months.last().cloned(),
        rows,
        total,
        k: k.get(),
    })
}
