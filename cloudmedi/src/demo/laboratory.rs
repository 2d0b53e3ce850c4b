//! Laboratory tests and their results: the tests the demo orders, their LOINC codes and names
//! (`data/demo/lab_tests.toml`), and plausible readings, normal or not, as a laboratory reports them.

use super::rng::{pick, Rng};
use super::tables::words;
use anyhow::bail;
use domain::record::observations;
use event_schema::events::patient::Sex;
use event_schema::events::record::Interpretation;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Laboratory tests the demo knows how to report; `lab_tests.toml` gives each its LOINC code and names.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Test {
    MalariaRapid,
    ThickSmear,
    Haemoglobin,
    Glucose,
    #[serde(rename = "hba1c")]
    HbA1c,
    Creatinine,
    HivRapid,
    ViralLoad,
    Cd4,
    Widal,
    BloodCulture,
    UrineCulture,
    UrineProtein,
    Syphilis,
    HepatitisB,
    Tuberculosis,
    Pregnancy,
    WhiteCells,
    BloodGroup,
}

impl Test {
    pub(super) const ALL: [Test; 19] = [
        Test::MalariaRapid,
        Test::ThickSmear,
        Test::Haemoglobin,
        Test::Glucose,
        Test::HbA1c,
        Test::Creatinine,
        Test::HivRapid,
        Test::ViralLoad,
        Test::Cd4,
        Test::Widal,
        Test::BloodCulture,
        Test::UrineCulture,
        Test::UrineProtein,
        Test::Syphilis,
        Test::HepatitisB,
        Test::Tuberculosis,
        Test::Pregnancy,
        Test::WhiteCells,
        Test::BloodGroup,
    ];
}

/// A result as a laboratory reports it.
pub(super) struct Reading {
    pub(super) value: String,
    pub(super) unit: Option<&'static str>,
    pub(super) range: Option<&'static str>,
    pub(super) interpretation: Interpretation,
}

/// A plausible result of `test`: abnormal (positive, low or high, as the test goes) or not.
pub(super) fn reading(rng: &mut Rng, test: Test, abnormal: bool, english: bool, sex: Sex, child: bool) -> Reading {
    let qualitative = |positive: bool, yes: (&str, &str), no: (&str, &str)| Reading {
        value: if positive { words(english, yes.0, yes.1) } else { words(english, no.0, no.1) },
        unit: None,
        range: None,
        interpretation: if positive { Interpretation::Positive } else { Interpretation::Negative },
    };
    let decimal = |tenths: u32| format!("{}.{}", tenths / 10, tenths % 10);
    let hundredths = |value: u32| format!("{}.{:02}", value / 100, value % 100);
    match test {
        Test::MalariaRapid | Test::HivRapid | Test::HepatitisB | Test::Pregnancy => {
            qualitative(abnormal, ("positif", "positive"), ("négatif", "negative"))
        }
        Test::ThickSmear => {
            let density = rng.between(2, 400) * 100;
            let positive_fr = format!("Plasmodium falciparum, {density} trophozoïtes/µL");
            let positive_en = format!("Plasmodium falciparum, {density} trophozoites/µL");
            qualitative(abnormal, (&positive_fr, &positive_en), ("absence d'hématozoaires", "no parasites seen"))
        }
        Test::Haemoglobin => {
            let (range, low, high) = match (child, sex) {
                (true, _) => ("11.0-14.0", 110, 140),
                (false, Sex::Female) => ("12.0-16.0", 120, 160),
                (false, _) => ("13.0-17.0", 130, 170),
            };
            let value = if abnormal { rng.within(55, low - 5) } else { rng.within(low, high - 5) };
            let interpretation = match (abnormal, value < 70) {
                (false, _) => Interpretation::Normal,
                (true, true) => Interpretation::CriticallyLow,
                (true, false) => Interpretation::Low,
            };
            Reading { value: decimal(value), unit: Some("g/dL"), range: Some(range), interpretation }
        }
        Test::Glucose if english => {
            let value = if abnormal { rng.within(70, 178) } else { rng.within(42, 60) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: decimal(value), unit: Some("mmol/L"), range: Some("3.9-6.1"), interpretation }
        }
        Test::Glucose => {
            let value = if abnormal { rng.within(126, 320) } else { rng.within(75, 108) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: hundredths(value), unit: Some("g/L"), range: Some("0.70-1.10"), interpretation }
        }
        Test::HbA1c => {
            let value = if abnormal { rng.within(65, 115) } else { rng.within(45, 59) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: decimal(value), unit: Some("%"), range: Some("4.0-6.0"), interpretation }
        }
        Test::Creatinine if english => {
            let value = if abnormal { rng.within(120, 260) } else { rng.within(55, 104) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: value.to_string(), unit: Some("µmol/L"), range: Some("53-106"), interpretation }
        }
        Test::Creatinine => {
            let value = if abnormal { rng.within(14, 30) } else { rng.within(6, 12) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: value.to_string(), unit: Some("mg/L"), range: Some("6-12"), interpretation }
        }
        Test::ViralLoad => {
            if abnormal {
                let value = rng.between(1_000, 250_000);
                Reading {
                    value: value.to_string(),
                    unit: Some("copies/mL"),
                    range: Some("< 1000"),
                    interpretation: Interpretation::High,
                }
            } else {
                Reading {
                    value: "< 40".into(),
                    unit: Some("copies/mL"),
                    range: Some("< 1000"),
                    interpretation: Interpretation::Normal,
                }
            }
        }
        Test::Cd4 => {
            let value = if abnormal { rng.within(80, 480) } else { rng.within(520, 1_200) };
            let interpretation = if abnormal { Interpretation::Low } else { Interpretation::Normal };
            Reading { value: value.to_string(), unit: Some("cells/µL"), range: Some("500-1500"), interpretation }
        }
        Test::Widal => {
            let titre = if abnormal { pick(rng, &["1/160", "1/320", "1/640"]) } else { pick(rng, &["1/20", "1/40"]) };
            let interpretation = if abnormal { Interpretation::Positive } else { Interpretation::Negative };
            Reading { value: titre.to_owned(), unit: None, range: Some("< 1/160"), interpretation }
        }
        Test::BloodCulture => qualitative(
            abnormal,
            ("Salmonella Typhi", "Salmonella Typhi"),
            ("stérile à 5 jours", "no growth after 5 days"),
        ),
        Test::UrineCulture => qualitative(
            abnormal,
            ("Escherichia coli > 10^5 UFC/mL", "Escherichia coli > 10^5 CFU/mL"),
            ("culture stérile", "no significant growth"),
        ),
        Test::UrineProtein => Reading {
            value: if abnormal { pick(rng, &["1+", "2+"]).to_owned() } else { words(english, "négatif", "negative") },
            unit: None,
            range: None,
            interpretation: if abnormal { Interpretation::Abnormal } else { Interpretation::Negative },
        },
        Test::Syphilis => qualitative(abnormal, ("réactif", "reactive"), ("non réactif", "non-reactive")),
        Test::Tuberculosis => qualitative(
            abnormal,
            (
                "MTB détecté, résistance à la rifampicine non détectée",
                "MTB detected, rifampicin resistance not detected",
            ),
            ("MTB non détecté", "MTB not detected"),
        ),
        Test::WhiteCells => {
            let value = if abnormal { rng.within(110, 220) } else { rng.within(45, 95) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: decimal(value), unit: Some("10^9/L"), range: Some("4.0-10.0"), interpretation }
        }
        Test::BloodGroup => {
            let group = ["O", "A", "B", "AB"][rng.weighted(&[48.0, 25.0, 22.0, 5.0])];
            Reading { value: group.to_owned(), unit: None, range: None, interpretation: Interpretation::Normal }
        }
    }
}

/// A test's LOINC code and its names.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LabTest {
    loinc: String,
    fr: String,
    en: String,
}

/// The tests' codes and names, one for each of `Test::ALL`, in its order.
pub(super) struct LabTests {
    tests: Vec<LabTest>,
}

impl LabTests {
    pub(super) fn new(mut file: BTreeMap<Test, LabTest>) -> anyhow::Result<Self> {
        let mut tests = Vec::new();
        for test in Test::ALL {
            let Some(entry) = file.remove(&test) else { bail!("lab_tests.toml does not describe {test:?}") };
            if !observations::is_loinc(&entry.loinc) {
                bail!("lab_tests.toml gives {test:?} the code {}, which is not a LOINC code", entry.loinc);
            }
            tests.push(entry);
        }
        Ok(LabTests { tests })
    }

    /// Every test is present once the file is read, in `Test::ALL` order.
    pub(super) fn loinc(&self, test: Test) -> &str {
        &self.tests[test as usize].loinc
    }

    pub(super) fn name(&self, test: Test, english: bool) -> &str {
        let entry = &self.tests[test as usize];
        if english {
            &entry.en
        } else {
            &entry.fr
        }
    }
}
