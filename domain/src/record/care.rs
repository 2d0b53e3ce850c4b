//! Care relationships: how a practitioner stands to a patient, read off the patient's record (on the
//! command side) or off the care read model (on the query side), as the facts the access policy
//! decides on. Both sides call [`care_basis_of`], so a read and a write are judged by the same rule.
//!
//! A guardian's standing towards a minor is decided here too: it is the one relationship a patient's
//! account can have with someone else's record.

use super::{guardianship, EmergencyAccess, PatientRecord};
use crate::access::{CareBasis, Principal};
use event_schema::{Role, Timestamp};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The facts about a patient that establish care relationships.
#[derive(Debug, Clone, Copy)]
pub struct CareFacts<'a> {
    /// Facilities where the patient is registered or was seen.
    pub seen_at: &'a BTreeSet<Uuid>,
    /// Facilities the patient was referred or transferred to.
    pub referred_to: &'a BTreeSet<Uuid>,
    /// Facilities the patient granted access, with the last day it holds (`None`: until revoked).
    pub consents: &'a BTreeMap<Uuid, Option<String>>,
    pub emergency_accesses: &'a [EmergencyAccess],
    /// The patient's guardians' records, with the last day each guardianship holds.
    pub guardians: &'a BTreeMap<Uuid, String>,
}

/// The strongest reason `principal` has to act on the patient at `now` (today being `today`,
/// `YYYY-MM-DD`), if any.
pub fn care_basis(record: &PatientRecord, principal: &Principal, now: Timestamp, today: &str) -> Option<CareBasis> {
    let facts = CareFacts {
        seen_at: &record.seen_at,
        referred_to: &record.referred_to,
        consents: &record.consents,
        emergency_accesses: &record.emergency_accesses,
        guardians: &record.guardians,
    };
    care_basis_of(&facts, principal, now, today)
}

/// The strongest reason `principal` has to act on the patient: the patient is registered or was seen
/// at their facility, was referred to it, granted it access (until a day not yet past), or the
/// principal broke the glass and it has not expired. A patient's account stands towards another
/// record only as its guardian, while the minor is one. Any other principal without a facility has
/// no care relationship.
pub fn care_basis_of(facts: &CareFacts, principal: &Principal, now: Timestamp, today: &str) -> Option<CareBasis> {
    if principal.role == Role::Patient {
        let guardian = principal.patient_id?;
        let holds = facts.guardians.get(&guardian).is_some_and(|until| guardianship::holds(until, today));
        return holds.then_some(CareBasis::Guardian);
    }
    let facility = principal.facility_id?;
    if facts.seen_at.contains(&facility) {
        return Some(CareBasis::Facility);
    }
    if facts.referred_to.contains(&facility) {
        return Some(CareBasis::Referral);
    }
    // Dates in `YYYY-MM-DD` order as text.
    if facts.consents.get(&facility).is_some_and(|until| until.as_deref().is_none_or(|last| last >= today)) {
        return Some(CareBasis::Consent);
    }
    let glass = facts.emergency_accesses.iter().any(|access| {
        access.account_id == principal.account_id && access.facility_id == facility && access.expires_at > now
    });
    glass.then_some(CareBasis::BreakGlass)
}
