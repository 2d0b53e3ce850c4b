//! The rules an entry keeps on its own, whoever wrote it: the field rules of docs/ledger-format.md
//! section 2.1 that a typed [`Entry`] does not already guarantee, and the payload rules of section 3.
//! Verification checks them for every entry (section 8.2, steps 1 and 4), from the database and from
//! an export alike, so that a chain re-signed by a key holder cannot carry an entry the ledger itself
//! would never have written.

use crate::canonical::{
    canonical_bytes, check_depth, check_values, CanonicalError, MAX_PAYLOAD_BYTES, MAX_SAFE_INTEGER,
};
use crate::digest::Digest;
use crate::envelope::Entry;
use crate::names::{validate_event_type, validate_stream_id};
use serde_json::value::RawValue;
use serde_json::Value;

/// Checks the fields outside the payload that their types leave open: integers in range, the event id
/// a UUIDv7, the stream id and the event type in their grammar. (Timestamps, hex values, key ids and the
/// role are refused by their types when they are read; UUIDs read from a database have one spelling.)
pub fn check_fields(entry: &Entry) -> Result<(), String> {
    let in_range = |name: &str, value: u64| {
        if (1..=MAX_SAFE_INTEGER).contains(&value) {
            Ok(())
        } else {
            Err(format!("`{name}` is {value}; it must be an integer from 1 to 2^53 - 1"))
        }
    };
    in_range("position", entry.position)?;
    in_range("stream_version", entry.stream_version)?;
    if entry.schema_version == 0 {
        return Err("`schema_version` is 0; it must be at least 1".into());
    }
    let id = entry.event_id;
    if id.get_version_num() != 7 || id.get_variant() != uuid::Variant::RFC4122 {
        return Err(format!("`event_id` {id} is not a UUIDv7"));
    }
    validate_stream_id(&entry.stream_id).map_err(|error| format!("`stream_id`: {error}"))?;
    validate_event_type(&entry.event_type).map_err(|error| format!("`event_type`: {error}"))?;
    Ok(())
}

/// Why a payload cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadFault {
    /// Not a payload of the format: not JSON, not an object, or nested deeper than the limit (step 1).
    Malformed(String),
    /// A payload that breaks the rules that keep its canonical bytes unambiguous and bounded (step 4).
    Uncanonical(CanonicalError),
}

/// The canonical text of a payload read as JSON, after checking it against section 3.
pub fn canonical_payload(value: &Value) -> Result<String, PayloadFault> {
    if !value.is_object() {
        return Err(PayloadFault::Malformed("`payload` must be a JSON object".into()));
    }
    check_depth(value).map_err(|error| PayloadFault::Malformed(error.to_string()))?;
    check_values(value).map_err(PayloadFault::Uncanonical)?;
    let bytes = canonical_bytes(value).map_err(PayloadFault::Uncanonical)?;
    if bytes.len() > MAX_PAYLOAD_BYTES {
        return Err(PayloadFault::Uncanonical(CanonicalError::TooLarge { size: bytes.len() }));
    }
    String::from_utf8(bytes).map_err(|error| PayloadFault::Uncanonical(CanonicalError::Serialize(error.to_string())))
}

/// The hash of an entry read from the database, computed over its payload's canonical form. The
/// ledger stores payloads in that form, so the stored text is hashed as it is; a payload stored in
/// another spelling of the same JSON is hashed in its canonical form, as an exported copy would be.
pub fn stored_payload_hash(entry: &Entry) -> Result<Digest, PayloadFault> {
    let stored = entry.payload.as_str();
    let value = crate::strict_json::parse_without_duplicates(stored)
        .map_err(|error| PayloadFault::Malformed(format!("the payload is not JSON: {error}")))?;
    let canonical = canonical_payload(&value)?;
    let hash = if canonical == stored {
        entry.compute_hash()
    } else {
        let raw = RawValue::from_string(canonical)
            .map_err(|error| PayloadFault::Uncanonical(CanonicalError::Serialize(error.to_string())))?;
        let mut body = entry.body();
        body.payload = &raw;
        body.hash()
    };
    hash.map_err(PayloadFault::Uncanonical)
}
