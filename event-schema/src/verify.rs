//! Chain verification: replays entries in order and names the first one that is not what the ledger
//! wrote, following docs/ledger-format.md section 8.2 step by step.
//!
//! The checks that need no other entry (the entry's fields and payload, its recomputed hash) run in
//! parallel first ([`Checked`]); then positions, links, stream versions, event ids and who may sign are
//! checked in order (cheap); then the signatures, in parallel, each one strictly (see
//! [`crate::keys::verify_strict`] for why not in batches). Whatever the order in which the work is done,
//! the failure reported is the one the sequential algorithm of the specification reports: the lowest
//! position, and for that entry the first step that fails.
//!
//! Memory: the verifier remembers each stream's last version (keyed by the SHA-256 of the stream id,
//! about 50 to 90 bytes a stream with the table's overhead) and every event id seen (16 bytes, about 20
//! to 40 an entry with the overhead): for a national ledger of 50 million entries in 10 million streams,
//! under 3 GB in the worst case; for 5 million entries in a million streams, under 300 MB.

use crate::canonical::CanonicalError;
use crate::digest::Digest;
use crate::envelope::Entry;
use crate::keys::KeyId;
use crate::registry::KeyRegistry;
use ed25519_dalek::VerifyingKey;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fmt;
use uuid::Uuid;

/// Why an entry fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureReason {
    /// Not an entry of the format (docs/ledger-format.md section 2): a field is missing, of the wrong
    /// type or not in its one valid spelling, or the text is not JSON at all.
    Malformed { reason: String },
    /// An entry is missing: the positions jump.
    Gap { expected: u64, found: u64 },
    /// `prev_hash` is not the hash of the entry before.
    BrokenLink { expected: Digest, found: Digest },
    /// The stored hash is not the hash of the stored fields: something was changed.
    HashMismatch { stored: Digest, computed: Digest },
    /// The fields cannot be canonicalised (for example a number outside I-JSON).
    Uncanonical { reason: String },
    /// The entry's stream version does not follow the stream's previous entry (or is not 1 for a
    /// stream's first entry).
    StreamVersion { stream_id: String, expected: u64, found: u64 },
    /// An earlier entry has the same event id.
    DuplicateEventId { event_id: Uuid },
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
            Self::Malformed { reason } => write!(f, "malformed entry: {reason}"),
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
            Self::StreamVersion { stream_id, expected, found } => {
                write!(f, "stream version: expected version {expected} of stream {stream_id}, found {found}")
            }
            Self::DuplicateEventId { event_id } => write!(f, "duplicate event id {event_id}: an earlier entry has it"),
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

/// What the checks that need no other entry found about one entry (steps 1, 4 and 5 of the
/// specification's algorithm, the costly ones), computed in parallel before the checks in order.
#[derive(Debug, Clone)]
pub struct Checked(Verdict);

#[derive(Debug, Clone)]
enum Verdict {
    /// Step 1 fails: not an entry of the format.
    Malformed(String),
    /// Step 4 fails: the payload breaks the rules that make its canonical bytes unambiguous.
    Uncanonical(CanonicalError),
    /// The hash recomputed from the entry, and the key its stream's version is remembered under.
    Hashed { hash: Digest, stream_key: [u8; 32] },
}

impl Checked {
    /// The checks of an entry read from the database.
    pub fn stored(entry: &Entry) -> Self {
        if let Err(reason) = crate::rules::check_fields(entry) {
            return Self(Verdict::Malformed(reason));
        }
        match crate::rules::stored_payload_hash(entry) {
            Ok(hash) => Self::hashed(entry, Ok(hash)),
            Err(crate::rules::PayloadFault::Malformed(reason)) => Self(Verdict::Malformed(reason)),
            Err(crate::rules::PayloadFault::Uncanonical(error)) => Self(Verdict::Uncanonical(error)),
        }
    }

    pub(crate) fn malformed(reason: String) -> Self {
        Self(Verdict::Malformed(reason))
    }

    pub(crate) fn uncanonical(error: CanonicalError) -> Self {
        Self(Verdict::Uncanonical(error))
    }

    pub(crate) fn hashed(entry: &Entry, hash: Result<Digest, CanonicalError>) -> Self {
        match hash {
            Ok(hash) => Self(Verdict::Hashed { hash, stream_key: stream_key(&entry.stream_id) }),
            Err(error) => Self(Verdict::Uncanonical(error)),
        }
    }
}

/// The key a stream's last version is remembered under: the SHA-256 of its id, 32 bytes however long
/// the id, and no two ids share one.
fn stream_key(stream_id: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(stream_id.as_bytes()).into()
}

/// Verifies a ledger fed to it in order, in runs of any length.
pub struct ChainVerifier {
    registry: KeyRegistry,
    next_position: u64,
    prev_hash: Digest,
    /// Each stream's last version, by [`stream_key`].
    stream_versions: HashMap<[u8; 32], u64>,
    /// Every event id seen so far.
    event_ids: HashSet<u128>,
}

impl ChainVerifier {
    /// A verifier trusting only `root`.
    pub fn new(root: VerifyingKey) -> Self {
        Self {
            registry: KeyRegistry::new(root),
            next_position: 1,
            prev_hash: Digest::ZERO,
            stream_versions: HashMap::new(),
            event_ids: HashSet::new(),
        }
    }

    /// The position the next entry must have. A failure is always reported at the position its entry
    /// has or, for a malformed entry or a gap, should have; so a caller that knows where the next entry
    /// came from (an export's line) can tell where a failure is.
    pub fn next_position(&self) -> u64 {
        self.next_position
    }

    /// Checks the next run of entries read from the database. After an error the verifier must not be
    /// fed again.
    pub fn verify(&mut self, entries: &[Entry]) -> Result<(), VerifyFailure> {
        let checked: Vec<Checked> = entries.par_iter().map(Checked::stored).collect();
        self.verify_run(entries.iter().map(Some).zip(&checked))
    }

    /// Checks the next run of an export's lines, each read with [`crate::export::read_line`]. After an
    /// error the verifier must not be fed again.
    pub fn verify_exported(&mut self, lines: &[crate::export::ExportedLine]) -> Result<(), VerifyFailure> {
        self.verify_run(lines.iter().map(|line| (line.entry.as_ref(), &line.checked)))
    }

    fn verify_run<'a>(
        &mut self,
        run: impl Iterator<Item = (Option<&'a Entry>, &'a Checked)>,
    ) -> Result<(), VerifyFailure> {
        // In order, every step but the signature. Stops at the first failure, but the signatures before
        // it must still be checked, since one of them may fail first.
        let mut signed: Vec<(&Entry, VerifyingKey)> = Vec::new();
        let mut sequential_failure = None;
        for (entry, checked) in run {
            match self.check_in_order(entry, checked) {
                Ok(signer) => signed.push(signer),
                Err(reason) => {
                    // Every failure is reported at the expected position: the one the entry has once
                    // steps 1 and 2 passed, and the first one missing for a gap or a malformed entry.
                    sequential_failure = Some(VerifyFailure { position: self.next_position, reason });
                    break;
                }
            }
        }
        if let Some(failure) = first_bad_signature(&signed) {
            return Err(failure);
        }
        match sequential_failure {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    /// Steps 1 to 9 of the specification for one entry; returns the key that must have signed it.
    fn check_in_order<'a>(
        &mut self,
        entry: Option<&'a Entry>,
        checked: &Checked,
    ) -> Result<(&'a Entry, VerifyingKey), FailureReason> {
        // 1. The entry is one of the format.
        if let Verdict::Malformed(reason) = &checked.0 {
            return Err(FailureReason::Malformed { reason: reason.clone() });
        }
        let Some(entry) = entry else {
            return Err(FailureReason::Malformed { reason: "no entry could be read".into() });
        };
        // 2. Position.
        if entry.position != self.next_position {
            return Err(FailureReason::Gap { expected: self.next_position, found: entry.position });
        }
        // 3. Link.
        if entry.prev_hash != self.prev_hash {
            return Err(FailureReason::BrokenLink { expected: self.prev_hash, found: entry.prev_hash });
        }
        // 4. Canonical bytes, and 5. hash.
        let (computed, stream_key) = match &checked.0 {
            Verdict::Hashed { hash, stream_key } => (*hash, stream_key),
            Verdict::Uncanonical(error) => return Err(FailureReason::Uncanonical { reason: error.to_string() }),
            Verdict::Malformed(reason) => return Err(FailureReason::Malformed { reason: reason.clone() }),
        };
        if computed != entry.hash {
            return Err(FailureReason::HashMismatch { stored: entry.hash, computed });
        }
        // 6. Stream version.
        let expected_version = self.stream_versions.get(stream_key).map_or(1, |last| last + 1);
        if entry.stream_version != expected_version {
            return Err(FailureReason::StreamVersion {
                stream_id: entry.stream_id.clone(),
                expected: expected_version,
                found: entry.stream_version,
            });
        }
        // 7. Event id.
        if self.event_ids.contains(&entry.event_id.as_u128()) {
            return Err(FailureReason::DuplicateEventId { event_id: entry.event_id });
        }
        // 8. Signer, and 9. registry.
        let signer = self.registry.signer_for(entry)?;
        self.registry.apply(entry)?;
        // 11. Next.
        self.stream_versions.insert(*stream_key, entry.stream_version);
        self.event_ids.insert(entry.event_id.as_u128());
        self.next_position += 1;
        self.prev_hash = entry.hash;
        Ok((entry, signer))
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

/// Step 10 for a run of entries that passed the others: the lowest-positioned entry whose signature
/// fails, if any. Each signature is checked alone and strictly, on every core.
fn first_bad_signature(signed: &[(&Entry, VerifyingKey)]) -> Option<VerifyFailure> {
    signed.par_iter().find_first(|(entry, signer)| !verify_entry_signature(signer, entry)).map(|(entry, _)| {
        VerifyFailure { position: entry.position, reason: FailureReason::BadSignature { key_id: entry.key_id.clone() } }
    })
}

/// Checks one entry's signature strictly (docs/ledger-format.md section 5).
pub fn verify_entry_signature(key: &VerifyingKey, entry: &Entry) -> bool {
    crate::keys::verify_strict(key, &entry.hash, &entry.signature)
}
