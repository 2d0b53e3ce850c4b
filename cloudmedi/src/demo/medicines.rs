//! Medicines as the demo prescribes them (`data/demo/medicines.toml`), looked up by key.

use anyhow::Context;
use event_schema::events::record::{DoseUnit, Route};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A medicine as prescribed: international non-proprietary name, one dose, route, doses a day and days.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Medicine {
    pub(super) name: String,
    pub(super) amount: String,
    pub(super) unit: DoseUnit,
    pub(super) route: Route,
    pub(super) times_per_day: u32,
    pub(super) days: u32,
    #[serde(default)]
    pub(super) as_needed: bool,
}

/// The second antihypertensive the showcase patient is given, and later stops.
pub(super) const SECOND_ANTIHYPERTENSIVE: &str = "hydrochlorothiazide";
/// The six-month course for pulmonary tuberculosis.
pub(super) const TUBERCULOSIS_COURSE: &str = "rhze";
/// Iron and folate, from the first antenatal visit.
pub(super) const ANTENATAL_SUPPLEMENT: &str = "iron_folate";
/// Intermittent preventive treatment of malaria in pregnancy, from the second antenatal visit.
pub(super) const MALARIA_PREVENTION_IN_PREGNANCY: &str = "sp";

/// The medicines the code names itself rather than through an illness or condition.
const NAMED: [&str; 4] =
    [SECOND_ANTIHYPERTENSIVE, TUBERCULOSIS_COURSE, ANTENATAL_SUPPLEMENT, MALARIA_PREVENTION_IN_PREGNANCY];

/// The medicines by key.
pub(super) struct Formulary {
    by_key: BTreeMap<String, Medicine>,
}

impl Formulary {
    pub(super) fn new(by_key: BTreeMap<String, Medicine>) -> anyhow::Result<Self> {
        let formulary = Formulary { by_key };
        for key in NAMED {
            formulary.get(key)?;
        }
        Ok(formulary)
    }

    pub(super) fn get(&self, key: &str) -> anyhow::Result<&Medicine> {
        self.by_key.get(key).with_context(|| format!("medicines.toml has no medicine {key:?}"))
    }

    /// The medicines of a list of keys, in its order.
    pub(super) fn all(&self, keys: &[String]) -> anyhow::Result<Vec<Medicine>> {
        keys.iter().map(|key| self.get(key).cloned()).collect()
    }
}
