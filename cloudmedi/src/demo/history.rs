//! What adults report when the doctor takes their history (`data/demo/history.toml`): past conditions
//! and operations, the family's conditions, and allergies.

use super::tables::{check_icd10, Bilingual};
use event_schema::events::record::{AllergyCategory, HistoryKind, Severity};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct History {
    pub(super) medical: Vec<MedicalHistory>,
    pub(super) family: Vec<FamilyHistory>,
    #[serde(rename = "allergy")]
    pub(super) allergies: Vec<Allergy>,
}

/// A past condition, operation or stay in hospital.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MedicalHistory {
    pub(super) kind: HistoryKind,
    pub(super) fr: String,
    pub(super) en: String,
    pub(super) icd10: Option<String>,
}

/// A condition of a relative.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FamilyHistory {
    pub(super) relative: Bilingual,
    pub(super) condition: Bilingual,
    pub(super) icd10: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Allergy {
    pub(super) substance: String,
    pub(super) category: AllergyCategory,
    pub(super) reaction: Bilingual,
    pub(super) severity: Severity,
}

impl History {
    pub(super) fn check(&self) -> anyhow::Result<()> {
        let medical = self.medical.iter().filter_map(|entry| entry.icd10.as_deref());
        let family = self.family.iter().filter_map(|entry| entry.icd10.as_deref());
        medical.chain(family).try_for_each(check_icd10)
    }
}
