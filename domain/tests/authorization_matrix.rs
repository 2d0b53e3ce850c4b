//! The authorisation matrix: every role × every action × every kind of relationship, checked against
//! the table below, which is the policy written as a specification. A change to the policy that the
//! table does not share fails here, naming each case that changed.

use domain::access::{authorize, Action, CareBasis, Facts, Principal, Section, StatisticsScope};
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

const CARE: [Option<CareBasis>; 6] = [
    None,
    Some(CareBasis::Facility),
    Some(CareBasis::Referral),
    Some(CareBasis::Consent),
    Some(CareBasis::BreakGlass),
    Some(CareBasis::Guardian),
];

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
    /// The principal's own record, or a minor's whose guardian they are (the care facts say so).
    OwnOrWard,
}

/// Which relationship to the patient a rule needs.
#[derive(Clone, Copy, PartialEq)]
enum Care {
    /// None needed.
    Whatever,
    /// Any practitioner's care relationship, break-the-glass included.
    Any,
    /// A practitioner's care relationship other than break-the-glass.
    Ordinary,
}

use Care::{Any as InCare, Ordinary, Whatever};
use Owner::{Any as AnyOwner, Own, OwnOrWard};
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
    (Role::Doctor, "SetReminderPreferences", NA, AnyOwner, Ordinary),
    (Role::Doctor, "ManageGuardianship", NA, AnyOwner, Ordinary),
    (Role::Nurse, "RegisterPatient", NA, AnyOwner, Whatever),
    (Role::Nurse, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::Nurse, "ReadDemographics", NA, AnyOwner, Ordinary),
    (Role::Nurse, "ReadSection", All, AnyOwner, Ordinary),
    (Role::Nurse, "WriteSection", Only(NURSE_WRITES), AnyOwner, Ordinary),
    (Role::Nurse, "SetReminderPreferences", NA, AnyOwner, Ordinary),
    (Role::Nurse, "ManageGuardianship", NA, AnyOwner, Ordinary),
    (Role::LabTechnician, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::LabTechnician, "ReadDemographics", NA, AnyOwner, Ordinary),
    (Role::LabTechnician, "ReadSection", Only(LAB_READS), AnyOwner, Ordinary),
    (Role::LabTechnician, "WriteSection", Only(&[Section::LabResults]), AnyOwner, Ordinary),
    (Role::RegistrationClerk, "RegisterPatient", NA, AnyOwner, Whatever),
    (Role::RegistrationClerk, "SearchPatients", NA, AnyOwner, Whatever),
    (Role::RegistrationClerk, "ReadDemographics", NA, AnyOwner, Ordinary),
    (Role::RegistrationClerk, "UpdateDemographics", NA, AnyOwner, Ordinary),
    (Role::RegistrationClerk, "SetReminderPreferences", NA, AnyOwner, Ordinary),
    (Role::RegistrationClerk, "ManageGuardianship", NA, AnyOwner, Ordinary),
    (Role::RegistrationClerk, "ReadSection", Only(&[Section::Appointments]), AnyOwner, Ordinary),
    (Role::RegistrationClerk, "WriteSection", Only(&[Section::Appointments]), AnyOwner, Ordinary),
    (Role::Patient, "ReadDemographics", NA, OwnOrWard, Whatever),
    (Role::Patient, "ReadSection", All, OwnOrWard, Whatever),
    (Role::Patient, "ManageConsent", NA, OwnOrWard, Whatever),
    (Role::Patient, "SetReminderPreferences", NA, OwnOrWard, Whatever),
    (Role::Patient, "ReadAccessLog", NA, OwnOrWard, Whatever),
    (Role::Patient, "CancelOwnAppointment", NA, OwnOrWard, Whatever),
    (Role::FacilityAdministrator, "ViewStaff", NA, Own, Whatever),
    (Role::FacilityAdministrator, "RegisterStaff", NA, Own, Whatever),
    (Role::FacilityAdministrator, "SuspendStaff", NA, Own, Whatever),
    (Role::FacilityAdministrator, "ViewBreakGlassAlerts", NA, Own, Whatever),
    (Role::FacilityAdministrator, "ReadStatistics", NA, Own, Whatever),
    (Role::FacilityAdministrator, "ReadEpidemicAlerts", NA, AnyOwner, Whatever),
    (Role::HealthAuthorityAnalyst, "ReadStatistics", NA, AnyOwner, Whatever),
    (Role::HealthAuthorityAnalyst, "ReadEpidemicAlerts", NA, AnyOwner, Whatever),
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
    cases.push(plain(Action::ReadStatistics { scope: StatisticsScope::National }, "ReadStatistics"));
    cases.push(plain(Action::ReadStatistics { scope: StatisticsScope::Region("LT") }, "ReadStatistics"));
    cases.push(plain(Action::ReadEpidemicAlerts, "ReadEpidemicAlerts"));
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
        cases.push(on(Action::ManageGuardianship { patient }, "ManageGuardianship", None));
        cases.push(on(Action::SetReminderPreferences { patient }, "SetReminderPreferences", None));
        cases.push(on(Action::ReadAccessLog { patient }, "ReadAccessLog", None));
        cases.push(on(Action::ReadAuditTrail { patient }, "ReadAuditTrail", None));
        cases.push(on(Action::CancelOwnAppointment { patient, upcoming: true }, "CancelOwnAppointment", None));
        // Allowed to no one: an appointment that has started is the facility's to close.
        cases.push(on(Action::CancelOwnAppointment { patient, upcoming: false }, "CancelStartedAppointment", None));
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
        cases.push(at(Action::ReadStatistics { scope: StatisticsScope::Facility(facility) }, "ReadStatistics"));
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
            && match owner {
                AnyOwner => true,
                Own => case.own_target && (at_facility || !case.targets_a_facility),
                OwnOrWard => case.own_target || care == Some(CareBasis::Guardian),
            }
            && match need {
                Whatever => true,
                InCare => care.is_some() && care != Some(CareBasis::Guardian),
                Ordinary => matches!(care, Some(CareBasis::Facility | CareBasis::Referral | CareBasis::Consent)),
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
                region: None,
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
        let principal = Principal {
            account_id: Uuid::now_v7(),
            role,
            facility_id: Some(Uuid::now_v7()),
            patient_id: None,
            region: None,
        };
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
        region: None,
    };
    let own_facility = Uuid::now_v7();
    for case in cases(Uuid::now_v7(), own_facility) {
        if case.targets_a_patient || case.name == "SearchPatients" {
            for care in CARE {
                assert!(!authorize(&principal, &case.action, &Facts { care }).is_allowed(), "{:?}", case.action);
            }
        }
    }
    let national = StatisticsScope::National;
    assert!(authorize(&principal, &Action::ReadStatistics { scope: national }, &Facts::default()).is_allowed());
}

#[test]
fn a_regional_analyst_reads_their_own_region_only() {
    let principal = Principal {
        account_id: Uuid::now_v7(),
        role: Role::HealthAuthorityAnalyst,
        facility_id: None,
        patient_id: None,
        region: Some("EN".to_owned()),
    };
    assert_eq!(principal.statistics_reach(), Some(StatisticsScope::Region("EN")));
    let read = |scope| authorize(&principal, &Action::ReadStatistics { scope }, &Facts::default());
    assert!(read(StatisticsScope::Region("EN")).is_allowed());
    for scope in [StatisticsScope::National, StatisticsScope::Region("LT"), StatisticsScope::Facility(Uuid::now_v7())] {
        let decision = read(scope);
        assert!(!decision.is_allowed(), "{scope:?}");
        assert_eq!(decision.reason(), "a regional analyst reads their own region's statistics only");
    }
    assert!(authorize(&principal, &Action::ReadEpidemicAlerts, &Facts::default()).is_allowed());
    // An account naming a region the reference data does not know reaches nothing.
    let unknown = Principal { region: Some("XX".to_owned()), ..principal.clone() };
    assert_eq!(unknown.statistics_reach(), None);
}

#[test]
fn statistics_reach_only_analysts_and_facility_administrators() {
    let facility = Uuid::now_v7();
    for role in ROLES {
        let principal =
            Principal { account_id: Uuid::now_v7(), role, facility_id: Some(facility), patient_id: None, region: None };
        let reach = principal.statistics_reach();
        match role {
            Role::HealthAuthorityAnalyst => assert_eq!(reach, Some(StatisticsScope::National)),
            Role::FacilityAdministrator => assert_eq!(reach, Some(StatisticsScope::Facility(facility))),
            _ => assert_eq!(reach, None, "{role:?}"),
        }
        // What a principal reaches, the policy allows.
        if let Some(scope) = reach {
            assert!(authorize(&principal, &Action::ReadStatistics { scope }, &Facts::default()).is_allowed());
        }
    }
}

#[test]
fn denials_say_why() {
    let doctor = Principal {
        account_id: Uuid::now_v7(),
        role: Role::Doctor,
        facility_id: Some(Uuid::now_v7()),
        patient_id: None,
        region: None,
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
            region: None,
        };
        assert_eq!(authorize(&principal, &write, &in_care).is_allowed(), role == Role::Doctor, "{role:?} writes");
        let reads = matches!(role, Role::Doctor | Role::Nurse | Role::Patient);
        assert_eq!(authorize(&principal, &read, &in_care).is_allowed(), reads, "{role:?} reads");
    }
}

#[test]
fn a_patient_cancels_only_their_own_appointments_before_they_start() {
    let own = Uuid::now_v7();
    let patient = Principal {
        account_id: Uuid::now_v7(),
        role: Role::Patient,
        facility_id: None,
        patient_id: Some(own),
        region: None,
    };
    let cancel = |patient_id, upcoming| Action::CancelOwnAppointment { patient: patient_id, upcoming };
    assert!(authorize(&patient, &cancel(own, true), &Facts::default()).is_allowed());
    let started = authorize(&patient, &cancel(own, false), &Facts::default());
    assert_eq!(started.reason(), "an appointment that has started is closed by the facility");
    let theirs = authorize(&patient, &cancel(Uuid::now_v7(), true), &Facts::default());
    assert_eq!(theirs.reason(), "a patient cancels only their own appointments");
    // Cancelling is all a patient writes: the appointments' section stays the facility's.
    let write = Action::WriteSection { patient: own, section: Section::Appointments };
    assert!(!authorize(&patient, &write, &Facts::default()).is_allowed());
    // Staff close appointments through the section's write, never through this action.
    let doctor = Principal {
        account_id: Uuid::now_v7(),
        role: Role::Doctor,
        facility_id: Some(Uuid::now_v7()),
        patient_id: None,
        region: None,
    };
    assert!(!authorize(&doctor, &cancel(own, true), &Facts { care: Some(CareBasis::Facility) }).is_allowed());
}
