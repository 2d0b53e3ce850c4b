//! The API's own types for the words it shares with the ledger: roles, second factors, facility levels,
//! a patient's sex and date of birth, the clinical record's categories, doses, attachments and the
//! place of a death. Each is
//! a copy of the stored type of the same name in `event_schema`, with the same JSON (the same serde
//! attributes) and the same documentation, and it derives `utoipa::ToSchema`, so the OpenAPI document
//! describes the API's types while the stored ones carry no API annotations and `event_schema` depends
//! on no web framework.
//!
//! Each type converts to and from its stored type with `From`; handlers convert at their boundary
//! (`.into()`), and everything past the handler works with the stored types. The macros below declare
//! an enum once as a list of variants, and a struct once as a list of fields, and write both
//! conversions as exhaustive `match`es and destructurings: a variant or a field added to a stored type
//! and not here fails to compile, so the API cannot fall behind what the ledger records.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares an enum of unit variants mirroring the stored enum after `=`, with `From` both ways. The
/// attributes given (documentation, serde) go on the enum and on each variant as written.
macro_rules! vocabulary_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident = $stored:path {
            $( $(#[$variant_meta:meta])* $variant:ident, )+
        }
    ) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl From<$stored> for $name {
            fn from(stored: $stored) -> Self {
                type Stored = $stored;
                match stored {
                    $( Stored::$variant => Self::$variant, )+
                }
            }
        }

        impl From<$name> for $stored {
            fn from(api: $name) -> Self {
                match api {
                    $( $name::$variant => Self::$variant, )+
                }
            }
        }

        #[cfg(test)]
        impl $name {
            /// Every variant, for the tests comparing the JSON of both types.
            const VARIANTS: &'static [Self] = &[$(Self::$variant),+];
        }
    };
}

/// Declares a struct mirroring the stored struct after `=`, field by field, with `From` both ways. The
/// attributes given (documentation, serde) go on the struct and on each field as written; each field
/// converts with `From`, so a field of another type here converts too.
macro_rules! vocabulary_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $stored:path {
            $( $(#[$field_meta:meta])* pub $field:ident: $type:ty, )+
        }
    ) => {
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $type, )+
        }

        impl From<$stored> for $name {
            fn from(stored: $stored) -> Self {
                type Stored = $stored;
                let Stored { $($field),+ } = stored;
                Self { $($field: From::from($field)),+ }
            }
        }

        impl From<$name> for $stored {
            fn from(api: $name) -> Self {
                let $name { $($field),+ } = api;
                Self { $($field: From::from($field)),+ }
            }
        }
    };
}

// Who acts, and how they prove it.

vocabulary_enum! {
    /// Every role the system knows. `System` is the ledger acting on its own behalf (initialisation, key
    /// registry); no person ever holds it.
    #[serde(rename_all = "snake_case")]
    pub enum Role = event_schema::Role {
        Patient,
        Doctor,
        Nurse,
        LabTechnician,
        RegistrationClerk,
        FacilityAdministrator,
        HealthAuthorityAnalyst,
        Auditor,
        SystemAdministrator,
        System,
    }
}

vocabulary_enum! {
    /// A way of proving the second factor.
    #[serde(rename_all = "snake_case")]
    pub enum SecondFactorMethod = event_schema::events::account::SecondFactorMethod {
        /// A time-based code from an authenticator app (RFC 6238).
        Totp,
        /// A one-time code sent by SMS.
        Sms,
        /// A one-time code sent by e-mail.
        Email,
        /// One of the account's single-use recovery codes.
        RecoveryCode,
    }
}

vocabulary_enum! {
    /// How a one-time code reaches a person.
    #[serde(rename_all = "snake_case")]
    pub enum ContactChannel = event_schema::events::staff::ContactChannel {
        Sms,
        Email,
        /// Handed over on paper (a patient without a phone, an operator at a console).
        Printed,
    }
}

// Facilities.

vocabulary_enum! {
    /// The level of a facility in the health pyramid.
    #[serde(rename_all = "snake_case")]
    pub enum FacilityLevel = event_schema::events::facility::FacilityLevel {
        /// Reference or general hospital.
        ReferenceHospital,
        RegionalHospital,
        DistrictHospital,
        /// Integrated health centre (CSI) or medical centre (CMA).
        HealthCentre,
        PrivateClinic,
    }
}

vocabulary_enum! {
    /// Who runs a facility.
    #[serde(rename_all = "snake_case")]
    pub enum FacilityOwnership = event_schema::events::facility::FacilityOwnership {
        Public,
        Private,
        /// Private not-for-profit, run by a religious organisation.
        FaithBased,
    }
}

// Patients.

vocabulary_enum! {
    /// The sex recorded at registration, as printed on the national ID card.
    #[serde(rename_all = "snake_case")]
    pub enum Sex = event_schema::events::patient::Sex {
        Female,
        Male,
        /// Not known at registration, for an unconscious or unidentified patient brought in as an emergency.
        Unknown,
    }
}

vocabulary_struct! {
    /// A date of birth, known exactly or estimated.
    #[serde(deny_unknown_fields)]
    pub struct BirthDate = event_schema::events::patient::BirthDate {
        /// The calendar date, `YYYY-MM-DD`. When estimated, the best guess (often 1 January of a year).
        /// Not in the future, nor more than 130 years ago.
        #[schema(format = Date)]
        pub date: String,
        /// Whether the date is an estimate (no birth certificate, age given by the patient or judged by
        /// staff) rather than a documented date.
        pub estimated: bool,
    }
}

vocabulary_struct! {
    /// The person to contact on the patient's behalf.
    #[serde(deny_unknown_fields)]
    pub struct NextOfKin = event_schema::events::patient::NextOfKin {
        /// The next of kin's full name, as given at registration (1 to 80 characters, with a letter).
        #[schema(min_length = 1, max_length = 80)]
        pub name: String,
        /// How the next of kin is related to the patient, in the registration desk's words (e.g. `mother`;
        /// 1 to 40 characters, with a letter).
        #[schema(min_length = 1, max_length = 40)]
        pub relationship: String,
        /// The next of kin's phone number in E.164 form (e.g. `+237699123456`), if one was given.
        pub phone: Option<String>,
    }
}

// The clinical record.

vocabulary_enum! {
    /// What kind of thing a patient reacts to.
    #[serde(rename_all = "snake_case")]
    pub enum AllergyCategory = event_schema::events::record::AllergyCategory {
        Medication,
        Food,
        Environment,
        Other,
    }
}

vocabulary_enum! {
    /// How severe a reaction is.
    #[serde(rename_all = "snake_case")]
    pub enum Severity = event_schema::events::record::Severity {
        Mild,
        Moderate,
        Severe,
        LifeThreatening,
    }
}

vocabulary_enum! {
    /// Whether an allergy or intolerance still holds.
    #[serde(rename_all = "snake_case")]
    pub enum AllergyStatus = event_schema::events::record::AllergyStatus {
        /// Suspected, not confirmed.
        Unconfirmed,
        Confirmed,
        /// No longer present (outgrown, desensitised).
        Resolved,
        /// Ruled out after investigation.
        Refuted,
    }
}

vocabulary_enum! {
    /// Where a diagnosed condition stands.
    #[serde(rename_all = "snake_case")]
    pub enum ConditionStatus = event_schema::events::record::ConditionStatus {
        Active,
        Recurrence,
        Remission,
        Resolved,
    }
}

vocabulary_enum! {
    /// How a medicine is given.
    #[serde(rename_all = "snake_case")]
    pub enum Route = event_schema::events::record::Route {
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
}

vocabulary_enum! {
    /// The unit a dose is measured in.
    #[serde(rename_all = "snake_case")]
    pub enum DoseUnit = event_schema::events::record::DoseUnit {
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
}

vocabulary_struct! {
    /// One dose: an exact decimal amount (kept as text, never a float) and its unit.
    #[serde(deny_unknown_fields)]
    pub struct Dose = event_schema::events::record::Dose {
        /// A positive decimal with at most three decimals, e.g. `500`, `0.5`, `2.5`.
        pub amount: String,
        pub unit: DoseUnit,
    }
}

vocabulary_enum! {
    /// How soon a referred patient must be seen.
    #[serde(rename_all = "snake_case")]
    pub enum Urgency = event_schema::events::record::Urgency {
        Routine,
        Urgent,
        Emergency,
    }
}

vocabulary_enum! {
    /// Whether the patient is sent to be seen, or moved.
    #[serde(rename_all = "snake_case")]
    pub enum ReferralKind = event_schema::events::record::ReferralKind {
        /// To be seen at the other facility (a consultation, an examination), care continuing here too.
        Referral,
        /// Moved to the other facility, which takes over the patient's care (an inpatient transfer).
        Transfer,
    }
}

vocabulary_enum! {
    /// What kind of encounter it was, as health information systems count attendance (the classes of
    /// HL7's `ActEncounterCode`, as FHIR's `Encounter.class` uses them).
    #[serde(rename_all = "snake_case")]
    pub enum EncounterClass = event_schema::events::record::EncounterClass {
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
}

vocabulary_enum! {
    /// What kind of past event a medical history entry is.
    #[serde(rename_all = "snake_case")]
    pub enum HistoryKind = event_schema::events::record::HistoryKind {
        PastCondition,
        Surgery,
        Hospitalisation,
        Other,
    }
}

vocabulary_enum! {
    /// How a result reads against its reference range.
    #[serde(rename_all = "snake_case")]
    pub enum Interpretation = event_schema::events::record::Interpretation {
        Normal,
        Low,
        High,
        CriticallyLow,
        CriticallyHigh,
        Abnormal,
        Positive,
        Negative,
    }
}

vocabulary_struct! {
    /// A file attached to a result (a scan, a report), referenced by its content's SHA-256; the file
    /// itself is stored outside the ledger.
    #[serde(deny_unknown_fields)]
    pub struct Attachment = event_schema::events::record::Attachment {
        /// Lower-case hex SHA-256 of the file's bytes.
        #[schema(pattern = "^[0-9A-Fa-f]{64}$")]
        pub sha256: String,
        /// The file's media type, e.g. `application/pdf`.
        #[schema(min_length = 3, max_length = 100)]
        pub media_type: String,
        /// The file's name, 1 to 120 characters.
        #[schema(min_length = 1, max_length = 120)]
        pub name: String,
    }
}

vocabulary_enum! {
    /// What happened to a booked appointment.
    #[serde(rename_all = "snake_case")]
    pub enum AppointmentOutcome = event_schema::events::record::AppointmentOutcome {
        Cancelled,
        Attended,
        Missed,
    }
}

vocabulary_enum! {
    /// How a guardian stands to the minor whose record they manage.
    #[serde(rename_all = "snake_case")]
    pub enum GuardianRelationship = event_schema::events::record::GuardianRelationship {
        Mother,
        Father,
        /// Appointed by a court or a family council, shown to the desk by the order.
        LegalGuardian,
    }
}

vocabulary_enum! {
    /// Where a patient died.
    #[serde(rename_all = "snake_case")]
    pub enum PlaceOfDeath = event_schema::events::record::PlaceOfDeath {
        /// In a health facility (`facility_id` names it).
        Facility,
        /// At home.
        Home,
        /// On the way to or between facilities.
        InTransit,
        /// Anywhere else, or not known.
        Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use event_schema::events::{account, facility, patient, record, staff};
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};
    use std::fmt::Debug;

    /// Both types write `api` as the same JSON, each reads the other's JSON back, and the conversions
    /// return to where they started.
    fn same_json<Api, Stored>(api: Api)
    where
        Api: Serialize + DeserializeOwned + Clone + PartialEq + Debug + From<Stored>,
        Stored: Serialize + DeserializeOwned + Clone + PartialEq + Debug + From<Api>,
    {
        let stored = Stored::from(api.clone());
        let written = serde_json::to_value(&api).unwrap();
        assert_eq!(written, serde_json::to_value(&stored).unwrap(), "{api:?}");
        assert_eq!(serde_json::from_value::<Stored>(written.clone()).unwrap(), stored);
        assert_eq!(serde_json::from_value::<Api>(written).unwrap(), api);
        assert_eq!(Api::from(stored), api);
    }

    fn every_variant<Api, Stored>(variants: &[Api])
    where
        Api: Serialize + DeserializeOwned + Copy + PartialEq + Debug + From<Stored>,
        Stored: Serialize + DeserializeOwned + Clone + PartialEq + Debug + From<Api>,
    {
        for &variant in variants {
            same_json::<Api, Stored>(variant);
        }
    }

    #[test]
    fn every_variant_reads_and_writes_as_its_stored_twin() {
        every_variant::<Role, event_schema::Role>(Role::VARIANTS);
        every_variant::<SecondFactorMethod, account::SecondFactorMethod>(SecondFactorMethod::VARIANTS);
        every_variant::<ContactChannel, staff::ContactChannel>(ContactChannel::VARIANTS);
        every_variant::<FacilityLevel, facility::FacilityLevel>(FacilityLevel::VARIANTS);
        every_variant::<FacilityOwnership, facility::FacilityOwnership>(FacilityOwnership::VARIANTS);
        every_variant::<Sex, patient::Sex>(Sex::VARIANTS);
        every_variant::<AllergyCategory, record::AllergyCategory>(AllergyCategory::VARIANTS);
        every_variant::<Severity, record::Severity>(Severity::VARIANTS);
        every_variant::<AllergyStatus, record::AllergyStatus>(AllergyStatus::VARIANTS);
        every_variant::<ConditionStatus, record::ConditionStatus>(ConditionStatus::VARIANTS);
        every_variant::<Route, record::Route>(Route::VARIANTS);
        every_variant::<DoseUnit, record::DoseUnit>(DoseUnit::VARIANTS);
        every_variant::<Urgency, record::Urgency>(Urgency::VARIANTS);
        every_variant::<ReferralKind, record::ReferralKind>(ReferralKind::VARIANTS);
        every_variant::<EncounterClass, record::EncounterClass>(EncounterClass::VARIANTS);
        every_variant::<HistoryKind, record::HistoryKind>(HistoryKind::VARIANTS);
        every_variant::<Interpretation, record::Interpretation>(Interpretation::VARIANTS);
        every_variant::<AppointmentOutcome, record::AppointmentOutcome>(AppointmentOutcome::VARIANTS);
        every_variant::<PlaceOfDeath, record::PlaceOfDeath>(PlaceOfDeath::VARIANTS);
        every_variant::<GuardianRelationship, record::GuardianRelationship>(GuardianRelationship::VARIANTS);
    }

    #[test]
    fn every_struct_reads_and_writes_as_its_stored_twin() {
        same_json::<BirthDate, patient::BirthDate>(BirthDate { date: "1990-01-01".into(), estimated: true });
        for phone in [None, Some("+237699123456".to_owned())] {
            same_json::<NextOfKin, patient::NextOfKin>(NextOfKin {
                name: "Ngo Biyong Marie".into(),
                relationship: "mother".into(),
                phone,
            });
        }
        same_json::<Dose, record::Dose>(Dose { amount: "2.5".into(), unit: DoseUnit::Ml });
        same_json::<Attachment, record::Attachment>(Attachment {
            sha256: "ab".repeat(32),
            media_type: "application/pdf".into(),
            name: "report.pdf".into(),
        });
    }

    /// Both types refuse the same malformed JSON text with the same message, which the API passes on as
    /// a field error.
    fn same_refusal<Api: DeserializeOwned + Debug, Stored: DeserializeOwned + Debug>(value: Value) {
        let text = value.to_string();
        let api = serde_json::from_str::<Api>(&text).unwrap_err().to_string();
        let stored = serde_json::from_str::<Stored>(&text).unwrap_err().to_string();
        assert_eq!(api, stored, "{text}");
    }

    #[test]
    fn malformed_json_is_refused_alike() {
        same_refusal::<Role, event_schema::Role>(json!("root"));
        same_refusal::<Role, event_schema::Role>(json!(1));
        same_refusal::<Sex, patient::Sex>(json!(["female"]));
        same_refusal::<BirthDate, patient::BirthDate>(json!({ "date": "1990-01-01" }));
        same_refusal::<BirthDate, patient::BirthDate>(json!({ "date": "1990-01-01", "estimated": false, "x": 1 }));
        same_refusal::<BirthDate, patient::BirthDate>(json!("1990-01-01"));
        same_refusal::<NextOfKin, patient::NextOfKin>(json!({ "name": "A", "relationship": 3 }));
        same_refusal::<Dose, record::Dose>(json!({ "amount": "1", "unit": "litre" }));
        same_refusal::<PlaceOfDeath, record::PlaceOfDeath>(json!("hospital"));
        same_refusal::<Attachment, record::Attachment>(json!({ "sha256": "ab", "media_type": "a/b" }));
    }
}
