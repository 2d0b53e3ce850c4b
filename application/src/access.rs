//! Asking the access policy on behalf of a command, and answering so that a refusal never tells a
//! record the caller may not see from one that does not exist.

use crate::error::ApplicationError;
use crate::record::CommandKind;
use domain::access::{Action, CareBasis, Decision, Facts, Principal, Section};
use uuid::Uuid;

/// What a caller asks to do, as far as it is known before their request's content is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// A command of this kind on some patient's record.
    Record(CommandKind),
    /// Closing an appointment: the facility's close with any outcome, or a patient's cancellation of
    /// their own.
    CloseAppointment,
    /// Registering a patient at the caller's facility.
    RegisterPatient,
    RegisterFacility,
    /// Registering a member of staff at a facility, its administrator included.
    RegisterFacilityStaff,
    /// Registering or managing national staff (analysts, auditors, system administrators).
    ManageNationalStaff,
    /// Suspending, reinstating or reissuing the activation of a member of staff.
    ManageStaff,
    /// Reading or setting a patient's reminder choices.
    SetReminderPreferences,
}

/// Refuses a caller whose role could not do what they ask to anyone, anywhere, before anything of
/// their request is read: a caller who may not take an action learns nothing from the checks of its
/// content, and is told the one thing that matters to them. Whether the action is allowed on the
/// patient or facility it names is decided afterwards, as before.
pub fn admit(principal: &Principal, intent: Intent) -> Result<(), ApplicationError> {
    let anyone = Uuid::nil();
    let own_facility = principal.facility_id.unwrap_or(anyone);
    let admitted = match intent {
        Intent::Record(kind) => match kind.action(anyone) {
            Some(action) => could_ever(principal, &action),
            None => Section::ALL
                .into_iter()
                .any(|section| could_ever(principal, &Action::WriteSection { patient: anyone, section })),
        },
        Intent::CloseAppointment => [CommandKind::Write(Section::Appointments), CommandKind::CancelOwnAppointment]
            .into_iter()
            .filter_map(|kind| kind.action(anyone))
            .any(|action| could_ever(principal, &action)),
        Intent::RegisterPatient => could_ever(principal, &Action::RegisterPatient),
        Intent::RegisterFacility => could_ever(principal, &Action::RegisterFacility),
        Intent::RegisterFacilityStaff => {
            could_ever(principal, &Action::RegisterStaff { facility: own_facility })
                || could_ever(principal, &Action::AppointFacilityAdministrator { facility: own_facility })
        }
        Intent::ManageNationalStaff => could_ever(principal, &Action::ManageNationalStaff),
        Intent::SetReminderPreferences => could_ever(principal, &Action::SetReminderPreferences { patient: anyone }),
        Intent::ManageStaff => {
            could_ever(principal, &Action::SuspendStaff { facility: own_facility })
                || could_ever(principal, &Action::ManageNationalStaff)
        }
    };
    if admitted {
        Ok(())
    } else {
        tracing::info!(role = principal.role.as_str(), ?intent, "application.access.not_admitted");
        Err(ApplicationError::Forbidden)
    }
}

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
        (Action::SetReminderPreferences { .. }, Some(own)) => Action::SetReminderPreferences { patient: own },
        (Action::CancelOwnAppointment { upcoming, .. }, Some(own)) => {
            Action::CancelOwnAppointment { patient: own, upcoming: *upcoming }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use event_schema::Role;

    fn principal(role: Role) -> Principal {
        let at_facility = !matches!(
            role,
            Role::Patient | Role::HealthAuthorityAnalyst | Role::Auditor | Role::SystemAdministrator | Role::System
        );
        Principal {
            account_id: Uuid::now_v7(),
            role,
            facility_id: at_facility.then(Uuid::now_v7),
            patient_id: (role == Role::Patient).then(Uuid::now_v7),
            region: None,
        }
    }

    #[test]
    fn a_role_is_admitted_to_what_it_may_do_to_someone_and_to_nothing_else() {
        use CommandKind::*;
        use Intent::*;
        let cases = [
            (Role::Doctor, Record(Write(Section::Conditions)), true),
            (Role::Doctor, Record(Merge), true),
            (Role::Doctor, Record(BreakGlass), true),
            (Role::Doctor, Record(ManageConsent), false),
            (Role::Doctor, Record(Write(Section::Death)), true),
            (Role::Nurse, Record(Write(Section::VitalSigns)), true),
            (Role::Nurse, Record(Write(Section::Death)), false),
            (Role::Nurse, Record(Merge), false),
            (Role::Nurse, Record(BreakGlass), false),
            (Role::LabTechnician, Record(Write(Section::LabResults)), true),
            (Role::LabTechnician, Record(WithdrawEntry), true),
            (Role::Patient, Record(ManageConsent), true),
            (Role::Patient, Record(Write(Section::Allergies)), false),
            (Role::Patient, Record(WithdrawEntry), false),
            (Role::Patient, Record(CancelOwnAppointment), true),
            (Role::Patient, Record(Write(Section::Appointments)), false),
            (Role::Doctor, Record(CancelOwnAppointment), false),
            (Role::Patient, CloseAppointment, true),
            (Role::Nurse, CloseAppointment, true),
            (Role::LabTechnician, CloseAppointment, false),
            (Role::RegistrationClerk, RegisterPatient, true),
            (Role::RegistrationClerk, Record(Write(Section::Encounters)), false),
            (Role::FacilityAdministrator, RegisterFacilityStaff, true),
            (Role::FacilityAdministrator, ManageStaff, true),
            (Role::FacilityAdministrator, Record(Write(Section::Allergies)), false),
            (Role::SystemAdministrator, RegisterFacility, true),
            (Role::SystemAdministrator, ManageNationalStaff, true),
            (Role::SystemAdministrator, ManageStaff, true),
            (Role::SystemAdministrator, RegisterPatient, false),
            (Role::Auditor, ManageStaff, false),
            (Role::HealthAuthorityAnalyst, Record(WithdrawEntry), false),
        ];
        for (role, intent, admitted) in cases {
            let answer = admit(&principal(role), intent);
            assert_eq!(answer.is_ok(), admitted, "{role:?} {intent:?}: {answer:?}");
            if !admitted {
                assert!(matches!(answer, Err(ApplicationError::Forbidden)));
            }
        }
    }
}
