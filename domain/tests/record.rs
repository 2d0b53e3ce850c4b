//! The clinical record's commands in given / when / then form, and the care relationships it implies.
//!
//! One file on purpose: each test is a short story over the same given/when/then harness, and reading
//! them in a row is how a reviewer checks that every command of the record has its refusals covered.

mod harness;

use domain::access::{CareBasis, Principal, Section};
use domain::record::care::care_basis;
use domain::record::clinical::{
    decide_allergy, decide_cancel_prescription, decide_condition, decide_encounter, decide_entered_in_error,
    decide_immunization, decide_prescription, decide_referral, normalise_icd10, CancelPrescription, Correction,
    DiagnoseCondition, MarkEnteredInError, PrescribeMedicine, RecordAllergy, RecordEncounter, RecordImmunization,
    ReferPatient,
};
use domain::record::consent::{decide_break_glass, decide_grant, decide_revoke, BreakGlass, GrantAccess};
use domain::record::{apply, EntryStatus, PatientRecord, RecordError, RecordEvent};
use event_schema::events::patient::{BirthDate, PatientRegistered, Sex};
use event_schema::events::record::{
    AllergyCategory, AllergyRecorded, AllergyStatus, Amends, ConditionStatus, Dose, DoseUnit, EncounterRecorded,
    EntryEnteredInError, ImmunizationRecorded, ReferralKind, Route, Severity, Urgency,
};
use event_schema::{Role, Timestamp};
use harness::Scenario;
use uuid::Uuid;

const PATIENT: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001);
const LAQUINTINIE: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00f1);
const GAROUA: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_00f2);
const DOCTOR: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0d01);
const TODAY: &str = "2026-11-25";

fn registered() -> RecordEvent {
    RecordEvent::Registered(PatientRegistered {
        patient_id: PATIENT,
        health_id: "CM1234567894".into(),
        national_id: None,
        family_name: "Mbarga".into(),
        given_names: "Jeanne".into(),
        sex: Sex::Female,
        birth_date: BirthDate { date: "2025-01-10".into(), estimated: false },
        region: "LT".into(),
        health_district: "Deido".into(),
        phone: None,
        email: None,
        next_of_kin: None,
        registered_at_facility: LAQUINTINIE,
    })
}

fn entry(n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0001_0000 + n)
}

fn record_of(events: &[RecordEvent]) -> Option<PatientRecord> {
    events.iter().fold(None, apply)
}

type Decide<C> = fn(Option<&PatientRecord>, C) -> Result<Vec<RecordEvent>, RecordError>;

/// A given / when / then scenario for one decide function (`when` takes it with its command, so one
/// harness serves every command on the record).
fn scenario<C>(_decide: Decide<C>) -> Scenario<Option<PatientRecord>, RecordEvent, (Decide<C>, C), RecordError> {
    Scenario::new(None, apply, |state, (decide, command)| decide(state.as_ref(), command))
}

fn field_errors(result: Result<Vec<RecordEvent>, RecordError>) -> Vec<&'static str> {
    match result {
        Err(RecordError::Invalid(errors)) => errors.into_iter().map(|error| error.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn allergy(id: Uuid) -> RecordAllergy {
    RecordAllergy {
        entry_id: id,
        substance: "  amoxicillin ".into(),
        category: AllergyCategory::Medication,
        reaction: Some("urticaria".into()),
        severity: Severity::Moderate,
        status: AllergyStatus::Confirmed,
        amends: None,
    }
}

fn allergy_recorded(id: Uuid, amends: Option<Amends>) -> RecordEvent {
    RecordEvent::Allergy(AllergyRecorded {
        entry_id: id,
        substance: "amoxicillin".into(),
        category: AllergyCategory::Medication,
        reaction: Some("urticaria".into()),
        severity: Severity::Moderate,
        status: AllergyStatus::Confirmed,
        amends,
    })
}

#[test]
fn an_allergy_is_recorded_tidied() {
    scenario(decide_allergy)
        .given(vec![registered()])
        .when((decide_allergy, allergy(entry(1))))
        .then(vec![allergy_recorded(entry(1), None)]);
}

#[test]
fn an_optional_text_left_blank_is_absent_only_at_a_length_the_document_allows() {
    let record = record_of(&[registered()]);
    let with_reaction = |reaction: &str| RecordAllergy { reaction: Some(reaction.into()), ..allergy(entry(1)) };
    // Blank at a length the schema allows (2 to 200 characters) is the same as leaving it out.
    let Ok(events) = decide_allergy(record.as_ref(), with_reaction("   ")) else { panic!("accepted") };
    assert!(matches!(&events[0], RecordEvent::Allergy(recorded) if recorded.reaction.is_none()));
    // Shorter than the schema allows is refused as sent, blank or not: the document's constraint.
    for short in ["", " ", "a"] {
        let refused = decide_allergy(record.as_ref(), with_reaction(short));
        assert!(
            matches!(&refused, Err(RecordError::Invalid(errors))
                if errors.len() == 1 && errors[0].field == "/reaction" && errors[0].kind == domain::Breach::Constraint),
            "{short:?}: {refused:?}"
        );
    }
}

#[test]
fn nothing_is_recorded_for_an_unknown_patient() {
    scenario(decide_allergy)
        .given(vec![])
        .when((decide_allergy, allergy(entry(1))))
        .then_error(RecordError::UnknownPatient);
}

#[test]
fn an_amendment_replaces_the_entry_and_the_original_stays() {
    let correction = Correction { entry_id: entry(1), reason: "the reaction was anaphylaxis".into() };
    let command = RecordAllergy {
        entry_id: entry(2),
        severity: Severity::Moderate,
        amends: Some(correction),
        ..allergy(entry(2))
    };
    let history = vec![registered(), allergy_recorded(entry(1), None)];
    let events = scenario(decide_allergy).given(history.clone());
    events.when((decide_allergy, command.clone())).then(vec![allergy_recorded(
        entry(2),
        Some(Amends { entry_id: entry(1), reason: "the reaction was anaphylaxis".into() }),
    )]);
    let mut after = history.clone();
    after.extend(decide_allergy(record_of(&history).as_ref(), command).unwrap());
    let record = record_of(&after).unwrap();
    assert_eq!(record.entries[&entry(1)].status, EntryStatus::AmendedBy(entry(2)));
    assert_eq!(record.entries[&entry(2)].status, EntryStatus::Current);
    // An entry is corrected once; a second correction must point at the current one.
    let again = RecordAllergy {
        entry_id: entry(3),
        amends: Some(Correction { entry_id: entry(1), reason: "once more".into() }),
        ..allergy(entry(3))
    };
    assert_eq!(decide_allergy(Some(&record), again), Err(RecordError::AlreadyCorrected));
}

#[test]
fn a_correction_points_at_an_entry_of_the_same_section() {
    let history = vec![registered(), allergy_recorded(entry(1), None)];
    let record = record_of(&history);
    let condition = DiagnoseCondition {
        entry_id: entry(2),
        icd10: "B50.9".into(),
        description: "malaria".into(),
        onset: None,
        status: ConditionStatus::Active,
        encounter_id: None,
        amends: Some(Correction { entry_id: entry(1), reason: "wrong form".into() }),
        today: TODAY.into(),
    };
    assert_eq!(decide_condition(record.as_ref(), condition.clone()), Err(RecordError::WrongSection));
    let unknown =
        DiagnoseCondition { amends: Some(Correction { entry_id: entry(9), reason: "x".into() }), ..condition };
    assert_eq!(decide_condition(record.as_ref(), unknown), Err(RecordError::UnknownEntry));
}

#[test]
fn entered_in_error_withdraws_an_entry_once() {
    let history = vec![registered(), allergy_recorded(entry(1), None)];
    let mark = MarkEnteredInError { entry_id: entry(1), reason: "recorded for the wrong patient".into() };
    scenario(decide_entered_in_error).given(history.clone()).when((decide_entered_in_error, mark.clone())).then(vec![
        RecordEvent::EnteredInError(EntryEnteredInError {
            entry_id: entry(1),
            reason: "recorded for the wrong patient".into(),
        }),
    ]);
    let mut after = history;
    after.push(RecordEvent::EnteredInError(EntryEnteredInError { entry_id: entry(1), reason: "x".into() }));
    let record = record_of(&after).unwrap();
    assert_eq!(record.entries[&entry(1)].status, EntryStatus::EnteredInError);
    assert_eq!(decide_entered_in_error(Some(&record), mark), Err(RecordError::AlreadyCorrected));
    let unknown = MarkEnteredInError { entry_id: entry(7), reason: "nothing there".into() };
    assert_eq!(decide_entered_in_error(Some(&record), unknown), Err(RecordError::UnknownEntry));
    let short = MarkEnteredInError { entry_id: entry(1), reason: "".into() };
    assert!(matches!(
        decide_entered_in_error(record_of(&[registered(), allergy_recorded(entry(1), None)]).as_ref(), short),
        Err(RecordError::Invalid(_))
    ));
}

#[test]
fn icd10_codes_are_checked_and_normalised() {
    assert_eq!(normalise_icd10("b509").as_deref(), Some("B50.9"));
    assert_eq!(normalise_icd10(" A00 ").as_deref(), Some("A00"));
    assert_eq!(normalise_icd10("A39.0").as_deref(), Some("A39.0"));
    assert_eq!(normalise_icd10("U07.1").as_deref(), Some("U07.1"));
    for bad in ["", "50.9", "B5", "BB0.1", "B50.12345", "B50-9", "paludisme"] {
        assert_eq!(normalise_icd10(bad), None, "{bad}");
    }
    let record = record_of(&[registered()]);
    let command = DiagnoseCondition {
        entry_id: entry(1),
        icd10: "malaria".into(),
        description: "m".into(),
        onset: Some("2030-01-01".into()),
        status: ConditionStatus::Active,
        encounter_id: Some(entry(5)),
        amends: None,
        today: TODAY.into(),
    };
    assert_eq!(
        field_errors(decide_condition(record.as_ref(), command)),
        ["/icd10", "/description", "/onset", "/encounter_id"],
        "every invalid field at once"
    );
}

#[test]
fn icd10_codes_must_be_in_whos_list() {
    let diagnosis = |code: &str| DiagnoseCondition {
        entry_id: entry(1),
        icd10: code.into(),
        description: "diagnosis".into(),
        onset: None,
        status: ConditionStatus::Active,
        encounter_id: None,
        amends: None,
        today: TODAY.into(),
    };
    // The shape of a code is not enough: U99.9 looks like one and is not in ICD-10.
    scenario(decide_condition).given(vec![registered()]).when((decide_condition, diagnosis("U99.9"))).then_error(
        RecordError::Invalid(vec![domain::FieldError::rule(
            "/icd10",
            "U99.9 is not a code of WHO ICD-10, 2019 / U99.9 n'est pas un code de la CIM-10 de l'OMS (2019)",
        )]),
    );
    let record = record_of(&[registered()]);
    assert_eq!(
        refusals(decide_condition(record.as_ref(), diagnosis("a00"))),
        [(
            "/icd10",
            "A00 (Cholera) is subdivided: record one of its subcategories, e.g. A00.9 (Cholera, unspecified) / A00 \
             est subdivisé : enregistrez l'une de ses sous-catégories, par ex. A00.9"
                .to_owned()
        )]
    );
    for accepted in ["a009", "A00.9", "B54", "I10", "U07.1", "B18.00", "B54\n"] {
        assert!(decide_condition(record.as_ref(), diagnosis(accepted)).is_ok(), "{accepted}");
    }
    // Outside the published pattern as sent, even where the code could be read.
    for refused in [" B54", "B54 ", "B.54", "B5.4", "B54.", "B54.12345", "B54\n\n", ""] {
        let result = decide_condition(record.as_ref(), diagnosis(refused));
        assert!(
            matches!(&result, Err(RecordError::Invalid(errors))
                if errors.len() == 1 && errors[0].field == "/icd10" && errors[0].kind == domain::Breach::Constraint),
            "{refused:?}: {result:?}"
        );
    }
    let history = domain::record::history::RecordFamilyHistory {
        entry_id: entry(2),
        relationship: "mother".into(),
        condition: "something".into(),
        icd10: Some("Z99.99".into()),
        amends: None,
    };
    assert_eq!(field_errors(domain::record::history::decide_family_history(record.as_ref(), history)), ["/icd10"]);
    assert_eq!(domain::record::icd10::title("B50.9"), Some("Plasmodium falciparum malaria, unspecified"));
}

fn dose(antigen: &str, number: u32, given_on: &str) -> RecordImmunization {
    RecordImmunization {
        entry_id: entry(1),
        antigen: antigen.into(),
        dose_number: number,
        lot: "PENTA-24-117".into(),
        given_on: given_on.into(),
        facility_id: LAQUINTINIE,
        amends: None,
        today: TODAY.into(),
    }
}

#[test]
fn immunizations_follow_the_schedule_in_force_on_the_day() {
    scenario(decide_immunization)
        .given(vec![registered()])
        .when((decide_immunization, dose("PENTA", 1, "2025-02-21")))
        .then(vec![RecordEvent::Immunization(ImmunizationRecorded {
            entry_id: entry(1),
            antigen: "PENTA".into(),
            dose_number: 1,
            lot: "PENTA-24-117".into(),
            given_on: "2025-02-21".into(),
            facility_id: LAQUINTINIE,
            amends: None,
        })]);
    let rota = [registered(), given(entry(11), "ROTA", 1, "2025-02-21"), given(entry(12), "ROTA", 2, "2025-03-21")];
    let record = record_of(&rota);
    assert!(decide_immunization(record.as_ref(), dose("ROTA", 3, "2025-04-18")).is_ok(), "three doses since 2023");
    assert_eq!(field_errors(decide_immunization(record.as_ref(), dose("PENTA", 4, "2025-03-01"))), ["/dose_number"]);
    assert_eq!(field_errors(decide_immunization(record.as_ref(), dose("COVAX", 1, "2025-03-01"))), ["/antigen"]);
    assert_eq!(field_errors(decide_immunization(record.as_ref(), dose("BCG", 1, "2027-01-01"))), ["/given_on"]);
    assert_eq!(
        refusals(decide_immunization(record.as_ref(), dose("BCG", 1, "2024-12-31"))),
        [(
            "/given_on",
            "cannot be before the patient's birth (2025-01-10) / ne peut précéder la naissance du patient (2025-01-10)"
                .to_owned()
        )],
    );
    assert_eq!(field_errors(decide_immunization(record.as_ref(), dose("BCG", 1, "2025-02-30"))), ["/given_on"]);
}

/// A dose already in the record.
fn given(id: Uuid, antigen: &str, number: u32, given_on: &str) -> RecordEvent {
    RecordEvent::Immunization(ImmunizationRecorded {
        entry_id: id,
        antigen: antigen.into(),
        dose_number: number,
        lot: "LOT-1".into(),
        given_on: given_on.into(),
        facility_id: LAQUINTINIE,
        amends: None,
    })
}

/// The field errors of a refusal, with their messages.
fn refusals(result: Result<Vec<RecordEvent>, RecordError>) -> Vec<(&'static str, String)> {
    match result {
        Err(RecordError::Invalid(errors)) => errors.into_iter().map(|error| (error.field, error.message)).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn an_antigen_is_named_by_its_code_exactly() {
    let record = record_of(&[registered()]);
    for refused in ["penta", " PENTA", "PENTA ", ""] {
        let result = decide_immunization(record.as_ref(), dose(refused, 1, "2025-02-21"));
        assert!(
            matches!(&result, Err(RecordError::Invalid(errors))
                if errors.len() == 1 && errors[0].field == "/antigen" && errors[0].kind == domain::Breach::Constraint),
            "{refused:?}: {result:?}"
        );
    }
}

#[test]
fn a_dose_needs_the_preceding_dose_of_its_series_first() {
    // Penta 3 four days after Penta 1, dose 2 never given.
    scenario(decide_immunization)
        .given(vec![registered(), given(entry(11), "PENTA", 1, "2025-02-21")])
        .when((decide_immunization, dose("PENTA", 3, "2025-02-25")))
        .then_error(RecordError::Invalid(vec![domain::FieldError::rule(
            "/dose_number",
            "PENTA dose 3 needs dose 2 first / la dose 3 de PENTA exige d'abord la dose 2",
        )]));
    // The birth dose of polio is outside the series: dose 1 does not need it.
    let record = record_of(&[registered()]);
    assert!(decide_immunization(record.as_ref(), dose("OPV", 1, "2025-02-21")).is_ok());
    // A preceding dose withdrawn as entered in error no longer counts.
    let withdrawn = [
        registered(),
        given(entry(11), "PENTA", 1, "2025-02-21"),
        RecordEvent::EnteredInError(EntryEnteredInError { entry_id: entry(11), reason: "other child".into() }),
    ];
    assert_eq!(
        field_errors(decide_immunization(record_of(&withdrawn).as_ref(), dose("PENTA", 2, "2025-03-21"))),
        ["/dose_number"]
    );
}

#[test]
fn doses_of_a_series_keep_the_minimum_interval() {
    let history = vec![registered(), given(entry(11), "PENTA", 1, "2025-02-21")];
    scenario(decide_immunization)
        .given(history.clone())
        .when((decide_immunization, dose("PENTA", 2, "2025-03-20")))
        .then_error(RecordError::Invalid(vec![domain::FieldError::rule(
            "/given_on",
            "must be at least 4 weeks after PENTA dose 1 (given on 2025-02-21) / au moins 4 semaines après la dose 1 \
             de PENTA (administrée le 2025-02-21)",
        )]));
    let record = record_of(&history);
    assert!(decide_immunization(record.as_ref(), dose("PENTA", 2, "2025-03-21")).is_ok(), "exactly four weeks");
    // Correcting dose 1 itself is judged without the entry it replaces.
    let correction = RecordImmunization {
        amends: Some(Correction { entry_id: entry(11), reason: "lot number corrected".into() }),
        ..dose("PENTA", 1, "2025-02-21")
    };
    assert!(decide_immunization(record.as_ref(), correction).is_ok());
    // IPV's second dose comes at least four months after the first.
    let ipv = record_of(&[registered(), given(entry(12), "IPV", 1, "2025-04-18")]);
    assert_eq!(
        refusals(decide_immunization(ipv.as_ref(), dose("IPV", 2, "2025-08-17"))),
        [(
            "/given_on",
            "must be at least 4 months after IPV dose 1 (given on 2025-04-18) / au moins 4 mois après la dose 1 de \
             IPV (administrée le 2025-04-18)"
                .to_owned()
        )]
    );
    assert!(decide_immunization(ipv.as_ref(), dose("IPV", 2, "2025-08-18")).is_ok());
}

#[test]
fn a_dose_counts_only_from_its_minimum_age() {
    let record = record_of(&[registered()]);
    assert_eq!(
        refusals(decide_immunization(record.as_ref(), dose("PENTA", 1, "2025-02-20"))),
        [(
            "/given_on",
            "PENTA dose 1 counts only from the age of 6 weeks (2025-02-21) / la dose 1 de PENTA ne compte qu'à partir \
             de l'âge de 6 semaines (2025-02-21)"
                .to_owned()
        )]
    );
    assert!(decide_immunization(record.as_ref(), dose("OPV", 0, "2025-01-10")).is_ok(), "the birth dose at birth");
    assert_eq!(field_errors(decide_immunization(record.as_ref(), dose("MR", 1, "2025-07-09"))), ["/given_on"]);
    assert!(
        decide_immunization(record.as_ref(), dose("MR", 1, "2025-07-10")).is_ok(),
        "from six months at the earliest"
    );
}

/// A patient registered in `district` of `region`, of `sex`, born on `birth`.
fn patient(sex: Sex, birth: &str, region: &str, district: &str) -> Vec<RecordEvent> {
    let RecordEvent::Registered(mut registered) = registered() else { unreachable!() };
    registered.sex = sex;
    registered.birth_date = BirthDate { date: birth.into(), estimated: false };
    registered.region = region.into();
    registered.health_district = district.into();
    vec![RecordEvent::Registered(registered)]
}

#[test]
fn hpv_is_offered_to_girls_from_2020_and_boys_from_2023() {
    let boy = record_of(&patient(Sex::Male, "2012-05-01", "LT", "Deido"));
    assert_eq!(
        refusals(decide_immunization(boy.as_ref(), dose("HPV", 1, "2022-06-01"))),
        [(
            "/antigen",
            "HPV is offered to boys and men only from 2023-01-01 / le HPV n'est proposé aux garçons et aux hommes \
             qu'à partir du 2023-01-01"
                .to_owned()
        )]
    );
    assert!(decide_immunization(boy.as_ref(), dose("HPV", 1, "2023-06-01")).is_ok());
    let girl = record_of(&patient(Sex::Female, "2012-05-01", "LT", "Deido"));
    assert!(decide_immunization(girl.as_ref(), dose("HPV", 1, "2022-06-01")).is_ok());
    assert_eq!(
        field_errors(decide_immunization(girl.as_ref(), dose("HPV", 1, "2021-04-30"))),
        ["/given_on"],
        "9 years"
    );
}

#[test]
fn the_malaria_vaccine_is_given_only_in_its_districts() {
    let deido = record_of(&patient(Sex::Female, "2024-06-15", "LT", "Deido"));
    assert_eq!(
        refusals(decide_immunization(deido.as_ref(), dose("MALARIA", 1, "2024-12-16"))),
        [(
            "/antigen",
            "MALARIA is offered only in the health districts selected for it, and the patient's district (Deido) is \
             not one of them / le MALARIA n'est proposé que dans les districts de santé retenus, et celui du patient \
             (Deido) n'en fait pas partie"
                .to_owned()
        )]
    );
    let soa = record_of(&patient(Sex::Female, "2024-06-15", "CE", "Soa"));
    assert!(decide_immunization(soa.as_ref(), dose("MALARIA", 1, "2024-12-16")).is_ok());
    assert_eq!(field_errors(decide_immunization(soa.as_ref(), dose("MALARIA", 1, "2024-11-14"))), ["/given_on"]);
}

#[test]
fn an_encounter_elsewhere_brings_the_patient_into_that_facilitys_care() {
    let command = RecordEncounter {
        entry_id: entry(1),
        facility_id: GAROUA,
        practitioner_id: DOCTOR,
        date: "2026-11-20".into(),
        class: None,
        reason: "fever for three days".into(),
        notes: None,
        amends: None,
        today: TODAY.into(),
    };
    let history = vec![registered()];
    let events = decide_encounter(record_of(&history).as_ref(), command).unwrap();
    assert!(
        matches!(&events[0], RecordEvent::Encounter(EncounterRecorded { facility_id, .. }) if *facility_id == GAROUA)
    );
    let record = record_of(&[history, events].concat()).unwrap();
    let doctor =
        Principal { account_id: DOCTOR, role: Role::Doctor, facility_id: Some(GAROUA), patient_id: None, region: None };
    assert_eq!(
        care_basis(&record, &doctor, Timestamp::from_datetime(chrono::Utc::now()), TODAY),
        Some(CareBasis::Facility)
    );
    assert_eq!(record.entries[&entry(1)].section, Section::Encounters);
}

#[test]
fn care_comes_from_registration_consent_or_broken_glass_and_ends_with_them() {
    let now = Timestamp::parse("2026-11-25T10:00:00.000000Z").unwrap();
    let at = |facility| Principal {
        account_id: DOCTOR,
        role: Role::Doctor,
        facility_id: Some(facility),
        patient_id: None,
        region: None,
    };
    let record = record_of(&[registered()]).unwrap();
    assert_eq!(care_basis(&record, &at(LAQUINTINIE), now, TODAY), Some(CareBasis::Facility));
    assert_eq!(care_basis(&record, &at(GAROUA), now, TODAY), None);

    // Consent, until a day.
    let grant = GrantAccess { facility_id: GAROUA, until: Some("2026-12-31".into()), today: TODAY.into() };
    let granted = decide_grant(Some(&record), grant).unwrap();
    let with_consent = record_of(&[vec![registered()], granted.clone()].concat()).unwrap();
    assert_eq!(care_basis(&with_consent, &at(GAROUA), now, TODAY), Some(CareBasis::Consent));
    assert_eq!(care_basis(&with_consent, &at(GAROUA), now, "2027-01-01"), None, "expired consent");
    let revoked = decide_revoke(Some(&with_consent), GAROUA).unwrap();
    let after = record_of(&[vec![registered()], granted, revoked].concat()).unwrap();
    assert_eq!(care_basis(&after, &at(GAROUA), now, TODAY), None);
    assert!(matches!(decide_revoke(Some(&after), GAROUA), Err(RecordError::Invalid(_))));
    let past = GrantAccess { facility_id: GAROUA, until: Some("2020-01-01".into()), today: TODAY.into() };
    assert!(matches!(decide_grant(Some(&record), past), Err(RecordError::Invalid(_))));

    // Break the glass: for this doctor at this facility, for a few hours.
    let glass =
        BreakGlass { account_id: DOCTOR, facility_id: GAROUA, reason: "unconscious, brought by ambulance".into(), now };
    let opened = decide_break_glass(Some(&record), glass.clone()).unwrap();
    let broken = record_of(&[vec![registered()], opened].concat()).unwrap();
    assert_eq!(care_basis(&broken, &at(GAROUA), now, TODAY), Some(CareBasis::BreakGlass));
    let later = Timestamp::parse("2026-11-25T15:00:00.000000Z").unwrap();
    assert_eq!(care_basis(&broken, &at(GAROUA), later, TODAY), None, "the access expires");
    let colleague = Principal { account_id: Uuid::now_v7(), ..at(GAROUA) };
    assert_eq!(care_basis(&broken, &colleague, now, TODAY), None, "it is personal");
    let terse = BreakGlass { reason: "urgent".into(), ..glass };
    assert!(matches!(decide_break_glass(Some(&record), terse), Err(RecordError::Invalid(_))), "a real reason");
    let nowhere = Principal { facility_id: None, ..at(GAROUA) };
    assert_eq!(care_basis(&record, &nowhere, now, TODAY), None);
}

fn prescription(amount: &str, unit: DoseUnit) -> PrescribeMedicine {
    PrescribeMedicine {
        entry_id: entry(1),
        medicine: "artemether-lumefantrine".into(),
        dose: Dose { amount: amount.into(), unit },
        route: Route::Oral,
        times_per_day: 2,
        as_needed: false,
        duration_days: 3,
        prescriber_id: DOCTOR,
        encounter_id: None,
        instructions: Some("with food".into()),
        amends: None,
    }
}

#[test]
fn prescriptions_refuse_impossible_doses_and_can_be_cancelled_once() {
    let record = record_of(&[registered()]);
    assert!(decide_prescription(record.as_ref(), prescription("4", DoseUnit::Tablet)).is_ok());
    assert!(decide_prescription(record.as_ref(), prescription("0.5", DoseUnit::Tablet)).is_ok());
    assert!(decide_prescription(record.as_ref(), prescription("500", DoseUnit::Mg)).is_ok());
    for (amount, unit) in [
        ("0", DoseUnit::Mg),
        ("-5", DoseUnit::Mg),
        ("1e3", DoseUnit::Mg),
        ("0.0001", DoseUnit::Mg),
        ("5.", DoseUnit::Mg),
        ("", DoseUnit::Mg),
        ("500000", DoseUnit::Mg),
        ("40", DoseUnit::Tablet),
        ("NaN", DoseUnit::Ml),
    ] {
        assert_eq!(
            field_errors(decide_prescription(record.as_ref(), prescription(amount, unit))),
            ["/dose/amount"],
            "{amount}"
        );
    }
    let silly = PrescribeMedicine { times_per_day: 0, duration_days: 1000, ..prescription("1", DoseUnit::Tablet) };
    assert_eq!(field_errors(decide_prescription(record.as_ref(), silly)), ["/times_per_day", "/duration_days"]);

    let issued = decide_prescription(record.as_ref(), prescription("4", DoseUnit::Tablet)).unwrap();
    let history = [vec![registered()], issued].concat();
    let cancel = CancelPrescription { entry_id: entry(1), reason: "vomiting after each dose".into() };
    let cancelled = decide_cancel_prescription(record_of(&history).as_ref(), cancel.clone()).unwrap();
    let after = record_of(&[history, cancelled].concat()).unwrap();
    assert_eq!(after.entries[&entry(1)].status, EntryStatus::Cancelled);
    assert_eq!(decide_cancel_prescription(Some(&after), cancel), Err(RecordError::AlreadyCorrected));
}

#[test]
fn a_referral_brings_the_patient_into_the_receiving_facilitys_care() {
    let record = record_of(&[registered()]).unwrap();
    let refer = ReferPatient {
        entry_id: entry(1),
        kind: ReferralKind::Transfer,
        from_facility_id: LAQUINTINIE,
        to_facility_id: GAROUA,
        reason: "suspected sickle-cell crisis, needs a haematologist".into(),
        urgency: Urgency::Urgent,
        encounter_id: None,
        amends: None,
    };
    let events = decide_referral(Some(&record), refer.clone()).unwrap();
    let after = record_of(&[vec![registered()], events].concat()).unwrap();
    let doctor =
        Principal { account_id: DOCTOR, role: Role::Doctor, facility_id: Some(GAROUA), patient_id: None, region: None };
    assert_eq!(
        care_basis(&after, &doctor, Timestamp::from_datetime(chrono::Utc::now()), TODAY),
        Some(CareBasis::Referral)
    );
    let to_self = ReferPatient { to_facility_id: LAQUINTINIE, ..refer };
    assert_eq!(field_errors(decide_referral(Some(&record), to_self)), ["/to_facility_id"]);
}

mod later_sections {
    use super::*;
    use domain::record::appointments::{decide_book, decide_close, decide_reschedule, BookAppointment};
    use domain::record::history::{
        decide_family_history, decide_medical_history, decide_stop_treatment, decide_treatment, RecordFamilyHistory,
        RecordMedicalHistory, RecordTreatment, StopTreatment,
    };
    use domain::record::observations::{
        decide_lab_order, decide_lab_result, decide_vital_signs, is_loinc, OrderLab, RecordLabResult, RecordVitalSigns,
    };
    use event_schema::events::record::{AppointmentOutcome, Attachment, HistoryKind, Interpretation};

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn vitals() -> RecordVitalSigns {
        RecordVitalSigns {
            entry_id: entry(1),
            measured_at: at("2026-11-25T09:00:00.000000Z"),
            temperature_decicelsius: Some(385),
            systolic_mmhg: Some(110),
            diastolic_mmhg: Some(70),
            pulse_per_minute: Some(120),
            respiratory_rate_per_minute: None,
            spo2_percent: Some(97),
            weight_grams: Some(9_800),
            height_mm: None,
            amends: None,
            now: at("2026-11-25T09:05:00.000000Z"),
        }
    }

    #[test]
    fn vital_signs_are_exact_integers_within_what_a_body_can_show() {
        let record = record_of(&[registered()]);
        assert!(decide_vital_signs(record.as_ref(), vitals()).is_ok());
        let slips = RecordVitalSigns {
            temperature_decicelsius: Some(38),
            diastolic_mmhg: Some(120),
            weight_grams: Some(98),
            ..vitals()
        };
        assert_eq!(
            field_errors(decide_vital_signs(record.as_ref(), slips)),
            ["/temperature_decicelsius", "/weight_grams", "/diastolic_mmhg"]
        );
        let empty = RecordVitalSigns {
            temperature_decicelsius: None,
            systolic_mmhg: None,
            diastolic_mmhg: None,
            pulse_per_minute: None,
            spo2_percent: None,
            weight_grams: None,
            ..vitals()
        };
        assert_eq!(field_errors(decide_vital_signs(record.as_ref(), empty)), ["/"]);
        let ahead = RecordVitalSigns { measured_at: at("2026-11-25T12:00:00.000000Z"), ..vitals() };
        assert_eq!(field_errors(decide_vital_signs(record.as_ref(), ahead)), ["/measured_at"]);
    }

    #[test]
    fn loinc_codes_carry_a_check_digit() {
        for valid in ["2345-7", "718-7", "32700-7"] {
            assert!(is_loinc(valid), "{valid}");
        }
        for invalid in ["2345-8", "718", "32700-", "-7", "abc-1", "12345678-9"] {
            assert!(!is_loinc(invalid), "{invalid}");
        }
    }

    #[test]
    fn a_result_answers_an_order_of_this_record_and_references_files_by_hash() {
        let order = OrderLab {
            entry_id: entry(1),
            test: "thick blood smear".into(),
            loinc: Some("32700-7".into()),
            encounter_id: None,
            amends: None,
        };
        let ordered = decide_lab_order(record_of(&[registered()]).as_ref(), order).unwrap();
        let history = [vec![registered()], ordered].concat();
        let result = RecordLabResult {
            entry_id: entry(2),
            order_id: Some(entry(1)),
            test: "thick blood smear".into(),
            loinc: Some("32700-7".into()),
            value: "P. falciparum ++".into(),
            unit: None,
            reference_range: None,
            interpretation: Interpretation::Positive,
            attachments: vec![Attachment {
                sha256: "A".repeat(64),
                media_type: "Application/PDF".into(),
                name: "smear.pdf".into(),
            }],
            amends: None,
        };
        let events = decide_lab_result(record_of(&history).as_ref(), result.clone()).unwrap();
        let RecordEvent::LabResult(recorded) = &events[0] else { panic!("a result") };
        assert_eq!(recorded.attachments[0].sha256, "a".repeat(64));
        assert_eq!(recorded.attachments[0].media_type, "application/pdf");
        let wrong = RecordLabResult {
            order_id: Some(entry(9)),
            loinc: Some("32700-1".into()),
            attachments: vec![Attachment { sha256: "xyz".into(), media_type: "pdf".into(), name: "".into() }],
            ..result
        };
        assert_eq!(
            field_errors(decide_lab_result(record_of(&history).as_ref(), wrong)),
            ["/order_id", "/loinc", "/attachments/sha256", "/attachments/media_type", "/attachments/name"]
        );
    }

    #[test]
    fn appointments_are_booked_ahead_moved_and_closed_once() {
        let now = at("2026-11-25T09:00:00.000000Z");
        let book = BookAppointment {
            appointment_id: entry(1),
            facility_id: LAQUINTINIE,
            practitioner_id: Some(DOCTOR),
            starts_at: at("2026-12-01T08:30:00.000000Z"),
            reason: "follow-up after malaria".into(),
            now,
        };
        let booked = decide_book(record_of(&[registered()]).as_ref(), book.clone()).unwrap();
        let past = BookAppointment { starts_at: at("2026-11-01T08:00:00.000000Z"), ..book };
        assert_eq!(field_errors(decide_book(record_of(&[registered()]).as_ref(), past)), ["/starts_at"]);
        let history = [vec![registered()], booked].concat();
        let record = record_of(&history);
        let moved = decide_reschedule(record.as_ref(), entry(1), at("2026-12-02T08:30:00.000000Z"), now).unwrap();
        let history = [history, moved].concat();
        let record = record_of(&history).unwrap();
        assert_eq!(record.appointments[&entry(1)].starts_at, at("2026-12-02T08:30:00.000000Z"));
        // Not missed before its time; a cancellation needs a reason.
        let early = decide_close(Some(&record), entry(1), AppointmentOutcome::Missed, None, now);
        assert_eq!(field_errors(early), ["/outcome"]);
        let bare = decide_close(Some(&record), entry(1), AppointmentOutcome::Cancelled, None, now);
        assert_eq!(field_errors(bare), ["/reason"]);
        let later = at("2026-12-03T08:00:00.000000Z");
        let missed = decide_close(Some(&record), entry(1), AppointmentOutcome::Missed, None, later).unwrap();
        let closed = record_of(&[history, missed].concat()).unwrap();
        assert_eq!(closed.appointments[&entry(1)].outcome, Some(AppointmentOutcome::Missed));
        let again = decide_close(Some(&closed), entry(1), AppointmentOutcome::Attended, None, later);
        assert_eq!(again, Err(RecordError::AlreadyCorrected));
        assert_eq!(decide_reschedule(Some(&closed), entry(7), later, now), Err(RecordError::UnknownEntry));
    }

    #[test]
    fn history_and_long_term_treatments() {
        let record = record_of(&[registered()]);
        let history = RecordMedicalHistory {
            entry_id: entry(1),
            kind: HistoryKind::Hospitalisation,
            description: "severe malaria with anaemia, transfused".into(),
            icd10: Some("b50.0".into()),
            year: Some(2025),
            amends: None,
            today: TODAY.into(),
        };
        assert!(decide_medical_history(record.as_ref(), history.clone()).is_ok());
        let before_birth = RecordMedicalHistory { year: Some(2019), icd10: Some("malaria".into()), ..history };
        assert_eq!(field_errors(decide_medical_history(record.as_ref(), before_birth)), ["/icd10", "/year"]);
        let family = RecordFamilyHistory {
            entry_id: entry(2),
            relationship: "mother".into(),
            condition: "sickle-cell trait".into(),
            icd10: Some("D57.3".into()),
            amends: None,
        };
        assert!(decide_family_history(record.as_ref(), family).is_ok());

        let treatment = RecordTreatment {
            entry_id: entry(3),
            medicine: "cotrimoxazole".into(),
            dose: Dose { amount: "240".into(), unit: DoseUnit::Mg },
            route: Route::Oral,
            times_per_day: 1,
            started_on: Some("2025-06-01".into()),
            amends: None,
            today: TODAY.into(),
        };
        let started = decide_treatment(record.as_ref(), treatment).unwrap();
        let history = [vec![registered()], started].concat();
        let stop = StopTreatment {
            entry_id: entry(3),
            stopped_on: "2026-11-20".into(),
            reason: "prophylaxis no longer indicated".into(),
            today: TODAY.into(),
        };
        let stopped = decide_stop_treatment(record_of(&history).as_ref(), stop.clone()).unwrap();
        let after = record_of(&[history, stopped].concat()).unwrap();
        assert_eq!(after.entries[&entry(3)].status, EntryStatus::Stopped);
        assert_eq!(decide_stop_treatment(Some(&after), stop), Err(RecordError::AlreadyCorrected));
    }

    #[test]
    fn no_clinical_date_falls_before_the_patients_birth() {
        // Born 2025-01-10: a vital sign measured on 0000-01-01 is refused, naming its field and the birth.
        let before_birth = RecordVitalSigns { measured_at: at("0000-01-01T00:00:00.000000Z"), ..vitals() };
        scenario(decide_vital_signs).given(vec![registered()]).when((decide_vital_signs, before_birth)).then_error(
            RecordError::Invalid(vec![domain::FieldError::rule(
                "/measured_at",
                "cannot be before the patient's birth (2025-01-10) / ne peut précéder la naissance du patient \
                 (2025-01-10)",
            )]),
        );
        // Its day in Cameroon is what counts: 23:30 UTC on the eve of the birth is already the birth day.
        let record = record_of(&[registered()]);
        let eve = RecordVitalSigns { measured_at: at("2025-01-09T23:30:00.000000Z"), ..vitals() };
        assert!(decide_vital_signs(record.as_ref(), eve).is_ok());

        // Every command that states a date of care is held to the same bound.
        let encounter = RecordEncounter {
            entry_id: entry(1),
            facility_id: LAQUINTINIE,
            practitioner_id: DOCTOR,
            date: "2025-01-09".into(),
            class: None,
            reason: "fever".into(),
            notes: None,
            amends: None,
            today: TODAY.into(),
        };
        assert_eq!(field_errors(decide_encounter(record.as_ref(), encounter.clone())), ["/date"]);
        let condition = DiagnoseCondition {
            entry_id: entry(2),
            icd10: "B50.9".into(),
            description: "malaria".into(),
            onset: Some("2024-12-25".into()),
            status: ConditionStatus::Active,
            encounter_id: None,
            amends: None,
            today: TODAY.into(),
        };
        assert_eq!(field_errors(decide_condition(record.as_ref(), condition)), ["/onset"]);
        let treatment = RecordTreatment {
            entry_id: entry(3),
            medicine: "cotrimoxazole".into(),
            dose: Dose { amount: "240".into(), unit: DoseUnit::Mg },
            route: Route::Oral,
            times_per_day: 1,
            started_on: Some("2020-06-01".into()),
            amends: None,
            today: TODAY.into(),
        };
        assert_eq!(field_errors(decide_treatment(record.as_ref(), treatment.clone())), ["/started_on"]);
        let started = decide_treatment(record.as_ref(), RecordTreatment { started_on: None, ..treatment }).unwrap();
        let stop = StopTreatment {
            entry_id: entry(3),
            stopped_on: "2024-01-01".into(),
            reason: "prophylaxis no longer indicated".into(),
            today: TODAY.into(),
        };
        let treated = record_of(&[vec![registered()], started].concat());
        assert_eq!(field_errors(decide_stop_treatment(treated.as_ref(), stop)), ["/stopped_on"]);
        assert_eq!(field_errors(decide_immunization(record.as_ref(), dose("BCG", 1, "2025-01-09"))), ["/given_on"]);

        // An estimated birth date stands for its year: care on any day of that year is accepted.
        let RecordEvent::Registered(mut estimated) = registered() else { unreachable!() };
        estimated.birth_date = BirthDate { date: "1975-07-01".into(), estimated: true };
        let adult = record_of(&[RecordEvent::Registered(estimated)]);
        let early_in_the_year = RecordEncounter { date: "1975-02-01".into(), ..encounter.clone() };
        assert!(decide_encounter(adult.as_ref(), early_in_the_year).is_ok());
        let year_before = RecordEncounter { date: "1974-12-31".into(), ..encounter };
        assert_eq!(
            decide_encounter(adult.as_ref(), year_before),
            Err(RecordError::Invalid(vec![domain::FieldError::rule(
                "/date",
                "cannot be before the patient's estimated year of birth (1975) / ne peut précéder l'année de \
                 naissance estimée du patient (1975)",
            )]))
        );
    }
}

mod merging {
    use super::*;
    use domain::record::merge::{decide_merge, MergeRecords};
    use event_schema::events::patient::PatientMerged;

    fn other(id: Uuid, birth: &str) -> PatientRecord {
        let RecordEvent::Registered(mut registered) = registered() else { unreachable!() };
        registered.patient_id = id;
        registered.birth_date = BirthDate { date: birth.into(), estimated: false };
        record_of(&[RecordEvent::Registered(registered)]).unwrap()
    }

    #[test]
    fn a_duplicate_is_merged_once_into_a_record_of_the_same_person_and_then_takes_nothing_new() {
        let survivor = other(entry(50), "2025-01-10");
        let merge = MergeRecords { into: entry(50), reason: "same child, registered twice".into() };
        let record = record_of(&[registered()]);
        let events = decide_merge(record.as_ref(), Some(&survivor), merge.clone()).unwrap();
        assert_eq!(
            events,
            vec![RecordEvent::Merged(PatientMerged {
                patient_id: PATIENT,
                merged_into: entry(50),
                reason: "same child, registered twice".into()
            })]
        );
        let merged = record_of(&[vec![registered()], events].concat()).unwrap();
        assert_eq!(merged.open(), Err(RecordError::Merged(entry(50))));
        assert_eq!(decide_merge(Some(&merged), Some(&survivor), merge.clone()), Err(RecordError::Merged(entry(50))));

        // The rule is the domain's: every decision on the merged record is refused, whoever calls it.
        let merged_away = Err(RecordError::Merged(entry(50)));
        assert_eq!(decide_allergy(Some(&merged), allergy(entry(60))), merged_away);
        assert_eq!(decide_revoke(Some(&merged), GAROUA), merged_away);
        let grant = GrantAccess { facility_id: GAROUA, until: None, today: TODAY.into() };
        assert_eq!(decide_grant(Some(&merged), grant), merged_away);

        let itself = record_of(&[registered()]).unwrap();
        assert_eq!(field_errors(decide_merge(record.as_ref(), Some(&itself), merge.clone())), ["/into"]);
        let older = other(entry(51), "1990-01-01");
        assert_eq!(field_errors(decide_merge(record.as_ref(), Some(&older), merge.clone())), ["/into"]);
        assert_eq!(field_errors(decide_merge(record.as_ref(), None, merge)), ["/into"]);
    }
}

mod deaths {
    use super::*;
    use domain::record::appointments::{decide_book, decide_close, decide_reschedule, BookAppointment};
    use domain::record::death::{decide_death, RecordDeath};
    use domain::record::observations::{decide_vital_signs, RecordVitalSigns};
    use domain::FieldError;
    use event_schema::events::record::{
        AppointmentBooked, AppointmentOutcome, DeathRecorded, EncounterRecorded, PlaceOfDeath,
    };

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// A death in hospital in Douala, of falciparum malaria, as a doctor would send it.
    fn death(id: Uuid, died_on: &str) -> RecordDeath {
        RecordDeath {
            entry_id: id,
            died_on: died_on.into(),
            place: PlaceOfDeath::Facility,
            facility_id: Some(LAQUINTINIE),
            underlying_cause: "b509".into(),
            amends: None,
            today: TODAY.into(),
        }
    }

    fn died(id: Uuid, died_on: &str, amends: Option<Amends>) -> RecordEvent {
        RecordEvent::Death(DeathRecorded {
            entry_id: id,
            died_on: died_on.into(),
            place: PlaceOfDeath::Facility,
            facility_id: Some(LAQUINTINIE),
            underlying_cause: "B50.9".into(),
            amends,
        })
    }

    fn encounter(id: Uuid, date: &str) -> RecordEncounter {
        RecordEncounter {
            entry_id: id,
            facility_id: LAQUINTINIE,
            practitioner_id: DOCTOR,
            date: date.into(),
            class: None,
            reason: "fever".into(),
            notes: None,
            amends: None,
            today: TODAY.into(),
        }
    }

    fn seen(id: Uuid, date: &str) -> RecordEvent {
        RecordEvent::Encounter(EncounterRecorded {
            entry_id: id,
            facility_id: LAQUINTINIE,
            practitioner_id: DOCTOR,
            date: date.into(),
            class: None,
            reason: "fever".into(),
            notes: None,
            amends: None,
        })
    }

    fn booked(id: Uuid, starts_at: &str) -> RecordEvent {
        RecordEvent::AppointmentBooked(AppointmentBooked {
            entry_id: id,
            facility_id: LAQUINTINIE,
            practitioner_id: None,
            starts_at: at(starts_at),
            reason: "follow-up".into(),
        })
    }

    fn withdrawn(id: Uuid) -> RecordEvent {
        RecordEvent::EnteredInError(EntryEnteredInError {
            entry_id: id,
            reason: "recorded on the wrong patient".into(),
        })
    }

    #[test]
    fn a_doctor_records_a_death_once_and_corrects_it_by_amending_it() {
        scenario(decide_death)
            .given(vec![registered()])
            .when((decide_death, death(entry(1), "2026-11-20")))
            .then(vec![died(entry(1), "2026-11-20", None)]);
        let history = vec![registered(), died(entry(1), "2026-11-20", None)];
        let record = record_of(&history).unwrap();
        assert_eq!(record.death().map(|death| death.entry_id), Some(entry(1)));
        assert_eq!(record.entries[&entry(1)].section, Section::Death);

        // A second death is not a correction of the first.
        let second = death(entry(2), "2026-11-21");
        let already = RecordError::DeathAlreadyRecorded { entry_id: entry(1), died_on: "2026-11-20".into() };
        assert_eq!(decide_death(Some(&record), second.clone()), Err(already.clone()));
        let message = already.to_string();
        assert!(message.contains("already recorded") && message.contains("déjà enregistré"), "{message}");

        // An amendment of it is: the date moves, and the first entry stays, amended.
        let correction = Correction { entry_id: entry(1), reason: "the certificate gives the 19th".into() };
        let amended = RecordDeath { died_on: "2026-11-19".into(), amends: Some(correction), ..second };
        let amendment = Amends { entry_id: entry(1), reason: "the certificate gives the 19th".into() };
        scenario(decide_death).given(history.clone()).when((decide_death, amended)).then(vec![died(
            entry(2),
            "2026-11-19",
            Some(amendment.clone()),
        )]);
        let record = record_of(&[history, vec![died(entry(2), "2026-11-19", Some(amendment))]].concat()).unwrap();
        assert_eq!(record.death().map(|death| death.died_on.as_str()), Some("2026-11-19"));
        assert_eq!(record.entries[&entry(1)].status, EntryStatus::AmendedBy(entry(2)));
        // The amended entry is no longer the death that stands: correcting it again is a second death.
        let stale = RecordDeath {
            amends: Some(Correction { entry_id: entry(1), reason: "once more".into() }),
            ..death(entry(3), "2026-11-18")
        };
        assert!(matches!(decide_death(Some(&record), stale), Err(RecordError::DeathAlreadyRecorded { .. })));
    }

    #[test]
    fn a_death_entered_in_error_leaves_the_patient_alive_in_the_record() {
        let history = vec![registered(), died(entry(1), "2026-11-20", None)];
        let record = record_of(&history);
        let mark = MarkEnteredInError { entry_id: entry(1), reason: "recorded on the wrong patient".into() };
        let events = decide_entered_in_error(record.as_ref(), mark).unwrap();
        let record = record_of(&[history, events].concat()).unwrap();
        assert_eq!(record.death(), None);
        assert_eq!(record.entries[&entry(1)].status, EntryStatus::EnteredInError);
        // Care after that date is accepted again, and a death may be recorded anew.
        assert!(decide_encounter(Some(&record), encounter(entry(2), "2026-11-24")).is_ok());
        assert!(decide_death(Some(&record), death(entry(3), "2026-11-24")).is_ok());
    }

    #[test]
    fn a_death_needs_a_day_within_the_patients_life_a_cause_of_whos_list_and_its_facility() {
        let record = record_of(&[registered()]);
        let fields = |command: RecordDeath| field_errors(decide_death(record.as_ref(), command));
        assert_eq!(fields(death(entry(1), "2026-11-26")), ["/died_on"], "tomorrow");
        assert_eq!(fields(death(entry(1), "2026-02-30")), ["/died_on"], "no such day");
        assert_eq!(
            decide_death(record.as_ref(), death(entry(1), "2025-01-09")),
            Err(RecordError::Invalid(vec![FieldError::rule(
                "/died_on",
                "cannot be before the patient's birth (2025-01-10) / ne peut précéder la naissance du patient \
                 (2025-01-10)"
            )])),
        );
        assert!(decide_death(record.as_ref(), death(entry(1), "2025-01-10")).is_ok(), "on the day of birth");

        // The cause is a code of WHO's list, to the subcategory where WHO subdivides it.
        let cause = |code: &str| RecordDeath { underlying_cause: code.into(), ..death(entry(1), "2026-11-20") };
        assert_eq!(
            refusals(decide_death(record.as_ref(), cause("A00"))),
            [(
                "/underlying_cause",
                "A00 (Cholera) is subdivided: record one of its subcategories, e.g. A00.9 (Cholera, unspecified) / \
                 A00 est subdivisé : enregistrez l'une de ses sous-catégories, par ex. A00.9"
                    .to_owned()
            )]
        );
        assert_eq!(fields(cause("U99.9")), ["/underlying_cause"]);
        let malformed = decide_death(record.as_ref(), cause("paludisme"));
        assert!(
            matches!(&malformed, Err(RecordError::Invalid(errors)) if errors[0].kind == domain::Breach::Constraint)
        );
        assert!(decide_death(record.as_ref(), cause("B54")).is_ok());

        // A facility exactly when the patient died in one.
        let in_hospital = RecordDeath { facility_id: None, ..death(entry(1), "2026-11-20") };
        assert_eq!(fields(in_hospital), ["/facility_id"]);
        let at_home = RecordDeath { place: PlaceOfDeath::Home, ..death(entry(1), "2026-11-20") };
        assert_eq!(fields(at_home.clone()), ["/facility_id"]);
        assert!(decide_death(record.as_ref(), RecordDeath { facility_id: None, ..at_home }).is_ok());
    }

    #[test]
    fn no_care_is_dated_after_the_death() {
        let record = record_of(&[registered(), died(entry(1), "2026-11-20", None)]);
        assert_eq!(
            decide_encounter(record.as_ref(), encounter(entry(2), "2026-11-21")),
            Err(RecordError::Invalid(vec![FieldError::rule(
                "/date",
                "cannot be after the patient's death (2026-11-20) / ne peut être postérieure au décès du patient \
                 (2026-11-20)"
            )])),
        );
        assert!(decide_encounter(record.as_ref(), encounter(entry(2), "2026-11-20")).is_ok(), "on the day");
        let vitals = RecordVitalSigns {
            entry_id: entry(3),
            measured_at: at("2026-11-21T08:00:00.000000Z"),
            temperature_decicelsius: Some(370),
            systolic_mmhg: None,
            diastolic_mmhg: None,
            pulse_per_minute: None,
            respiratory_rate_per_minute: None,
            spo2_percent: None,
            weight_grams: None,
            height_mm: None,
            amends: None,
            now: at("2026-11-25T09:00:00.000000Z"),
        };
        assert_eq!(field_errors(decide_vital_signs(record.as_ref(), vitals)), ["/measured_at"]);

        // Nor is a death dated before care the record already holds, until that care is corrected.
        let history = vec![registered(), seen(entry(5), "2026-11-22")];
        let refused = decide_death(record_of(&history).as_ref(), death(entry(1), "2026-11-20"));
        assert_eq!(
            refusals(refused),
            [(
                "/died_on",
                "cannot be before care the record holds on 2026-11-22; correct that entry first / ne peut précéder \
                 des soins enregistrés le 2026-11-22 ; corrigez d'abord cette entrée"
                    .to_owned()
            )]
        );
        let corrected = record_of(&[history, vec![withdrawn(entry(5))]].concat());
        assert!(decide_death(corrected.as_ref(), death(entry(1), "2026-11-20")).is_ok());
    }

    #[test]
    fn a_death_closes_the_calendar_and_its_withdrawal_reopens_it() {
        let now = at("2026-11-25T09:00:00.000000Z");
        // Booked before the death was known: one on the day of death, one the week after.
        let history = vec![
            registered(),
            booked(entry(1), "2026-11-20T08:00:00.000000Z"),
            booked(entry(2), "2026-12-01T08:30:00.000000Z"),
            died(entry(3), "2026-11-20", None),
        ];
        let record = record_of(&history).unwrap();
        let (on_the_day, after) = (&record.appointments[&entry(1)], &record.appointments[&entry(2)]);
        assert!(on_the_day.is_booked(), "whether it took place is for the facility to close");
        assert!(after.cancelled_by_death && !after.is_booked() && after.outcome.is_none());

        // Nothing is booked or moved after the death; what the death cancelled is not closed again.
        let book = BookAppointment {
            appointment_id: entry(4),
            facility_id: LAQUINTINIE,
            practitioner_id: None,
            starts_at: at("2026-12-03T08:30:00.000000Z"),
            reason: "follow-up".into(),
            now,
        };
        let refused = refusals(decide_book(Some(&record), book.clone()));
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, "/starts_at");
        assert!(refused[0].1.starts_with("the patient died on 2026-11-20: no appointment can be booked"));
        let later = at("2026-12-04T08:30:00.000000Z");
        assert_eq!(field_errors(decide_reschedule(Some(&record), entry(2), later, now)), ["/starts_at"]);
        assert_eq!(field_errors(decide_reschedule(Some(&record), entry(1), later, now)), ["/starts_at"]);
        let closed = decide_close(Some(&record), entry(2), AppointmentOutcome::Attended, None, now);
        assert_eq!(refusals(closed)[0].0, "/outcome");
        assert!(decide_close(Some(&record), entry(1), AppointmentOutcome::Attended, None, now).is_ok());

        // The death withdrawn, the appointment it cancelled is booked again and the calendar reopens.
        let record = record_of(&[history, vec![withdrawn(entry(3))]].concat()).unwrap();
        assert!(record.appointments[&entry(2)].is_booked());
        assert!(decide_book(Some(&record), book).is_ok());
    }
}

mod guardianship {
    use super::*;
    use domain::record::guardianship::{decide_end, decide_guardian, EndGuardianship, RecordGuardian};
    use event_schema::events::record::{GuardianRecorded, GuardianRelationship};

    const MOTHER: Uuid = Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0a01);

    fn mother_recorded() -> RecordEvent {
        RecordEvent::GuardianRecorded(GuardianRecorded {
            guardian_patient_id: MOTHER,
            relationship: GuardianRelationship::Mother,
            until: "2046-01-09".into(),
        })
    }

    fn record_mother(today: &str) -> RecordGuardian {
        RecordGuardian { guardian_patient_id: MOTHER, relationship: GuardianRelationship::Mother, today: today.into() }
    }

    fn account_of(patient: Uuid) -> Principal {
        Principal {
            account_id: Uuid::now_v7(),
            role: Role::Patient,
            facility_id: None,
            patient_id: Some(patient),
            region: None,
        }
    }

    #[test]
    fn a_guardian_is_recorded_until_the_eve_of_the_minors_twenty_first_birthday() {
        let record = record_of(&[registered()]);
        let events = decide_guardian(record.as_ref(), record_mother(TODAY)).unwrap();
        assert_eq!(events, vec![mother_recorded()]);
    }

    #[test]
    fn a_patient_of_age_their_own_record_or_a_guardian_twice_is_refused() {
        let record = record_of(&[registered()]);
        // Born 2025-01-10: of age on 2046-01-10.
        assert_eq!(field_errors(decide_guardian(record.as_ref(), record_mother("2046-01-10"))), vec!["/patient_id"]);
        let own = RecordGuardian { guardian_patient_id: PATIENT, ..record_mother(TODAY) };
        assert_eq!(field_errors(decide_guardian(record.as_ref(), own)), vec!["/guardian_health_id"]);
        let recorded = record_of(&[registered(), mother_recorded()]);
        assert_eq!(field_errors(decide_guardian(recorded.as_ref(), record_mother(TODAY))), vec!["/guardian_health_id"]);
        assert_eq!(decide_guardian(None, record_mother(TODAY)), Err(RecordError::UnknownPatient));
    }

    #[test]
    fn the_guardians_account_stands_as_guardian_while_the_minor_is_one_and_no_one_elses_does() {
        let now = Timestamp::parse("2026-11-25T08:00:00.000000Z").unwrap();
        let record = record_of(&[registered(), mother_recorded()]).unwrap();
        let mother = account_of(MOTHER);
        assert_eq!(care_basis(&record, &mother, now, TODAY), Some(CareBasis::Guardian));
        assert_eq!(care_basis(&record, &mother, now, "2046-01-09"), Some(CareBasis::Guardian));
        assert_eq!(care_basis(&record, &mother, now, "2046-01-10"), None);
        assert_eq!(care_basis(&record, &account_of(entry(77)), now, TODAY), None);
        // A practitioner never stands as a guardian, whoever they are.
        let doctor = Principal { role: Role::Doctor, facility_id: Some(GAROUA), ..account_of(MOTHER) };
        assert_eq!(care_basis(&record, &doctor, now, TODAY), None);
    }

    #[test]
    fn an_ended_guardianship_gives_nothing_and_ending_needs_a_reason_and_a_guardian() {
        let recorded = record_of(&[registered(), mother_recorded()]);
        let end = EndGuardianship { guardian_patient_id: MOTHER, reason: "court order of 2026-11-20".into() };
        let events = decide_end(recorded.as_ref(), end.clone()).unwrap();
        let ended = record_of(&[vec![registered(), mother_recorded()], events].concat()).unwrap();
        let now = Timestamp::parse("2026-11-25T08:00:00.000000Z").unwrap();
        assert_eq!(care_basis(&ended, &account_of(MOTHER), now, TODAY), None);
        assert_eq!(field_errors(decide_end(Some(&ended), end)), vec!["/guardian_patient_id"]);
        let short = EndGuardianship { guardian_patient_id: MOTHER, reason: "no".into() };
        assert_eq!(field_errors(decide_end(recorded.as_ref(), short)), vec!["/reason"]);
    }
}
