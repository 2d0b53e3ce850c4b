//! The patient's access log, written: every read of medical data the query API reports becomes a
//! signed `access.record_read` event in the reader's name, in the stream `reads:<patient_id>`.
//!
//! A read is recorded before it is answered: the query API waits for [`ReadLog`] to append the
//! request's reads, and sends nothing if that fails. So a read that was served is durable in the
//! ledger, even if the process is killed the instant after. The wait is short because the appends go
//! through the ledger's single writer, which commits everything queued at once: concurrent readers'
//! reads (and the request's reads of several patients) share one transaction and one disk flush.

use event_schema::events::access::{RecordRead, STREAM_CATEGORY};
use event_schema::{Actor, StreamId};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use query_api::{NotRecorded, Read, ReadRecorder, Recording};

/// Records reads in the ledger before they are answered.
#[derive(Clone)]
pub struct ReadLog {
    ledger: Ledger,
}

impl ReadLog {
    pub fn new(ledger: Ledger) -> Self {
        Self { ledger }
    }
}

impl ReadRecorder for ReadLog {
    /// Appends every read at once (one append per patient, all queued for the same group commit) and
    /// resolves once all are committed, or with the first failure. A failure is not retried here: the
    /// reader is refused and may ask again, which is a fresh read recorded afresh.
    fn record(&self, reads: Vec<Read>) -> Recording<'_> {
        Box::pin(async move {
            let appends = reads.into_iter().map(|read| append(&self.ledger, read));
            futures::future::join_all(appends).await.into_iter().collect()
        })
    }
}

/// Appends one read and waits for its commit.
async fn append(ledger: &Ledger, read: Read) -> Result<(), NotRecorded> {
    let stream = StreamId::for_entity(STREAM_CATEGORY, read.patient_id)
        .map_err(|error| NotRecorded(format!("stream: {error}")))?;
    let payload =
        RecordRead { patient_id: read.patient_id, parts: read.parts.into_iter().collect(), basis: read.basis };
    let actor =
        Actor { account_id: read.reader.account_id, role: read.reader.role, facility_id: read.reader.facility_id };
    let event = NewEvent::typed(&payload, read.at).map_err(|error| NotRecorded(format!("event: {error}")))?;
    let request = AppendRequest::new(stream, ExpectedVersion::Any, actor, vec![event]);
    ledger.append(request).await.map(|_| ()).map_err(|error| NotRecorded(error.to_string()))
}
