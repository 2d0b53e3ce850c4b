//! Sums over the statistics cells: the one query every indicator is read through.
//!
//! A [`Tally`] names a table, the dimensions to group by and the filters to keep to; every dimension
//! and filter is a fixed expression of this module (never text from a request), and every value is
//! bound. Tables keyed by facility are joined to the directory for their district and region; those
//! keyed by residence carry them. The answer is raw counts: what may be published of them is decided
//! by the caller (`domain::statistics::disclosure`), never here.

use super::ReadModels;
use crate::write::{bind_values, Value};
use crate::ProjectionError;
use sqlx::Row;

/// A statistics table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Patients registered, by month of birth and residence.
    Registrations,
    /// Children of a birth cohort who received a dose, by residence.
    CohortDoses,
    /// Doses given, by day and facility.
    Doses,
    /// New diagnoses, by day and facility.
    Diagnoses,
    /// Visits, by day and facility.
    Encounters,
    /// Referrals and transfers, by day and the two facilities.
    Referrals,
    /// Deaths, by day and residence.
    Deaths,
}

impl Source {
    fn table(self) -> &'static str {
        match self {
            Source::Registrations => "st_registrations",
            Source::CohortDoses => "st_cohort_doses",
            Source::Doses => "st_doses",
            Source::Diagnoses => "st_diagnoses",
            Source::Encounters => "st_encounters",
            Source::Referrals => "st_referrals",
            Source::Deaths => "st_deaths",
        }
    }

    /// Whether the table is keyed by facility (its place read from the directory).
    fn by_facility(self) -> bool {
        matches!(self, Source::Doses | Source::Diagnoses | Source::Encounters)
    }

    fn has_day(self) -> bool {
        !matches!(self, Source::Registrations | Source::CohortDoses)
    }
}

/// What cells are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The full ICD-10 code (diagnoses) or underlying cause (deaths).
    Icd10,
    /// Its three-character category.
    Icd10Category,
    PlaceOfDeath,
    ReferralKind,
    /// A visit's class (outpatient, emergency…; '' when not stated).
    EncounterClass,
    /// The region a referral left from, and the one it went to.
    FromRegion,
    ToRegion,
    BirthYear,
}

/// A condition every counted cell keeps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Days from and to, inclusive (`YYYY-MM-DD`).
    Days(String, String),
    Region(String),
    District(String),
    Facility(String),
    Sex(String),
    AgeBand(String),
    Antigen(String),
    DoseNumber(i64),
    /// Codes that are, or fall under, any of these: an exact code (`A39.0`) or a category (`B50`).
    Icd10 {
        codes: Vec<String>,
        categories: Vec<String>,
    },
    BirthYear(i32),
    /// Visits of this class (`''` for those whose class was not stated).
    EncounterClass(String),
    /// Born in one of these months (`YYYY-MM`): the cohorts a dose is overdue for.
    BirthMonths(Vec<String>),
    /// Doses given in a month up to this one (`YYYY-MM`), for a cohort's coverage on a date.
    GivenBy(String),
}

/// A sum of counts: `source`'s cells grouped by `by`, kept to `filters`.
#[derive(Debug, Clone)]
pub struct Tally {
    pub source: Source,
    pub by: Vec<Dimension>,
    pub filters: Vec<Filter>,
}

/// One group of a tally: the values of its dimensions, in the order asked, and the sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub key: Vec<String>,
    pub n: i64,
}

/// A dimension or filter that the table asked has no column for.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} does not apply to {1:?}")]
pub struct Inapplicable(pub String, pub Source);

impl Tally {
    /// The statement and its values.
    fn sql(&self) -> Result<(String, Vec<Value>), Inapplicable> {
        let source = self.source;
        let place = |column: &'static str| -> Result<String, Inapplicable> {
            if source.by_facility() {
                Ok(format!("f.{column}"))
            } else if matches!(source, Source::Referrals) {
                Err(Inapplicable(column.to_owned(), source))
            } else {
                Ok(format!("s.{}", if column == "health_district" { "district" } else { column }))
            }
        };
        let day = |expression: &str| -> Result<String, Inapplicable> {
            if source.has_day() {
                Ok(expression.to_owned())
            } else {
                Err(Inapplicable(expression.to_owned(), source))
            }
        };
        let only = |ok: bool, column: &str| -> Result<String, Inapplicable> {
            if ok {
                Ok(format!("s.{column}"))
            } else {
                Err(Inapplicable(column.to_owned(), source))
            }
        };
        let code_column = match source {
            Source::Diagnoses => Some("icd10"),
            Source::Deaths => Some("cause"),
            _ => None,
        };
        let mut select = Vec::new();
        for dimension in &self.by {
            select.push(match dimension {
                Dimension::Region => place("region")?,
                Dimension::District => place("health_district")?,
                Dimension::Facility => only(source.by_facility(), "facility_id")?,
                Dimension::Day => day("s.day")?,
                Dimension::Week => day("s.week")?,
                // Registrations are counted by month of birth: their periods are births'.
                Dimension::Month if source == Source::Registrations => "s.birth_month".into(),
                Dimension::Year if source == Source::Registrations => "substr(s.birth_month, 1, 4)".into(),
                Dimension::Month => day("substr(s.day, 1, 7)")?,
                Dimension::Year => day("substr(s.day, 1, 4)")?,
                Dimension::Sex => only(!matches!(source, Source::Referrals), "sex")?,
                Dimension::AgeBand => only(
                    matches!(source, Source::Doses | Source::Diagnoses | Source::Encounters | Source::Deaths),
                    "age_band",
                )?,
                Dimension::Antigen => only(matches!(source, Source::Doses | Source::CohortDoses), "antigen")?,
                Dimension::DoseNumber => {
                    let column = only(matches!(source, Source::Doses | Source::CohortDoses), "dose_number")?;
                    format!("CAST({column} AS TEXT)")
                }
                Dimension::Icd10 => only(code_column.is_some(), code_column.unwrap_or("icd10"))?,
                Dimension::Icd10Category => {
                    let column = only(code_column.is_some(), code_column.unwrap_or("icd10"))?;
                    format!("substr({column}, 1, 3)")
                }
                Dimension::PlaceOfDeath => only(matches!(source, Source::Deaths), "place")?,
                Dimension::ReferralKind => only(matches!(source, Source::Referrals), "kind")?,
                Dimension::EncounterClass => only(matches!(source, Source::Encounters), "class")?,
                Dimension::FromRegion | Dimension::ToRegion if matches!(source, Source::Referrals) => {
                    if matches!(dimension, Dimension::FromRegion) {
                        "ff.region".into()
                    } else {
                        "tf.region".into()
                    }
                }
                Dimension::FromRegion | Dimension::ToRegion => {
                    return Err(Inapplicable(format!("{dimension:?}"), source))
                }
                Dimension::BirthYear => {
                    let column = only(matches!(source, Source::Registrations | Source::CohortDoses), "birth_month")?;
                    format!("substr({column}, 1, 4)")
                }
            });
        }
        let mut values = Vec::new();
        let bind = |value: Value, values: &mut Vec<Value>| {
            values.push(value);
            format!("${}", values.len())
        };
        let mut conditions = Vec::new();
        for filter in &self.filters {
            let condition = match filter {
                Filter::Days(from, to) if source == Source::Registrations => {
                    let from = bind(from.get(..7).unwrap_or(from).into(), &mut values);
                    let to = bind(to.get(..7).unwrap_or(to).into(), &mut values);
                    format!("s.birth_month BETWEEN {from} AND {to}")
                }
                Filter::Days(from, to) => {
                    day("s.day")?;
                    let from = bind(from.as_str().into(), &mut values);
                    let to = bind(to.as_str().into(), &mut values);
                    format!("s.day BETWEEN {from} AND {to}")
                }
                Filter::Region(region) => {
                    format!("{} = {}", place("region")?, bind(region.as_str().into(), &mut values))
                }
                Filter::District(district) => {
                    format!("{} = {}", place("health_district")?, bind(district.as_str().into(), &mut values))
                }
                Filter::Facility(facility) => {
                    let column = only(source.by_facility(), "facility_id")?;
                    format!("{column} = {}", bind(facility.as_str().into(), &mut values))
                }
                Filter::Sex(sex) => {
                    format!(
                        "{} = {}",
                        only(!matches!(source, Source::Referrals), "sex")?,
                        bind(sex.as_str().into(), &mut values)
                    )
                }
                Filter::AgeBand(band) => {
                    let column = only(
                        matches!(source, Source::Doses | Source::Diagnoses | Source::Encounters | Source::Deaths),
                        "age_band",
                    )?;
                    format!("{column} = {}", bind(band.as_str().into(), &mut values))
                }
                Filter::Antigen(antigen) => {
                    let column = only(matches!(source, Source::Doses | Source::CohortDoses), "antigen")?;
                    format!("{column} = {}", bind(antigen.as_str().into(), &mut values))
                }
                Filter::DoseNumber(dose) => {
                    let column = only(matches!(source, Source::Doses | Source::CohortDoses), "dose_number")?;
                    format!("{column} = {}", bind((*dose).into(), &mut values))
                }
                Filter::Icd10 { codes, categories } => {
                    let column = only(code_column.is_some(), code_column.unwrap_or("icd10"))?;
                    let mut any = Vec::new();
                    for code in codes {
                        any.push(format!("{column} = {}", bind(code.as_str().into(), &mut values)));
                    }
                    for category in categories {
                        any.push(format!("substr({column}, 1, 3) = {}", bind(category.as_str().into(), &mut values)));
                    }
                    if any.is_empty() {
                        "1 = 0".to_owned()
                    } else {
                        format!("({})", any.join(" OR "))
                    }
                }
                Filter::BirthYear(year) => {
                    let column = only(matches!(source, Source::Registrations | Source::CohortDoses), "birth_month")?;
                    format!("substr({column}, 1, 4) = {}", bind(format!("{year:04}").into(), &mut values))
                }
                Filter::EncounterClass(class) => {
                    let column = only(matches!(source, Source::Encounters), "class")?;
                    format!("{column} = {}", bind(class.as_str().into(), &mut values))
                }
                Filter::BirthMonths(months) => {
                    let column = only(matches!(source, Source::Registrations | Source::CohortDoses), "birth_month")?;
                    if months.is_empty() {
                        "1 = 0".to_owned()
                    } else {
                        let any: Vec<String> =
                            months.iter().map(|month| bind(month.as_str().into(), &mut values)).collect();
                        format!("{column} IN ({})", any.join(", "))
                    }
                }
                Filter::GivenBy(month) => {
                    let column = only(matches!(source, Source::CohortDoses), "given_month")?;
                    format!("{column} <= {}", bind(month.as_str().into(), &mut values))
                }
            };
            conditions.push(condition);
        }
        let mut sql = String::from("SELECT ");
        for (index, expression) in select.iter().enumerate() {
            sql.push_str(&format!("{expression} AS k{index}, "));
        }
        // PostgreSQL sums BIGINTs as NUMERIC.
        sql.push_str(&format!("CAST(SUM(s.n) AS BIGINT) AS n FROM {} s", source.table()));
        if source.by_facility() {
            sql.push_str(" JOIN rm_facilities f ON f.facility_id = s.facility_id");
        }
        if matches!(source, Source::Referrals) {
            sql.push_str(
                " JOIN rm_facilities ff ON ff.facility_id = s.from_facility_id \
                 JOIN rm_facilities tf ON tf.facility_id = s.to_facility_id",
            );
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        if !select.is_empty() {
            let positions: Vec<String> = (1..=select.len()).map(|n| n.to_string()).collect();
            sql.push_str(&format!(" GROUP BY {0} ORDER BY {0}", positions.join(", ")));
        }
        Ok((sql, values))
    }
}

impl ReadModels {
    /// Sums the counts `tally` asks for. A dimension or filter the table has no column for is
    /// `ProjectionError::Corrupt`: a defect of the caller, which builds tallies from fixed indicators.
    pub async fn tally(&self, tally: &Tally) -> Result<Vec<Group>, ProjectionError> {
        let (sql, values) = tally.sql().map_err(|error| ProjectionError::Corrupt(error.to_string()))?;
        let width = tally.by.len();
        self.queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rows = on_database!(&self.database, pool => {
            bind_values!(sqlx::query(&sql), values.iter()).fetch_all(pool).await?
                .iter()
                .map(|row| -> Result<Group, sqlx::Error> {
                    let mut key = Vec::with_capacity(width);
                    for index in 0..width {
                        key.push(row.try_get::<Option<String>, _>(index)?.unwrap_or_default());
                    }
                    Ok(Group { key, n: row.try_get::<Option<i64>, _>(width)?.unwrap_or(0) })
                })
                .collect::<Result<Vec<_>, _>>()?
        });
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_groups_by_fixed_expressions_and_binds_every_value() {
        let tally = Tally {
            source: Source::Diagnoses,
            by: vec![Dimension::District, Dimension::Week],
            filters: vec![
                Filter::Region("EN".into()),
                Filter::Icd10 { codes: vec!["A39.0".into()], categories: vec!["B05".into()] },
            ],
        };
        let (sql, values) = tally.sql().expect("applies");
        assert_eq!(
            sql,
            "SELECT f.health_district AS k0, s.week AS k1, CAST(SUM(s.n) AS BIGINT) AS n FROM st_diagnoses s \
             JOIN rm_facilities f ON f.facility_id = s.facility_id \
             WHERE f.region = $1 AND (s.icd10 = $2 OR substr(s.icd10, 1, 3) = $3) GROUP BY 1, 2 ORDER BY 1, 2"
        );
        assert_eq!(values, [Value::from("EN"), Value::from("A39.0"), Value::from("B05")]);
    }

    #[test]
    fn a_dimension_the_table_lacks_is_refused() {
        let tally = Tally { source: Source::Registrations, by: vec![Dimension::Week], filters: vec![] };
        assert!(tally.sql().is_err());
        let tally = Tally { source: Source::Referrals, by: vec![Dimension::Sex], filters: vec![] };
        assert!(tally.sql().is_err());
    }
}
