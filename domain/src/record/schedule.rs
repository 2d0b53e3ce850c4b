//! Cameroon's routine immunisation schedule (`data/immunization_schedule.toml`), as effective-dated
//! versions, so that a change of schedule is a change of data. Besides when each dose is due, the data
//! carries the rules a recorded dose must satisfy (minimum ages, the order of a series and the minimum
//! intervals between its doses, who an antigen is offered to and where), with their sources in the
//! file's header.

use chrono::{Days, Months, NaiveDate};
use event_schema::events::patient::Sex;
use serde::Deserialize;
use std::sync::OnceLock;

/// An age or an interval as the schedule states it: a number of days, weeks, months or years, counted
/// on the calendar ("9 months" after 10 January is 10 October), as vaccinators count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Span {
    pub amount: u32,
    pub unit: SpanUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl TryFrom<String> for Span {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let (amount, unit) = text.split_once(' ').ok_or_else(|| format!("{text:?}: expected e.g. \"4 weeks\""))?;
        let amount = amount.parse().map_err(|_| format!("{text:?}: not a whole number"))?;
        let unit = match unit {
            "day" | "days" => SpanUnit::Days,
            "week" | "weeks" => SpanUnit::Weeks,
            "month" | "months" => SpanUnit::Months,
            "year" | "years" => SpanUnit::Years,
            _ => return Err(format!("{text:?}: the unit is days, weeks, months or years")),
        };
        Ok(Self { amount, unit })
    }
}

impl Span {
    /// `date` plus this span; `None` only past the end of the calendar.
    pub fn after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self.unit {
            SpanUnit::Days => date.checked_add_days(Days::new(self.amount.into())),
            SpanUnit::Weeks => date.checked_add_days(Days::new(u64::from(self.amount) * 7)),
            SpanUnit::Months => date.checked_add_months(Months::new(self.amount)),
            SpanUnit::Years => date.checked_add_months(Months::new(self.amount.checked_mul(12)?)),
        }
    }

    /// In English, e.g. `4 weeks`.
    pub fn english(self) -> String {
        let unit = match (self.unit, self.amount == 1) {
            (SpanUnit::Days, true) => "day",
            (SpanUnit::Days, false) => "days",
            (SpanUnit::Weeks, true) => "week",
            (SpanUnit::Weeks, false) => "weeks",
            (SpanUnit::Months, true) => "month",
            (SpanUnit::Months, false) => "months",
            (SpanUnit::Years, true) => "year",
            (SpanUnit::Years, false) => "years",
        };
        format!("{} {unit}", self.amount)
    }

    /// In French, e.g. `4 semaines`.
    pub fn french(self) -> String {
        let unit = match (self.unit, self.amount <= 1) {
            (SpanUnit::Days, true) => "jour",
            (SpanUnit::Days, false) => "jours",
            (SpanUnit::Weeks, true) => "semaine",
            (SpanUnit::Weeks, false) => "semaines",
            (SpanUnit::Months, _) => "mois",
            (SpanUnit::Years, true) => "an",
            (SpanUnit::Years, false) => "ans",
        };
        format!("{} {unit}", self.amount)
    }
}

/// One dose of an antigen's series.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    pub number: u32,
    /// The age it is due at, in days from birth.
    pub age_days: u32,
    /// The youngest age at which this dose counts, when it differs from the antigen's.
    #[serde(default)]
    pub min_age: Option<Span>,
    /// The least time after the preceding dose of the series, when it differs from the antigen's.
    #[serde(default)]
    pub min_interval: Option<Span>,
}

/// From when an antigen is offered to people of one sex.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferedTo {
    pub sex: Sex,
    /// `YYYY-MM-DD`.
    pub from: String,
}

/// The health districts of one region where an antigen is offered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferedIn {
    /// The region's code, e.g. `CE`.
    pub region: String,
    pub districts: Vec<String>,
}

/// One antigen of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Antigen {
    pub code: String,
    /// The name in English.
    pub name: String,
    /// The name in French.
    pub name_fr: String,
    /// The youngest age at which the first dose of the series counts.
    pub min_age: Span,
    /// The least time between two doses of the series, unless a dose states its own.
    #[serde(default)]
    pub min_interval: Option<Span>,
    /// The oldest age at which the programme still gives a missed dose.
    pub catch_up_until: Span,
    /// Offered only to these sexes, each from a date; offered to everyone when absent.
    #[serde(default)]
    pub offered_to: Option<Vec<OfferedTo>>,
    /// Offered only in these districts; everywhere when absent.
    #[serde(default)]
    pub offered_in: Option<Vec<OfferedIn>>,
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

impl Antigen {
    pub fn dose(&self, number: u32) -> Option<&Dose> {
        self.doses.iter().find(|dose| dose.number == number)
    }

    /// The dose of the series that must be given before dose `number`: the one numbered just below it.
    /// The first dose needs none, and dose 0 (a birth dose) is outside the series and precedes nothing.
    pub fn preceding(&self, number: u32) -> Option<u32> {
        self.doses.iter().map(|dose| dose.number).filter(|&n| n >= 1 && n < number).max()
    }

    /// The youngest age at which dose `number` counts.
    pub fn min_age_of(&self, number: u32) -> Span {
        self.dose(number).and_then(|dose| dose.min_age).unwrap_or(self.min_age)
    }

    /// The least time between the preceding dose and dose `number`, if the schedule sets one.
    pub fn min_interval_of(&self, number: u32) -> Option<Span> {
        self.dose(number).and_then(|dose| dose.min_interval).or(self.min_interval)
    }

    /// The earliest day dose `number` counts for someone born on `birth` whose preceding dose (when the
    /// dose needs one) was given on `preceding_on`.
    pub fn earliest_on(&self, number: u32, birth: NaiveDate, preceding_on: Option<NaiveDate>) -> Option<NaiveDate> {
        let by_age = self.min_age_of(number).after(birth)?;
        let by_interval = match (preceding_on, self.min_interval_of(number)) {
            (Some(on), Some(interval)) => interval.after(on)?,
            (Some(on), None) => on,
            (None, _) => by_age,
        };
        Some(by_age.max(by_interval))
    }

    /// Whether the antigen is offered to someone of `sex` on `date` (`YYYY-MM-DD`). A sex not recorded
    /// is never the reason for a refusal: the dose was evidently given.
    pub fn offered_to(&self, sex: Sex, date: &str) -> bool {
        match (&self.offered_to, sex) {
            (None, _) | (Some(_), Sex::Unknown) => true,
            (Some(offers), sex) => offers.iter().any(|offer| offer.sex == sex && offer.from.as_str() <= date),
        }
    }

    /// From when the antigen is offered to someone of `sex` (`YYYY-MM-DD`); `None` if never, and the
    /// oldest date when the antigen is offered to every sex.
    pub fn offered_to_from(&self, sex: Sex) -> Option<&str> {
        match (&self.offered_to, sex) {
            (None, _) => Some("0000-01-01"),
            (Some(offers), Sex::Unknown) => offers.iter().map(|offer| offer.from.as_str()).min(),
            (Some(offers), sex) => offers.iter().find(|offer| offer.sex == sex).map(|offer| offer.from.as_str()),
        }
    }

    /// Whether the antigen is offered in the health district `district` of region `region`. Names are
    /// compared as people write them: without regard to case, accents, hyphens or spacing.
    pub fn offered_in(&self, region: &str, district: &str) -> bool {
        let Some(places) = &self.offered_in else { return true };
        let district = comparable(district);
        places.iter().any(|place| {
            place.region.eq_ignore_ascii_case(region.trim())
                && place.districts.iter().any(|listed| comparable(listed) == district)
        })
    }

    /// Whether the antigen is offered only in selected districts.
    pub fn selected_districts(&self) -> bool {
        self.offered_in.is_some()
    }
}

/// A place name reduced to lower-case ASCII letters and digits, so `Bafoussam-Rural`, `bafoussam
/// rural` and `Bafoussam Rural` compare equal, as do `Ngaoundéré` and `Ngaoundere`.
fn comparable(name: &str) -> String {
    name.chars()
        .filter_map(|c| {
            let base = match c {
                'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'a',
                'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
                'î' | 'ï' | 'Î' | 'Ï' => 'i',
                'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
                'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
                'ç' | 'Ç' => 'c',
                other => other,
            };
            base.is_ascii_alphanumeric().then(|| base.to_ascii_lowercase())
        })
        .collect()
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
        assert!(now.antigen("MALARIA").unwrap().selected_districts());
        assert_eq!(in_force_on("1990-01-01").unwrap().effective_from, "2020-01-01");
        for version in versions() {
            for antigen in &version.antigens {
                assert!(!antigen.doses.is_empty(), "{}", antigen.code);
                for dose in &antigen.doses {
                    if antigen.preceding(dose.number).is_some() {
                        assert!(antigen.min_interval_of(dose.number).is_some(), "{} {}", antigen.code, dose.number);
                    }
                }
            }
        }
    }

    #[test]
    fn no_dose_falls_due_before_the_age_from_which_it_counts() {
        // Every birth day of four years, leap day included: a nurse who gives a dose on its due date
        // must never be refused.
        let first = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        for offset in 0..(4 * 366) {
            let birth = first + chrono::Duration::days(offset);
            for version in versions() {
                for antigen in &version.antigens {
                    for dose in &antigen.doses {
                        let due = birth + chrono::Duration::days(dose.age_days.into());
                        let counts_from = antigen.min_age_of(dose.number).after(birth).unwrap();
                        assert!(due >= counts_from, "{} {} born {birth}", antigen.code, dose.number);
                    }
                }
            }
        }
    }

    #[test]
    fn ages_and_intervals_count_on_the_calendar() {
        let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        let span = |text: &str| Span::try_from(text.to_owned()).unwrap();
        assert_eq!(span("6 weeks").after(date("2025-01-10")), Some(date("2025-02-21")));
        assert_eq!(span("9 months").after(date("2025-01-10")), Some(date("2025-10-10")));
        assert_eq!(span("9 years").after(date("2016-02-29")), Some(date("2025-02-28")));
        assert_eq!((span("4 weeks").english(), span("4 weeks").french()), ("4 weeks".into(), "4 semaines".into()));
        for bad in ["4", "four weeks", "4 fortnights", ""] {
            assert!(Span::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let penta = in_force_on("2025-03-01").unwrap().antigen("PENTA").unwrap();
        assert_eq!(penta.preceding(1), None);
        assert_eq!(penta.preceding(3), Some(2));
        let opv = in_force_on("2025-03-01").unwrap().antigen("OPV").unwrap();
        assert_eq!((opv.preceding(0), opv.preceding(1)), (None, None), "the birth dose precedes nothing");
        assert_eq!(opv.earliest_on(0, date("2025-01-10"), None), Some(date("2025-01-10")));
        assert_eq!(
            penta.earliest_on(3, date("2025-01-10"), Some(date("2025-03-30"))),
            Some(date("2025-04-27")),
            "four weeks after dose 2"
        );
    }

    #[test]
    fn who_and_where_an_antigen_is_offered_is_data() {
        let now = in_force_on("2025-03-01").unwrap();
        let hpv = now.antigen("HPV").unwrap();
        assert!(hpv.offered_to(Sex::Female, "2021-05-01"));
        assert!(!hpv.offered_to(Sex::Male, "2022-12-31"));
        assert!(hpv.offered_to(Sex::Male, "2023-01-01"));
        assert!(hpv.offered_to(Sex::Unknown, "2021-05-01"));
        let malaria = now.antigen("MALARIA").unwrap();
        assert!(malaria.offered_in("CE", "Soa") && malaria.offered_in("ce", " SOA "));
        assert!(!malaria.offered_in("LT", "Deido") && !malaria.offered_in("LT", "Soa"));
        assert!(now.antigen("PENTA").unwrap().offered_in("LT", "Deido"));
        assert_eq!(comparable("Ngaoundéré-Rural"), comparable("ngaoundere rural"));
    }
}
