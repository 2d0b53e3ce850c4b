//! The authorisation matrix: every role × every action × every kind of relationship, checked against
//! the table below, which is the policy written as a specification. A change to the policy that the
//! table does not share fails here, naming each case that changed.

use domain::access::{authorize, Action, CareBasis, Facts, Principal, Section};
use event_schema::Role;
use uuid::Uuid;

const ROLES: [Role; 10] = [
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

const CARE: [Option<CareBasis>; 5] =
    [None, Some(CareBasis::Facility), Some(CareBasis::Referral), Some(CareBasis::Consent), Some(CareBasis::BreakGlass)];

/// Which sections a rule covers.
#[derive(Clone, Copy)]
enum Sections {
    NotApplicable,
    All,
    Only(&'static [Section]),
}

/// Whose patient or facility a rule covers.
#[derive(Clone, Copy, PartialEq)]
enum Owner {
    /// Any target (or the action has none).
    Any,
    /// Only the principal's own record or facility.
    Own,
}

/// Which relationship to the patient a rule needs.
#[derive(Clone, Copy, PartialEq)]
enum Care {
    /// None needed.
    Whatever,
    /// Any care relationship, break-the-glass included.
    Any,
    /// A care relationship other than break-the-glass.
    Ordinary,
}

use Care::{Any as InCare, Ordinary, Whatever};
use Owner::{Any as AnyOwner, Own};
use Sections::{All, NotApplicable as NA, Only};

const NURSE_WRITES: &[Section] =
    &[Section::VitalSigns, Section::Immunizations, Section::Allergies, Section::Encounters, Section::Appointments];
const LAB_READS: &[Section] = &[Section::LabOrders, Section::LabResults, Section::Allergies];

/// Everything allowed. Anything not listed is denied. Clinical staff (doctor, nurse, lab technician,
/// registration clerk) are allowed nothing at all without a facility.
const ALLOWED: &[(Role, &str, Sections, Owner, Care)] = &[
    (Role::Doctor, "RegisterPatient", NA, AnyOwner, Whatever),
    (Role::Doctor, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::Doctor, "BreakGlass", NA, AnyOwner, Whatever),
    (Role::Doctor, "ReadDemographics", NA, AnyOwner, InCare),
    (Role::Doctor, "UpdateDemographics", NA, AnyOwner, InCare),
    (Role::Doctor, "ReadSection", All, AnyOwner, InCare),
    (Role::Doctor, "WriteSection", All, AnyOwner, InCare),
    (Role::Nurse, "RegisterPatient", NA, AnyOwner, Whatever),
    (Role::Nurse, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::Nurse, "ReadDemographics", NA, AnyOwner, Ordinary),
    (Role::Nurse, "ReadSection", All, AnyOwner, Ordinary),
    (Role::Nurse, "WriteSection", Only(NURSE_WRITES), AnyOwner, Ordinary),
    (Role::LabTechnician, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::LabTechnician, "ReadDemographics", NA, AnyOwner, Ordinary),
    (Role::LabTechnician, "ReadSection", Only(LAB_READS), AnyOwner, Ordinary),
    (Role::LabTechnician, "WriteSection", Only(&[Section::LabResults]), AnyOwner, Ordinary),
    (Role::RegistrationClerk, "RegisterPatient", NA, AnyOwner, Whatever),
    (Role::RegistrationClerk, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::RegistrationClerk, "ReadDemographics", NA, AnyOwner, Ordinary),
    (Role::RegistrationClerk, "UpdateDemographics", NA, AnyOwner, Ordinary),
    (Role::RegistrationClerk, "ReadSection", Only(&[Section::Appointments]), AnyOwner, Ordinary),
    (Role::RegistrationClerk, "WriteSection", Only(&[Section::Appointments]), AnyOwner, Ordinary),
    (Role::Patient, "ReadDemographics", NA, Own, Whatever),
    (Role::Patient, "ReadSection", All, Own, Whatever),
    (Role::Patient, "ManageConsent", NA, Own, Whatever),
    (Role::Patient, "ReadAccessLog", NA, Own, Whatever),
    (Role::FacilityAdministrator, "ViewStaff", NA, Own, Whatever),
    (Role::FacilityAdministrator, "RegisterStaff", NA, Own, Whatever),
    (Role::FacilityAdministrator, "SuspendStaff", NA, Own, Whatever),
    (Role::FacilityAdministrator, "ViewBreakGlassAlerts", NA, Own, Whatever),
    (Role::HealthAuthorityAnalyst, "ReadStatistics", NA, AnyOwner, Whatever),
    (Role::Auditor, "BrowseLedger", NA, AnyOwner, Whatever),
    (Role::Auditor, "VerifyLedger", NA, AnyOwner, Whatever),
    (Role::Auditor, "ReadAuditTrail", NA, AnyOwner, Whatever),
    (Role::Auditor, "ReadAccessLog", NA, AnyOwner, Whatever),
    (Role::SystemAdministrator, "RegisterFacility", NA, AnyOwner, Whatever),
    (Role::SystemAdministrator, "AppointFacilityAdministrator", NA, AnyOwner, Whatever),
    (Role::SystemAdministrator, "ManageNationalStaff", NA, AnyOwner, Whatever),
    (Role::SystemAdministrator, "VerifyLedger", NA, AnyOwner, Whatever),
    (Role::SystemAdministrator, "ViewStaff", NA, AnyOwner, Whatever),
    (Role::SystemAdministrator, "SuspendStaff", NA, AnyOwner, Whatever),
];

/// One action as the matrix sees it: its name, section, and whether its target is the principal's own.
struct Case {
    action: Action,
    name: &'static str,
    section: Option<Section>,
    own_target: bool,
    targets_a_patient: bool,
    targets_a_facility: bool,
}

fn cases(own_patient: Uuid, own_facility: Uuid) -> Vec<Case> {
    let other_patient = Uuid::now_v7();
    let other_facility = Uuid::now_v7();
    let mut cases = Vec::new();
    let plain = |action, name| Case {
        action,
        name,
        section: None,
        own_target: false,
        targets_a_patient: false,
        targets_a_facility: false,
    };
    cases.push(plain(Action::RegisterPatient, "RegisterPatient"));
    cases.push(plain(Action::SearchPatients, "SearchPatients"));
    cases.push(plain(Action::BrowseLedger, "BrowseLedger"));
    cases.push(plain(Action::VerifyLedger, "VerifyLedger"));
    cases.push(plain(Action::ReadStatistics, "ReadStatistics"));
    cases.push(plain(Action::RegisterFacility, "RegisterFacility"));
    cases.push(plain(Action::ManageNationalStaff, "ManageNationalStaff"));
    for (patient, own) in [(own_patient, true), (other_patient, false)] {
        let on = |action, name, section| Case {
            action,
            name,
            section,
            own_target: own,
            targets_a_patient: true,
            targets_a_facility: false,
        };
        cases.push(on(Action::ReadDemographics { patient }, "ReadDemographics", None));
        cases.push(on(Action::UpdateDemographics { patient }, "UpdateDemographics", None));
        cases.push(on(Action::BreakGlass { patient }, "BreakGlass", None));
        cases.push(on(Action::ManageConsent { patient }, "ManageConsent", None));
        cases.push(on(Action::ReadAccessLog { patient }, "ReadAccessLog", None));
        cases.push(on(Action::ReadAuditTrail { patient }, "ReadAuditTrail", None));
        for section in Section::ALL {
            cases.push(on(Action::ReadSection { patient, section }, "ReadSection", Some(section)));
            cases.push(on(Action::WriteSection { patient, section }, "WriteSection", Some(section)));
        }
    }
    for (facility, own) in [(own_facility, true), (other_facility, false)] {
        let at = |action, name| Case {
            action,
            name,
            section: None,
            own_target: own,
            targets_a_patient: false,
            targets_a_facility: true,
        };
        cases.push(at(Action::AppointFacilityAdministrator { facility }, "AppointFacilityAdministrator"));
        cases.push(at(Action::ViewStaff { facility }, "ViewStaff"));
        cases.push(at(Action::RegisterStaff { facility }, "RegisterStaff"));
        cases.push(at(Action::SuspendStaff { facility }, "SuspendStaff"));
        cases.push(at(Action::ViewBreakGlassAlerts { facility }, "ViewBreakGlassAlerts"));
    }
    cases
}

fn expected(role: Role, at_facility: bool, case: &Case, care: Option<CareBasis>) -> bool {
    let clinical = matches!(role, Role::Doctor | Role::Nurse | Role::LabTechnician | Role::RegistrationClerk);
    if clinical && !at_facility {
        return false;
    }
    ALLOWED.iter().any(|(rule_role, name, sections, owner, need)| {
        *rule_role == role
            && *name == case.name
            && match (sections, case.section) {
                (NA, None) | (All, Some(_)) => true,
                (Only(list), Some(section)) => list.contains(&section),
                _ => false,
            }
            // A facility is the principal's own only if they act from it.
            && (*owner == AnyOwner || (case.own_target && (at_facility || !case.targets_a_facility)))
            && match need {
                Whatever => true,
                InCare => care.is_some(),
                Ordinary => care.is_some() && care != Some(CareBasis::BreakGlass),
            }
    })
}

#[test]
fn every_role_and_action_gets_the_expected_answer() {
    let own_patient = Uuid::now_v7();
    let own_facility = Uuid::now_v7();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for role in ROLES {
        for at_facility in [true, false] {
            let principal = Principal {
                account_id: Uuid::now_v7(),
                role,
                facility_id: at_facility.then_some(own_facility),
                patient_id: (role == Role::Patient).then_some(own_patient),
            };
            for case in cases(own_patient, own_facility) {
                for care in CARE {
                    let decision = authorize(&principal, &case.action, &Facts { care });
                    checked += 1;
                    if decision.is_allowed() != expected(role, at_facility, &case, care) {
                        wrong.push(format!(
                            "{role:?} (at facility: {at_facility}) {:?} care {care:?}: got {decision:?}",
                            case.action
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 3_000, "the matrix covers every combination ({checked})");
    assert!(wrong.is_empty(), "{} cases differ from the table:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn facility_administrators_analysts_auditors_and_system_administrators_never_read_clinical_content() {
    let patient = Uuid::now_v7();
    for role in [
        Role::FacilityAdministrator,
        Role::HealthAuthorityAnalyst,
        Role::Auditor,
        Role::SystemAdministrator,
        Role::System,
    ] {
        let principal =
            Principal { account_id: Uuid::now_v7(), role, facility_id: Some(Uuid::now_v7()), patient_id: None };
        for care in CARE {
            for section in Section::ALL {
                for action in [Action::ReadSection { patient, section }, Action::WriteSection { patient, section }] {
                    assert!(!authorize(&principal, &action, &Facts { care }).is_allowed(), "{role:?} {action:?}");
                }
            }
            for action in [Action::ReadDemographics { patient }, Action::UpdateDemographics { patient }] {
                assert!(!authorize(&principal, &action, &Facts { care }).is_allowed(), "{role:?} {action:?}");
            }
        }
    }
}

#[test]
fn an_analyst_never_sees_a_person() {
    let principal = Principal {
        account_id: Uuid::now_v7(),
        role: Role::HealthAuthorityAnalyst,
        facility_id: None,
        patient_id: None,
    };
    let own_facility = Uuid::now_v7();
    for case in cases(Uuid::now_v7(), own_facility) {
        if case.targets_a_patient || case.name == "SearchPatients" {
            for care in CARE {
                assert!(!authorize(&principal, &case.action, &Facts { care }).is_allowed(), "{:?}", case.action);
            }
        }
    }
    assert!(authorize(&principal, &Action::ReadStatistics, &Facts::default()).is_allowed());
}

#[test]
fn denials_say_why() {
    let doctor = Principal {
        account_id: Uuid::now_v7(),
        role: Role::Doctor,
        facility_id: Some(Uuid::now_v7()),
        patient_id: None,
    };
    let patient = Uuid::now_v7();
    let read = Action::ReadSection { patient, section: Section::Prescriptions };
    let decision = authorize(&doctor, &read, &Facts::default());
    assert_eq!(decision.reason(), "the patient is not in this practitioner's care");
    let decision = authorize(&doctor, &read, &Facts { care: Some(CareBasis::BreakGlass) });
    assert!(decision.is_allowed());
}

#[test]
fn only_a_doctor_records_a_death_and_every_reader_of_the_clinical_record_sees_it() {
    let patient = Uuid::now_v7();
    let in_care = Facts { care: Some(CareBasis::Facility) };
    let write = Action::WriteSection { patient, section: Section::Death };
    let read = Action::ReadSection { patient, section: Section::Death };
    for role in ROLES {
        let principal = Principal {
            account_id: Uuid::now_v7(),
            role,
            facility_id: Some(Uuid::now_v7()),
            patient_id: (role == Role::Patient).then_some(patient),
        };
        assert_eq!(authorize(&principal, &write, &in_care).is_allowed(), role == Role::Doctor, "{role:?} writes");
        let reads = matches!(role, Role::Doctor | Role::Nurse | Role::Patient);
        assert_eq!(authorize(&principal, &read, &in_care).is_allowed(), reads, "{role:?} reads");
    }
}
