//! Reads of a patient's medical data by anyone but the patient. Each read is a signed event, so the
//! patient can see who read their record, when, from which facility, and on what grounds; the reader,
//! the moment and the facility are the entry's actor and `occurred_at`.

use crate::EventPayload;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stream category of a patient's access log: `reads:<patient_id>`. It sits beside the patient's
/// record, not in it, so that recording a read never moves the record's version (and never makes a
/// clinician's `If-Match` stale).
pub const STREAM_CATEGORY: &str = "reads";

/// What entitled the reader to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadBasis {
    /// The patient is registered at, or was seen at, the reader's facility.
    Facility,
    /// The patient was referred to the reader's facility.
    Referral,
    /// The patient granted the reader's facility access.
    Consent,
    /// The reader broke the glass.
    BreakGlass,
    /// An auditor examining the record's history.
    Audit,
    /// The minor's guardian, from their own portal account.
    Guardian,
    /// Staff with a reason to search found the patient (identity only: names, date of birth, health
    /// ID), before any care relationship exists.
    Search,
}

/// Someone other than the patient read part of the patient's record. Stream `reads:<patient_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRead {
    pub patient_id: Uuid,
    /// What was read, sorted: `demographics`, a section (`allergies`, `lab_results`…),
    /// `vaccination_card`, `appointments`, `audit_trail`, `search_result`.
    pub parts: Vec<String>,
    pub basis: ReadBasis,
}

impl EventPayload for RecordRead {
    const EVENT_TYPE: &'static str = "access.record_read";
    const SCHEMA_VERSION: u32 = 1;
}

/// The stream category of an account's reads of statistics: `statistics_reads:<account_id>`. Aggregates
/// name no patient, so these reads are kept by reader, for auditors to see who looked at what.
pub const STATISTICS_STREAM_CATEGORY: &str = "statistics_reads";

/// Someone read an anonymised statistics table. Stream `statistics_reads:<account_id>`; the reader, the
/// moment and the facility are the entry's actor and `occurred_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatisticsRead {
    /// The table read, e.g. `coverage`, `epidemic_curve`, `table:new_diagnoses`.
    pub table: String,
    /// What it was narrowed and broken down by, as `name=value`, sorted (never anything about a person:
    /// only periods, places, codes and breakdowns).
    pub parameters: Vec<String>,
    /// How many figures were shown, and how many suppressed.
    pub shown: u32,
    pub suppressed: u32,
}

impl EventPayload for StatisticsRead {
    const EVENT_TYPE: &'static str = "access.statistics_read";
    const SCHEMA_VERSION: u32 = 1;
}
