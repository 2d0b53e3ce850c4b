//! Chain verification: replays entries in order and names the first one that is not what the ledger
//! wrote.
//!
//! Hashes are recomputed in parallel, links and the key registry are checked in order (cheap), and
//! signatures are checked in parallel with Ed25519 batch verification; when a batch fails, each of its
//! signatures is checked alone with `verify_strict` to name the bad entry. Whatever the order in which
//! the work is done, the failure reported is the one at the lowest position.

use crate::canonical::{canonical_bytes, check_i_json, CanonicalError};
use crate::digest::Digest;
use crate::envelope::Entry;
use crate::keys::KeyId;
use crate::registry::KeyRegistry;
use ed25519_dalek::VerifyingKey;
use rayon::prelude::*;
use sha2::Digest as _;
use std::fmt;

/// How many signatures one batch verification covers: larger batches amortise better (measured here:
/// 148,000/s at 128, 187,000/s at 1,024 on two cores), and a failing batch costs 1,024 single checks.
pub const SIGNATURE_BATCH: usize = 1_024;

/// Why an entry fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureReason {
    /// An entry is missing: the positions jump.
    Gap { expected: u64, found: u64 },
    /// `prev_hash` is not the hash of the entry before.
    BrokenLink { expected: Digest, found: Digest },
    /// The stored hash is not the hash of the stored fields: something was changed.
    HashMismatch { stored: Digest, computed: Digest },
    /// The fields cannot be canonicalised (for example a number outside I-JSON).
    Uncanonical { reason: String },
    /// The signature does not verify with the key that must have made it.
    BadSignature { key_id: KeyId },
    /// Signed by a key the registry does not know.
    UnknownKey { key_id: KeyId },
    /// Signed by a node key after the entry that revoked it.
    RevokedKey { key_id: KeyId, revoked_at: u64 },
    /// Position 1 is not a genesis entry.
    MissingGenesis,
    /// The genesis entry names another root key than the one given to the verifier.
    WrongRootKey,
    /// The root key signed something other than a key registry event.
    RootKeyMisuse,
    /// A key registry event signed by a node key.
    RegistryEventNotRootSigned,
    /// A key registry event that makes no sense (bad key, double registration, unknown key revoked).
    InvalidKeyEvent { reason: String },
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Gap { expected, found } => {
                write!(f, "gap: expected position {expected}, found {found}")
            }
            Self::BrokenLink { expected, found } => {
                write!(f, "broken link: prev_hash is {found}, the previous entry's hash is {expected}")
            }
            Self::HashMismatch { stored, computed } => {
                write!(f, "hash mismatch: stored {stored}, computed from the fields {computed}")
            }
            Self::Uncanonical { reason } => write!(f, "entry cannot be canonicalised: {reason}"),
            Self::BadSignature { key_id } => write!(f, "bad signature for key {key_id}"),
            Self::UnknownKey { key_id } => write!(f, "signed by unknown key {key_id}"),
            Self::RevokedKey { key_id, revoked_at } => {
                write!(f, "signed by key {key_id}, revoked at position {revoked_at}")
            }
            Self::MissingGenesis => f.write_str("the ledger does not start with a genesis entry"),
            Self::WrongRootKey => f.write_str("the genesis entry names a different root key"),
            Self::RootKeyMisuse => f.write_str("the root key signed an entry outside the key registry"),
            Self::RegistryEventNotRootSigned => f.write_str("a key registry event is not signed by the root key"),
            Self::InvalidKeyEvent { reason } => write!(f, "invalid key registry event: {reason}"),
        }
    }
}

/// The first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("position {position}: {reason}")]
pub struct VerifyFailure {
    pub position: u64,
    pub reason: FailureReason,
}

/// What a successful verification proved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifySummary {
    pub entries: u64,
    pub head_position: u64,
    pub head_hash: Digest,
    pub node_keys: usize,
}

/// Verifies a ledger fed to it in order, in runs of any length.
pub struct ChainVerifier {
    registry: KeyRegistry,
    next_position: u64,
    prev_hash: Digest,
}

impl ChainVerifier {
    /// A verifier trusting only `root`.
    pub fn new(root: VerifyingKey) -> Self {
        Self { registry: KeyRegistry::new(root), next_position: 1, prev_hash: Digest::ZERO }
    }

    /// Checks the next run of entries. After an error the verifier must not be fed again.
    pub fn verify(&mut self, entries: &[Entry]) -> Result<(), VerifyFailure> {
        let computed: Vec<_> = entries.par_iter().map(content_hash).collect();
        self.verify_hashed(entries, computed)
    }

    /// Checks the next run of entries whose content hashes were computed by the caller, for example
    /// from the exact JSON of an exported line (see [`raw_entry_hash`]).
    pub fn verify_hashed(
        &mut self,
        entries: &[Entry],
        computed: Vec<Result<Digest, CanonicalError>>,
    ) -> Result<(), VerifyFailure> {
        // In order: positions, links, hashes and who may sign. Stops at the first failure, but the
        // signatures before it must still be checked, since one of them may fail first.
        let mut signers: Vec<VerifyingKey> = Vec::with_capacity(entries.len());
        let mut sequential_failure = None;
        for (entry, computed) in entries.iter().zip(computed) {
            match self.check_in_order(entry, computed) {
                Ok(signer) => signers.push(signer),
                Err(reason) => {
                    // A gap is reported at the missing position, the first one that is not right.
                    let position = match reason {
                        FailureReason::Gap { expected, .. } => expected,
                        _ => entry.position,
                    };
                    sequential_failure = Some(VerifyFailure { position, reason });
                    break;
                }
            }
        }

        let checked = &entries[..signers.len()];
        if let Some(failure) = first_bad_signature(checked, &signers) {
            return Err(failure);
        }
        match sequential_failure {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    fn check_in_order(
        &mut self,
        entry: &Entry,
        computed: Result<Digest, CanonicalError>,
    ) -> Result<VerifyingKey, FailureReason> {
        if entry.position != self.next_position {
            return Err(FailureReason::Gap { expected: self.next_position, found: entry.position });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(FailureReason::BrokenLink { expected: self.prev_hash, found: entry.prev_hash });
        }
        let computed = computed.map_err(|error| FailureReason::Uncanonical { reason: error.to_string() })?;
        if computed != entry.hash {
            return Err(FailureReason::HashMismatch { stored: entry.hash, computed });
        }
        let signer = self.registry.signer_for(entry)?;
        self.registry.apply(entry)?;
        self.next_position += 1;
        self.prev_hash = entry.hash;
        Ok(signer)
    }

    /// Ends verification: an empty ledger has no genesis and does not verify.
    pub fn finish(self) -> Result<VerifySummary, VerifyFailure> {
        if self.next_position == 1 {
            return Err(VerifyFailure { position: 1, reason: FailureReason::MissingGenesis });
        }
        Ok(VerifySummary {
            entries: self.next_position - 1,
            head_position: self.next_position - 1,
            head_hash: self.prev_hash,
            node_keys: self.registry.node_keys().count(),
        })
    }
}

/// An entry's hash recomputed from its stored fields.
fn content_hash(entry: &Entry) -> Result<Digest, CanonicalError> {
    entry.compute_hash()
}

/// The hash of an entry exactly as a JSON object (for example one line of an export): the canonical
/// bytes of the object without its `hash` and `signature` members. Hashing the object as given, not a
/// re-serialisation of its parsed fields, means a member spelled differently (an upper-case UUID, a
/// missing `null`) is caught as a hash mismatch here just as it would be by any other verifier.
pub fn raw_entry_hash(object: &serde_json::Map<String, serde_json::Value>) -> Result<Digest, CanonicalError> {
    if let Some(payload) = object.get("payload") {
        check_i_json(payload)?;
    }
    let mut body = object.clone();
    body.remove("hash");
    body.remove("signature");
    let bytes = canonical_bytes(&body)?;
    Ok(Digest::from_bytes(sha2::Sha256::digest(&bytes).into()))
}

/// The lowest-positioned entry whose signature fails, if any.
fn first_bad_signature(entries: &[Entry], signers: &[VerifyingKey]) -> Option<VerifyFailure> {
    entries
        .par_chunks(SIGNATURE_BATCH)
        .zip(signers.par_chunks(SIGNATURE_BATCH))
        .filter_map(|(entries, signers)| {
            let messages: Vec<&[u8]> = entries.iter().map(|entry| entry.hash.as_bytes().as_slice()).collect();
            let signatures: Vec<_> = entries.iter().map(|entry| entry.signature.0).collect();
            if ed25519_dalek::verify_batch(&messages, &signatures, signers).is_ok() {
                return None;
            }
            entries.iter().zip(signers).find_map(|(entry, signer)| {
                let good = crate::keys::verify_strict(signer, &entry.hash, &entry.signature);
                (!good).then(|| VerifyFailure {
                    position: entry.position,
                    reason: FailureReason::BadSignature { key_id: entry.key_id.clone() },
                })
            })
        })
        .min_by_key(|failure| failure.position)
}

/// Checks one entry's signature alone (used where a batch is not worth it).
pub fn verify_entry_signature(key: &VerifyingKey, entry: &Entry) -> bool {
    crate::keys::verify_strict(key, &entry.hash, &entry.signature)
}
