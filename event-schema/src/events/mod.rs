//! The serialisable payloads of the system's own events, one module per area. Each type is an
//! [`EventPayload`](crate::EventPayload) at its current schema version; [`catalog`] lists them all.

pub mod access;
pub mod account;
pub mod facility;
pub mod patient;
pub mod record;
pub mod reminder;
pub mod staff;

use crate::Catalog;

/// Every event type the system appends (the ledger adds its own key registry types itself).
pub fn catalog() -> Catalog {
    Catalog::new()
        .register::<facility::FacilityRegistered>()
        .register::<staff::StaffRegistered>()
        .upcast_from("staff.registered", 1, staff::staff_registered_from_v1)
        .register::<staff::StaffSuspended>()
        .register::<staff::StaffReinstated>()
        .register::<staff::ActivationReissued>()
        .register::<account::AccountActivated>()
        .register::<account::SecondFactorEnrolled>()
        .register::<account::PasswordChanged>()
        .register::<account::SecondFactorChallenged>()
        .register::<account::LoginSucceeded>()
        .register::<account::LoginFailed>()
        .register::<account::AccountLockedOut>()
        .register::<account::LoggedOut>()
        .register::<account::RefreshTokenReused>()
        .register::<patient::PatientRegistered>()
        .register::<patient::DuplicateSuspected>()
        .register::<patient::PatientMerged>()
        .register::<record::AllergyRecorded>()
        .register::<record::ConditionDiagnosed>()
        .register::<record::ImmunizationRecorded>()
        .register::<record::EncounterRecorded>()
        .upcast_from("record.encounter_recorded", 1, record::encounter_recorded_from_v1)
        .register::<record::PrescriptionIssued>()
        .register::<record::PrescriptionCancelled>()
        .register::<record::ReferralMade>()
        .register::<record::MedicalHistoryRecorded>()
        .register::<record::FamilyHistoryRecorded>()
        .register::<record::TreatmentRecorded>()
        .register::<record::TreatmentStopped>()
        .register::<record::VitalSignsRecorded>()
        .register::<record::LabOrdered>()
        .register::<record::LabResultRecorded>()
        .register::<record::AppointmentBooked>()
        .register::<record::AppointmentRescheduled>()
        .register::<record::AppointmentClosed>()
        .register::<record::DeathRecorded>()
        .register::<record::EntryEnteredInError>()
        .register::<record::AccessGranted>()
        .register::<record::AccessRevoked>()
        .register::<record::EmergencyAccessOpened>()
        .register::<record::GuardianRecorded>()
        .register::<record::GuardianshipEnded>()
        .register::<access::RecordRead>()
        .register::<access::StatisticsRead>()
        .register::<reminder::ReminderPreferencesSet>()
        .register::<reminder::ReminderDecided>()
        .register::<reminder::ReminderDelivered>()
        .register::<reminder::ReminderUndeliverable>()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_catalogue_builds_and_merges_with_the_ledgers_own() {
        let catalog = crate::Catalog::ledger().merge(super::catalog());
        assert_eq!(catalog.current_version("facility.registered"), Some(1));
        assert_eq!(catalog.current_version("ledger.genesis"), Some(1));
    }

    #[test]
    fn a_staff_registration_of_version_1_reads_as_a_national_one() {
        let catalog = super::catalog();
        let v1 = serde_json::json!({
            "account_id": "0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e5f",
            "login": "MINSANTE-01",
            "role": "health_authority_analyst",
            "facility_id": null,
            "family_name": "Ngo Bassa",
            "given_names": "Esther",
            "activation_sent_by": "sms",
        });
        let upcast = catalog.upcast("staff.registered", 1, v1).expect("v1 upcasts");
        let read: super::staff::StaffRegistered = serde_json::from_value(upcast).expect("reads as v2");
        assert_eq!(read.region, None);
        assert_eq!(read.login, "MINSANTE-01");
        assert!(catalog.upcast("staff.registered", 1, serde_json::json!([1])).is_err());
    }

    #[test]
    fn an_encounter_of_version_1_reads_as_one_of_no_stated_class() {
        let catalog = super::catalog();
        let v1 = serde_json::json!({
            "entry_id": "0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e5f",
            "facility_id": "0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e60",
            "practitioner_id": "0190f1c2-7a4b-7c3d-8e9f-0a1b2c3d4e61",
            "date": "2026-03-02",
            "reason": "fever",
            "notes": null,
            "amends": null,
        });
        let upcast = catalog.upcast("record.encounter_recorded", 1, v1).expect("v1 upcasts");
        let read: super::record::EncounterRecorded = serde_json::from_value(upcast).expect("reads as v2");
        assert_eq!((read.class, read.reason.as_str()), (None, "fever"));
    }
}
