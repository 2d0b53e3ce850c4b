//! Staff commands in given / when / then form.

mod harness;

use domain::staff::{
    apply, decide_register, decide_reinstate, decide_suspend, ActivationDelivery, RegisterStaff, StaffError,
    StaffEvent, StaffMember, SuspendStaff,
};
use domain::FieldError;
use event_schema::events::staff::{ContactChannel, StaffRegistered, StaffReinstated, StaffSuspended};
use event_schema::Role;
use harness::Scenario;
use uuid::Uuid;

const ACCOUNT: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);
const FACILITY: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00f1);

fn doctor() -> RegisterStaff {
    RegisterStaff {
        account_id: ACCOUNT,
        professional_id: " laq-med-07 ".into(),
        role: Role::Doctor,
        facility_id: Some(FACILITY),
        region: None,
        family_name: "  Fotso ".into(),
        given_names: "Claire   Ange".into(),
        phone: Some("677 12 34 56".into()),
        email: None,
        registered_by: Role::FacilityAdministrator,
        delivery: ActivationDelivery::ToContact,
    }
}

fn registered() -> StaffRegistered {
    StaffRegistered {
        account_id: ACCOUNT,
        login: "LAQ-MED-07".into(),
        role: Role::Doctor,
        facility_id: Some(FACILITY),
        region: None,
        family_name: "Fotso".into(),
        given_names: "Claire Ange".into(),
        activation_sent_by: ContactChannel::Sms,
    }
}

type Registering = Scenario<Option<StaffMember>, StaffEvent, RegisterStaff, StaffError>;
type Suspending = Scenario<Option<StaffMember>, StaffEvent, SuspendStaff, StaffError>;
type Reinstating = Scenario<Option<StaffMember>, StaffEvent, Role, StaffError>;

fn registering() -> Registering {
    Scenario::new(None, apply, |state, command| decide_register(state.as_ref(), command))
}

fn suspending() -> Suspending {
    Scenario::new(None, apply, |state, command| decide_suspend(state.as_ref(), command))
}

fn reinstating() -> Reinstating {
    Scenario::new(None, apply, |state, by| decide_reinstate(state.as_ref(), by))
}

/// Whether `error` lists exactly the invalid `fields`.
fn lists_fields(error: &StaffError, fields: &[&'static str]) -> bool {
    match error {
        StaffError::Invalid(errors) => {
            let mut got: Vec<&str> = errors.iter().map(|error: &FieldError| error.field).collect();
            got.sort();
            let mut want = fields.to_vec();
            want.sort();
            got == want
        }
        _ => false,
    }
}

fn refused_with(command: RegisterStaff, fields: &[&'static str]) {
    let result = decide_register(None, command);
    match &result {
        Err(error) if lists_fields(error, fields) => {}
        other => panic!("expected field errors on {fields:?}, got {other:?}"),
    }
}

#[test]
fn a_facility_administrator_registers_a_doctor_tidied_with_the_code_sent_by_sms() {
    registering().given(vec![]).when(doctor()).then(vec![StaffEvent::Registered(registered())]);
}

#[test]
fn without_a_phone_the_code_goes_by_email_and_the_first_administrator_gets_it_printed() {
    let by_email = RegisterStaff { phone: None, email: Some("claire@laquintinie.cm".into()), ..doctor() };
    let Ok(events) = decide_register(None, by_email) else { panic!("accepted") };
    assert!(matches!(&events[0], StaffEvent::Registered(r) if r.activation_sent_by == ContactChannel::Email));
    let first = RegisterStaff {
        role: Role::SystemAdministrator,
        facility_id: None,
        registered_by: Role::System,
        delivery: ActivationDelivery::Printed,
        ..doctor()
    };
    let Ok(events) = decide_register(None, first) else { panic!("accepted") };
    assert!(matches!(&events[0], StaffEvent::Registered(r) if r.activation_sent_by == ContactChannel::Printed));
}

#[test]
fn an_account_is_registered_once() {
    registering()
        .given(vec![StaffEvent::Registered(registered())])
        .when(doctor())
        .then_error(StaffError::AlreadyRegistered);
}

#[test]
fn issuers_hand_out_only_the_roles_below_them() {
    // A facility administrator cannot make administrators, national staff, or patients.
    for role in [
        Role::FacilityAdministrator,
        Role::SystemAdministrator,
        Role::Auditor,
        Role::HealthAuthorityAnalyst,
        Role::Patient,
        Role::System,
    ] {
        refused_with(RegisterStaff { role, ..doctor() }, &["/role"]);
    }
    // A system administrator appoints facility administrators and national staff, not clinicians.
    let by_system_administrator = RegisterStaff { registered_by: Role::SystemAdministrator, ..doctor() };
    refused_with(by_system_administrator.clone(), &["/role"]);
    let appoint = RegisterStaff { role: Role::FacilityAdministrator, ..by_system_administrator.clone() };
    assert!(decide_register(None, appoint).is_ok());
    // System administrators are made only at the console.
    let peer = RegisterStaff { role: Role::SystemAdministrator, facility_id: None, ..by_system_administrator.clone() };
    refused_with(peer.clone(), &["/role"]);
    assert!(decide_register(None, RegisterStaff { registered_by: Role::System, ..peer }).is_ok());
    // Clinicians register nobody.
    for issuer in [Role::Doctor, Role::Nurse, Role::Patient, Role::Auditor] {
        refused_with(RegisterStaff { registered_by: issuer, ..doctor() }, &["/role"]);
    }
}

#[test]
fn only_an_analyst_is_limited_to_a_region_and_it_must_be_one() {
    let analyst = RegisterStaff {
        role: Role::HealthAuthorityAnalyst,
        facility_id: None,
        region: Some("EN".into()),
        registered_by: Role::SystemAdministrator,
        ..doctor()
    };
    let Ok(events) = decide_register(None, analyst.clone()) else { panic!("accepted") };
    assert!(matches!(&events[0], StaffEvent::Registered(r) if r.region.as_deref() == Some("EN")));
    let national = RegisterStaff { region: None, ..analyst.clone() };
    let Ok(events) = decide_register(None, national) else { panic!("accepted") };
    assert!(matches!(&events[0], StaffEvent::Registered(r) if r.region.is_none()));
    // The code exactly as the document lists it: neither padded, nor blank, nor in lower case.
    for code in ["XX", " EN ", "", "en"] {
        refused_with(RegisterStaff { region: Some(code.into()), ..analyst.clone() }, &["/region"]);
    }
    refused_with(RegisterStaff { region: Some("EN".into()), ..doctor() }, &["/region"]);
    refused_with(RegisterStaff { role: Role::Auditor, ..analyst }, &["/region"]);
}

#[test]
fn facility_roles_need_a_facility_and_national_roles_refuse_one() {
    refused_with(RegisterStaff { facility_id: None, ..doctor() }, &["/facility_id"]);
    let auditor = RegisterStaff { role: Role::Auditor, registered_by: Role::SystemAdministrator, ..doctor() };
    refused_with(auditor, &["/facility_id"]);
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let command = RegisterStaff {
        professional_id: "x".into(),
        family_name: "   ".into(),
        given_names: "1234".into(),
        phone: Some("12".into()),
        email: Some("not-an-address".into()),
        ..doctor()
    };
    refused_with(command, &["/professional_id", "/family_name", "/given_names", "/phone", "/email"]);
}

#[test]
fn a_professional_id_may_not_look_like_a_health_id_nor_hold_odd_characters() {
    refused_with(RegisterStaff { professional_id: "CM1234567894".into(), ..doctor() }, &["/professional_id"]);
    refused_with(RegisterStaff { professional_id: "LAQ MED 07".into(), ..doctor() }, &["/professional_id"]);
    refused_with(RegisterStaff { professional_id: "-LAQ".into(), ..doctor() }, &["/professional_id"]);
    refused_with(RegisterStaff { professional_id: "A".repeat(33), ..doctor() }, &["/professional_id"]);
}

#[test]
fn staff_need_somewhere_to_receive_login_codes() {
    refused_with(RegisterStaff { phone: None, email: None, ..doctor() }, &["/phone"]);
    refused_with(RegisterStaff { phone: Some("  ".into()), email: None, ..doctor() }, &["/phone"]);
}

#[test]
fn suspension_needs_a_reason_and_an_active_member() {
    let reason =
        |text: &str| SuspendStaff { reason: text.into(), by: Role::FacilityAdministrator, sessions_revoked: 2 };
    suspending().given(vec![StaffEvent::Registered(registered())]).when(reason("  left   the hospital ")).then(vec![
        StaffEvent::Suspended(StaffSuspended {
            account_id: ACCOUNT,
            facility_id: Some(FACILITY),
            reason: "left the hospital".into(),
            suspended_by: Role::FacilityAdministrator,
            sessions_revoked: 2,
        }),
    ]);
    suspending().given(vec![]).when(reason("left")).then_error(StaffError::Unknown);
    let suspended = StaffEvent::Suspended(StaffSuspended {
        account_id: ACCOUNT,
        facility_id: Some(FACILITY),
        reason: "left".into(),
        suspended_by: Role::FacilityAdministrator,
        sessions_revoked: 0,
    });
    suspending()
        .given(vec![StaffEvent::Registered(registered()), suspended.clone()])
        .when(reason("again"))
        .then_error(StaffError::AlreadySuspended);
    let Err(StaffError::Invalid(errors)) = decide_suspend(
        Some(&StaffMember {
            account_id: ACCOUNT,
            login: "L".into(),
            role: Role::Nurse,
            facility_id: None,
            suspended_by: None,
        }),
        reason("no"),
    ) else {
        panic!("a two-letter reason is refused")
    };
    assert_eq!(errors[0].field, "/reason");
}

#[test]
fn only_a_suspended_member_is_reinstated() {
    let suspended = StaffEvent::Suspended(StaffSuspended {
        account_id: ACCOUNT,
        facility_id: Some(FACILITY),
        reason: "left".into(),
        suspended_by: Role::FacilityAdministrator,
        sessions_revoked: 0,
    });
    reinstating()
        .given(vec![StaffEvent::Registered(registered()), suspended])
        .when(Role::FacilityAdministrator)
        .then(vec![StaffEvent::Reinstated(StaffReinstated { account_id: ACCOUNT, facility_id: Some(FACILITY) })]);
    reinstating()
        .given(vec![StaffEvent::Registered(registered())])
        .when(Role::FacilityAdministrator)
        .then_error(StaffError::NotSuspended);
    reinstating().given(vec![]).when(Role::FacilityAdministrator).then_error(StaffError::Unknown);
}

#[test]
fn a_suspension_by_a_system_administrator_is_lifted_only_by_one() {
    let suspended = StaffEvent::Suspended(StaffSuspended {
        account_id: ACCOUNT,
        facility_id: Some(FACILITY),
        reason: "under investigation".into(),
        suspended_by: Role::SystemAdministrator,
        sessions_revoked: 1,
    });
    let history = vec![StaffEvent::Registered(registered()), suspended];
    reinstating()
        .given(history.clone())
        .when(Role::FacilityAdministrator)
        .then_error(StaffError::SuspendedByHigherAuthority);
    reinstating()
        .given(history)
        .when(Role::SystemAdministrator)
        .then(vec![StaffEvent::Reinstated(StaffReinstated { account_id: ACCOUNT, facility_id: Some(FACILITY) })]);
}
