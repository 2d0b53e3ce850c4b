//! Who is asking, and the reads of medical data their request makes.

pub use application::reads::{NotRecorded, Read, ReadRecorder, Recording, TableRead};
use domain::access::Principal;
use event_schema::events::access::ReadBasis;
use event_schema::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The authenticated caller of a query.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
}

/// The parts of each patient's record read, by patient and basis.
type PartsRead = BTreeMap<(Uuid, ReadBasis), BTreeSet<String>>;

/// The reads one request made, one per patient and basis, with every part read.
#[derive(Clone, Default)]
pub(crate) struct ReadTracker {
    reads: Arc<Mutex<PartsRead>>,
    tables: Arc<Mutex<Vec<TableNoted>>>,
}

/// A statistics table a request read: its name, parameters and how many figures were shown and hidden.
#[derive(Debug, Clone)]
pub(crate) struct TableNoted {
    pub(crate) table: String,
    pub(crate) parameters: BTreeSet<String>,
    pub(crate) shown: u32,
    pub(crate) suppressed: u32,
}

impl ReadTracker {
    /// Notes that `part` of the patient's record was read on `basis` (`None`: the patient's own read,
    /// which is not recorded).
    pub(crate) fn note(&self, patient: Uuid, basis: Option<ReadBasis>, part: &str) {
        let Some(basis) = basis else { return };
        // A poisoned lock only means another resolver panicked mid-note; the set is still usable.
        let mut reads = self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        reads.entry((patient, basis)).or_default().insert(part.to_owned());
    }

    /// Notes that a statistics table was read.
    pub(crate) fn note_table(&self, table: TableNoted) {
        let mut tables = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        tables.push(table);
    }

    /// The statistics tables noted so far, as read by `viewer` at `at`.
    pub(crate) fn drain_tables(&self, viewer: &Viewer, at: Timestamp) -> Vec<TableRead> {
        let mut tables = self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *tables)
            .into_iter()
            .map(|noted| TableRead {
                reader: viewer.principal.clone(),
                table: noted.table,
                parameters: noted.parameters,
                shown: noted.shown,
                suppressed: noted.suppressed,
                at,
            })
            .collect()
    }

    /// The reads noted so far, as made by `viewer` at `at`.
    pub(crate) fn drain(&self, viewer: &Viewer, at: Timestamp) -> Vec<Read> {
        let mut reads = self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *reads)
            .into_iter()
            .map(|((patient_id, basis), parts)| Read { patient_id, reader: viewer.principal.clone(), parts, basis, at })
            .collect()
    }
}
