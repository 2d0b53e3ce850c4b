//! The entry envelope: what the ledger stores for every event, and how its hash and signature are made.
//!
//! `hash = SHA-256(JCS(entry without "hash" and "signature"))`, and `signature = Ed25519(key, hash)`
//! over the 32 raw bytes of the hash. The first entry's `prev_hash` is 64 zeros; every other entry's
//! `prev_hash` is the `hash` of the entry before it. docs/ledger-format.md is the full specification.
//!
//! Producing those canonical bytes is the hot path of both appending and verifying, so it avoids
//! canonicalising what is already canonical. The payload is kept as its RFC 8785 text from the moment
//! it is accepted (the canonicaliser crate made it), and the envelope around it has a fixed set of
//! ASCII keys and values that are strings, small integers and `null`: serialising [`CanonicalBody`],
//! whose fields are declared in RFC 8785 key order, with `serde_json`'s compact writer yields exactly
//! the RFC 8785 bytes. `tests::fast_canonical_form_equals_rfc_8785` checks that equality against the
//! canonicaliser crate on entries with every kind of character in their strings.

use crate::actor::Actor;
use crate::canonical::CanonicalError;
use crate::digest::Digest;
use crate::keys::{KeyId, KeyPair, SignatureBytes};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};
use std::fmt;
use uuid::Uuid;

/// An event payload exactly as stored: a JSON object in its RFC 8785 canonical text.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Payload(Box<RawValue>);

impl Payload {
    /// Wraps text that the canonicaliser produced (see [`crate::CanonicalPayload`]).
    pub fn from_canonical(text: String) -> Result<Self, CanonicalError> {
        RawValue::from_string(text).map(Self).map_err(|error| CanonicalError::Serialize(error.to_string()))
    }

    /// The stored text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    pub fn as_raw(&self) -> &RawValue {
        &self.0
    }

    /// The payload parsed into a JSON value.
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Payloads hold medical data: debug output says how big one is, never what it says.
        write!(f, "Payload({} bytes)", self.as_str().len())
    }
}

/// One entry of the ledger, exactly as stored and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Gap-free, 1-based, in commit order across the whole ledger.
    pub position: u64,
    /// A UUIDv7, unique across the ledger.
    pub event_id: Uuid,
    pub stream_id: String,
    /// 1-based, gap-free within the stream.
    pub stream_version: u64,
    pub event_type: String,
    pub schema_version: u32,
    /// When the fact happened, as the author states it.
    pub occurred_at: Timestamp,
    /// When the ledger committed it.
    pub recorded_at: Timestamp,
    pub actor: Actor,
    /// The command that produced this entry; retrying a command id returns the first result.
    pub command_id: Uuid,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub payload: Payload,
    pub prev_hash: Digest,
    pub key_id: KeyId,
    pub hash: Digest,
    pub signature: SignatureBytes,
}

/// The hashed part of an entry: every field but `hash` and `signature`, borrowed.
#[derive(Clone, Serialize)]
pub struct EntryBody<'a> {
    pub position: u64,
    pub event_id: &'a Uuid,
    pub stream_id: &'a str,
    pub stream_version: u64,
    pub event_type: &'a str,
    pub schema_version: u32,
    pub occurred_at: &'a Timestamp,
    pub recorded_at: &'a Timestamp,
    pub actor: &'a Actor,
    pub command_id: &'a Uuid,
    pub correlation_id: &'a Uuid,
    pub causation_id: &'a Option<Uuid>,
    pub payload: &'a RawValue,
    pub prev_hash: Digest,
    pub key_id: &'a KeyId,
}

impl<'a> EntryBody<'a> {
    /// The RFC 8785 bytes that are hashed (given a canonical payload text).
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        let body = CanonicalBody {
            actor: CanonicalActor {
                account_id: &self.actor.account_id,
                facility_id: &self.actor.facility_id,
                role: self.actor.role,
            },
            causation_id: self.causation_id,
            command_id: self.command_id,
            correlation_id: self.correlation_id,
            event_id: self.event_id,
            event_type: self.event_type,
            key_id: self.key_id,
            occurred_at: self.occurred_at,
            payload: self.payload,
            position: self.position,
            prev_hash: self.prev_hash,
            recorded_at: self.recorded_at,
            schema_version: self.schema_version,
            stream_id: self.stream_id,
            stream_version: self.stream_version,
        };
        let mut bytes = Vec::with_capacity(512 + self.payload.get().len());
        serde_json::to_writer(&mut bytes, &body).map_err(|error| CanonicalError::Serialize(error.to_string()))?;
        Ok(bytes)
    }

    /// SHA-256 over the canonical bytes.
    pub fn hash(&self) -> Result<Digest, CanonicalError> {
        let bytes = self.canonical_bytes()?;
        Ok(Digest::from_bytes(Sha256::digest(&bytes).into()))
    }

    /// Hashes and signs the body, producing the stored entry.
    pub fn seal(self, key: &KeyPair) -> Result<Entry, CanonicalError> {
        let hash = self.hash()?;
        let signature = key.sign_hash(&hash);
        Ok(self.into_entry(hash, signature))
    }

    /// The stored entry, given this body's hash and the signature over it (computed separately when
    /// many entries are signed in parallel).
    pub fn into_entry(self, hash: Digest, signature: SignatureBytes) -> Entry {
        Entry {
            position: self.position,
            event_id: *self.event_id,
            stream_id: self.stream_id.to_owned(),
            stream_version: self.stream_version,
            event_type: self.event_type.to_owned(),
            schema_version: self.schema_version,
            occurred_at: *self.occurred_at,
            recorded_at: *self.recorded_at,
            actor: self.actor.clone(),
            command_id: *self.command_id,
            correlation_id: *self.correlation_id,
            causation_id: *self.causation_id,
            payload: Payload(self.payload.to_owned()),
            prev_hash: self.prev_hash,
            key_id: self.key_id.clone(),
            hash,
            signature,
        }
    }
}

impl Entry {
    /// The hashed part of this entry.
    pub fn body(&self) -> EntryBody<'_> {
        EntryBody {
            position: self.position,
            event_id: &self.event_id,
            stream_id: &self.stream_id,
            stream_version: self.stream_version,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            occurred_at: &self.occurred_at,
            recorded_at: &self.recorded_at,
            actor: &self.actor,
            command_id: &self.command_id,
            correlation_id: &self.correlation_id,
            causation_id: &self.causation_id,
            payload: self.payload.as_raw(),
            prev_hash: self.prev_hash,
            key_id: &self.key_id,
        }
    }

    /// Recomputes the hash from the stored fields (not the stored `hash`).
    pub fn compute_hash(&self) -> Result<Digest, CanonicalError> {
        self.body().hash()
    }
}

/// The hashed fields in RFC 8785 key order (UTF-16 code unit order; every key is ASCII). Serialised by
/// `serde_json`'s compact writer this is byte for byte the RFC 8785 form, because every value is a
/// string (escaped as RFC 8785 escapes: `\"`, `\\`, the short forms `\b \t \n \f \r`, and `\u00xx`
/// in lower-case hex for other control characters), an integer below 2^53 (printed the same either way),
/// `null`, or the payload's already-canonical text.
#[derive(Serialize)]
struct CanonicalBody<'a> {
    actor: CanonicalActor<'a>,
    causation_id: &'a Option<Uuid>,
    command_id: &'a Uuid,
    correlation_id: &'a Uuid,
    event_id: &'a Uuid,
    event_type: &'a str,
    key_id: &'a KeyId,
    occurred_at: &'a Timestamp,
    payload: &'a RawValue,
    position: u64,
    prev_hash: Digest,
    recorded_at: &'a Timestamp,
    schema_version: u32,
    stream_id: &'a str,
    stream_version: u64,
}

#[derive(Serialize)]
struct CanonicalActor<'a> {
    account_id: &'a Uuid,
    facility_id: &'a Option<Uuid>,
    role: crate::actor::Role,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;
    use crate::canonical::canonical_bytes;
    use crate::keys::KeyPair;
    use crate::CanonicalPayload;

    fn strings() -> Vec<String> {
        let mut all: Vec<String> = (0u32..0x80).filter_map(char::from_u32).map(|c| format!("a{c}b")).collect();
        all.extend(
            ["é", "Ngaoundéré", "\u{2028}\u{2029}", "😀", "\u{7f}\u{80}\u{fffd}\u{10fffd}", "</script>", ""]
                .map(String::from),
        );
        all
    }

    #[test]
    fn fast_canonical_form_equals_rfc_8785() {
        let key = KeyPair::generate(&mut rand_core::OsRng);
        let roles = [Role::Patient, Role::Doctor, Role::LabTechnician, Role::System];
        for (index, text) in strings().iter().enumerate() {
            let payload = CanonicalPayload::from_value(serde_json::json!({
                "text": text, "n": index, "x": 1.5e-7, "nested": {"b": [true, null], "a": text}, text.clone(): 1
            }))
            .unwrap();
            let payload = Payload::from_canonical(payload.canonical).unwrap();
            let actor = Actor {
                account_id: Uuid::now_v7(),
                role: roles[index % roles.len()],
                facility_id: (index % 2 == 0).then(Uuid::now_v7),
            };
            let stamp = Timestamp::from_datetime(chrono::Utc::now());
            let (event_id, command_id) = (Uuid::now_v7(), Uuid::now_v7());
            let causation = (index % 3 == 0).then(Uuid::now_v7);
            let body = EntryBody {
                position: 9_007_199_254_740_991 - index as u64,
                event_id: &event_id,
                stream_id: text,
                stream_version: index as u64 + 1,
                event_type: text,
                schema_version: u32::MAX,
                occurred_at: &stamp,
                recorded_at: &stamp,
                actor: &actor,
                command_id: &command_id,
                correlation_id: &command_id,
                causation_id: &causation,
                payload: payload.as_raw(),
                prev_hash: Digest::ZERO,
                key_id: key.id(),
            };
            let entry = body.seal(&key).unwrap();
            let mut reference = serde_json::to_value(&entry).unwrap();
            let object = reference.as_object_mut().unwrap();
            object.remove("hash");
            object.remove("signature");
            let expected = canonical_bytes(&reference).unwrap();
            let fast = entry.body().canonical_bytes().unwrap();
            assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(expected).unwrap(), "string {text:?}");
        }
    }
}
