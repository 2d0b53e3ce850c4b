//! Cameroon's routine immunisation schedule (`data/immunization_schedule.toml`), as effective-dated
//! versions, so that a change of schedule is a change of data.

use serde::Deserialize;
use std::sync::OnceLock;

/// One dose of an antigen's series.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    pub number: u32,
    /// The age it is due at, in days from birth.
    pub age_days: u32,
}

/// One antigen of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Antigen {
    pub code: String,
    pub name: String,
    /// Given only in the districts selected for it.
    #[serde(default)]
    pub selected_districts: bool,
    pub doses: Vec<Dose>,
}

/// The schedule in force from a date.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// `YYYY-MM-DD`.
    pub effective_from: String,
    pub note: String,
    #[serde(rename = "antigen")]
    pub antigens: Vec<Antigen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    version: Vec<Version>,
}

const SCHEDULE_TOML: &str = include_str!("../../data/immunization_schedule.toml");

/// Every version, oldest first. The file ships inside the binary and a test parses it; should it ever
/// fail to parse, no schedule is known and every immunisation is refused with a clear error.
pub fn versions() -> &'static [Version] {
    static VERSIONS: OnceLock<Vec<Version>> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        let mut versions = toml::from_str::<ScheduleFile>(SCHEDULE_TOML).map(|file| file.version).unwrap_or_default();
        versions.sort_by(|a, b| a.effective_from.cmp(&b.effective_from));
        versions
    })
}

/// The version in force on `date` (`YYYY-MM-DD`); the oldest for earlier dates.
pub fn in_force_on(date: &str) -> Option<&'static Version> {
    let versions = versions();
    versions.iter().rev().find(|version| version.effective_from.as_str() <= date).or_else(|| versions.first())
}

impl Version {
    pub fn antigen(&self, code: &str) -> Option<&Antigen> {
        self.antigens.iter().find(|antigen| antigen.code == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_parses_and_follows_its_changes() {
        assert_eq!(versions().len(), 3);
        let before = in_force_on("2022-06-01").unwrap();
        assert_eq!(before.antigen("ROTA").unwrap().doses.len(), 2);
        assert!(before.antigen("MALARIA").is_none());
        let now = in_force_on("2025-03-01").unwrap();
        assert_eq!(now.antigen("ROTA").unwrap().doses.len(), 3, "three doses of rotavirus since 2023");
        assert!(now.antigen("MALARIA").unwrap().selected_districts);
        assert_eq!(in_force_on("1990-01-01").unwrap().effective_from, "2020-01-01");
        for version in versions() {
            for antigen in &version.antigens {
                assert!(!antigen.doses.is_empty(), "{}", antigen.code);
            }
        }
    }
}
