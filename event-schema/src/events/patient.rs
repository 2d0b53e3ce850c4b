//! Patients: the person every clinical record is about.

use crate::EventPayload;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The sex recorded at registration, as printed on the national ID card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    /// Not known at registration, for an unconscious or unidentified patient brought in as an emergency.
    Unknown,
}

/// A date of birth, known exactly or estimated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BirthDate {
    /// The calendar date, `YYYY-MM-DD`. When estimated, the best guess (often 1 January of a year).
    pub date: String,
    /// Whether the date is an estimate (no birth certificate, age given by the patient or judged by
    /// staff) rather than a documented date.
    pub estimated: bool,
}

/// The person to contact on the patient's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextOfKin {
    /// The next of kin's full name, as given at registration.
    pub name: String,
    /// How the next of kin is related to the patient, in the registration desk's words (e.g. `mother`).
    pub relationship: String,
    /// The next of kin's phone number in E.164 form (e.g. `+237699123456`), if one was given.
    pub phone: Option<String>,
}

/// A patient was registered and given a health ID. Stream `patient:<patient_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientRegistered {
    /// The patient's internal identifier, which names the stream.
    pub patient_id: Uuid,
    /// The nationwide health ID issued to the patient, in canonical form: `CM`, nine digits and a Damm
    /// check digit (e.g. `CM1234567894`).
    pub health_id: String,
    /// The national ID card number, uppercase without spaces, if the patient presented one.
    pub national_id: Option<String>,
    /// The family name (surname), with white space tidied.
    pub family_name: String,
    /// The given names, with white space tidied.
    pub given_names: String,
    /// The sex recorded at registration.
    pub sex: Sex,
    /// The date of birth, exact or estimated.
    pub birth_date: BirthDate,
    /// The code of the region the patient lives in, as in the regions data (e.g. `LT` for Littoral).
    pub region: String,
    /// The health district the patient lives in.
    pub health_district: String,
    /// The patient's phone number in E.164 form (e.g. `+237699123456`), if one was given.
    pub phone: Option<String>,
    /// The patient's e-mail address with its domain lowercased, if one was given.
    pub email: Option<String>,
    /// The person to contact on the patient's behalf, if one was given.
    pub next_of_kin: Option<NextOfKin>,
    /// The facility whose desk registered the patient.
    pub registered_at_facility: Uuid,
}

impl EventPayload for PatientRegistered {
    const EVENT_TYPE: &'static str = "patient.registered";
    const SCHEMA_VERSION: u32 = 1;
}

/// At registration, other patients were found with the same names, date of birth and health district:
/// probably the same person registered twice. Staff review the flag and merge the records if so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DuplicateSuspected {
    pub patient_id: Uuid,
    /// The records that look like this one.
    pub similar_patient_ids: Vec<Uuid>,
}

impl EventPayload for DuplicateSuspected {
    const EVENT_TYPE: &'static str = "patient.duplicate_suspected";
    const SCHEMA_VERSION: u32 = 1;
}

/// Two records were found to be one person's: this one is merged into the surviving record. Nothing is
/// deleted or moved; this record is closed to new entries, and readers follow it to the survivor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientMerged {
    pub patient_id: Uuid,
    /// The surviving record.
    pub merged_into: Uuid,
    pub reason: String,
}

impl EventPayload for PatientMerged {
    const EVENT_TYPE: &'static str = "patient.merged";
    const SCHEMA_VERSION: u32 = 1;
}
