//! Registering a patient at a facility's desk: the health ID drawn and claimed, the national ID card
//! number checked for uniqueness, probable duplicates flagged in the same append as the registration,
//! and the patient's account issued for them to activate with a one-time code.

use crate::access::{acting_facility, authorize};
use crate::error::ApplicationError;
use crate::record::actor_of;
use crate::streams::new_events;
use crate::Application;
use domain::access::{Action, Facts, Principal};
use domain::health_id::HealthId;
use domain::patient::{self, PatientError, PatientEvent, RegisterPatient};
use event_schema::events::patient::{BirthDate, DuplicateSuspected, NextOfKin, PatientRegistered, Sex};
use event_schema::events::staff::ContactChannel;
use event_schema::{Role, StreamId};
use identity::codes::{hash_code, new_activation_code};
use identity::patient_index::{IdentifierClaim, PatientIdentifiers};
use identity::store::NewAccount;
use identity::{micros_after, now_micros};
use ledger::outbox::ChannelKind;
use ledger::{AppendRequest, ExpectedVersion};
use rand_core::{OsRng, RngCore};
use uuid::Uuid;

/// How many fresh health IDs to draw before giving up (with 900 million possible IDs, a second draw is
/// already rare).
const HEALTH_ID_DRAWS: usize = 8;

/// A patient as the registration desk describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPatient {
    pub national_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub sex: Sex,
    pub birth_date: BirthDate,
    pub region: String,
    pub health_district: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub next_of_kin: Option<NextOfKin>,
}

/// A registered patient, with an account waiting for activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRegistration {
    pub registered: PatientRegistered,
    /// How the activation code reaches the patient.
    pub activation_sent_by: ContactChannel,
    /// The code, only when it is to be printed on the registration slip.
    pub printed_code: Option<String>,
    /// Records registered with the same names, date of birth and district.
    pub probable_duplicates: Vec<Uuid>,
}

impl From<PatientError> for ApplicationError {
    fn from(error: PatientError) -> Self {
        match error {
            PatientError::Invalid(errors) => Self::Invalid(errors),
            PatientError::AlreadyRegistered => Self::Conflict(error.to_string()),
        }
    }
}

/// The key two registrations of one person share: names, date of birth and district, in lower case
/// with white space tidied.
fn match_key(registered: &PatientRegistered) -> String {
    let tidy = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    format!(
        "{}|{}|{}|{}",
        tidy(&registered.family_name),
        tidy(&registered.given_names),
        registered.birth_date.date,
        tidy(&registered.health_district)
    )
}

impl Application {
    /// Registers a patient at the principal's facility.
    #[tracing::instrument(name = "application.patients.register", skip_all)]
    pub async fn register_patient(
        &self,
        principal: &Principal,
        patient: NewPatient,
    ) -> Result<PatientRegistration, ApplicationError> {
        authorize(principal, &Action::RegisterPatient, &Facts::default())?;
        let facility_id = acting_facility(principal)?;
        let patient_id = Uuid::now_v7();
        let registered = self.claim_identifiers(patient_id, facility_id, patient).await?;

        let account_id = Uuid::now_v7();
        let code = new_activation_code();
        let now = now_micros();
        let account = NewAccount {
            id: account_id,
            login: &registered.health_id,
            national_id: registered.national_id.as_deref(),
            role: Role::Patient,
            facility_id: None,
            region: None,
            patient_id: Some(patient_id),
            family_name: &registered.family_name,
            given_names: &registered.given_names,
            phone: registered.phone.as_deref(),
            email: registered.email.as_deref(),
            otp_channel: None,
            activation_code_hash: &hash_code(&code),
            activation_expires_at: micros_after(now, identity::ACTIVATION_TTL),
        };
        if let Err(error) = self.identity.insert_issued(&account, now).await {
            self.release_identifiers(patient_id).await;
            return Err(error.into());
        }
        // A probable duplicate is flagged in the same append as the registration, so the flag can never
        // be missing from a record that has it.
        let similar = self.identity.similar_patients(patient_id, &match_key(&registered)).await?;
        let now = self.now();
        let mut events = new_events(std::slice::from_ref(&registered), now)?;
        if !similar.is_empty() {
            let suspected = DuplicateSuspected { patient_id, similar_patient_ids: similar.clone() };
            events.extend(new_events(std::slice::from_ref(&suspected), now)?);
        }
        let request =
            AppendRequest::new(StreamId::patient(patient_id), ExpectedVersion::NoStream, actor_of(principal), events);
        if let Err(error) = self.ledger.append(request).await {
            self.release_identifiers(patient_id).await;
            if let Err(cleanup) = self.identity.forget_issued(account_id).await {
                tracing::error!(%cleanup, "an issued account could not be withdrawn after its registration failed");
            }
            return Err(error.into());
        }

        let (activation_sent_by, printed_code) = match (&registered.phone, &registered.email) {
            (Some(phone), _) => {
                self.send_activation(ChannelKind::Sms, Some(phone.clone()), &registered.health_id, &code).await?;
                (ContactChannel::Sms, None)
            }
            (None, Some(email)) => {
                self.send_activation(ChannelKind::Email, Some(email.clone()), &registered.health_id, &code).await?;
                (ContactChannel::Email, None)
            }
            (None, None) => (ContactChannel::Printed, Some(code)),
        };
        Ok(PatientRegistration { registered, activation_sent_by, printed_code, probable_duplicates: similar })
    }

    /// Decides the registration with a freshly drawn health ID and claims its identifiers, drawing
    /// again on the rare collision. A national ID card number already registered is refused with a
    /// pointer to the record: its id, not its health ID (which is also a login), and reading it goes
    /// through the access checks and the access log.
    async fn claim_identifiers(
        &self,
        patient_id: Uuid,
        facility_id: Uuid,
        patient: NewPatient,
    ) -> Result<PatientRegistered, ApplicationError> {
        for _ in 0..HEALTH_ID_DRAWS {
            let command = RegisterPatient {
                patient_id,
                health_id: HealthId::generate(OsRng.next_u64()),
                national_id: patient.national_id.clone(),
                family_name: patient.family_name.clone(),
                given_names: patient.given_names.clone(),
                sex: patient.sex,
                birth_date: patient.birth_date.clone(),
                region: patient.region.clone(),
                health_district: patient.health_district.clone(),
                phone: patient.phone.clone(),
                email: patient.email.clone(),
                next_of_kin: patient.next_of_kin.clone(),
                facility_id,
                today: self.today_in_cameroon(),
            };
            let events = patient::decide_register(None, command)?;
            let Some(PatientEvent::Registered(candidate)) = events.into_iter().next() else {
                return Err(ApplicationError::internal("a patient registration", "the decision recorded nothing"));
            };
            let key = match_key(&candidate);
            let identifiers = PatientIdentifiers {
                patient_id,
                health_id: &candidate.health_id,
                national_id: candidate.national_id.as_deref(),
                match_key: &key,
            };
            match self.identity.claim_patient_identifiers(identifiers).await? {
                IdentifierClaim::Claimed => return Ok(candidate),
                IdentifierClaim::HealthIdTaken => continue,
                IdentifierClaim::NationalIdTaken => {
                    let existing = match candidate.national_id.as_deref() {
                        Some(national_id) => self.identity.patient_with_national_id(national_id).await?,
                        None => None,
                    };
                    return Err(ApplicationError::Conflict(match existing {
                        Some(patient_id) => format!(
                            "this national ID card number is already registered, to patient {patient_id}: \
                             open that record instead of registering the patient again"
                        ),
                        None => "this national ID card number is already registered".into(),
                    }));
                }
            }
        }
        Err(ApplicationError::internal("a patient registration", "no free health ID after several draws"))
    }

    async fn release_identifiers(&self, patient_id: Uuid) {
        if let Err(error) = self.identity.release_patient_identifiers(patient_id).await {
            tracing::error!(%error, "a patient's identifiers could not be released after a failed registration");
        }
    }
}
