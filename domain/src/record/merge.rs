//! Two records of one person: merging one into the other by an event that deletes nothing.

use super::{text, PatientRecord, RecordError, RecordEvent};
use crate::FieldError;
use event_schema::events::patient::PatientMerged;
use uuid::Uuid;

/// Merge `record` into `survivor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRecords {
    pub into: Uuid,
    pub reason: String,
}

/// Decides a merge of `record` into `survivor` (both as their streams describe them). Both must be
/// open records of the same person as far as the record can tell: same sex and date of birth.
pub fn decide_merge(
    record: Option<&PatientRecord>,
    survivor: Option<&PatientRecord>,
    command: MergeRecords,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let reason = text(&command.reason, "/reason", 10..=500, &mut errors);
    match survivor {
        None => errors.push(FieldError::rule("/into", "no such patient")),
        Some(survivor) if survivor.patient.id == record.patient.id => {
            errors.push(FieldError::rule("/into", "a record cannot be merged into itself"))
        }
        Some(survivor) if survivor.merged_into.is_some() => {
            errors.push(FieldError::rule("/into", "that record was itself merged; merge into the record it points to"))
        }
        Some(survivor) => {
            if survivor.patient.sex != record.patient.sex || survivor.patient.birth_date != record.patient.birth_date {
                errors.push(FieldError::rule(
                    "/into",
                    "the records differ in sex or date of birth; correct them before merging",
                ));
            }
        }
    }
    super::clinical::finish(
        record,
        errors,
        RecordEvent::Merged(PatientMerged { patient_id: record.patient.id, merged_into: command.into, reason }),
    )
}
