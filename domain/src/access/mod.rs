//! Who may do what: the authorisation policy, one pure function.
//!
//! [`authorize`] takes who is asking ([`Principal`]), what they ask ([`Action`]) and the facts that
//! bear on it ([`Facts`]: how the asker stands to the patient or facility concerned) and answers
//! allow or deny, each with a reason fit for the audit trail. Everything not allowed below is denied.
//!
//! The rules, in short:
//! - a **doctor** reads and writes every section of the record of a patient in their care (registered
//!   or seen at their facility, referred to them, or who granted access), and may break the glass; only
//!   a doctor certifies a death;
//! - a **nurse** reads those records and writes a narrower set (vital signs, immunizations, allergies,
//!   encounters, appointments), never a death;
//! - a **lab technician** reads lab orders, allergies and results and writes lab results, for patients
//!   in their facility's care;
//! - a **registration clerk** registers and finds patients and keeps their demographics and
//!   appointments, and sees no clinical section;
//! - a **patient** reads their own record, their access log, grants or revokes access to it, and
//!   cancels their own appointments that have not started yet; a patient recorded as a minor's
//!   guardian does the same for the minor, until the minor comes of age;
//! - a **facility administrator** manages their own facility's staff and sees break-the-glass alerts
//!   for it, and never any patient's data;
//! - a **health authority analyst** sees anonymised statistics and nothing about a person;
//! - an **auditor** verifies and browses the ledger's history, audit trails and access logs, and reads
//!   no clinical content (the read side must redact payloads when an auditor browses the ledger);
//! - a **system administrator** manages facilities and their administrators, may view and suspend any
//!   facility's staff (to stop an account whose facility administrator cannot or will not), verifies
//!   the ledger, and reads no patient data;
//! - the **system** role is the ledger itself and is allowed nothing through the API.

mod policy;

pub use policy::authorize;

use event_schema::Role;
use uuid::Uuid;

/// An authenticated account acting now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: Uuid,
    pub role: Role,
    /// The facility a staff member acts from; `None` for patients and national roles.
    pub facility_id: Option<Uuid>,
    /// For a patient's account, the patient record it belongs to.
    pub patient_id: Option<Uuid>,
    /// For a health authority analyst of a regional delegation, the region (its code) their
    /// statistics are limited to; `None` for everyone else, national analysts included.
    pub region: Option<String>,
}

/// What a read of statistics covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsScope {
    /// The whole country (which includes tables of any region or facility).
    National,
    /// One region's aggregates, by its code in the regions' reference data.
    Region(&'static str),
    /// One facility's own aggregates: its encounters, diagnoses, doses and deaths.
    Facility(Uuid),
}

impl Principal {
    /// The widest statistics this principal may read, if any: what a read is confined to when it
    /// asks for no narrower scope. The policy still decides each read.
    pub fn statistics_reach(&self) -> Option<StatisticsScope> {
        match self.role {
            Role::HealthAuthorityAnalyst => match &self.region {
                None => Some(StatisticsScope::National),
                Some(code) => {
                    crate::reference::region(code).map(|region| StatisticsScope::Region(region.code.as_str()))
                }
            },
            Role::FacilityAdministrator => self.facility_id.map(StatisticsScope::Facility),
            _ => None,
        }
    }
}

/// A part of a patient's medical record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    MedicalHistory,
    FamilyHistory,
    Allergies,
    Conditions,
    Treatments,
    Prescriptions,
    LabOrders,
    LabResults,
    VitalSigns,
    Immunizations,
    Encounters,
    Appointments,
    Referrals,
    /// The patient's death: when, where, and its underlying cause.
    Death,
}

impl Section {
    pub const ALL: [Section; 14] = [
        Section::MedicalHistory,
        Section::FamilyHistory,
        Section::Allergies,
        Section::Conditions,
        Section::Treatments,
        Section::Prescriptions,
        Section::LabOrders,
        Section::LabResults,
        Section::VitalSigns,
        Section::Immunizations,
        Section::Encounters,
        Section::Appointments,
        Section::Referrals,
        Section::Death,
    ];

    /// The section's name on the read side and in access logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::MedicalHistory => "medical_history",
            Section::FamilyHistory => "family_history",
            Section::Allergies => "allergies",
            Section::Conditions => "conditions",
            Section::Treatments => "treatments",
            Section::Prescriptions => "prescriptions",
            Section::LabOrders => "lab_orders",
            Section::LabResults => "lab_results",
            Section::VitalSigns => "vital_signs",
            Section::Immunizations => "immunizations",
            Section::Encounters => "encounters",
            Section::Appointments => "appointments",
            Section::Referrals => "referrals",
            Section::Death => "death",
        }
    }

    /// The section named `name` by [`Section::as_str`].
    pub fn parse(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|section| section.as_str() == name)
    }
}

/// What a principal asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Register a new patient.
    RegisterPatient,
    /// Look patients up by health ID, national ID, or name and date of birth.
    SearchPatients,
    ReadDemographics {
        patient: Uuid,
    },
    UpdateDemographics {
        patient: Uuid,
    },
    ReadSection {
        patient: Uuid,
        section: Section,
    },
    WriteSection {
        patient: Uuid,
        section: Section,
    },
    /// Open any patient's record in an emergency, with a stated reason, for a limited time.
    BreakGlass {
        patient: Uuid,
    },
    /// A patient grants or revokes a facility's access to their record.
    ManageConsent {
        patient: Uuid,
    },
    /// Record or end the guardianship of a minor, on the proof shown at the desk.
    ManageGuardianship {
        patient: Uuid,
    },
    /// Choose the language and channel of the patient's reminders and which kinds they receive: the
    /// patient, or a facility's desk on the patient's word.
    SetReminderPreferences {
        patient: Uuid,
    },
    /// A patient cancels one of their own appointments; `upcoming` is whether it has yet to start,
    /// as the record tells. Only this outcome, and only before the time: whether it was attended or
    /// missed is the facility's to say.
    CancelOwnAppointment {
        patient: Uuid,
        upcoming: bool,
    },
    /// Who read or changed the patient's record, when and from where.
    ReadAccessLog {
        patient: Uuid,
    },
    ReadAuditTrail {
        patient: Uuid,
    },
    /// Browse the ledger by stream, type, actor and time.
    BrowseLedger,
    VerifyLedger,
    /// Read anonymised statistics covering `scope`.
    ReadStatistics {
        scope: StatisticsScope,
    },
    /// Read the list of district-weeks that crossed a notifiable disease's threshold (no count, no
    /// person): the early warning every delegation and facility acts on.
    ReadEpidemicAlerts,
    RegisterFacility,
    /// Register, suspend or reinstate someone in a national role (analyst, auditor, system
    /// administrator), who works for no one facility.
    ManageNationalStaff,
    AppointFacilityAdministrator {
        facility: Uuid,
    },
    ViewStaff {
        facility: Uuid,
    },
    RegisterStaff {
        facility: Uuid,
    },
    /// Suspend or reinstate a member of a facility's staff.
    SuspendStaff {
        facility: Uuid,
    },
    ViewBreakGlassAlerts {
        facility: Uuid,
    },
}

/// Why a clinician may act on a patient: the care relationship between the principal (and their
/// facility) and the patient, as the read side establishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CareBasis {
    /// The patient is registered at, or was seen at, the principal's facility.
    Facility,
    /// The patient was referred to the principal or their facility.
    Referral,
    /// The patient granted the principal's facility access.
    Consent,
    /// The principal broke the glass for this patient and the access has not expired.
    BreakGlass,
    /// The principal is a patient recorded as this minor's guardian, and the minor is not yet of age.
    Guardian,
}

/// The facts the policy needs about the target of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Facts {
    /// How the principal stands to the patient concerned, if at all.
    pub care: Option<CareBasis>,
}

/// The answer, with a reason to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow(&'static str),
    Deny(&'static str),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow(_))
    }

    pub fn reason(&self) -> &'static str {
        match self {
            Decision::Allow(reason) | Decision::Deny(reason) => reason,
        }
    }
}
