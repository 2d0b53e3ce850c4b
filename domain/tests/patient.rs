//! Patient registration in given / when / then form.

mod harness;

use domain::health_id::HealthId;
use domain::patient::{apply, decide_register, Patient, PatientError, PatientEvent, RegisterPatient};
use domain::FieldError;
use event_schema::events::patient::{BirthDate, NextOfKin, PatientRegistered, Sex};
use harness::Scenario;
use uuid::Uuid;

const TODAY: &str = "2025-06-15";

/// A registration as a desk in Douala types it: untidy spaces, a local phone number, mixed case.
fn awa(patient_id: Uuid, facility_id: Uuid) -> RegisterPatient {
    RegisterPatient {
        patient_id,
        health_id: HealthId::generate(23_456_789),
        national_id: Some(" 1234 56789 ".into()),
        family_name: "  Ngono ".into(),
        given_names: "Awa   Marie\tClaire".into(),
        sex: Sex::Female,
        birth_date: BirthDate { date: "1990-03-21".into(), estimated: false },
        region: "LT".into(),
        health_district: " Deido ".into(),
        phone: Some("699 12 34 56".into()),
        email: Some("Awa.Ngono@Example.CM".into()),
        next_of_kin: Some(NextOfKin {
            name: " Jean  Ngono ".into(),
            relationship: "brother".into(),
            phone: Some("+237 677-00-11-22".into()),
        }),
        facility_id,
        today: TODAY.into(),
    }
}

fn scenario() -> Scenario<Option<Patient>, PatientEvent, RegisterPatient, PatientError> {
    Scenario::new(None, apply, |state, command| decide_register(state.as_ref(), command))
}

/// The fields refused, in the order they were reported.
fn refused_fields(command: RegisterPatient) -> Vec<&'static str> {
    match decide_register(None, command) {
        Err(PatientError::Invalid(errors)) => errors.iter().map(|error| error.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// A field outside a constraint the request's schema states.
fn refused(field: &'static str, message: &str) -> PatientError {
    PatientError::Invalid(vec![FieldError::new(field, message)])
}

/// A field that keeps to its schema and breaks a rule beyond it.
fn refused_by_rule(field: &'static str, message: &str) -> PatientError {
    PatientError::Invalid(vec![FieldError::rule(field, message)])
}

#[test]
fn registering_a_new_patient_records_them_tidied_and_normalised() {
    let (patient_id, facility_id) = (Uuid::now_v7(), Uuid::now_v7());
    scenario().given(vec![]).when(awa(patient_id, facility_id)).then(vec![PatientEvent::Registered(
        PatientRegistered {
            patient_id,
            health_id: "CM1234567894".into(),
            national_id: Some("123456789".into()),
            family_name: "Ngono".into(),
            given_names: "Awa Marie Claire".into(),
            sex: Sex::Female,
            birth_date: BirthDate { date: "1990-03-21".into(), estimated: false },
            region: "LT".into(),
            health_district: "Deido".into(),
            phone: Some("+237699123456".into()),
            email: Some("Awa.Ngono@example.cm".into()),
            next_of_kin: Some(NextOfKin {
                name: "Jean Ngono".into(),
                relationship: "brother".into(),
                phone: Some("+237677001122".into()),
            }),
            registered_at_facility: facility_id,
        },
    )]);
}

#[test]
fn an_unidentified_emergency_patient_needs_only_the_required_fields() {
    let (patient_id, facility_id) = (Uuid::now_v7(), Uuid::now_v7());
    let mut command = awa(patient_id, facility_id);
    command.national_id = None;
    command.family_name = "Inconnu".into();
    command.given_names = "Homme urgences 14".into();
    command.sex = Sex::Unknown;
    command.birth_date = BirthDate { date: "1985-01-01".into(), estimated: true };
    command.phone = Some("  ".into());
    command.email = Some(String::new());
    command.next_of_kin = None;
    let Ok(events) = decide_register(None, command) else { panic!("accepted") };
    let [PatientEvent::Registered(registered)] = events.as_slice() else { panic!("one event") };
    assert_eq!(registered.sex, Sex::Unknown);
    assert_eq!(registered.national_id, None);
    assert_eq!((registered.phone.as_deref(), registered.email.as_deref()), (None, None), "blank means not given");
    assert_eq!(registered.next_of_kin, None);
}

#[test]
fn an_estimated_birth_date_is_kept_as_estimated() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.birth_date = BirthDate { date: "1960-01-01".into(), estimated: true };
    let Ok(events) = decide_register(None, command) else { panic!("accepted") };
    let [PatientEvent::Registered(registered)] = events.as_slice() else { panic!("one event") };
    assert_eq!(registered.birth_date, BirthDate { date: "1960-01-01".into(), estimated: true });
}

#[test]
fn the_registered_patient_is_what_the_event_says() {
    let (patient_id, facility_id) = (Uuid::now_v7(), Uuid::now_v7());
    let events = decide_register(None, awa(patient_id, facility_id)).unwrap();
    let patient = events.iter().fold(None, apply).unwrap();
    assert_eq!(patient.id, patient_id);
    assert_eq!(patient.health_id, "CM1234567894");
    assert_eq!(patient.phone.as_deref(), Some("+237699123456"));
    assert_eq!(patient.registered_at_facility, facility_id);
}

#[test]
fn a_patient_is_registered_once() {
    let (patient_id, facility_id) = (Uuid::now_v7(), Uuid::now_v7());
    let first = decide_register(None, awa(patient_id, facility_id)).unwrap();
    scenario().given(first).when(awa(patient_id, facility_id)).then_error(PatientError::AlreadyRegistered);
}

#[test]
fn a_birth_date_in_the_future_is_refused() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.birth_date.date = "2025-06-16".into();
    scenario().given(vec![]).when(command).then_error(refused_by_rule("/birth_date/date", "must not be in the future"));
}

#[test]
fn a_baby_born_today_is_registered() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.birth_date.date = TODAY.into();
    assert!(decide_register(None, command).is_ok());
}

#[test]
fn an_impossible_calendar_date_is_refused() {
    for date in ["2023-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "1990-3-21", "21/03/1990", ""] {
        let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
        command.birth_date.date = date.into();
        scenario()
            .given(vec![])
            .when(command)
            .then_error(refused("/birth_date/date", "must be a real calendar date written YYYY-MM-DD"));
    }
    let mut leap_day = awa(Uuid::now_v7(), Uuid::now_v7());
    leap_day.birth_date.date = "2024-02-29".into();
    assert!(decide_register(None, leap_day).is_ok(), "2024 is a leap year");
}

#[test]
fn a_birth_date_more_than_130_years_ago_is_refused() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.birth_date.date = "1895-06-14".into();
    scenario()
        .given(vec![])
        .when(command)
        .then_error(refused_by_rule("/birth_date/date", "must not be more than 130 years ago"));
    let mut oldest = awa(Uuid::now_v7(), Uuid::now_v7());
    oldest.birth_date.date = "1895-06-15".into();
    assert!(decide_register(None, oldest).is_ok(), "exactly 130 years is accepted");
}

#[test]
fn an_unknown_region_is_refused_and_the_known_ones_listed() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.region = "Littoral".into();
    let Err(PatientError::Invalid(errors)) = decide_register(None, command) else { panic!("refused") };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, "/region");
    assert!(errors[0].message.contains("LT") && errors[0].message.contains("NW"), "{}", errors[0].message);
}

#[test]
fn a_bad_phone_number_is_refused() {
    for phone in ["69912345", "799 12 34 56", "+237 699 12 34 5", "phone", "+1234"] {
        let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
        command.phone = Some(phone.into());
        assert_eq!(refused_fields(command), ["/phone"], "{phone}");
    }
}

#[test]
fn phone_numbers_are_accepted_in_every_usual_form() {
    for (phone, stored) in [
        ("699123456", "+237699123456"),
        ("222 23 45 67", "+237222234567"),
        ("+237699123456", "+237699123456"),
        ("00237 699 12 34 56", "+237699123456"),
        ("237 699.12.34.56", "+237699123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ] {
        let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
        command.phone = Some(phone.into());
        let Ok(events) = decide_register(None, command) else { panic!("{phone} accepted") };
        let [PatientEvent::Registered(registered)] = events.as_slice() else { panic!("one event") };
        assert_eq!(registered.phone.as_deref(), Some(stored), "{phone}");
    }
}

#[test]
fn a_bad_e_mail_address_is_refused() {
    for email in ["awa", "awa@", "@example.cm", "awa@example", "awa@ngono@example.cm", "awa ngono@example.cm"] {
        let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
        command.email = Some(email.into());
        assert_eq!(refused_fields(command), ["/email"], "{email}");
    }
}

#[test]
fn a_bad_national_id_number_is_refused() {
    for national_id in ["12345", "1234-56789", "123456789012345678901"] {
        let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
        command.national_id = Some(national_id.into());
        assert_eq!(refused_fields(command), ["/national_id"], "{national_id}");
    }
}

#[test]
fn names_must_be_real_names() {
    let long = "A".repeat(81);
    // Too long as sent breaks the schema's length; the rest keep to it and break the rules of a name.
    for (family_name, refusal) in [
        ("   ", refused_by_rule("/family_name", "must be 1 to 80 characters, not counting repeated white space")),
        (long.as_str(), refused("/family_name", "must be 1 to 80 characters")),
        ("123", refused_by_rule("/family_name", "must contain a letter")),
        ("- -", refused_by_rule("/family_name", "must contain a letter")),
        ("Ngo\u{7}no", refused_by_rule("/family_name", "must not contain control characters")),
    ] {
        let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
        command.family_name = family_name.into();
        scenario().given(vec![]).when(command).then_error(refusal);
    }
    let mut one_letter = awa(Uuid::now_v7(), Uuid::now_v7());
    one_letter.given_names = "É".into();
    assert!(decide_register(None, one_letter).is_ok(), "a one-letter name with an accent is a name");
}

#[test]
fn next_of_kin_fields_are_checked_with_their_pointers() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.next_of_kin =
        Some(NextOfKin { name: " ".into(), relationship: "x".repeat(41), phone: Some("12345".into()) });
    assert_eq!(refused_fields(command), ["/next_of_kin/name", "/next_of_kin/relationship", "/next_of_kin/phone"]);
}

#[test]
fn every_invalid_field_is_reported_at_once() {
    let mut command = awa(Uuid::now_v7(), Uuid::now_v7());
    command.national_id = Some("AB".into());
    command.family_name = "".into();
    command.given_names = "42".into();
    command.birth_date.date = "2023-02-30".into();
    command.region = "XX".into();
    command.health_district = "D".into();
    command.phone = Some("12".into());
    command.email = Some("awa.example.cm".into());
    command.next_of_kin = Some(NextOfKin { name: "Jean".into(), relationship: "".into(), phone: Some("+0".into()) });
    assert_eq!(
        refused_fields(command),
        [
            "/national_id",
            "/family_name",
            "/given_names",
            "/birth_date/date",
            "/region",
            "/health_district",
            "/phone",
            "/email",
            "/next_of_kin/relationship",
            "/next_of_kin/phone",
        ]
    );
}
