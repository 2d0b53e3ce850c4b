//! Verifying a stored ledger: reads pages from the database while the previous page is verified on
//! every core, so reading and checking overlap.

use crate::error::LedgerError;
use crate::storage::Storage;
use event_schema::{ChainVerifier, Entry, VerifyFailure, VerifySummary, VerifyingKey};
use tokio::sync::mpsc;

/// Entries read and verified at a time.
const PAGE: u32 = 8_192;

/// The outcome of verifying a stored ledger.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The ledger was read, and an entry is not what the ledger wrote.
    #[error("verification failed at {0}")]
    Failed(#[from] VerifyFailure),
    /// The ledger could not be read.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

/// Replays the whole stored ledger against `root`; `progress` is told how many entries are done.
pub async fn verify_storage(
    storage: &dyn Storage,
    root: VerifyingKey,
    mut progress: impl FnMut(u64),
) -> Result<VerifySummary, AuditError> {
    let (pages, mut received) = mpsc::channel::<Result<Vec<Entry>, LedgerError>>(2);
    let reader = async move {
        let mut after = 0;
        loop {
            let page = storage.read_all(after, PAGE).await;
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
        let mut verifier = ChainVerifier::new(root);
        let mut done = 0u64;
        while let Some(page) = received.recv().await {
            let page = page?;
            if page.is_empty() {
                break;
            }
            done += page.len() as u64;
            let result = tokio::task::spawn_blocking(move || {
                let result = verifier.verify(&page);
                (verifier, result)
            })
            .await
            .map_err(|_| LedgerError::Closed)?;
            verifier = result.0;
            result.1?;
            progress(done);
        }
        Ok::<_, AuditError>(verifier.finish()?)
    };
    let ((), summary) = tokio::join!(reader, checker);
    summary
}
