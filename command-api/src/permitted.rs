//! The caller, admitted to what the route asks: an extractor that authenticates, then refuses a role
//! that could do this to no one before any other part of the request (path, headers, body) is read.
//! Routes take it first, so a nurse sending a malformed merge is told `403`, not how to fix the body
//! of a request she may never send.

use application::access::{admit, Intent};
use application::record::CommandKind;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use domain::access::Section;
use http_shell::authn::Caller;
use http_shell::error::ApiError;
use identity::IdentityStore;
use std::marker::PhantomData;

/// What a route asks to do, named by a type so that the extractor can carry it.
pub trait Asks {
    const INTENT: Intent;
}

/// The authenticated caller, whose role may do what `A` asks to someone.
pub struct Permitted<A: Asks>(pub Caller, pub PhantomData<A>);

impl<S, A> FromRequestParts<S> for Permitted<A>
where
    IdentityStore: FromRef<S>,
    S: Send + Sync,
    A: Asks,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        admit(&caller.principal, A::INTENT)?;
        Ok(Self(caller, PhantomData))
    }
}

macro_rules! intents {
    ($($(#[$doc:meta])* $name:ident => $intent:expr;)*) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl Asks for $name {
                const INTENT: Intent = $intent;
            }
        )*
    };
}

intents! {
    /// Writes a patient's allergies.
    WriteAllergies => Intent::Record(CommandKind::Write(Section::Allergies));
    WriteConditions => Intent::Record(CommandKind::Write(Section::Conditions));
    WriteImmunizations => Intent::Record(CommandKind::Write(Section::Immunizations));
    WriteEncounters => Intent::Record(CommandKind::Write(Section::Encounters));
    WritePrescriptions => Intent::Record(CommandKind::Write(Section::Prescriptions));
    WriteReferrals => Intent::Record(CommandKind::Write(Section::Referrals));
    WriteMedicalHistory => Intent::Record(CommandKind::Write(Section::MedicalHistory));
    WriteFamilyHistory => Intent::Record(CommandKind::Write(Section::FamilyHistory));
    WriteTreatments => Intent::Record(CommandKind::Write(Section::Treatments));
    WriteVitalSigns => Intent::Record(CommandKind::Write(Section::VitalSigns));
    WriteLabOrders => Intent::Record(CommandKind::Write(Section::LabOrders));
    WriteLabResults => Intent::Record(CommandKind::Write(Section::LabResults));
    WriteAppointments => Intent::Record(CommandKind::Write(Section::Appointments));
    /// Closes an appointment: staff with any outcome, a patient cancelling their own.
    CloseAppointment => Intent::CloseAppointment;
    /// Records or corrects the patient's death.
    WriteDeath => Intent::Record(CommandKind::Write(Section::Death));
    /// Withdraws an entry recorded by mistake, in whichever section.
    WithdrawEntry => Intent::Record(CommandKind::WithdrawEntry);
    /// A patient's own consents.
    ManageConsent => Intent::Record(CommandKind::ManageConsent);
    /// Reads or sets a patient's reminder choices.
    SetReminderPreferences => Intent::SetReminderPreferences;
    BreakGlass => Intent::Record(CommandKind::BreakGlass);
    /// Records or ends a minor's guardianship.
    ManageGuardianship => Intent::Record(CommandKind::ManageGuardianship);
    MergeRecords => Intent::Record(CommandKind::Merge);
    RegisterPatient => Intent::RegisterPatient;
    RegisterFacility => Intent::RegisterFacility;
    RegisterFacilityStaff => Intent::RegisterFacilityStaff;
    ManageNationalStaff => Intent::ManageNationalStaff;
    /// Suspends, reinstates or reissues the activation of a member of staff.
    ManageStaff => Intent::ManageStaff;
}
