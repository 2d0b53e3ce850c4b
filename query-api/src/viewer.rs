//! Who is asking, and the reads of medical data their request makes.

use domain::access::Principal;
use event_schema::events::access::ReadBasis;
use event_schema::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The authenticated caller of a query.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
}

/// One read of a patient's record, to be recorded in the ledger as `access.record_read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub patient_id: Uuid,
    pub reader: Principal,
    pub parts: BTreeSet<String>,
    pub basis: ReadBasis,
    pub at: Timestamp,
}

/// Where reads go once a request's answer is computed, before any of it is sent: the server appends
/// them to the ledger and resolves once they are durable. The answer is sent only if they are; a read
/// that could not be recorded is refused, so no read of medical data ever leaves without its record.
pub trait ReadRecorder: Send + Sync + 'static {
    fn record(&self, reads: Vec<Read>) -> Recording<'_>;
}

/// The recording of one request's reads, resolved once they are durable (or could not be made so).
pub type Recording<'a> = Pin<Box<dyn Future<Output = Result<(), NotRecorded>> + Send + 'a>>;

/// Reads that could not be recorded; the reason is for the server's log, never for the reader.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the read could not be recorded: {0}")]
pub struct NotRecorded(pub String);

/// The parts of each patient's record read, by patient and basis.
type PartsRead = BTreeMap<(Uuid, ReadBasis), BTreeSet<String>>;

/// The reads one request made, one per patient and basis, with every part read.
#[derive(Clone, Default)]
pub(crate) struct ReadTracker {
    reads: Arc<Mutex<PartsRead>>,
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

    pub(crate) fn drain(&self, viewer: &Viewer) -> Vec<Read> {
        let mut reads = self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let at = Timestamp::now();
        std::mem::take(&mut *reads)
            .into_iter()
            .map(|((patient_id, basis), parts)| Read { patient_id, reader: viewer.principal.clone(), parts, basis, at })
            .collect()
    }
}
