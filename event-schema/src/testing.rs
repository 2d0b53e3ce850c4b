//! Material for the tests of verifiers (this crate's, the ledger's and the command line's): signatures
//! that no honest signer makes, and small chains that break one rule while being hashed and signed as
//! the ledger would. Each needs the private key: they show what a key holder could slip past a lax
//! verifier, not a forgery.

use crate::actor::{Actor, Role};
use crate::catalog::EventPayload;
use crate::digest::Digest;
use crate::envelope::{Entry, EntryBody};
use crate::keys::{public_key_hex, KeyPair, SignatureBytes};
use crate::ledger_events::{LedgerGenesis, NodeKeyRegistered, KEY_STREAM};
use crate::timestamp::Timestamp;
use crate::CanonicalPayload;
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::Signature;
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha512};
use uuid::Uuid;

/// `k = SHA-512(R ‖ A ‖ message) mod L`, the challenge of RFC 8032.
fn challenge(r: &[u8; 32], key: &KeyPair, hash: &Digest) -> Scalar {
    let digest = Sha512::new().chain_update(r).chain_update(key.public_key().as_bytes()).chain_update(hash.as_bytes());
    Scalar::from_bytes_mod_order_wide(&digest.finalize().into())
}

/// A signature whose `R` is the identity point and `S = k·a`: the cofactorless equation
/// `[S]B − [k]A = R` holds, so a verifier that does not refuse a small-order `R` accepts it as a
/// second valid signature of the same hash.
pub fn small_order_r_signature(key: &KeyPair, hash: &Digest) -> SignatureBytes {
    // The identity point (0, 1): y = 1.
    let mut r = [0u8; 32];
    r[0] = 1;
    let s = challenge(&r, key, hash) * key.signing_key().to_scalar();
    SignatureBytes(Signature::from_components(r, s.to_bytes()))
}

/// A signature whose `R` is `[r]B + T`, with `T` the point of order 2, and `S = r + k·a`. The equation
/// for this signature alone fails by `T`; a batch check multiplies each equation by a random scalar
/// and so misses `T` whenever that scalar is even. `nonce` chooses `r`, so that a test can try several.
pub fn torsion_r_signature(key: &KeyPair, hash: &Digest, nonce: u64) -> SignatureBytes {
    let r = Scalar::from(nonce.wrapping_add(7)) * Scalar::from_bytes_mod_order([0x5a; 32]);
    // The point (0, −1), of order 2: y = p − 1 = 2^255 − 20.
    let mut order_two = [0xffu8; 32];
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    let torsion = CompressedEdwardsY(order_two).decompress().unwrap_or_default();
    let big_r = (r * ED25519_BASEPOINT_POINT + torsion).compress().to_bytes();
    let s = r + challenge(&big_r, key, hash) * key.signing_key().to_scalar();
    SignatureBytes(Signature::from_components(big_r, s.to_bytes()))
}

/// A small ledger built for tests of verifiers: genesis and one node key registered (root-signed),
/// then entries signed by the node key. Each entry is drafted with the next valid values, which a test
/// may change before it is sealed, so that a chain breaking one rule is otherwise hashed and signed as
/// the ledger would.
pub struct TestChain {
    root: KeyPair,
    node: KeyPair,
    entries: Vec<Entry>,
    versions: std::collections::HashMap<String, u64>,
}

/// The fields of the next entry, before it is sealed. `payload` is the stored JSON text, as it is.
#[derive(Debug, Clone)]
pub struct Draft {
    pub position: u64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_version: u64,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: String,
    pub prev_hash: Digest,
}

impl Default for TestChain {
    fn default() -> Self {
        Self::new()
    }
}

impl TestChain {
    /// Genesis and a node key's registration, positions 1 and 2.
    pub fn new() -> Self {
        let mut chain = Self {
            root: KeyPair::generate(&mut rand_core::OsRng),
            node: KeyPair::generate(&mut rand_core::OsRng),
            entries: Vec::new(),
            versions: std::collections::HashMap::new(),
        };
        let genesis = LedgerGenesis {
            ledger_id: Uuid::now_v7(),
            root_key_id: chain.root.id().clone(),
            root_public_key: public_key_hex(&chain.root.public_key()),
        };
        let registered = NodeKeyRegistered {
            key_id: chain.node.id().clone(),
            public_key: public_key_hex(&chain.node.public_key()),
            node_name: "test-node".into(),
        };
        for (event_type, payload) in [
            (LedgerGenesis::EVENT_TYPE, CanonicalPayload::from_typed(&genesis)),
            (NodeKeyRegistered::EVENT_TYPE, CanonicalPayload::from_typed(&registered)),
        ] {
            let payload = payload.map(|payload| payload.canonical).unwrap_or_default();
            chain.push_signed_by(true, |draft| {
                draft.stream_id = KEY_STREAM.into();
                draft.event_type = event_type.into();
                draft.payload = payload;
            });
        }
        chain
    }

    pub fn root(&self) -> &KeyPair {
        &self.root
    }

    pub fn node(&self) -> &KeyPair {
        &self.node
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Appends a note to `stream_id`, signed by the node key.
    pub fn note(&mut self, stream_id: &str) -> &Entry {
        let stream_id = stream_id.to_owned();
        self.push(|draft| draft.stream_id = stream_id)
    }

    /// Appends an entry signed by the node key, drafted with the next valid values (a note in the
    /// stream `patient:test`) and then changed by `edit`.
    pub fn push(&mut self, edit: impl FnOnce(&mut Draft)) -> &Entry {
        self.push_signed_by(false, edit)
    }

    fn push_signed_by(&mut self, root: bool, edit: impl FnOnce(&mut Draft)) -> &Entry {
        let mut draft = Draft {
            position: self.entries.len() as u64 + 1,
            event_id: Uuid::now_v7(),
            stream_id: "patient:test".into(),
            stream_version: 0,
            event_type: "test.note_added".into(),
            schema_version: 1,
            payload: r#"{"text":"a note"}"#.into(),
            prev_hash: self.entries.last().map_or(Digest::ZERO, |entry| entry.hash),
        };
        edit(&mut draft);
        if draft.stream_version == 0 {
            draft.stream_version = self.versions.get(&draft.stream_id).map_or(1, |last| last + 1);
        }
        self.versions.insert(draft.stream_id.clone(), draft.stream_version);
        let key = if root { &self.root } else { &self.node };
        let actor = if root {
            Actor::system()
        } else {
            Actor { account_id: Uuid::now_v7(), role: Role::Doctor, facility_id: Some(Uuid::now_v7()) }
        };
        let stamp = Timestamp::from_datetime(chrono::Utc::now());
        let command_id = Uuid::now_v7();
        // The payload is kept as written, whatever it is (text that is not JSON at all becomes `null`).
        let payload = RawValue::from_string(draft.payload.clone()).unwrap_or_else(|_| RawValue::NULL.to_owned());
        let body = EntryBody {
            position: draft.position,
            event_id: &draft.event_id,
            stream_id: &draft.stream_id,
            stream_version: draft.stream_version,
            event_type: &draft.event_type,
            schema_version: draft.schema_version,
            occurred_at: &stamp,
            recorded_at: &stamp,
            actor: &actor,
            command_id: &command_id,
            correlation_id: &command_id,
            causation_id: &None,
            payload: &payload,
            prev_hash: draft.prev_hash,
            key_id: key.id(),
        };
        let hash = body.hash().unwrap_or(Digest::ZERO);
        let signature = key.sign_hash(&hash);
        self.entries.push(body.into_entry(hash, signature));
        &self.entries[self.entries.len() - 1]
    }

    /// Replaces the last entry's signature.
    pub fn resign_last(&mut self, sign: impl FnOnce(&KeyPair, &Digest) -> SignatureBytes) {
        if let Some(last) = self.entries.last_mut() {
            last.signature = sign(&self.node, &last.hash);
        }
    }

    /// The export of the chain: one line per entry, each followed by a line feed.
    pub fn export(&self) -> String {
        self.entries.iter().filter_map(|entry| serde_json::to_string(entry).ok()).map(|line| line + "\n").collect()
    }
}

/// Re-hashes and re-signs an exported line as written, with `key`: the RFC 8785 bytes of the line's
/// object without `hash` and `signature`, as a verifier that only hashes what it reads would. A key
/// holder can do this to any line; the result shows whether a verifier still refuses what the line
/// spells wrongly.
pub fn reseal_line(line: &str, key: &KeyPair) -> String {
    let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str::<serde_json::Value>(line) else {
        return line.to_owned();
    };
    object.remove("hash");
    object.remove("signature");
    let Ok(bytes) = crate::canonical::canonical_bytes(&object) else { return line.to_owned() };
    let hash = Digest::from_bytes(sha2::Sha256::digest(&bytes).into());
    object.insert("hash".into(), hash.to_string().into());
    object.insert("signature".into(), String::from(key.sign_hash(&hash)).into());
    serde_json::Value::Object(object).to_string()
}
