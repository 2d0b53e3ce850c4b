//! Age bands, as the ministry's tallies and WHO's mortality tables group ages.

use chrono::{Datelike, NaiveDate};

/// An age band. Codes are stored in the read models and given in queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBand {
    /// Under one year (the immunisation target cohort).
    Under1,
    /// One to four years.
    From1To4,
    From5To14,
    From15To24,
    From25To49,
    From50To64,
    From65,
}

impl AgeBand {
    pub const ALL: [AgeBand; 7] = [
        AgeBand::Under1,
        AgeBand::From1To4,
        AgeBand::From5To14,
        AgeBand::From15To24,
        AgeBand::From25To49,
        AgeBand::From50To64,
        AgeBand::From65,
    ];

    /// The band of someone born on `birth` on the day `on`; a day before the birth (which the record's
    /// rules refuse) counts as under one year.
    pub fn on(birth: NaiveDate, on: NaiveDate) -> AgeBand {
        let years = completed_years(birth, on);
        match years {
            i32::MIN..=0 => AgeBand::Under1,
            1..=4 => AgeBand::From1To4,
            5..=14 => AgeBand::From5To14,
            15..=24 => AgeBand::From15To24,
            25..=49 => AgeBand::From25To49,
            50..=64 => AgeBand::From50To64,
            _ => AgeBand::From65,
        }
    }

    /// The band's stored code, e.g. `1-4`.
    pub fn code(self) -> &'static str {
        match self {
            AgeBand::Under1 => "0",
            AgeBand::From1To4 => "1-4",
            AgeBand::From5To14 => "5-14",
            AgeBand::From15To24 => "15-24",
            AgeBand::From25To49 => "25-49",
            AgeBand::From50To64 => "50-64",
            AgeBand::From65 => "65+",
        }
    }

    pub fn from_code(code: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|band| band.code() == code)
    }

    /// How the band reads to people.
    pub fn label(self, french: bool) -> &'static str {
        match (self, french) {
            (AgeBand::Under1, false) => "under 1 year",
            (AgeBand::Under1, true) => "moins d'un an",
            (AgeBand::From1To4, false) => "1–4 years",
            (AgeBand::From1To4, true) => "1–4 ans",
            (AgeBand::From5To14, false) => "5–14 years",
            (AgeBand::From5To14, true) => "5–14 ans",
            (AgeBand::From15To24, false) => "15–24 years",
            (AgeBand::From15To24, true) => "15–24 ans",
            (AgeBand::From25To49, false) => "25–49 years",
            (AgeBand::From25To49, true) => "25–49 ans",
            (AgeBand::From50To64, false) => "50–64 years",
            (AgeBand::From50To64, true) => "50–64 ans",
            (AgeBand::From65, false) => "65 years and over",
            (AgeBand::From65, true) => "65 ans et plus",
        }
    }
}

/// Whole years from `birth` to `on` (a birthday on 29 February is reached on 1 March in other years).
pub fn completed_years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn bands_change_on_the_birthday() {
        assert_eq!(AgeBand::on(day("2025-03-10"), day("2026-03-09")), AgeBand::Under1);
        assert_eq!(AgeBand::on(day("2025-03-10"), day("2026-03-10")), AgeBand::From1To4);
        assert_eq!(AgeBand::on(day("2021-03-10"), day("2026-03-10")), AgeBand::From5To14);
        assert_eq!(AgeBand::on(day("1960-01-01"), day("2026-01-01")), AgeBand::From65);
        assert_eq!(AgeBand::on(day("2024-02-29"), day("2025-02-28")), AgeBand::Under1);
        assert_eq!(AgeBand::on(day("2024-02-29"), day("2025-03-01")), AgeBand::From1To4);
    }

    #[test]
    fn codes_read_back() {
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::from_code(band.code()), Some(band));
        }
        assert_eq!(AgeBand::from_code("5-15"), None);
    }
}
