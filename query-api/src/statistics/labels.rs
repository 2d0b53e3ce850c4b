//! What a table's rows and columns are called, in English and French, and which of them a table lists
//! even when they count no one: every region, every week of the range, every age band, so that a zero
//! reads as a zero rather than as a row missing.

use super::tables::{observed, Dimension, Narrowing};
use chrono::{Datelike, Days, NaiveDate};
use domain::statistics::age_band::AgeBand;
use domain::statistics::period::iso_week;
use domain::statistics::{chapters, population, surveillance};
use projections::read::ReadModels;
use projections::ProjectionError;
use uuid::Uuid;

/// A row's or column's key and names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub code: String,
    pub name_en: String,
    pub name_fr: String,
}

impl Label {
    fn same(code: &str) -> Label {
        Label { code: code.to_owned(), name_en: code.to_owned(), name_fr: code.to_owned() }
    }

    fn named(code: &str, en: &str, fr: &str) -> Label {
        Label { code: code.to_owned(), name_en: en.to_owned(), name_fr: fr.to_owned() }
    }

    pub fn name(&self, french: bool) -> &str {
        if french {
            &self.name_fr
        } else {
            &self.name_en
        }
    }
}

/// The most days a table by day may span.
const MAX_DAYS: u64 = 400;

/// The keys a table lists for `dimension`: the whole of a small, known set, or what was counted.
pub(crate) fn universe(
    dimension: Dimension,
    narrowing: &Narrowing,
    seen: impl Iterator<Item = String>,
) -> Result<Vec<String>, String> {
    let seen = observed(seen);
    let range = narrowing.days.as_ref().and_then(|(from, to)| Some((day(from)?, day(to)?)));
    Ok(match dimension {
        Dimension::Region | Dimension::FromRegion | Dimension::ToRegion => {
            let regions = domain::reference::regions().iter().map(|region| region.code.clone());
            match (&narrowing.region, dimension) {
                (Some(region), Dimension::Region) => vec![region.clone()],
                _ => merge(regions.collect(), seen),
            }
        }
        Dimension::District => match (&narrowing.district, &narrowing.region) {
            (Some(district), _) => vec![district.clone()],
            (None, Some(region)) => {
                let listed = population::districts().iter().filter(|d| &d.region == region).map(|d| d.name.clone());
                merge(listed.collect(), seen)
            }
            (None, None) => merge(population::districts().iter().map(|d| d.name.clone()).collect(), seen),
        },
        Dimension::Sex => merge(vec!["female".into(), "male".into()], seen),
        Dimension::AgeBand => merge(AgeBand::ALL.iter().map(|band| band.code().to_owned()).collect(), seen),
        Dimension::Disease => surveillance::diseases().iter().map(|disease| disease.code.clone()).collect(),
        Dimension::Day | Dimension::Week | Dimension::Month | Dimension::Year => match range {
            Some((from, to)) => periods(dimension, from, to)?,
            None => seen,
        },
        Dimension::DoseNumber => {
            let mut numbers: Vec<(i64, String)> =
                seen.into_iter().map(|key| (key.parse().unwrap_or(i64::MAX), key)).collect();
            numbers.sort();
            numbers.into_iter().map(|(_, key)| key).collect()
        }
        Dimension::Icd10Chapter => {
            chapters::CHAPTERS.iter().map(|c| c.numeral.to_owned()).filter(|numeral| seen.contains(numeral)).collect()
        }
        Dimension::EncounterClass => {
            merge(ENCOUNTER_CLASSES.iter().map(|(code, _, _)| (*code).to_owned()).collect(), seen)
        }
        Dimension::Facility
        | Dimension::Antigen
        | Dimension::Icd10Category
        | Dimension::PlaceOfDeath
        | Dimension::ReferralKind => seen,
    })
}

/// The classes of visits, as tables list them: code, English and French names.
pub const ENCOUNTER_CLASSES: [(&str, &str, &str); 7] = [
    ("outpatient", "outpatient", "consultation externe"),
    ("emergency", "emergency", "urgence"),
    ("inpatient", "inpatient", "hospitalisation"),
    ("home_visit", "home visit", "visite à domicile"),
    ("outreach", "outreach", "stratégie avancée"),
    ("teleconsultation", "teleconsultation", "téléconsultation"),
    (super::tables::NOT_STATED, "not stated", "non précisé"),
];

/// `listed` in its order, then anything seen that it lacks.
fn merge(mut listed: Vec<String>, seen: Vec<String>) -> Vec<String> {
    for key in seen {
        if !listed.contains(&key) {
            listed.push(key);
        }
    }
    listed
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Every period of a granularity from `from` to `to`.
fn periods(dimension: Dimension, from: NaiveDate, to: NaiveDate) -> Result<Vec<String>, String> {
    let span = (to - from).num_days();
    if dimension == Dimension::Day && span >= MAX_DAYS as i64 {
        return Err(format!("a table by day spans at most {MAX_DAYS} days"));
    }
    let mut keys: Vec<String> = Vec::new();
    let mut at = from;
    while at <= to {
        let key = match dimension {
            Dimension::Day => at.format("%Y-%m-%d").to_string(),
            Dimension::Week => iso_week(at),
            Dimension::Month => at.format("%Y-%m").to_string(),
            _ => format!("{:04}", at.year()),
        };
        if keys.last() != Some(&key) {
            keys.push(key);
        }
        let step = match dimension {
            Dimension::Day => 1,
            Dimension::Week => 7 - u64::from(at.weekday().num_days_from_monday()),
            _ => 1,
        };
        at = match at.checked_add_days(Days::new(step)) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(keys)
}

/// The labels of `keys`, a dimension's values (facilities' names read from the directory).
pub(crate) async fn label_all(
    read_models: &ReadModels,
    dimension: Dimension,
    keys: &[String],
) -> Result<Vec<Label>, ProjectionError> {
    if dimension == Dimension::Facility {
        let ids: Vec<Uuid> = keys.iter().filter_map(|key| Uuid::parse_str(key).ok()).collect();
        let rows = read_models.facilities(&ids).await?;
        return Ok(keys
            .iter()
            .map(|key| match rows.iter().find(|row| &row.facility_id == key) {
                Some(row) => Label::named(key, &row.name, &row.name),
                None => Label::same(key),
            })
            .collect());
    }
    Ok(keys.iter().map(|key| label(dimension, key)).collect())
}

/// The label of one key of a dimension whose names are reference data.
pub fn label(dimension: Dimension, key: &str) -> Label {
    match dimension {
        Dimension::Region | Dimension::FromRegion | Dimension::ToRegion => match domain::reference::region(key) {
            Some(region) => Label::named(key, &region.name_en, &region.name_fr),
            None => Label::same(key),
        },
        Dimension::Sex => match key {
            "female" => Label::named(key, "female", "féminin"),
            "male" => Label::named(key, "male", "masculin"),
            _ => Label::named(key, "unknown", "inconnu"),
        },
        Dimension::AgeBand => match AgeBand::from_code(key) {
            Some(band) => Label::named(key, band.label(false), band.label(true)),
            None => Label::same(key),
        },
        Dimension::Antigen => {
            let named = domain::record::schedule::versions()
                .iter()
                .rev()
                .find_map(|version| version.antigen(key))
                .map(|antigen| Label::named(key, &antigen.name, &antigen.name_fr));
            named.unwrap_or_else(|| Label::same(key))
        }
        Dimension::Icd10Chapter => match chapters::chapter_numbered(key) {
            Some(chapter) => Label::named(key, chapter.title_en, chapter.title_fr),
            None => Label::same(key),
        },
        Dimension::Icd10Category => match domain::record::icd10::title(key) {
            // WHO's list is in English; the French edition is not shipped.
            Some(title) => Label::named(key, title, title),
            None => Label::same(key),
        },
        Dimension::Disease => match surveillance::disease(key) {
            Some(disease) => Label::named(key, &disease.name_en, &disease.name_fr),
            None => Label::same(key),
        },
        Dimension::PlaceOfDeath => match key {
            "facility" => Label::named(key, "health facility", "formation sanitaire"),
            "home" => Label::named(key, "home", "domicile"),
            "in_transit" => Label::named(key, "in transit", "en cours de transfert"),
            _ => Label::named(key, "other", "autre"),
        },
        Dimension::ReferralKind => match key {
            "transfer" => Label::named(key, "transfer", "transfert"),
            _ => Label::named(key, "referral", "référence"),
        },
        Dimension::EncounterClass => match ENCOUNTER_CLASSES.iter().find(|(code, _, _)| *code == key) {
            Some((_, english, french)) => Label::named(key, english, french),
            None => Label::same(key),
        },
        Dimension::District
        | Dimension::Facility
        | Dimension::Day
        | Dimension::Week
        | Dimension::Month
        | Dimension::Year
        | Dimension::DoseNumber => Label::same(key),
    }
}
