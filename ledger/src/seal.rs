//! Turning a batch of prepared appends into sealed entries, once the appending transaction holds the
//! head. This is the part of group commit that both backends share: it decides idempotent replays and
//! version conflicts, numbers the entries, chains their hashes and signs them. It does no IO.

use crate::append::{Appended, PreparedAppend, SealWith};
use crate::error::LedgerError;
use event_schema::ledger_events::KEY_STREAM;
use event_schema::{Digest, Entry, EntryBody, KeyPair, KeyRegistry, SignatureBytes, Timestamp};
use rayon::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// The last committed entry, as locked by the appending transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// 0 for an empty ledger.
    pub position: u64,
    /// `Digest::ZERO` for an empty ledger.
    pub hash: Digest,
}

/// What the database said about a batch's commands and streams, read under the head lock.
#[derive(Debug, Default)]
pub(crate) struct BatchContext {
    /// Commands of this batch that already committed, with their original result.
    pub committed: HashMap<Uuid, Appended>,
    /// The current version of every stream the batch touches (absent: version 0).
    pub versions: HashMap<String, u64>,
}

/// The outcome of planning a batch: the entries to insert, the new head, one result per append.
pub(crate) struct BatchPlan {
    pub entries: Vec<Entry>,
    pub head: Head,
    pub outcomes: Vec<Result<Appended, LedgerError>>,
}

/// Holds this node's signing key and the key registry as last read from the ledger.
pub struct Sealer {
    node: Option<KeyPair>,
    registry: KeyRegistry,
    /// The version of `ledger:keys` that `registry` reflects.
    registry_version: u64,
}

impl Sealer {
    /// A sealer for a node whose key is registered in `registry`.
    pub(crate) fn new(node: KeyPair, registry: KeyRegistry, registry_version: u64) -> Self {
        Self { node: Some(node), registry, registry_version }
    }

    /// A sealer that can only write root-signed key registry events (initialising a ledger, registering
    /// or revoking node keys); it reads the registry from the ledger under the head lock.
    pub(crate) fn root_only(root: event_schema::VerifyingKey) -> Self {
        Self { node: None, registry: KeyRegistry::new(root), registry_version: 0 }
    }

    pub(crate) fn registry_version(&self) -> u64 {
        self.registry_version
    }

    /// Folds key registry entries committed since the registry was last read (for example a
    /// revocation written by another process).
    pub(crate) fn refresh_registry(&mut self, key_entries: &[Entry]) -> Result<(), LedgerError> {
        for entry in key_entries {
            crate::fold_key_entry(&mut self.registry, entry)?;
            self.registry_version = entry.stream_version;
        }
        Ok(())
    }

    /// Plans a batch against the locked head: decides each append's outcome, numbers and chains its
    /// entries in order (hashing is cheap), then signs them all in parallel (signing is not).
    pub(crate) fn plan(&self, head: Head, mut context: BatchContext, batch: &[&PreparedAppend]) -> BatchPlan {
        // When the ledger recorded the entry is its own stamp, by the system's clock.
        let recorded_at = crate::system::now();
        let mut bodies: Vec<(EntryBody<'_>, Digest, &KeyPair)> = Vec::new();
        let mut head = head;
        let mut outcomes = Vec::with_capacity(batch.len());
        for append in batch {
            let request = &append.request;
            if let Some(original) = context.committed.get(&request.command_id) {
                outcomes.push(Ok(Appended { replayed: true, ..*original }));
                continue;
            }
            let key = match &append.seal {
                SealWith::Root(root) => root.as_ref(),
                SealWith::Node => match self.active_node_key() {
                    Ok(key) => key,
                    Err(error) => {
                        outcomes.push(Err(error));
                        continue;
                    }
                },
            };
            let stream = request.stream_id.as_str();
            let actual = context.versions.get(stream).copied().unwrap_or(0);
            if !request.expected.admits(actual) {
                outcomes.push(Err(LedgerError::Conflict {
                    stream_id: stream.to_owned(),
                    expected: request.expected,
                    actual,
                }));
                continue;
            }
            let chained = chain_append(append, key, head, actual, &recorded_at).and_then(|chained| match append.seal {
                SealWith::Root(_) => self.check_registry_change(&chained).map(|()| chained),
                SealWith::Node => Ok(chained),
            });
            match chained {
                Ok(chained) => {
                    let first_position = head.position + 1;
                    let stream_version = actual + chained.len() as u64;
                    if let Some((body, hash, _)) = chained.last() {
                        head = Head { position: body.position, hash: *hash };
                    }
                    bodies.extend(chained);
                    let appended =
                        Appended { first_position, last_position: head.position, stream_version, replayed: false };
                    context.versions.insert(stream.to_owned(), stream_version);
                    context.committed.insert(request.command_id, appended);
                    outcomes.push(Ok(appended));
                }
                Err(error) => outcomes.push(Err(error)),
            }
        }
        let signatures: Vec<SignatureBytes> =
            bodies.par_iter().with_min_len(16).map(|(_, hash, key)| key.sign_hash(hash)).collect();
        let entries = bodies
            .into_iter()
            .zip(signatures)
            .map(|((body, hash, _), signature)| body.into_entry(hash, signature))
            .collect();
        BatchPlan { entries, head, outcomes }
    }

    /// Refuses key registry events that verification would reject (revoking an unknown key,
    /// registering one twice, a weak key...): written, they would make the ledger unverifiable for good.
    fn check_registry_change(&self, chained: &[(EntryBody<'_>, Digest, &KeyPair)]) -> Result<(), LedgerError> {
        let mut registry = self.registry.clone();
        for (body, hash, _) in chained {
            // The registry rules do not look at signatures; this entry is only ever checked, never stored.
            let entry = body.clone().into_entry(*hash, SignatureBytes(ed25519_dalek::Signature::from_bytes(&[0; 64])));
            registry
                .signer_for(&entry)
                .and_then(|_| registry.apply(&entry))
                .map_err(|reason| LedgerError::InvalidAppend(format!("key registry: {reason}")))?;
        }
        Ok(())
    }

    fn active_node_key(&self) -> Result<&KeyPair, LedgerError> {
        let Some(node) = &self.node else {
            return Err(LedgerError::InvalidAppend("this ledger handle signs key registry events only".into()));
        };
        if self.registry.is_active_node_key(node.id()) {
            Ok(node)
        } else {
            Err(LedgerError::NodeKey { key_id: node.id().to_string(), state: "revoked" })
        }
    }
}

/// Numbers and chains one append's events after `head`, continuing its stream from version `actual`.
fn chain_append<'a>(
    append: &'a PreparedAppend,
    key: &'a KeyPair,
    head: Head,
    actual: u64,
    recorded_at: &'a Timestamp,
) -> Result<Vec<(EntryBody<'a>, Digest, &'a KeyPair)>, LedgerError> {
    let request = &append.request;
    let mut chained: Vec<(EntryBody<'a>, Digest, &'a KeyPair)> = Vec::with_capacity(append.events.len());
    let mut previous = head;
    for (offset, event) in append.events.iter().enumerate() {
        let body = EntryBody {
            position: previous.position + 1,
            event_id: &event.event_id,
            stream_id: request.stream_id.as_str(),
            stream_version: actual + offset as u64 + 1,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            occurred_at: &event.occurred_at,
            recorded_at,
            actor: &request.actor,
            command_id: &request.command_id,
            correlation_id: &request.correlation_id,
            causation_id: &request.causation_id,
            payload: event.payload.as_raw(),
            prev_hash: previous.hash,
            key_id: key.id(),
        };
        // Payloads were canonicalised when the append was prepared and the envelope's own fields are
        // strings, UUIDs and small integers, so this fails only if serialisation itself breaks.
        let hash = body.hash().map_err(|error| LedgerError::InvalidEvent { index: offset, reason: error.into() })?;
        previous = Head { position: body.position, hash };
        chained.push((body, hash, key));
    }
    Ok(chained)
}

/// The streams whose versions a batch must read: its own, and the key registry's (to notice a
/// revocation of this node's key by another process).
pub(crate) fn streams_of(batch: &[&PreparedAppend]) -> Vec<String> {
    let mut streams: Vec<String> = batch.iter().map(|append| append.request.stream_id.to_string()).collect();
    streams.push(KEY_STREAM.to_owned());
    streams.sort();
    streams.dedup();
    streams
}

/// The command ids of a batch.
pub(crate) fn commands_of(batch: &[&PreparedAppend]) -> Vec<Uuid> {
    batch.iter().map(|append| append.request.command_id).collect()
}
