//! The chain as the projectors fold it: each entry must follow the last one checked, link to its hash,
//! and hash to what it says, or the runner stops at it (a node never builds read models on a broken
//! ledger).

use crate::ProjectionError;
use event_schema::{Digest, Entry, FailureReason};
use ledger::Ledger;
use rayon::prelude::*;

/// The last entry the runner has checked: the next one must follow it and link to its hash.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChainEnd {
    pub(crate) position: u64,
    pub(crate) hash: Digest,
}

impl ChainEnd {
    /// The chain's end at `position`, where the runner resumes: the entry there was checked when it
    /// was folded, so its stored hash is what the next entry must link to.
    pub(crate) async fn at(ledger: &Ledger, position: u64) -> Result<Self, ProjectionError> {
        if position == 0 {
            return Ok(Self { position, hash: Digest::ZERO });
        }
        match ledger.read_all(position - 1, 1).await?.first() {
            Some(entry) if entry.position == position => Ok(Self { position, hash: entry.hash }),
            _ => Err(ProjectionError::BrokenChain {
                position,
                reason: "the entry the projectors last folded is missing".into(),
            }),
        }
    }

    /// Checks `entries` in order against the chain's end, recomputing each one's hash (in parallel:
    /// this is most of the cost) and comparing it with the stored one and with the next entry's link,
    /// and moves the end past those that pass. Stops at the first broken entry.
    pub(crate) fn extend(&mut self, entries: &[Entry]) -> Result<(), ProjectionError> {
        let computed: Vec<_> = entries.par_iter().with_min_len(256).map(Entry::compute_hash).collect();
        for (entry, computed) in entries.iter().zip(computed) {
            let expected = self.position + 1;
            let reason = if entry.position != expected {
                Some(FailureReason::Gap { expected, found: entry.position })
            } else if entry.prev_hash != self.hash {
                Some(FailureReason::BrokenLink { expected: self.hash, found: entry.prev_hash })
            } else {
                match computed {
                    Ok(computed) if computed == entry.hash => None,
                    Ok(computed) => Some(FailureReason::HashMismatch { stored: entry.hash, computed }),
                    Err(error) => Some(FailureReason::Uncanonical { reason: error.to_string() }),
                }
            };
            if let Some(reason) = reason {
                return Err(ProjectionError::BrokenChain { position: expected, reason: reason.to_string() });
            }
            *self = Self { position: entry.position, hash: entry.hash };
        }
        Ok(())
    }
}
