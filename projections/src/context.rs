//! What a projector may look up beyond the entry it folds: earlier entries of the ledger itself.
//!
//! Projectors are pure and independent: each owns its tables and reads no other projector's, so that
//! they can be rebuilt apart and committed on different connections. A projector that must know more
//! than an entry says (the statistics projector needs a patient's age, sex and district for every dose
//! it counts, and the district of the facility that gave it) says which streams it needs before a page
//! is planned ([`Needs`]); the runner reads them from the ledger in one statement each and hands them to
//! every projector with the page ([`Context`]). The ledger never changes what it has committed, so the
//! same entry is always folded with the same context, live or rebuilt; and an entry needed is always
//! committed before the one that needs it (a patient's stream starts with the registration), so it is
//! there when the page that needs it is read.

use event_schema::events::record::EntryEnteredInError;
use event_schema::{Entry, EventPayload};
use ledger::{Ledger, LedgerError};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// The streams a page needs looked up.
#[derive(Debug, Default)]
pub struct Needs {
    starts: BTreeSet<String>,
    histories: BTreeSet<String>,
}

impl Needs {
    /// The first entry of `stream_id` (a patient's or a facility's registration).
    pub fn start_of(&mut self, stream_id: &str) {
        if !self.starts.contains(stream_id) {
            self.starts.insert(stream_id.to_owned());
        }
    }

    /// Every entry of `stream_id` (to find the entry a correction names, and what became of it).
    pub fn history_of(&mut self, stream_id: &str) {
        if !self.histories.contains(stream_id) {
            self.histories.insert(stream_id.to_owned());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty() && self.histories.is_empty()
    }
}

/// The entries a page's needs named, as read from the ledger.
#[derive(Debug, Default)]
pub struct Context {
    starts: HashMap<String, Entry>,
    histories: HashMap<String, Vec<Entry>>,
}

impl Context {
    /// Reads what `needs` names: at most two statements.
    pub(crate) async fn read(ledger: &Ledger, needs: Needs) -> Result<Context, LedgerError> {
        let mut context = Context::default();
        if needs.is_empty() {
            return Ok(context);
        }
        let starts: Vec<String> = needs.starts.into_iter().collect();
        for entry in ledger.read_stream_starts(&starts).await? {
            context.starts.insert(entry.stream_id.clone(), entry);
        }
        let histories: Vec<String> = needs.histories.into_iter().collect();
        for entry in ledger.read_streams(&histories).await? {
            context.histories.entry(entry.stream_id.clone()).or_default().push(entry);
        }
        Ok(context)
    }

    /// The first entry of `stream_id`, if the page's needs named it and the stream has one.
    pub fn start_of(&self, stream_id: &str) -> Option<&Entry> {
        self.starts.get(stream_id)
    }

    /// The entries of `stream_id` before `position`, in order, if the page's needs named the stream.
    pub fn history_before(&self, stream_id: &str, position: u64) -> &[Entry] {
        let entries = self.histories.get(stream_id).map(Vec::as_slice).unwrap_or_default();
        let end = entries.partition_point(|entry| entry.position < position);
        &entries[..end]
    }

    /// The entry `entry_id` of the record in `stream_id`, if the page's needs named the stream's
    /// history and the entry is still current before `position`: neither amended by a later entry nor
    /// entered in error.
    pub fn current(&self, stream_id: &str, position: u64, entry_id: Uuid) -> Option<&Entry> {
        let mut found = None;
        for entry in self.history_before(stream_id, position) {
            let Ok(refs) = serde_json::from_str::<Refs>(entry.payload.as_str()) else { continue };
            if entry.event_type == EntryEnteredInError::EVENT_TYPE {
                if refs.entry_id == Some(entry_id) {
                    return None;
                }
            } else if refs.amends.as_ref().is_some_and(|amends| amends.entry_id == entry_id) {
                return None;
            } else if refs.entry_id == Some(entry_id) && found.is_none() {
                found = Some(entry);
            }
        }
        found
    }
}

/// The ids an entry of the record carries: its own (or, for an entry entered in error, the one it
/// withdraws) and the one it amends.
#[derive(Deserialize)]
struct Refs {
    entry_id: Option<Uuid>,
    amends: Option<AmendsRef>,
}

#[derive(Deserialize)]
struct AmendsRef {
    entry_id: Uuid,
}
