//! The entry envelope: what the ledger stores for every event, and how its hash and signature are made.
//!
//! `hash = SHA-256(JCS(entry without "hash" and "signature"))`, and `signature = Ed25519(key, hash)`
//! over the 32 raw bytes of the hash. The first entry's `prev_hash` is 64 zeros; every other entry's
//! `prev_hash` is the `hash` of the entry before it. docs/ledger-format.md is the full specification.

use crate::actor::Actor;
use crate::canonical::{canonical_bytes, CanonicalError};
use crate::digest::Digest;
use crate::keys::{KeyId, KeyPair, SignatureBytes};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

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
    pub payload: Value,
    pub prev_hash: Digest,
    pub key_id: KeyId,
    pub hash: Digest,
    pub signature: SignatureBytes,
}

/// The hashed part of an entry: every field but `hash` and `signature`, borrowed.
#[derive(Serialize)]
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
    pub payload: &'a Value,
    pub prev_hash: &'a Digest,
    pub key_id: &'a KeyId,
}

impl<'a> EntryBody<'a> {
    /// The RFC 8785 bytes that are hashed.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, CanonicalError> {
        canonical_bytes(self)
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
        Ok(Entry {
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
            payload: self.payload.clone(),
            prev_hash: *self.prev_hash,
            key_id: self.key_id.clone(),
            hash,
            signature,
        })
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
            payload: &self.payload,
            prev_hash: &self.prev_hash,
            key_id: &self.key_id,
        }
    }

    /// Recomputes the hash from the stored fields (not the stored `hash`).
    pub fn compute_hash(&self) -> Result<Digest, CanonicalError> {
        self.body().hash()
    }
}
