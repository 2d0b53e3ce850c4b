//! Epidemic alerts: the district-weeks in which a notifiable disease crossed its alert or epidemic
//! threshold (the surveillance reference data's), judged on the new diagnoses recorded at the
//! district's facilities. An alert names a disease, a district, a week and a level, never a count or a
//! person: it tells a district team where to look, which is what IDSR asks of it.

use super::labels::{self, Label};
use super::tables::{Dimension, TableError};
use chrono::{Days, NaiveDate};
use domain::statistics::period::week_start;
use domain::statistics::population;
use domain::statistics::surveillance::{self, Level};
use projections::read::statistics::{Dimension as Column, Filter, Source, Tally};
use projections::read::ReadModels;
use std::collections::BTreeMap;

/// One district-week that crossed a threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub disease: Label,
    pub district: String,
    pub region: Label,
    /// The ISO week, `2026-W05`.
    pub week: String,
    pub level: Level,
}

/// The alerts of the weeks holding the days `from` to `to`, in `region` if given (all regions
/// otherwise), newest week first, then by level (epidemics first), region and district.
pub async fn alerts(
    read_models: &ReadModels,
    from: NaiveDate,
    to: NaiveDate,
    region: Option<&str>,
) -> Result<Vec<Alert>, TableError> {
    // Rules over several weeks look back three weeks before the first.
    let since = from.checked_sub_days(Days::new(21)).unwrap_or(from);
    let mut codes = Vec::new();
    let mut categories = Vec::new();
    for disease in surveillance::diseases().iter().filter(|disease| !disease.thresholds().is_empty()) {
        if let Filter::Icd10 { codes: c, categories: k } = super::tables::disease_filter(&disease.code) {
            codes.extend(c);
            categories.extend(k);
        }
    }
    let mut filters = vec![
        Filter::Days(since.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string()),
        Filter::Icd10 { codes, categories },
    ];
    if let Some(region) = region {
        filters.push(Filter::Region(region.to_owned()));
    }
    let tally = Tally {
        source: Source::Diagnoses,
        by: vec![Column::Region, Column::District, Column::Week, Column::Icd10],
        filters,
    };
    let groups = read_models.tally(&tally).await?;
    // Weekly counts by disease and district.
    let mut weekly: BTreeMap<(String, String, String), BTreeMap<String, u64>> = BTreeMap::new();
    for group in groups {
        let [region, district, week, code] = <[String; 4]>::try_from(group.key).unwrap_or_default();
        let Some(disease) = surveillance::disease_of(&code) else { continue };
        let cases = u64::try_from(group.n).unwrap_or(0);
        *weekly.entry((disease.code.clone(), region, district)).or_default().entry(week).or_insert(0) += cases;
    }
    let first_week = domain::statistics::period::iso_week(from);
    // Every week of the range, so that a week without cases of its own is judged too: a threshold over
    // several weeks may still be crossed there.
    let mut every_week = Vec::new();
    let mut monday = week_start(&domain::statistics::period::iso_week(since)).unwrap_or(since);
    while monday <= to {
        every_week.push(domain::statistics::period::iso_week(monday));
        monday = match monday.checked_add_days(Days::new(7)) {
            Some(next) => next,
            None => break,
        };
    }
    let mut alerts = Vec::new();
    for ((code, region, district), weeks) in weekly {
        let Some(disease) = surveillance::disease(&code) else { continue };
        let weeks: Vec<(String, u64)> =
            every_week.iter().map(|week| (week.clone(), weeks.get(week).copied().unwrap_or(0))).collect();
        let year = weeks
            .last()
            .and_then(|(week, _)| week_start(week))
            .map_or(chrono::Datelike::year(&to), |day| chrono::Datelike::year(&day));
        let people = population::target(&district, year).map(|target| target.population);
        for (week, level) in surveillance::judge(disease, &region, people, &weeks) {
            if week < first_week {
                continue;
            }
            alerts.push(Alert {
                disease: labels::label(Dimension::Disease, &code),
                district: district.clone(),
                region: labels::label(Dimension::Region, &region),
                week,
                level,
            });
        }
    }
    alerts.sort_by(|a, b| {
        (b.week.as_str(), b.level, &a.region.code, &a.district, &a.disease.code).cmp(&(
            a.week.as_str(),
            a.level,
            &b.region.code,
            &b.district,
            &b.disease.code,
        ))
    });
    Ok(alerts)
}
