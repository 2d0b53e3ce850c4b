//! Asking the access policy on behalf of a command, and answering so that a refusal never tells a
//! record the caller may not see from one that does not exist.

use crate::error::ApplicationError;
use domain::access::{Action, CareBasis, Decision, Facts, Principal};

/// Asks the policy; a refusal is [`ApplicationError::Forbidden`], logged with its reason (never with
/// patient data).
pub fn authorize(principal: &Principal, action: &Action, facts: &Facts) -> Result<(), ApplicationError> {
    match domain::access::authorize(principal, action, facts) {
        Decision::Allow(_) => Ok(()),
        Decision::Deny(reason) => {
            tracing::info!(role = principal.role.as_str(), reason, "application.access.denied");
            Err(ApplicationError::Forbidden)
        }
    }
}

/// Asks the policy about an action on one patient's record. A refusal that depends on the patient is
/// [`ApplicationError::NotFound`], exactly as for an unknown id; only an action the caller's role could
/// not take on any patient (`probe`, the action as it reads without the record) is `Forbidden`, which
/// says nothing about the patient. A `probe` of `None` (the action depends on the record) is always
/// `NotFound`.
pub fn authorize_on_patient(
    principal: &Principal,
    action: &Action,
    facts: &Facts,
    probe: Option<&Action>,
) -> Result<(), ApplicationError> {
    match authorize(principal, action, facts) {
        Ok(()) => Ok(()),
        Err(_) if probe.is_some_and(|probe| !could_ever(principal, probe)) => Err(ApplicationError::Forbidden),
        Err(_) => Err(ApplicationError::NotFound),
    }
}

/// Whether the principal's role allows `action` on some patient: one in their care, or (for a patient)
/// their own record.
fn could_ever(principal: &Principal, action: &Action) -> bool {
    let action = match (action, principal.patient_id) {
        (Action::ManageConsent { .. }, Some(own)) => Action::ManageConsent { patient: own },
        (Action::ReadDemographics { .. }, Some(own)) => Action::ReadDemographics { patient: own },
        (Action::ReadSection { section, .. }, Some(own)) => Action::ReadSection { patient: own, section: *section },
        (other, _) => *other,
    };
    let in_care = Facts { care: Some(CareBasis::Facility) };
    domain::access::authorize(principal, &action, &in_care).is_allowed()
}

/// The facility a member of staff acts from; a command that records something at a facility is not for
/// anyone without one.
pub fn acting_facility(principal: &Principal) -> Result<uuid::Uuid, ApplicationError> {
    principal.facility_id.ok_or(ApplicationError::Forbidden)
}
