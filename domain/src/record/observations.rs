//! What is measured: vital signs, and laboratory orders and results.

use super::clinical::{amends, finish, Correction};
use super::{optional_text, text, PatientRecord, RecordError, RecordEvent};
use crate::access::Section;
use crate::FieldError;
use event_schema::events::record::{Attachment, Interpretation, LabOrdered, LabResultRecorded, VitalSignsRecorded};
use event_schema::Timestamp;
use uuid::Uuid;

/// Record vital signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVitalSigns {
    pub entry_id: Uuid,
    pub measured_at: Timestamp,
    pub temperature_decicelsius: Option<u32>,
    pub systolic_mmhg: Option<u32>,
    pub diastolic_mmhg: Option<u32>,
    pub pulse_per_minute: Option<u32>,
    pub respiratory_rate_per_minute: Option<u32>,
    pub spo2_percent: Option<u32>,
    pub weight_grams: Option<u32>,
    pub height_mm: Option<u32>,
    pub amends: Option<Correction>,
    pub now: Timestamp,
}

/// Checks one optional measure against the range a living patient can show; outside it, the value is a
/// slip (a wrong unit, a missing decimal) and is refused.
fn measure(
    value: Option<u32>,
    field: &'static str,
    range: std::ops::RangeInclusive<u32>,
    errors: &mut Vec<FieldError>,
) {
    if let Some(value) = value {
        if !range.contains(&value) {
            errors.push(FieldError::new(field, format!("must be between {} and {}", range.start(), range.end())));
        }
    }
}

/// Clocks drift; a measure stamped a few minutes ahead is still a measure of now.
const CLOCK_SKEW_MINUTES: i64 = 5;

pub fn decide_vital_signs(
    record: Option<&PatientRecord>,
    command: RecordVitalSigns,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::VitalSigns, &mut errors)?;
    if command.measured_at.as_datetime() > command.now.as_datetime() + chrono::Duration::minutes(CLOCK_SKEW_MINUTES) {
        errors.push(FieldError::rule("/measured_at", "cannot be in the future"));
    }
    measure(command.temperature_decicelsius, "/temperature_decicelsius", 250..=450, &mut errors);
    measure(command.systolic_mmhg, "/systolic_mmhg", 40..=300, &mut errors);
    measure(command.diastolic_mmhg, "/diastolic_mmhg", 20..=200, &mut errors);
    measure(command.pulse_per_minute, "/pulse_per_minute", 20..=300, &mut errors);
    measure(command.respiratory_rate_per_minute, "/respiratory_rate_per_minute", 4..=100, &mut errors);
    measure(command.spo2_percent, "/spo2_percent", 50..=100, &mut errors);
    measure(command.weight_grams, "/weight_grams", 300..=400_000, &mut errors);
    measure(command.height_mm, "/height_mm", 200..=2_500, &mut errors);
    if let (Some(systolic), Some(diastolic)) = (command.systolic_mmhg, command.diastolic_mmhg) {
        if diastolic >= systolic {
            errors.push(FieldError::rule("/diastolic_mmhg", "must be lower than the systolic pressure"));
        }
    }
    let any = [
        command.temperature_decicelsius,
        command.systolic_mmhg,
        command.diastolic_mmhg,
        command.pulse_per_minute,
        command.respiratory_rate_per_minute,
        command.spo2_percent,
        command.weight_grams,
        command.height_mm,
    ]
    .iter()
    .any(Option::is_some);
    if !any {
        errors.push(FieldError::rule("/", "at least one measure is needed"));
    }
    finish(
        record,
        errors,
        RecordEvent::VitalSigns(VitalSignsRecorded {
            entry_id: command.entry_id,
            measured_at: command.measured_at,
            temperature_decicelsius: command.temperature_decicelsius,
            systolic_mmhg: command.systolic_mmhg,
            diastolic_mmhg: command.diastolic_mmhg,
            pulse_per_minute: command.pulse_per_minute,
            respiratory_rate_per_minute: command.respiratory_rate_per_minute,
            spo2_percent: command.spo2_percent,
            weight_grams: command.weight_grams,
            height_mm: command.height_mm,
            amends,
        }),
    )
}

/// Whether `code` is a LOINC code: digits, a hyphen and a check digit that LOINC's mod-10 algorithm
/// confirms (e.g. `32700-7`).
pub fn is_loinc(code: &str) -> bool {
    let Some((number, check)) = code.split_once('-') else { return false };
    if number.is_empty() || number.len() > 7 || check.len() != 1 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some(check) = check.chars().next().and_then(|c| c.to_digit(10)) else { return false };
    // Mod 10: from the right, double every other digit starting with the rightmost, add the digits.
    let mut sum = 0;
    for (position, digit) in number.bytes().rev().map(|b| u32::from(b - b'0')).enumerate() {
        sum += if position % 2 == 0 {
            let doubled = digit * 2;
            doubled / 10 + doubled % 10
        } else {
            digit
        };
    }
    (10 - sum % 10) % 10 == check
}

fn optional_loinc(code: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    // Only the empty text means "none", as the published pattern has it; anything else must be a code.
    let code = code.filter(|code| !code.is_empty())?;
    if !is_loinc(code) {
        errors.push(FieldError::rule("/loinc", "must be a LOINC code with its check digit, e.g. 32700-7"));
    }
    Some(code.to_owned())
}

/// Order a laboratory test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLab {
    pub entry_id: Uuid,
    pub test: String,
    pub loinc: Option<String>,
    pub encounter_id: Option<Uuid>,
    pub amends: Option<Correction>,
}

pub fn decide_lab_order(record: Option<&PatientRecord>, command: OrderLab) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::LabOrders, &mut errors)?;
    let test = text(&command.test, "/test", 2..=120, &mut errors);
    let loinc = optional_loinc(command.loinc.as_deref(), &mut errors);
    if let Some(encounter) = command.encounter_id {
        if record.entries.get(&encounter).is_none_or(|entry| entry.section != Section::Encounters) {
            errors.push(FieldError::rule("/encounter_id", "no such encounter in this record"));
        }
    }
    finish(
        record,
        errors,
        RecordEvent::LabOrder(LabOrdered {
            entry_id: command.entry_id,
            test,
            loinc,
            encounter_id: command.encounter_id,
            amends,
        }),
    )
}

/// Record a laboratory result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLabResult {
    pub entry_id: Uuid,
    pub order_id: Option<Uuid>,
    pub test: String,
    pub loinc: Option<String>,
    pub value: String,
    pub unit: Option<String>,
    pub reference_range: Option<String>,
    pub interpretation: Interpretation,
    pub attachments: Vec<Attachment>,
    pub amends: Option<Correction>,
}

/// The most files one result may reference.
const ATTACHMENTS_MAX: usize = 10;

pub fn decide_lab_result(
    record: Option<&PatientRecord>,
    command: RecordLabResult,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::LabResults, &mut errors)?;
    if let Some(order) = command.order_id {
        if record.entries.get(&order).is_none_or(|entry| entry.section != Section::LabOrders) {
            errors.push(FieldError::rule("/order_id", "no such lab order in this record"));
        }
    }
    let test = text(&command.test, "/test", 2..=120, &mut errors);
    let loinc = optional_loinc(command.loinc.as_deref(), &mut errors);
    let value = text(&command.value, "/value", 1..=200, &mut errors);
    let unit = optional_text(command.unit.as_deref(), "/unit", 1..=30, &mut errors);
    let reference_range = optional_text(command.reference_range.as_deref(), "/reference_range", 1..=60, &mut errors);
    if command.attachments.len() > ATTACHMENTS_MAX {
        errors.push(FieldError::new("/attachments", format!("at most {ATTACHMENTS_MAX} files")));
    }
    let mut attachments = Vec::with_capacity(command.attachments.len());
    for attachment in command.attachments.iter().take(ATTACHMENTS_MAX) {
        let sha256 = attachment.sha256.trim().to_ascii_lowercase();
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            errors.push(FieldError::new("/attachments/sha256", "must be 64 hexadecimal digits (SHA-256)"));
        }
        let media_type = attachment.media_type.trim().to_ascii_lowercase();
        let valid_media = media_type.split_once('/').is_some_and(|(kind, sub)| {
            !kind.is_empty() && !sub.is_empty() && media_type.len() <= 100 && !media_type.contains(char::is_whitespace)
        });
        if !valid_media {
            errors.push(FieldError::rule("/attachments/media_type", "must be a media type such as application/pdf"));
        }
        let name = text(&attachment.name, "/attachments/name", 1..=120, &mut errors);
        attachments.push(Attachment { sha256, media_type, name });
    }
    finish(
        record,
        errors,
        RecordEvent::LabResult(LabResultRecorded {
            entry_id: command.entry_id,
            order_id: command.order_id,
            test,
            loinc,
            value,
            unit,
            reference_range,
            interpretation: command.interpretation,
            attachments,
            amends,
        }),
    )
}
