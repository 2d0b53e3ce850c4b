//! Disease surveillance (IDSR): which ICD-10 diagnoses count as a case of each notifiable disease, and
//! the thresholds at which a health district's weekly count is an alert or an epidemic. Both are data
//! (`data/surveillance.toml`, with its sources and the choices it makes in its header), so the epidemic
//! curves and their alerts follow a change of guidelines without a change of code.
//!
//! Weeks are ISO 8601 weeks (`statistics::period`), as IDSR systems in the African region report them.

use super::period;
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One disease under surveillance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disease {
    /// The stable code stored in read models and given in queries, e.g. `cholera`.
    pub code: String,
    pub name_fr: String,
    pub name_en: String,
    #[serde(rename = "icd10")]
    patterns: Vec<Icd10Pattern>,
    #[serde(default, rename = "threshold")]
    thresholds: Vec<Threshold>,
}

/// ICD-10 codes that count as a case: one code exactly, or a three-character category with every
/// subcategory under it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Icd10Pattern {
    /// Matches this code only, e.g. `A39.0`.
    Code(String),
    /// Matches the category itself and every code below it, e.g. `B50` matches `B50` and `B50.9`.
    Category(String),
}

/// How alarming a district's count is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Alert,
    Epidemic,
}

/// One threshold of a disease: what is counted, and the counts (or rates) of each level.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ThresholdEntry")]
pub struct Threshold {
    pub rule: Rule,
    /// The count (or, for a rate, the cases per 100,000 people) from which a week is an alert.
    pub alert: Option<u64>,
    /// Likewise for an epidemic.
    pub epidemic: Option<u64>,
    /// The region codes it applies in; every region when empty.
    pub regions: Vec<String>,
}

/// What a threshold counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Cases in one week per 100,000 people, for districts of at least `min_population` people.
    RatePer100kWeek { min_population: u64 },
    /// Cases in one week; with `below_population`, only for smaller districts or an unknown population.
    CountInWeek { below_population: Option<u64> },
    /// Cases in the `weeks` weeks ending with the week judged.
    CountInWeeks { weeks: u32 },
}

/// The diseases, in the file's order, parsed once. The file ships inside the binary and a test parses it;
/// should it ever fail to parse, no disease is known: the curves are empty and no alert is raised, which
/// the statistics show as such, rather than the process stopping.
pub fn diseases() -> &'static [Disease] {
    static DISEASES: OnceLock<Vec<Disease>> = OnceLock::new();
    DISEASES.get_or_init(|| {
        toml::from_str::<SurveillanceFile>(SURVEILLANCE_TOML).map(|file| file.disease).unwrap_or_default()
    })
}

/// The disease with this code, if there is one.
pub fn disease(code: &str) -> Option<&'static Disease> {
    diseases().iter().find(|disease| disease.code == code)
}

/// The disease a diagnosis coded `icd10` is a case of: the first whose codes match it.
pub fn disease_of(icd10: &str) -> Option<&'static Disease> {
    diseases().iter().find(|disease| disease.matches(icd10))
}

impl Disease {
    /// Whether a diagnosis coded `icd10` (in canonical form, e.g. `B50.9`) is a case of this disease.
    pub fn matches(&self, icd10: &str) -> bool {
        self.patterns.iter().any(|pattern| pattern.matches(icd10))
    }

    /// The codes that count as a case, so that a query can select them (`code = 'A39.0'`, or for a
    /// category `code = 'B50' OR code LIKE 'B50.%'`).
    pub fn icd10_patterns(&self) -> &[Icd10Pattern] {
        &self.patterns
    }

    /// The thresholds, in the file's order; none for a disease counted for the curves only.
    pub fn thresholds(&self) -> &[Threshold] {
        &self.thresholds
    }

    /// The name in French or in English.
    pub fn name(&self, french: bool) -> &str {
        if french {
            &self.name_fr
        } else {
            &self.name_en
        }
    }
}

impl Icd10Pattern {
    /// Whether `icd10` is this code, or this category or one of its codes.
    pub fn matches(&self, icd10: &str) -> bool {
        let icd10 = icd10.trim();
        match self {
            Icd10Pattern::Code(code) => icd10.eq_ignore_ascii_case(code),
            Icd10Pattern::Category(category) => {
                icd10.get(..category.len()).is_some_and(|head| head.eq_ignore_ascii_case(category))
                    && matches!(icd10.as_bytes().get(category.len()), None | Some(b'.'))
            }
        }
    }

    /// The code or category as written, e.g. `A39.0` or `B50`.
    pub fn as_str(&self) -> &str {
        match self {
            Icd10Pattern::Code(code) | Icd10Pattern::Category(code) => code,
        }
    }
}

impl TryFrom<String> for Icd10Pattern {
    type Error = String;

    /// A letter and two digits is a category; followed by a dot and one or two characters, a code.
    fn try_from(text: String) -> Result<Self, Self::Error> {
        let bytes = text.as_bytes();
        let category =
            bytes.len() >= 3 && bytes[0].is_ascii_uppercase() && bytes[1].is_ascii_digit() && bytes[2].is_ascii_digit();
        match (category, bytes.get(3), bytes.len()) {
            (true, None, 3) => Ok(Icd10Pattern::Category(text)),
            (true, Some(b'.'), 5 | 6) if bytes[4..].iter().all(u8::is_ascii_alphanumeric) => {
                Ok(Icd10Pattern::Code(text))
            }
            _ => Err(format!("{text:?}: expected an ICD-10 category (B50) or code (A39.0)")),
        }
    }
}

/// Judges a district's weekly counts of `disease` against the disease's thresholds.
///
/// `weeks` holds ISO week labels (`2026-W05`) with the district's new cases that week; a week absent is
/// a week without cases, a label given twice counts the sum, and a label that names no ISO week is left
/// out. The answer has, in week order, each given week that reaches a level, with the highest level it
/// reaches under any threshold that applies in `region`. A week with no cases of its own can still reach
/// a level through a threshold over several weeks.
///
/// A rate threshold needs the district's `population`; when it is unknown (`None`), rate thresholds are
/// passed over and the disease's count thresholds decide, including those given for small districts, so
/// that an unknown population errs towards raising an alert.
pub fn judge(
    disease: &Disease,
    region: &str,
    population: Option<u64>,
    weeks: &[(String, u64)],
) -> Vec<(String, Level)> {
    let mut cases: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for (label, count) in weeks {
        if let Some(start) = period::week_start(label) {
            let week = cases.entry(start).or_default();
            *week = week.saturating_add(*count);
        }
    }
    let thresholds: Vec<&Threshold> =
        disease.thresholds.iter().filter(|threshold| threshold.applies_in(region, population)).collect();
    cases
        .iter()
        .filter_map(|(&start, &count)| {
            let level =
                thresholds.iter().filter_map(|threshold| threshold.level(&cases, start, count, population)).max()?;
            Some((period::iso_week(start), level))
        })
        .collect()
}

impl Threshold {
    /// Whether the threshold applies to a district of `region` with `population` people (if known).
    fn applies_in(&self, region: &str, population: Option<u64>) -> bool {
        let in_region =
            self.regions.is_empty() || self.regions.iter().any(|code| code.eq_ignore_ascii_case(region.trim()));
        let fits = match (self.rule, population) {
            (Rule::RatePer100kWeek { min_population }, Some(people)) => people >= min_population,
            (Rule::RatePer100kWeek { .. }, None) => false,
            (Rule::CountInWeek { below_population: Some(below) }, Some(people)) => people < below,
            (Rule::CountInWeek { .. } | Rule::CountInWeeks { .. }, _) => true,
        };
        in_region && fits
    }

    /// The level the week starting on `start`, with `count` cases, reaches under this threshold.
    fn level(
        &self,
        cases: &BTreeMap<NaiveDate, u64>,
        start: NaiveDate,
        count: u64,
        population: Option<u64>,
    ) -> Option<Level> {
        let reaches = |bound: Option<u64>| {
            bound.is_some_and(|bound| match self.rule {
                // Compared as cases x 100,000 >= rate x population, in whole numbers.
                Rule::RatePer100kWeek { .. } => population
                    .is_some_and(|people| u128::from(count) * 100_000 >= u128::from(bound) * u128::from(people)),
                Rule::CountInWeek { .. } => count >= bound,
                Rule::CountInWeeks { weeks } => window(cases, start, weeks) >= bound,
            })
        };
        if reaches(self.epidemic) {
            Some(Level::Epidemic)
        } else if reaches(self.alert) {
            Some(Level::Alert)
        } else {
            None
        }
    }
}

/// The cases of the `weeks` weeks ending with the week starting on `start`.
fn window(cases: &BTreeMap<NaiveDate, u64>, start: NaiveDate, weeks: u32) -> u64 {
    let back = Days::new(7 * u64::from(weeks.saturating_sub(1)));
    let first = start.checked_sub_days(back).unwrap_or(NaiveDate::MIN);
    cases.range(first..=start).fold(0, |sum, (_, count)| sum.saturating_add(*count))
}

/// A threshold as the file writes it: the kind, and the fields that kind takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdEntry {
    kind: String,
    min_population: Option<u64>,
    below_population: Option<u64>,
    weeks: Option<u32>,
    alert: Option<u64>,
    epidemic: Option<u64>,
    #[serde(default)]
    regions: Vec<String>,
}

impl TryFrom<ThresholdEntry> for Threshold {
    type Error = String;

    fn try_from(entry: ThresholdEntry) -> Result<Self, Self::Error> {
        let kind = entry.kind.as_str();
        let rule = match (kind, entry.min_population, entry.below_population, entry.weeks) {
            ("rate_per_100k_week", Some(min_population), None, None) => Rule::RatePer100kWeek { min_population },
            ("count_in_week", None, below_population, None) => Rule::CountInWeek { below_population },
            ("count_in_weeks", None, None, Some(weeks)) if weeks >= 1 => Rule::CountInWeeks { weeks },
            ("rate_per_100k_week", ..) => return Err("rate_per_100k_week takes min_population (and no other)".into()),
            ("count_in_week", ..) => return Err("count_in_week takes below_population only".into()),
            ("count_in_weeks", ..) => return Err("count_in_weeks takes weeks (1 or more) only".into()),
            _ => return Err(format!("{kind:?}: the kind is rate_per_100k_week, count_in_week or count_in_weeks")),
        };
        match (entry.alert, entry.epidemic) {
            (None, None) => return Err(format!("{kind}: give an alert or an epidemic threshold")),
            (Some(0), _) | (_, Some(0)) => return Err(format!("{kind}: a threshold of 0 would flag every week")),
            (Some(alert), Some(epidemic)) if alert > epidemic => {
                return Err(format!("{kind}: the alert threshold exceeds the epidemic one"))
            }
            _ => {}
        }
        Ok(Threshold { rule, alert: entry.alert, epidemic: entry.epidemic, regions: entry.regions })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveillanceFile {
    disease: Vec<Disease>,
}

const SURVEILLANCE_TOML: &str = include_str!("../../data/surveillance.toml");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::icd10;

    /// The weeks of 2026 from `first` (a week number), with these counts.
    fn weeks(first: u32, counts: &[u64]) -> Vec<(String, u64)> {
        counts.iter().zip(first..).map(|(&count, week)| (format!("2026-W{week:02}"), count)).collect()
    }

    fn judged(code: &str, region: &str, population: Option<u64>, counts: &[(String, u64)]) -> Vec<(String, Level)> {
        let disease = disease(code).unwrap_or_else(|| panic!("{code} is a disease of the file"));
        judge(disease, region, population, counts)
    }

    fn levels(list: &[(&str, Level)]) -> Vec<(String, Level)> {
        list.iter().map(|(week, level)| (week.to_string(), *level)).collect()
    }

    #[test]
    fn the_shipped_file_parses_and_holds_the_notifiable_diseases() {
        let file: SurveillanceFile = toml::from_str(SURVEILLANCE_TOML).expect("surveillance.toml parses");
        assert_eq!(file.disease.len(), diseases().len());
        for code in [
            "cholera",
            "measles",
            "meningitis",
            "malaria",
            "yellow_fever",
            "afp_polio",
            "neonatal_tetanus",
            "mpox",
            "diphtheria",
            "pertussis",
            "covid19",
            "buruli_ulcer",
            "rabies",
            "anthrax",
            "vhf",
        ] {
            assert!(disease(code).is_some(), "{code}");
        }
        let mut codes: Vec<_> = diseases().iter().map(|d| d.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), diseases().len(), "codes are unique");
        for disease in diseases() {
            assert!(!disease.patterns.is_empty(), "{}", disease.code);
            assert!(!disease.name_fr.is_empty() && !disease.name_en.is_empty(), "{}", disease.code);
            for threshold in &disease.thresholds {
                for region in &threshold.regions {
                    assert!(crate::reference::region(region).is_some(), "{}: region {region}", disease.code);
                }
            }
        }
        assert_eq!(disease("meningitis").map(|d| d.name(true)), Some("Méningite"));
        assert_eq!(disease("meningitis").map(|d| d.name(false)), Some("Meningitis"));
    }

    #[test]
    fn every_code_is_in_the_icd10_list_and_none_counts_for_two_diseases() {
        for disease in diseases() {
            for pattern in disease.icd10_patterns() {
                let code = pattern.as_str();
                assert!(icd10::title(code).is_some(), "{}: {code} is not in {}", disease.code, icd10::EDITION);
                if let Icd10Pattern::Code(code) = pattern {
                    // An exact code must not have finer codes under it, which it would silently miss.
                    assert_eq!(icd10::subcategories(code).count(), 0, "{}: {code} is subdivided", disease.code);
                }
            }
        }
        // Every code of the classification belongs to at most one disease, so the first match is the only one.
        for line in include_str!("../../data/icd10/icd10_who_2019.tsv").lines() {
            let code = line.split('\t').next().unwrap_or_default();
            let owners: Vec<_> = diseases().iter().filter(|d| d.matches(code)).map(|d| d.code.as_str()).collect();
            assert!(owners.len() <= 1, "{code} counts for {owners:?}");
        }
    }

    #[test]
    fn categories_match_their_codes_and_codes_match_exactly() {
        let malaria = disease("malaria").unwrap();
        assert!(malaria.matches("B50.9") && malaria.matches("B54") && malaria.matches("B53.0"));
        assert!(!malaria.matches("B55.0") && !malaria.matches("B5") && !malaria.matches("B500"));
        let meningitis = disease("meningitis").unwrap();
        assert!(meningitis.matches("A39.0") && meningitis.matches("A39.2") && meningitis.matches("G03.9"));
        assert!(!meningitis.matches("A87.9"), "viral meningitis is not counted");
        let vhf = disease("vhf").unwrap();
        assert!(vhf.matches("A98.4") && !vhf.matches("A98.5"), "Ebola, not haemorrhagic fever with renal syndrome");
        assert_eq!(disease_of("A00.1").map(|d| d.code.as_str()), Some("cholera"));
        assert_eq!(disease_of("b05.9").map(|d| d.code.as_str()), Some("measles"), "case does not matter");
        assert_eq!(disease_of("U07.1").map(|d| d.code.as_str()), Some("covid19"));
        assert_eq!(disease_of("G61.0"), None, "Guillain-Barré is not counted as polio");
        assert_eq!(disease_of("I10"), None);
        assert_eq!(
            malaria.icd10_patterns().first(),
            Some(&Icd10Pattern::Category("B50".into())),
            "patterns say which kind they are, for building queries"
        );
        assert_eq!(vhf.icd10_patterns().first(), Some(&Icd10Pattern::Code("A98.4".into())));
        for bad in ["B5", "B50.", "b50", "B50.123", "B50-B54", ""] {
            assert!(Icd10Pattern::try_from(bad.to_owned()).is_err(), "{bad}");
        }
    }

    #[test]
    fn meningitis_in_a_district_of_fifty_thousand_is_judged_by_its_weekly_rate() {
        // 2 cases in 50,000 people are 4 per 100,000 (alert from 3); 6 cases are 12 (epidemic from 10);
        // 1 case is 2 per 100,000, nothing.
        assert_eq!(
            judged("meningitis", "EN", Some(50_000), &weeks(5, &[1, 2, 6, 5])),
            levels(&[("2026-W06", Level::Alert), ("2026-W07", Level::Epidemic), ("2026-W08", Level::Epidemic)])
        );
        // Exactly on the threshold counts: 3 per 100,000 of 100,000 people.
        assert_eq!(judged("meningitis", "CE", Some(100_000), &weeks(5, &[3])), levels(&[("2026-W05", Level::Alert)]));
    }

    #[test]
    fn meningitis_in_a_small_district_or_one_of_unknown_size_is_judged_by_counts() {
        let counts = weeks(10, &[1, 2, 4, 5]);
        let expected = levels(&[("2026-W11", Level::Alert), ("2026-W12", Level::Alert), ("2026-W13", Level::Epidemic)]);
        assert_eq!(judged("meningitis", "NO", Some(20_000), &counts), expected);
        assert_eq!(judged("meningitis", "NO", None, &counts), expected, "unknown: the count thresholds decide");
        // In 25,000 people 1 case is 4 per 100,000, but the rate is for districts of 30,000 and more.
        assert_eq!(judged("meningitis", "NO", Some(25_000), &weeks(10, &[1])), vec![]);
    }

    #[test]
    fn one_case_of_cholera_is_an_alert_and_never_an_epidemic_on_its_own() {
        assert_eq!(judged("cholera", "LT", Some(300_000), &weeks(20, &[0, 1])), levels(&[("2026-W21", Level::Alert)]));
        assert_eq!(judged("cholera", "LT", None, &weeks(20, &[40])), levels(&[("2026-W20", Level::Alert)]));
    }

    #[test]
    fn measles_is_an_epidemic_at_three_cases_in_four_weeks() {
        // Weeks 1 and 3 have a case each and week 4 one more: three in the four weeks to week 4. Week 5
        // has none, yet its four weeks (2 to 5) still hold two, not three: no level. Week 2 is absent.
        let counts = vec![
            ("2026-W01".to_owned(), 1),
            ("2026-W03".to_owned(), 1),
            ("2026-W04".to_owned(), 1),
            ("2026-W05".to_owned(), 0),
        ];
        assert_eq!(
            judged("measles", "SW", Some(80_000), &counts),
            levels(&[("2026-W01", Level::Alert), ("2026-W03", Level::Alert), ("2026-W04", Level::Epidemic)])
        );
        // The window crosses the new year (2026-W53 exists) and a label given twice counts the sum.
        let counts = vec![("2026-W53".to_owned(), 1), ("2027-W01".to_owned(), 1), ("2027-W01".to_owned(), 1)];
        assert_eq!(
            judged("measles", "SW", None, &counts),
            levels(&[("2026-W53", Level::Alert), ("2027-W01", Level::Epidemic)])
        );
        // A week with no case of its own still reports the cluster of the weeks before it.
        assert_eq!(
            judged("measles", "SW", None, &weeks(30, &[3, 0])),
            levels(&[("2026-W30", Level::Epidemic), ("2026-W31", Level::Epidemic)])
        );
    }

    #[test]
    fn malaria_never_alerts_and_unreadable_weeks_are_left_out() {
        assert_eq!(judged("malaria", "EN", Some(200_000), &weeks(1, &[500, 5_000, 50_000])), vec![]);
        assert!(disease("malaria").unwrap().thresholds().is_empty());
        assert_eq!(judged("rabies", "OU", None, &[("2026-W99".to_owned(), 3), ("week 4".to_owned(), 1)]), vec![]);
    }

    #[test]
    fn thresholds_are_read_strictly_and_may_be_limited_to_regions() {
        let file = r#"
            [[disease]]
            code = "meningitis"
            name_fr = "Méningite"
            name_en = "Meningitis"
            icd10 = ["A39"]
              [[disease.threshold]]
              kind = "count_in_week"
              alert = 2
              regions = ["AD", "EN", "NO"]
        "#;
        let parsed: SurveillanceFile = toml::from_str(file).expect("parses");
        let belt_only = &parsed.disease[0];
        assert_eq!(judge(belt_only, "EN", None, &weeks(1, &[2])), levels(&[("2026-W01", Level::Alert)]));
        assert_eq!(judge(belt_only, "CE", None, &weeks(1, &[2])), vec![]);
        for bad in [
            r#"kind = "count_in_week""#,
            r#"kind = "count_in_week"
               alert = 0"#,
            r#"kind = "count_in_week"
               alert = 5
               epidemic = 2"#,
            r#"kind = "rate_per_100k_week"
               alert = 3"#,
            r#"kind = "count_in_weeks"
               weeks = 0
               epidemic = 3"#,
            r#"kind = "count_in_month"
               alert = 1"#,
            r#"kind = "count_in_week"
               alert = 1
               threshold = 2"#,
        ] {
            let file = format!("[[disease]]\ncode = \"x\"\nname_fr = \"x\"\nname_en = \"x\"\nicd10 = [\"A00\"]\n[[disease.threshold]]\n{bad}\n");
            assert!(toml::from_str::<SurveillanceFile>(&file).is_err(), "{bad}");
        }
    }
}
