//! Subscriptions: catch up from a position, then follow live appends, with no loss and no duplicate.
//!
//! A subscriber only ever asks the database for `position > last delivered`. Positions are assigned
//! gap-free in commit order (the head lock is held until commit), so an entry that commits late can
//! never be skipped, and nothing is delivered twice. Notifications only say "look again"; a periodic
//! re-read covers any notification lost on the way.

use crate::error::LedgerError;
use crate::storage::{check_consecutive, Storage};
use event_schema::Entry;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How many entries one catch-up read fetches.
const PAGE: u32 = 1_000;
/// How long a subscriber waits for a notification before looking again anyway.
const POLL: Duration = Duration::from_secs(1);

/// A live feed of ledger entries after a given position.
pub struct Subscription {
    storage: Arc<dyn Storage>,
    after: u64,
    buffered: VecDeque<Entry>,
    head: watch::Receiver<u64>,
}

impl Subscription {
    pub(crate) fn new(storage: Arc<dyn Storage>, after: u64, head: watch::Receiver<u64>) -> Self {
        Self { storage, after, buffered: VecDeque::new(), head }
    }

    /// The position of the last entry delivered (or the starting position).
    pub fn position(&self) -> u64 {
        self.after
    }

    /// The next entry, waiting for one to be appended if the subscriber has caught up.
    pub async fn next(&mut self) -> Result<Entry, LedgerError> {
        loop {
            if let Some(entry) = self.buffered.pop_front() {
                self.after = entry.position;
                return Ok(entry);
            }
            // Mark the current head as seen before reading, so an append that commits after the read
            // still wakes the wait below.
            self.head.borrow_and_update();
            let page = self.storage.read_all(self.after, PAGE).await?;
            check_consecutive(&page, self.after)?;
            if !page.is_empty() {
                self.buffered.extend(page);
                continue;
            }
            tokio::select! {
                changed = self.head.changed() => {
                    if changed.is_err() {
                        return Err(LedgerError::Closed);
                    }
                }
                () = tokio::time::sleep(POLL) => {}
            }
        }
    }

    /// Every entry available now, without waiting (at most `PAGE` at a time).
    pub async fn next_available(&mut self) -> Result<Vec<Entry>, LedgerError> {
        if self.buffered.is_empty() {
            let page = self.storage.read_all(self.after, PAGE).await?;
            check_consecutive(&page, self.after)?;
            self.buffered.extend(page);
        }
        let entries: Vec<Entry> = self.buffered.drain(..).collect();
        if let Some(last) = entries.last() {
            self.after = last.position;
        }
        Ok(entries)
    }
}
