//! Health facilities.

use crate::EventPayload;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The level of a facility in the health pyramid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FacilityLevel {
    /// Reference or general hospital.
    ReferenceHospital,
    RegionalHospital,
    DistrictHospital,
    /// Integrated health centre (CSI) or medical centre (CMA).
    HealthCentre,
    PrivateClinic,
}

/// Who runs a facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FacilityOwnership {
    Public,
    Private,
    /// Private not-for-profit, run by a religious organisation.
    FaithBased,
}

/// A facility joined the network. Stream `facility:<facility_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FacilityRegistered {
    pub facility_id: Uuid,
    pub name: String,
    pub level: FacilityLevel,
    pub ownership: FacilityOwnership,
    /// The region's code, as in the regions data (e.g. `LT` for Littoral).
    pub region: String,
    pub health_district: String,
}

impl EventPayload for FacilityRegistered {
    const EVENT_TYPE: &'static str = "facility.registered";
    const SCHEMA_VERSION: u32 = 1;
}
