//! Staff accounts: people who work in or for the health system, issued an account by an administrator.
//!
//! Each member of staff has a stream, `staff:<account_id>`, holding what administrators decided about
//! them; their logins are in the account's own stream ([`super::account`]), so that an administrator's
//! decision is never refused as a conflict because the person was logging in at the same moment. No event here carries a password, a code, a token or a contact address.

use crate::{EventPayload, Role};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a one-time code reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Sms,
    Email,
    /// Handed over on paper (a patient without a phone, an operator at a console).
    Printed,
}

/// An administrator registered a member of staff and issued them an account to activate: a facility
/// administrator registers practitioners and clerks of their facility, a system administrator registers
/// facility administrators and national staff (analysts, auditors, other system administrators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffRegistered {
    pub account_id: Uuid,
    /// The identifier the person logs in with: the professional ID their facility assigned.
    pub login: String,
    pub role: Role,
    /// The facility the person works at; `None` for national roles.
    pub facility_id: Option<Uuid>,
    /// The region (its code in the regions' reference data) a health authority analyst of a regional
    /// delegation is limited to; `None` for everyone else, national analysts included. (Added in
    /// version 2; a version 1 registration reads as `None`, which is what it meant.)
    pub region: Option<String>,
    pub family_name: String,
    pub given_names: String,
    /// Where the one-time activation code was sent (never the code or the address itself).
    pub activation_sent_by: ContactChannel,
}

impl EventPayload for StaffRegistered {
    const EVENT_TYPE: &'static str = "staff.registered";
    const SCHEMA_VERSION: u32 = 2;
}

/// Version 1 of `staff.registered` had no `region`: every analyst was national.
pub fn staff_registered_from_v1(mut payload: serde_json::Value) -> Result<serde_json::Value, String> {
    let object = payload.as_object_mut().ok_or("a v1 registration is an object")?;
    object.insert("region".to_owned(), serde_json::Value::Null);
    Ok(payload)
}

/// A member of staff was suspended: their account can no longer log in and every session it held was
/// revoked at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffSuspended {
    pub account_id: Uuid,
    pub facility_id: Option<Uuid>,
    /// Why, in the administrator's words.
    pub reason: String,
    /// The role of whoever suspended: a suspension by a system administrator is lifted only by one.
    pub suspended_by: Role,
    /// How many live sessions the suspension ended.
    pub sessions_revoked: u32,
}

impl EventPayload for StaffSuspended {
    const EVENT_TYPE: &'static str = "staff.suspended";
    const SCHEMA_VERSION: u32 = 1;
}

/// A suspended member of staff may log in again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffReinstated {
    pub account_id: Uuid,
    pub facility_id: Option<Uuid>,
}

impl EventPayload for StaffReinstated {
    const EVENT_TYPE: &'static str = "staff.reinstated";
    const SCHEMA_VERSION: u32 = 1;
}

/// A fresh activation code was issued to an account not activated yet (the first was lost or
/// expired); the earlier code no longer works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationReissued {
    pub account_id: Uuid,
    pub sent_by: ContactChannel,
}

impl EventPayload for ActivationReissued {
    const EVENT_TYPE: &'static str = "staff.activation_reissued";
    const SCHEMA_VERSION: u32 = 1;
}
