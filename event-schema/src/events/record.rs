//! The clinical record: what clinicians record about a patient, and who may see it. Every event here
//! goes to the patient's stream, `patient:<patient_id>`, so that folding one stream gives the whole
//! record and every care relationship it implies.
//!
//! Nothing is edited in place. A clinical entry has an `entry_id`; a later entry that `amends` it
//! replaces it in the current record, and [`EntryEnteredInError`] withdraws it. The original stays in
//! the ledger, and the record shows it as corrected.

use crate::{EventPayload, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A correction: the entry this one replaces, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amends {
    /// The `entry_id` of the entry replaced.
    pub entry_id: Uuid,
    /// Why it is replaced, in the clinician's words.
    pub reason: String,
}

/// What kind of thing a patient reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AllergyCategory {
    Medication,
    Food,
    Environment,
    Other,
}

/// How severe a reaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Mild,
    Moderate,
    Severe,
    LifeThreatening,
}

/// Whether an allergy or intolerance still holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AllergyStatus {
    /// Suspected, not confirmed.
    Unconfirmed,
    Confirmed,
    /// No longer present (outgrown, desensitised).
    Resolved,
    /// Ruled out after investigation.
    Refuted,
}

/// An allergy or intolerance was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergyRecorded {
    pub entry_id: Uuid,
    /// The substance, e.g. `amoxicillin`, `groundnuts`.
    pub substance: String,
    pub category: AllergyCategory,
    /// The reaction observed, e.g. `urticaria`, if known.
    pub reaction: Option<String>,
    pub severity: Severity,
    pub status: AllergyStatus,
    pub amends: Option<Amends>,
}

impl EventPayload for AllergyRecorded {
    const EVENT_TYPE: &'static str = "record.allergy_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// Where a diagnosed condition stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionStatus {
    Active,
    Recurrence,
    Remission,
    Resolved,
}

/// A condition was diagnosed, coded in ICD-10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionDiagnosed {
    pub entry_id: Uuid,
    /// The ICD-10 code in its canonical form, e.g. `B50.9` (Plasmodium falciparum malaria, unspecified).
    pub icd10: String,
    /// The diagnosis in the clinician's words.
    pub description: String,
    /// When it began, `YYYY-MM-DD`, if known.
    pub onset: Option<String>,
    pub status: ConditionStatus,
    /// The encounter it was made in, if any.
    pub encounter_id: Option<Uuid>,
    pub amends: Option<Amends>,
}

impl EventPayload for ConditionDiagnosed {
    const EVENT_TYPE: &'static str = "record.condition_diagnosed";
    const SCHEMA_VERSION: u32 = 1;
}

/// A dose of vaccine was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImmunizationRecorded {
    pub entry_id: Uuid,
    /// The antigen's code in the immunisation schedule data, e.g. `PENTA`, `MR`.
    pub antigen: String,
    /// The dose's number in the antigen's series (0 for a birth dose where the schedule has one).
    pub dose_number: u32,
    /// The vaccine lot number, as printed on the vial.
    pub lot: String,
    /// The day it was given, `YYYY-MM-DD`.
    pub given_on: String,
    /// Where it was given.
    pub facility_id: Uuid,
    pub amends: Option<Amends>,
}

impl EventPayload for ImmunizationRecorded {
    const EVENT_TYPE: &'static str = "record.immunization_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// What kind of encounter it was, as health information systems count attendance (the classes of
/// HL7's `ActEncounterCode`, as FHIR's `Encounter.class` uses them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EncounterClass {
    /// A consultation at the facility, the patient leaving the same day.
    Outpatient,
    /// Seen as an emergency.
    Emergency,
    /// Admitted to a ward.
    Inpatient,
    /// Seen at home by the facility's staff.
    HomeVisit,
    /// Seen by an outreach team away from the facility (an advanced strategy, a mobile clinic).
    Outreach,
    /// Seen at a distance (by telephone or video).
    Teleconsultation,
}

/// A consultation or visit took place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EncounterRecorded {
    pub entry_id: Uuid,
    pub facility_id: Uuid,
    /// The practitioner who saw the patient.
    pub practitioner_id: Uuid,
    /// The day of the encounter, `YYYY-MM-DD`.
    pub date: String,
    /// What kind of encounter it was; `None` when not stated (every encounter of version 1).
    pub class: Option<EncounterClass>,
    /// Why the patient came.
    pub reason: String,
    pub notes: Option<String>,
    pub amends: Option<Amends>,
}

impl EventPayload for EncounterRecorded {
    const EVENT_TYPE: &'static str = "record.encounter_recorded";
    const SCHEMA_VERSION: u32 = 2;
}

/// Version 1 of `record.encounter_recorded` had no `class`: it was not stated.
pub fn encounter_recorded_from_v1(mut payload: serde_json::Value) -> Result<serde_json::Value, String> {
    let object = payload.as_object_mut().ok_or("a v1 encounter is an object")?;
    object.insert("class".to_owned(), serde_json::Value::Null);
    Ok(payload)
}

/// An entry was recorded by mistake (wrong patient, wrong form) and is withdrawn from the current
/// record. It stays in the ledger, shown as entered in error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryEnteredInError {
    pub entry_id: Uuid,
    pub reason: String,
}

impl EventPayload for EntryEnteredInError {
    const EVENT_TYPE: &'static str = "record.entry_entered_in_error";
    const SCHEMA_VERSION: u32 = 1;
}

/// The patient granted a facility's clinicians access to their record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessGranted {
    pub facility_id: Uuid,
    /// The last day the access holds, `YYYY-MM-DD`; until revoked when absent.
    pub until: Option<String>,
}

impl EventPayload for AccessGranted {
    const EVENT_TYPE: &'static str = "record.access_granted";
    const SCHEMA_VERSION: u32 = 1;
}

/// The patient withdrew a facility's access granted earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRevoked {
    pub facility_id: Uuid,
}

impl EventPayload for AccessRevoked {
    const EVENT_TYPE: &'static str = "record.access_revoked";
    const SCHEMA_VERSION: u32 = 1;
}

/// How a guardian stands to the minor whose record they manage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardianRelationship {
    Mother,
    Father,
    /// Appointed by a court or a family council (a *tuteur*), shown to the desk by the order.
    LegalGuardian,
}

/// Another patient was recorded as the guardian of this one, a minor, after the desk saw the proof
/// (a birth certificate naming the parent, or the order appointing a guardian). Until `until`, the
/// guardian's own portal account reads this record and acts on the minor's behalf (consents,
/// reminder choices, cancelling appointments), each read recorded in this record's access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardianRecorded {
    /// The guardian's own record (a patient like any other, found by their health ID).
    pub guardian_patient_id: Uuid,
    pub relationship: GuardianRelationship,
    /// The last day the guardianship holds, `YYYY-MM-DD`: the day before the minor comes of age,
    /// worked out from the date of birth when it was recorded.
    pub until: String,
}

impl EventPayload for GuardianRecorded {
    const EVENT_TYPE: &'static str = "record.guardian_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// A guardianship recorded earlier ended before the minor came of age (a court's decision, a
/// guardian recorded by mistake), with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardianshipEnded {
    pub guardian_patient_id: Uuid,
    pub reason: String,
}

impl EventPayload for GuardianshipEnded {
    const EVENT_TYPE: &'static str = "record.guardianship_ended";
    const SCHEMA_VERSION: u32 = 1;
}

/// A doctor broke the glass: opened the record in an emergency without a care relationship, with a
/// stated reason, for a limited time. Shown to the patient and to the facility's administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergencyAccessOpened {
    /// The doctor's account.
    pub account_id: Uuid,
    pub facility_id: Uuid,
    pub reason: String,
    pub expires_at: Timestamp,
}

impl EventPayload for EmergencyAccessOpened {
    const EVENT_TYPE: &'static str = "record.emergency_access_opened";
    const SCHEMA_VERSION: u32 = 1;
}

/// How a medicine is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    Oral,
    Sublingual,
    Intravenous,
    Intramuscular,
    Subcutaneous,
    Topical,
    Inhaled,
    Nasal,
    Ophthalmic,
    Otic,
    Rectal,
    Vaginal,
}

/// The unit a dose is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DoseUnit {
    Mg,
    G,
    Mcg,
    Ml,
    /// International units.
    Iu,
    Tablet,
    Capsule,
    Drop,
    Puff,
    Sachet,
}

/// One dose: an exact decimal amount (kept as text, never a float) and its unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dose {
    /// A positive decimal with at most three decimals, e.g. `500`, `0.5`, `2.5`.
    pub amount: String,
    pub unit: DoseUnit,
}

/// A medicine was prescribed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionIssued {
    pub entry_id: Uuid,
    /// The medicine, by its international non-proprietary name where there is one, e.g.
    /// `artemether-lumefantrine`.
    pub medicine: String,
    pub dose: Dose,
    pub route: Route,
    /// Doses a day.
    pub times_per_day: u32,
    /// Taken only when needed, up to `times_per_day`.
    pub as_needed: bool,
    pub duration_days: u32,
    /// The prescriber's account.
    pub prescriber_id: Uuid,
    pub encounter_id: Option<Uuid>,
    pub instructions: Option<String>,
    pub amends: Option<Amends>,
}

impl EventPayload for PrescriptionIssued {
    const EVENT_TYPE: &'static str = "record.prescription_issued";
    const SCHEMA_VERSION: u32 = 1;
}

/// A prescription was stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionCancelled {
    /// The prescription's `entry_id`.
    pub entry_id: Uuid,
    pub reason: String,
}

impl EventPayload for PrescriptionCancelled {
    const EVENT_TYPE: &'static str = "record.prescription_cancelled";
    const SCHEMA_VERSION: u32 = 1;
}

/// How soon a referred patient must be seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Urgent,
    Emergency,
}

/// Whether the patient is sent to be seen, or moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    /// To be seen at the other facility (a consultation, an examination), care continuing here too.
    Referral,
    /// Moved to the other facility, which takes over the patient's care (an inpatient transfer).
    Transfer,
}

/// The patient was referred or transferred to another facility, whose clinicians may then act on the
/// record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralMade {
    pub entry_id: Uuid,
    pub kind: ReferralKind,
    pub from_facility_id: Uuid,
    pub to_facility_id: Uuid,
    pub reason: String,
    pub urgency: Urgency,
    pub encounter_id: Option<Uuid>,
    pub amends: Option<Amends>,
}

impl EventPayload for ReferralMade {
    const EVENT_TYPE: &'static str = "record.referral_made";
    const SCHEMA_VERSION: u32 = 1;
}

/// What kind of past event a medical history entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    PastCondition,
    Surgery,
    Hospitalisation,
    Other,
}

/// Part of the patient's medical history (before, or outside, what this record holds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MedicalHistoryRecorded {
    pub entry_id: Uuid,
    pub kind: HistoryKind,
    pub description: String,
    /// The ICD-10 code, when the condition is coded.
    pub icd10: Option<String>,
    /// The year it happened, when known.
    pub year: Option<u32>,
    pub amends: Option<Amends>,
}

impl EventPayload for MedicalHistoryRecorded {
    const EVENT_TYPE: &'static str = "record.medical_history_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// A condition in the patient's family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyHistoryRecorded {
    pub entry_id: Uuid,
    /// The relative, in the clinician's words (e.g. `mother`, `paternal uncle`).
    pub relationship: String,
    pub condition: String,
    pub icd10: Option<String>,
    pub amends: Option<Amends>,
}

impl EventPayload for FamilyHistoryRecorded {
    const EVENT_TYPE: &'static str = "record.family_history_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// A treatment the patient takes over the long term (an antiretroviral, insulin, an antihypertensive),
/// whoever prescribed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentRecorded {
    pub entry_id: Uuid,
    pub medicine: String,
    pub dose: Dose,
    pub route: Route,
    pub times_per_day: u32,
    /// `YYYY-MM-DD`, when known.
    pub started_on: Option<String>,
    pub amends: Option<Amends>,
}

impl EventPayload for TreatmentRecorded {
    const EVENT_TYPE: &'static str = "record.treatment_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// A current treatment stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentStopped {
    /// The treatment's `entry_id`.
    pub entry_id: Uuid,
    /// `YYYY-MM-DD`.
    pub stopped_on: String,
    pub reason: String,
}

impl EventPayload for TreatmentStopped {
    const EVENT_TYPE: &'static str = "record.treatment_stopped";
    const SCHEMA_VERSION: u32 = 1;
}

/// Vital signs measured at one time. Every measure is an integer in a unit small enough to be exact
/// (tenths of a degree, grams, millimetres); at least one is present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VitalSignsRecorded {
    pub entry_id: Uuid,
    pub measured_at: Timestamp,
    /// Body temperature in tenths of a degree Celsius (`385` is 38.5 °C).
    pub temperature_decicelsius: Option<u32>,
    pub systolic_mmhg: Option<u32>,
    pub diastolic_mmhg: Option<u32>,
    pub pulse_per_minute: Option<u32>,
    pub respiratory_rate_per_minute: Option<u32>,
    /// Oxygen saturation, percent.
    pub spo2_percent: Option<u32>,
    pub weight_grams: Option<u32>,
    pub height_mm: Option<u32>,
    pub amends: Option<Amends>,
}

impl EventPayload for VitalSignsRecorded {
    const EVENT_TYPE: &'static str = "record.vital_signs_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// A laboratory test was ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabOrdered {
    pub entry_id: Uuid,
    /// The test, in the clinician's words (e.g. `thick blood smear`).
    pub test: String,
    /// The LOINC code, when known, e.g. `32700-7`.
    pub loinc: Option<String>,
    pub encounter_id: Option<Uuid>,
    pub amends: Option<Amends>,
}

impl EventPayload for LabOrdered {
    const EVENT_TYPE: &'static str = "record.lab_ordered";
    const SCHEMA_VERSION: u32 = 1;
}

/// How a result reads against its reference range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interpretation {
    Normal,
    Low,
    High,
    CriticallyLow,
    CriticallyHigh,
    Abnormal,
    Positive,
    Negative,
}

/// A file attached to a result (a scan, a report), referenced by its content's SHA-256; the file
/// itself is stored outside the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The file's media type, e.g. `application/pdf`.
    pub media_type: String,
    pub name: String,
}

/// A laboratory result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabResultRecorded {
    pub entry_id: Uuid,
    /// The order it answers, if it was ordered in this record.
    pub order_id: Option<Uuid>,
    pub test: String,
    pub loinc: Option<String>,
    /// The value as reported (`7.2`, `positive`, `++`): kept as text, exactly.
    pub value: String,
    pub unit: Option<String>,
    /// The reference range as reported, e.g. `3.5-5.0`.
    pub reference_range: Option<String>,
    pub interpretation: Interpretation,
    pub attachments: Vec<Attachment>,
    pub amends: Option<Amends>,
}

impl EventPayload for LabResultRecorded {
    const EVENT_TYPE: &'static str = "record.lab_result_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

/// An appointment was booked. Its `entry_id` is the appointment's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentBooked {
    pub entry_id: Uuid,
    pub facility_id: Uuid,
    /// The practitioner to see, if one is named.
    pub practitioner_id: Option<Uuid>,
    pub starts_at: Timestamp,
    pub reason: String,
}

impl EventPayload for AppointmentBooked {
    const EVENT_TYPE: &'static str = "record.appointment_booked";
    const SCHEMA_VERSION: u32 = 1;
}

/// What happened to a booked appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentOutcome {
    Cancelled,
    Attended,
    Missed,
}

/// A booked appointment moved to another time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRescheduled {
    pub entry_id: Uuid,
    pub starts_at: Timestamp,
}

impl EventPayload for AppointmentRescheduled {
    const EVENT_TYPE: &'static str = "record.appointment_rescheduled";
    const SCHEMA_VERSION: u32 = 1;
}

/// A booked appointment was cancelled, attended or missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentClosed {
    pub entry_id: Uuid,
    pub outcome: AppointmentOutcome,
    /// Why, for a cancellation.
    pub reason: Option<String>,
}

impl EventPayload for AppointmentClosed {
    const EVENT_TYPE: &'static str = "record.appointment_closed";
    const SCHEMA_VERSION: u32 = 1;
}

/// Where a patient died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceOfDeath {
    /// In a health facility (`facility_id` names it).
    Facility,
    /// At home.
    Home,
    /// On the way to or between facilities.
    InTransit,
    /// Anywhere else, or not known.
    Other,
}

/// A doctor certified the patient's death. The record stays readable; nothing is planned for the
/// patient after it (no appointment, no reminder), and no clinical date may follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeathRecorded {
    pub entry_id: Uuid,
    /// The day of death, `YYYY-MM-DD`.
    pub died_on: String,
    pub place: PlaceOfDeath,
    /// The facility, when the patient died in one.
    pub facility_id: Option<Uuid>,
    /// The underlying cause of death (the disease or injury that started the train of events), as an
    /// ICD-10 code in its canonical form, e.g. `B50.9`.
    pub underlying_cause: String,
    pub amends: Option<Amends>,
}

impl EventPayload for DeathRecorded {
    const EVENT_TYPE: &'static str = "record.death_recorded";
    const SCHEMA_VERSION: u32 = 1;
}
