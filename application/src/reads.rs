//! The patient's access log: every read of medical data is recorded in the ledger before it is
//! answered.
//!
//! The read side (the GraphQL API, the printable card, the web pages) notes which parts of whose record
//! a request read, and hands them to a [`ReadRecorder`] once the answer is computed, before any of it
//! is sent. [`ReadLog`] appends each read as a signed `access.record_read` event in the reader's name,
//! in the stream `reads:<patient_id>`, and resolves once they are committed. So a read that was served
//! is durable in the ledger, even if the process is killed the instant after. The wait is short because
//! the appends go through the ledger's single writer, which commits everything queued at once:
//! concurrent readers' reads (and one request's reads of several patients) share one transaction and
//! one disk flush.

use domain::access::Principal;
use event_schema::events::access::{ReadBasis, RecordRead, StatisticsRead};
use event_schema::{Actor, StreamId, Timestamp};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

/// One read of a patient's record, to be recorded in the ledger as `access.record_read`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub patient_id: Uuid,
    pub reader: Principal,
    pub parts: BTreeSet<String>,
    pub basis: ReadBasis,
    pub at: Timestamp,
}

/// Where reads go once a request's answer is computed, before any of it is sent; it resolves once they
/// are durable. The answer is sent only if they are; a read that could not be recorded is refused, so
/// no read of medical data ever leaves without its record.
pub trait ReadRecorder: Send + Sync + 'static {
    fn record(&self, reads: Vec<Read>) -> Recording<'_>;
    /// Records reads of anonymised statistics, under the same rule: before the answer leaves.
    fn record_statistics(&self, reads: Vec<TableRead>) -> Recording<'_>;
}

/// One read of a statistics table, to be recorded as `access.statistics_read` in the reader's stream
/// of such reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRead {
    pub reader: Principal,
    /// The table, e.g. `coverage`.
    pub table: String,
    /// What it was narrowed and broken down by, as `name=value`.
    pub parameters: BTreeSet<String>,
    pub shown: u32,
    pub suppressed: u32,
    pub at: Timestamp,
}

/// The recording of one request's reads, resolved once they are durable (or could not be made so).
pub type Recording<'a> = Pin<Box<dyn Future<Output = Result<(), NotRecorded>> + Send + 'a>>;

/// Reads that could not be recorded; the reason is for the server's log, never for the reader.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the read could not be recorded: {0}")]
pub struct NotRecorded(pub String);

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

    fn record_statistics(&self, reads: Vec<TableRead>) -> Recording<'_> {
        Box::pin(async move {
            let appends = reads.into_iter().map(|read| append_table_read(&self.ledger, read));
            futures::future::join_all(appends).await.into_iter().collect()
        })
    }
}

/// Appends one read of a statistics table and waits for its commit.
async fn append_table_read(ledger: &Ledger, read: TableRead) -> Result<(), NotRecorded> {
    let stream = StreamId::statistics_reads_of(read.reader.account_id);
    let payload = StatisticsRead {
        table: read.table,
        parameters: read.parameters.into_iter().collect(),
        shown: read.shown,
        suppressed: read.suppressed,
    };
    let actor =
        Actor { account_id: read.reader.account_id, role: read.reader.role, facility_id: read.reader.facility_id };
    let event = NewEvent::typed(&payload, read.at).map_err(|error| NotRecorded(format!("event: {error}")))?;
    let request = AppendRequest::new(stream, ExpectedVersion::Any, actor, vec![event]);
    ledger.append(request).await.map(|_| ()).map_err(|error| NotRecorded(error.to_string()))
}

/// Appends one read and waits for its commit.
async fn append(ledger: &Ledger, read: Read) -> Result<(), NotRecorded> {
    let stream = StreamId::reads_of(read.patient_id);
    let payload =
        RecordRead { patient_id: read.patient_id, parts: read.parts.into_iter().collect(), basis: read.basis };
    let actor =
        Actor { account_id: read.reader.account_id, role: read.reader.role, facility_id: read.reader.facility_id };
    let event = NewEvent::typed(&payload, read.at).map_err(|error| NotRecorded(format!("event: {error}")))?;
    let request = AppendRequest::new(stream, ExpectedVersion::Any, actor, vec![event]);
    ledger.append(request).await.map(|_| ()).map_err(|error| NotRecorded(error.to_string()))
}
