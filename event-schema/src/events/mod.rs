//! The serialisable payloads of the system's own events, one module per area. Each type is an
//! [`EventPayload`](crate::EventPayload) at its current schema version; [`catalog`] lists them all.

pub mod access;
pub mod account;
pub mod facility;
pub mod patient;
pub mod record;
pub mod staff;

use crate::Catalog;

/// Every event type the system appends (the ledger adds its own key registry types itself).
pub fn catalog() -> Catalog {
    Catalog::new()
        .register::<facility::FacilityRegistered>()
        .register::<staff::StaffRegistered>()
        .register::<staff::StaffSuspended>()
        .register::<staff::StaffReinstated>()
        .register::<staff::ActivationReissued>()
        .register::<account::AccountActivated>()
        .register::<account::SecondFactorEnrolled>()
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
        .register::<access::RecordRead>()
        .register::<access::StatisticsRead>()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_catalogue_builds_and_merges_with_the_ledgers_own() {
        let catalog = crate::Catalog::ledger().merge(super::catalog());
        assert_eq!(catalog.current_version("facility.registered"), Some(1));
        assert_eq!(catalog.current_version("ledger.genesis"), Some(1));
    }
}
