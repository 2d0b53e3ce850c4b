//! Facility commands in given / when / then form.

mod harness;

use domain::facility::{apply, decide_register, FacilityError, FacilityEvent, RegisterFacility};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use harness::Scenario;
use uuid::Uuid;

fn laquintinie(id: Uuid) -> RegisterFacility {
    RegisterFacility {
        facility_id: id,
        name: "  Hôpital   Laquintinie de Douala ".into(),
        level: FacilityLevel::ReferenceHospital,
        ownership: FacilityOwnership::Public,
        region: "LT".into(),
        health_district: "Deido".into(),
    }
}

fn scenario() -> Scenario<Option<domain::facility::Facility>, FacilityEvent, RegisterFacility, FacilityError> {
    Scenario::new(None, apply, |state, command| decide_register(state.as_ref(), command))
}

#[test]
fn registering_a_new_facility_records_it_tidied() {
    let id = Uuid::now_v7();
    scenario().given(vec![]).when(laquintinie(id)).then(vec![FacilityEvent::Registered(FacilityRegistered {
        facility_id: id,
        name: "Hôpital Laquintinie de Douala".into(),
        level: FacilityLevel::ReferenceHospital,
        ownership: FacilityOwnership::Public,
        region: "LT".into(),
        health_district: "Deido".into(),
    })]);
}

#[test]
fn a_facility_is_registered_once() {
    let id = Uuid::now_v7();
    let first = decide_register(None, laquintinie(id)).unwrap();
    scenario().given(first).when(laquintinie(id)).then_error(FacilityError::AlreadyRegistered);
}

#[test]
fn every_invalid_field_is_named() {
    let mut command = laquintinie(Uuid::now_v7());
    command.name = " ".into();
    command.region = "Littoral".into();
    command.health_district = "x".into();
    command.level = FacilityLevel::PrivateClinic;
    let Err(FacilityError::Invalid(errors)) = decide_register(None, command) else { panic!("refused") };
    let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
    assert_eq!(fields, ["/name", "/health_district", "/region", "/ownership"]);
    assert!(errors[2].message.contains("LT"), "the known regions are listed: {}", errors[2].message);
}

#[test]
fn control_characters_are_refused_in_names() {
    let command = RegisterFacility {
        name: "Clinique\u{7} X".into(),
        health_district: "Deido\u{1}".into(),
        ..laquintinie(Uuid::now_v7())
    };
    let Err(FacilityError::Invalid(errors)) = decide_register(None, command) else { panic!("refused") };
    let fields: Vec<&str> = errors.iter().map(|error| error.field).collect();
    assert_eq!(fields, ["/name", "/health_district"]);
}
