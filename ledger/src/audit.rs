//! Verifying a stored ledger: reads pages from the database while the previous page is verified on
//! every core, so reading and checking overlap.
//!
//! [`verify_storage`] replays the whole chain (what `cloudmedi verify` runs); [`verify_since`] checks the
//! entries after a point already verified, which is what opening the ledger runs; both compare the
//! chain's last entry with the head row that appends link to.

use crate::error::LedgerError;
use crate::seal::Head;
use crate::storage::Storage;
use event_schema::ledger_events::KEY_STREAM;
use event_schema::verify::verify_entry_signature;
use event_schema::{
    ChainVerifier, Digest, Entry, FailureReason, KeyRegistry, VerifyFailure, VerifySummary, VerifyingKey,
};
use rayon::prelude::*;
use tokio::sync::mpsc;

/// Entries read and verified at a time.
const PAGE: u32 = 8_192;

/// The outcome of verifying a stored ledger.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The ledger was read, and an entry is not what the ledger wrote.
    #[error("verification failed at {0}")]
    Failed(#[from] VerifyFailure),
    /// Every entry verified, but the chain does not end where the head row says it does: entries after
    /// the chain's end were deleted (a shortened tail), entries were added behind the head, or the head
    /// row was rewritten.
    #[error(
        "the head row says the ledger ends at position {} (hash {}), but the verified chain ends at position {} \
         (hash {}): {}",
        head.position, head.hash, chain.position, chain.hash, head_mismatch_meaning(head, chain)
    )]
    HeadMismatch { head: Head, chain: Head },
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

fn head_mismatch_meaning(head: &Head, chain: &Head) -> &'static str {
    if chain.position < head.position {
        "entries were deleted from the end of the log (a shortened tail)"
    } else if chain.position > head.position {
        "entries were added behind the ledger's head"
    } else {
        "the head row was rewritten"
    }
}

/// Replays the whole stored ledger against `root`; `progress` is told how many entries are done. The
/// chain must end at the head row: a chain shortened from its end verifies entry by entry, and only
/// the head row, which every append moves, shows that entries are missing.
pub async fn verify_storage(
    storage: &dyn Storage,
    root: VerifyingKey,
    mut progress: impl FnMut(u64),
) -> Result<VerifySummary, AuditError> {
    // Read before the entries: appends that commit while verification runs only add entries after it.
    let head = storage.head().await?;
    let mut hash_at_head = None;
    let mut done = 0u64;
    let verifier = check_pages(storage, 0, None, ChainVerifier::new(root), ChainVerifier::verify, |page| {
        if let Some(entry) = page.iter().find(|entry| entry.position == head.position) {
            hash_at_head = Some(entry.hash);
        }
        done += page.len() as u64;
        progress(done);
    })
    .await?;
    let summary = verifier.finish()?;
    let chain = Head { position: summary.head_position, hash: summary.head_hash };
    if chain.position < head.position {
        return Err(AuditError::HeadMismatch { head, chain });
    }
    if let Some(hash) = hash_at_head.filter(|hash| *hash != head.hash) {
        return Err(AuditError::HeadMismatch { head, chain: Head { position: head.position, hash } });
    }
    if chain.position > head.position {
        // Entries after the head read first: appends since, or entries added behind the head row.
        let now = storage.head().await?;
        if now.position < chain.position {
            return Err(AuditError::HeadMismatch { head: now, chain });
        }
    }
    Ok(summary)
}

/// Verifies the stored chain from the verified point `from` (`None`: from the start) up to `head`, the
/// head row read by the caller, and checks that it ends exactly there. Entries up to `from` are
/// trusted, except the key registry's, which are checked again as they are folded. Returns `head`.
///
/// Hashes, links and signers are checked in order and signatures one by one with `verify_strict`, in
/// parallel: the tail since the last opening is usually short, and a full replay (no verified point)
/// goes through [`ChainVerifier`] and its batch verification instead.
pub async fn verify_since(
    storage: &dyn Storage,
    root: VerifyingKey,
    from: Option<Head>,
    head: Head,
) -> Result<Head, AuditError> {
    let Some(from) = from.filter(|from| from.position > 0) else {
        let verifier =
            check_pages(storage, 0, Some(head.position), ChainVerifier::new(root), ChainVerifier::verify, |_| {})
                .await?;
        let summary = verifier.finish()?;
        return end_at_head(head, Head { position: summary.head_position, hash: summary.head_hash });
    };
    if from.position > head.position {
        return Err(AuditError::HeadMismatch { head, chain: from });
    }
    // The registry as it stood at the verified point.
    let mut registry = KeyRegistry::new(root);
    for entry in storage.read_stream(KEY_STREAM, 0, u32::MAX).await? {
        if entry.position <= from.position {
            crate::fold_key_entry(&mut registry, &entry)?;
        }
    }
    // The verified point itself must still be the entry that was verified.
    let anchor = storage.read_all(from.position - 1, 1).await?;
    match anchor.first() {
        Some(entry) if entry.position == from.position && entry.hash == from.hash => {}
        Some(entry) if entry.position == from.position => {
            return Err(AuditError::Failed(VerifyFailure {
                position: from.position,
                reason: FailureReason::HashMismatch { stored: entry.hash, computed: from.hash },
            }));
        }
        _ => {
            let found = anchor.first().map_or(0, |entry| entry.position);
            return Err(AuditError::Failed(VerifyFailure {
                position: from.position,
                reason: FailureReason::Gap { expected: from.position, found },
            }));
        }
    }
    let tail = TailVerifier { registry, next_position: from.position + 1, prev_hash: from.hash };
    let tail = check_pages(storage, from.position, Some(head.position), tail, TailVerifier::verify, |_| {}).await?;
    end_at_head(head, Head { position: tail.next_position - 1, hash: tail.prev_hash })
}

fn end_at_head(head: Head, chain: Head) -> Result<Head, AuditError> {
    if chain == head {
        Ok(head)
    } else {
        Err(AuditError::HeadMismatch { head, chain })
    }
}

/// Reads pages after `after` (up to `until`, when given) while the previous one is checked by `check`
/// on a blocking thread (it verifies on every core); `seen` is shown each page first. Returns the
/// checker's state once every page passed.
async fn check_pages<S: Send + 'static>(
    storage: &dyn Storage,
    after: u64,
    until: Option<u64>,
    state: S,
    check: fn(&mut S, &[Entry]) -> Result<(), VerifyFailure>,
    mut seen: impl FnMut(&[Entry]),
) -> Result<S, AuditError> {
    let (pages, mut received) = mpsc::channel::<Result<Vec<Entry>, LedgerError>>(2);
    let reader = async move {
        let mut after = after;
        loop {
            let limit = match until {
                Some(until) => PAGE.min(u32::try_from(until.saturating_sub(after)).unwrap_or(PAGE)),
                None => PAGE,
            };
            if limit == 0 {
                return;
            }
            let page = storage.read_all(after, limit).await;
            let last = match &page {
                Ok(entries) => entries.last().map(|entry| entry.position),
                Err(_) => None,
            };
            let stop = page.is_err() || last.is_none();
            if pages.send(page).await.is_err() || stop {
                return;
            }
            after = last.unwrap_or(after);
        }
    };
    let checker = async move {
        let mut state = state;
        while let Some(page) = received.recv().await {
            let page = page?;
            if page.is_empty() {
                break;
            }
            seen(&page);
            let (returned, result) = tokio::task::spawn_blocking(move || {
                let mut state = state;
                let result = check(&mut state, &page);
                (state, result)
            })
            .await
            .map_err(|_| LedgerError::Closed)?;
            state = returned;
            result?;
        }
        Ok::<_, AuditError>(state)
    };
    let ((), checked) = tokio::join!(reader, checker);
    checked
}

/// Checks the entries after a verified point: positions, links, hashes and signers in order, then
/// every signature.
struct TailVerifier {
    registry: KeyRegistry,
    next_position: u64,
    prev_hash: Digest,
}

impl TailVerifier {
    fn verify(&mut self, entries: &[Entry]) -> Result<(), VerifyFailure> {
        let computed: Vec<_> = entries.par_iter().map(Entry::compute_hash).collect();
        let mut signers = Vec::with_capacity(entries.len());
        let mut failure = None;
        for (entry, computed) in entries.iter().zip(computed) {
            match self.check_in_order(entry, computed) {
                Ok(signer) => signers.push(signer),
                Err(reason) => {
                    let position = match reason {
                        FailureReason::Gap { expected, .. } => expected,
                        _ => entry.position,
                    };
                    failure = Some(VerifyFailure { position, reason });
                    break;
                }
            }
        }
        // A bad signature before the first failure in order is the first failure.
        let bad_signature = entries[..signers.len()]
            .par_iter()
            .zip(signers.par_iter())
            .filter(|(entry, signer)| !verify_entry_signature(signer, entry))
            .map(|(entry, _)| VerifyFailure {
                position: entry.position,
                reason: FailureReason::BadSignature { key_id: entry.key_id.clone() },
            })
            .min_by_key(|failure| failure.position);
        match bad_signature.or(failure) {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    fn check_in_order(
        &mut self,
        entry: &Entry,
        computed: Result<Digest, event_schema::CanonicalError>,
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
}
