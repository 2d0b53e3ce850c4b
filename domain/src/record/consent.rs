//! The patient's control over who sees their record, and the emergency exception.

use super::{text, PatientRecord, RecordError, RecordEvent};
use crate::FieldError;
use event_schema::events::record::{AccessGranted, AccessRevoked, EmergencyAccessOpened};
use event_schema::Timestamp;
use uuid::Uuid;

/// The patient grants a facility access to their record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantAccess {
    pub facility_id: Uuid,
    /// The last day, `YYYY-MM-DD`; until revoked when absent.
    pub until: Option<String>,
    pub today: String,
}

pub fn decide_grant(record: Option<&PatientRecord>, command: GrantAccess) -> Result<Vec<RecordEvent>, RecordError> {
    super::open_record(record)?;
    let mut errors = Vec::new();
    if let Some(until) = &command.until {
        let valid = chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d").is_ok() && until.len() == 10;
        if !valid {
            errors.push(FieldError::new("/until", "must be a calendar date, YYYY-MM-DD"));
        } else if until.as_str() < command.today.as_str() {
            errors.push(FieldError::rule("/until", "cannot be in the past"));
        }
    }
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors));
    }
    Ok(vec![RecordEvent::AccessGranted(AccessGranted { facility_id: command.facility_id, until: command.until })])
}

/// The patient withdraws a facility's access.
pub fn decide_revoke(record: Option<&PatientRecord>, facility_id: Uuid) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    if !record.consents.contains_key(&facility_id) {
        return Err(RecordError::Invalid(vec![FieldError::rule(
            "/facility_id",
            "this facility holds no access granted by the patient",
        )]));
    }
    Ok(vec![RecordEvent::AccessRevoked(AccessRevoked { facility_id })])
}

/// How long a break-the-glass access lasts.
pub const EMERGENCY_ACCESS_HOURS: i64 = 4;

/// A doctor breaks the glass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlass {
    pub account_id: Uuid,
    pub facility_id: Uuid,
    pub reason: String,
    pub now: Timestamp,
}

pub fn decide_break_glass(
    record: Option<&PatientRecord>,
    command: BreakGlass,
) -> Result<Vec<RecordEvent>, RecordError> {
    super::open_record(record)?;
    let mut errors = Vec::new();
    // A reason an auditor can judge: a few words, not a letter.
    let reason = text(&command.reason, "/reason", 10..=500, &mut errors);
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors));
    }
    let expires_at =
        Timestamp::from_datetime(command.now.as_datetime() + chrono::Duration::hours(EMERGENCY_ACCESS_HOURS));
    Ok(vec![RecordEvent::EmergencyAccess(EmergencyAccessOpened {
        account_id: command.account_id,
        facility_id: command.facility_id,
        reason,
        expires_at,
    })])
}
