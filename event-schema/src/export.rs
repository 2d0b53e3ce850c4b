//! Reading one line of a JSON Lines export (docs/ledger-format.md section 2) into an entry, refusing
//! anything that is not exactly an entry of the format.
//!
//! Every value outside the payload has one valid spelling (lower-case hex and UUIDs, one timestamp
//! form, integers without fraction or exponent), and `null` members are present, never omitted. A line
//! keeping to that is hashed by the crate's fast canonical form ([`Entry::compute_hash`]), which for
//! such values is byte for byte RFC 8785 over the line's object; the payload is canonicalised from the
//! line's own JSON. A line that spells a value otherwise is malformed, whether or not its hash was
//! computed over that spelling: a key holder cannot make a second spelling of an entry verify.

use crate::envelope::{Entry, Payload};
use crate::rules::{canonical_payload, check_fields, PayloadFault};
use crate::verify::Checked;
use serde_json::{Map, Value};

/// The members of an exported entry, in the order the exporter writes them.
pub const ENTRY_MEMBERS: [&str; 17] = [
    "position",
    "event_id",
    "stream_id",
    "stream_version",
    "event_type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "actor",
    "command_id",
    "correlation_id",
    "causation_id",
    "payload",
    "prev_hash",
    "key_id",
    "hash",
    "signature",
];

/// The members of an entry's `actor`.
pub const ACTOR_MEMBERS: [&str; 3] = ["account_id", "role", "facility_id"];

/// One line of an export, read: the entry if the line holds one, and what the checks that need no
/// other entry found (see [`crate::ChainVerifier::verify_exported`]).
#[derive(Debug, Clone)]
pub struct ExportedLine {
    pub(crate) entry: Option<Entry>,
    pub(crate) checked: Checked,
}

impl ExportedLine {
    /// The entry the line holds, if it holds one.
    pub fn entry(&self) -> Option<&Entry> {
        self.entry.as_ref()
    }
}

/// Reads one line of an export, without its line ending (a line feed, or a carriage return and a line
/// feed: the carriage return is JSON whitespace and may be left on).
pub fn read_line(line: &[u8]) -> ExportedLine {
    match parse(line) {
        Ok((entry, checked)) => ExportedLine { entry: Some(entry), checked },
        Err(reason) => ExportedLine { entry: None, checked: Checked::malformed(reason) },
    }
}

/// Whether a line holds nothing but JSON whitespace, and is skipped.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n'))
}

fn parse(line: &[u8]) -> Result<(Entry, Checked), String> {
    let text = std::str::from_utf8(line)
        .map_err(|error| format!("not UTF-8 text (invalid byte at column {})", error.valid_up_to() + 1))?;
    let value = crate::strict_json::parse_without_duplicates(text).map_err(|error| format!("not JSON: {error}"))?;
    let Value::Object(mut object) = value else {
        return Err("not a JSON object".into());
    };
    exact_members(&object, &ENTRY_MEMBERS, "")?;
    if let Some(Value::Object(actor)) = object.get("actor") {
        exact_members(actor, &ACTOR_MEMBERS, "actor.")?;
        for name in ["account_id", "facility_id"] {
            lower_case_uuid(actor, name, "actor.")?;
        }
    }
    for name in ["event_id", "command_id", "correlation_id", "causation_id"] {
        lower_case_uuid(&object, name, "")?;
    }

    // The payload is checked and canonicalised from the line's JSON; its place in the object is held
    // by an empty object while the rest is read into an entry.
    let payload = object.insert("payload".into(), Value::Object(Map::new())).unwrap_or(Value::Null);
    let canonical = match canonical_payload(&payload) {
        Ok(canonical) => Ok(canonical),
        Err(PayloadFault::Malformed(reason)) => return Err(reason),
        Err(PayloadFault::Uncanonical(error)) => Err(error),
    };
    let mut entry: Entry =
        serde_path_to_error::deserialize(Value::Object(object)).map_err(|error| match error.path().to_string() {
            path if path == "." => error.inner().to_string(),
            path => format!("`{path}`: {}", error.inner()),
        })?;
    check_fields(&entry)?;
    let checked = match canonical {
        Ok(canonical) => match Payload::from_canonical(canonical) {
            Ok(payload) => {
                entry.payload = payload;
                Checked::hashed(&entry, entry.compute_hash())
            }
            Err(error) => Checked::uncanonical(error),
        },
        Err(error) => Checked::uncanonical(error),
    };
    Ok((entry, checked))
}

/// Refuses an object that lacks one of `members` or has any other.
fn exact_members(object: &Map<String, Value>, members: &[&str], prefix: &str) -> Result<(), String> {
    if let Some(missing) = members.iter().find(|name| !object.contains_key(**name)) {
        return Err(format!("the member `{prefix}{missing}` is missing (a null member is written, never omitted)"));
    }
    if let Some(unknown) = object.keys().find(|name| !members.contains(&name.as_str())) {
        return Err(format!("unknown member `{prefix}{}`", shorten(unknown)));
    }
    Ok(())
}

/// Refuses a UUID spelled otherwise than in lower case with hyphens (other spellings would read as
/// the same UUID). Values of another type are left for the entry's reader to refuse.
fn lower_case_uuid(object: &Map<String, Value>, name: &str, prefix: &str) -> Result<(), String> {
    let Some(Value::String(text)) = object.get(name) else { return Ok(()) };
    let canonical = text.len() == 36
        && text.bytes().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => matches!(byte, b'0'..=b'9' | b'a'..=b'f'),
        });
    if canonical {
        Ok(())
    } else {
        Err(format!("`{prefix}{name}` is not a UUID written in lower case with hyphens: `{}`", shorten(text)))
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(64).map(|c| if c.is_control() { '?' } else { c }).collect()
}
