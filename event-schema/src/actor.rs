//! Who caused an entry: an account, acting in a role, from a facility.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every role the system knows. `System` is the ledger acting on its own behalf (initialisation, key
/// registry); no person ever holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Patient,
    Doctor,
    Nurse,
    LabTechnician,
    RegistrationClerk,
    FacilityAdministrator,
    HealthAuthorityAnalyst,
    Auditor,
    SystemAdministrator,
    System,
}

/// The authenticated author of a command, recorded on every entry it produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub account_id: Uuid,
    pub role: Role,
    /// The facility the account acted from; `None` for patients at home, national roles and the system.
    pub facility_id: Option<Uuid>,
}

impl Actor {
    /// The ledger itself, for entries no person caused (genesis, key registry).
    pub fn system() -> Self {
        Self { account_id: Uuid::nil(), role: Role::System, facility_id: None }
    }
}
