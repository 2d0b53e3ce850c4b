//! The decision state of the records used lately, kept in memory so that a command reads only the
//! tail of its patient's stream: the entries appended since the state was folded.
//!
//! A patient followed from birth, or with years of visits, has a stream of thousands of entries, and
//! folding it whole for every command made a write slower the longer the record. A cached state is
//! the fold of the stream's first `version` entries; the ledger is append-only, so those entries never
//! change, and folding the entries after `version` (read from the ledger, whichever process appended
//! them) gives exactly the state a fold of the whole stream gives. Nothing here is trusted beyond
//! that: the version a decision is appended at is the stream's, read at the time, and the append is
//! still refused if another landed meanwhile.
//!
//! Bounded (least recently used records are dropped first) and per process. A ledger restored from
//! a backup to an earlier head must be served by a process started afterwards.

use super::Loaded;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use uuid::Uuid;

/// How many records' states a server keeps by default: a facility's busy days' worth of patients.
/// A 5,000-entry record's state is a few hundred kilobytes; most are far smaller.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// The states, by patient.
pub struct RecordCache {
    states: Option<Mutex<LruCache<Uuid, Loaded>>>,
}

impl RecordCache {
    /// A cache of at most `capacity` records; 0 keeps none.
    pub fn new(capacity: usize) -> Self {
        Self { states: NonZeroUsize::new(capacity).map(|capacity| Mutex::new(LruCache::new(capacity))) }
    }

    /// The state of `patient`'s record, if it is kept, taken out until it is put back (a command
    /// on the same record meanwhile folds the whole stream, as without a cache).
    pub(crate) fn take(&self, patient: Uuid) -> Option<Loaded> {
        let states = self.states.as_ref()?;
        // A poisoned lock only means another thread panicked while holding it; the map is still whole.
        let mut states = states.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        states.pop(&patient)
    }

    /// Keeps `loaded` as the state of `patient`'s record (sharing its record and command ids), unless
    /// a newer one is kept already (another command on the same record may have folded further
    /// meanwhile).
    pub(crate) fn put(&self, patient: Uuid, loaded: &Loaded) {
        let Some(states) = self.states.as_ref() else { return };
        let mut states = states.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if states.peek(&patient).is_some_and(|kept| kept.version >= loaded.version) {
            return;
        }
        states.put(patient, loaded.clone());
    }
}
