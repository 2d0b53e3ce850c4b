//! Care relationships: how a practitioner stands to a patient, read off the patient's record, as the
//! facts the access policy decides on.

use super::PatientRecord;
use crate::access::{CareBasis, Principal};
use event_schema::Timestamp;

/// The strongest reason `principal` has to act on the patient at `now` (today being `today`,
/// `YYYY-MM-DD`), if any: the patient is registered or was seen at their facility, was referred to it,
/// granted it access (until a day not yet past), or the principal broke the glass and it has not
/// expired. A principal without a facility has no care relationship.
pub fn care_basis(record: &PatientRecord, principal: &Principal, now: Timestamp, today: &str) -> Option<CareBasis> {
    let facility = principal.facility_id?;
    if record.seen_at.contains(&facility) {
        return Some(CareBasis::Facility);
    }
    if record.referred_to.contains(&facility) {
        return Some(CareBasis::Referral);
    }
    // Dates in `YYYY-MM-DD` order as text.
    if record.consents.get(&facility).is_some_and(|until| until.as_deref().is_none_or(|last| last >= today)) {
        return Some(CareBasis::Consent);
    }
    let glass = record.emergency_accesses.iter().any(|access| {
        access.account_id == principal.account_id && access.facility_id == facility && access.expires_at > now
    });
    glass.then_some(CareBasis::BreakGlass)
}
