//! Who caused an entry: an account, acting in a role, from a facility.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every role the system knows. `System` is the ledger acting on its own behalf (initialisation, key
/// registry); no person ever holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
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

impl Role {
    /// The role's name as stored and sent over the API (`lab_technician`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patient => "patient",
            Self::Doctor => "doctor",
            Self::Nurse => "nurse",
            Self::LabTechnician => "lab_technician",
            Self::RegistrationClerk => "registration_clerk",
            Self::FacilityAdministrator => "facility_administrator",
            Self::HealthAuthorityAnalyst => "health_authority_analyst",
            Self::Auditor => "auditor",
            Self::SystemAdministrator => "system_administrator",
            Self::System => "system",
        }
    }

    /// The role named `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        const ALL: [Role; 10] = [
            Role::Patient,
            Role::Doctor,
            Role::Nurse,
            Role::LabTechnician,
            Role::RegistrationClerk,
            Role::FacilityAdministrator,
            Role::HealthAuthorityAnalyst,
            Role::Auditor,
            Role::SystemAdministrator,
            Role::System,
        ];
        ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// Every role but the patient's and the system's: people who work in or for the health system, who
    /// must use a second factor.
    pub fn is_staff(self) -> bool {
        !matches!(self, Self::Patient | Self::System)
    }
}

impl Actor {
    /// The ledger itself, for entries no person caused (genesis, key registry).
    pub fn system() -> Self {
        Self { account_id: Uuid::nil(), role: Role::System, facility_id: None }
    }
}
