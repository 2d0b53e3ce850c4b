//! The patient's access log, written: every read of medical data the query API reports becomes a
//! signed `access.record_read` event in the reader's name, in the stream `reads:<patient_id>`.
//!
//! Reads are queued and appended in the background, so a reader never waits for the ledger; many at
//! once reach the writer together and share its group commit. A failed append is retried, and on
//! shutdown the queue is drained before the ledger closes.

use event_schema::events::access::{RecordRead, STREAM_CATEGORY};
use event_schema::{Actor, StreamId};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use query_api::{Read, ReadRecorder};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// Reads waiting for the ledger before readers are made to wait (which only a ledger far behind can
/// cause).
const QUEUE: usize = 65_536;
/// How many reads one round appends at once.
const ROUND: usize = 512;
/// How many times a read's append is tried before it is logged as lost.
const ATTEMPTS: u32 = 5;

enum Message {
    Read(Box<Read>),
    Close(oneshot::Sender<()>),
}

/// The queue of reads to record, and the task that records them.
#[derive(Clone)]
pub struct ReadLog {
    queue: mpsc::Sender<Message>,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl ReadLog {
    /// Starts the recorder over `ledger`.
    pub fn start(ledger: Ledger) -> Self {
        let (queue, receiver) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(ledger, receiver));
        Self { queue, task: Arc::new(Mutex::new(Some(task))) }
    }

    /// Records every read queued so far, then stops.
    pub async fn close(&self) {
        let (done, finished) = oneshot::channel();
        if self.queue.send(Message::Close(done)).await.is_ok() {
            let _ = finished.await;
        }
        let task = self.task.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl ReadRecorder for ReadLog {
    fn record(&self, reads: Vec<Read>) {
        for read in reads {
            match self.queue.try_send(Message::Read(Box::new(read))) {
                Ok(()) => {}
                // A full queue means the ledger is far behind: the read waits its turn rather than
                // being dropped, without holding up the response.
                Err(mpsc::error::TrySendError::Full(message)) => {
                    let queue = self.queue.clone();
                    tokio::spawn(async move {
                        let _ = queue.send(message).await;
                    });
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    tracing::error!("command_api.read_log.closed: a read arrived after shutdown and is not recorded");
                }
            }
        }
    }
}

async fn run(ledger: Ledger, mut receiver: mpsc::Receiver<Message>) {
    let mut round = Vec::with_capacity(ROUND);
    while let Some(message) = receiver.recv().await {
        let mut closing = None;
        match message {
            Message::Read(read) => round.push(*read),
            Message::Close(done) => closing = Some(done),
        }
        while round.len() < ROUND && closing.is_none() {
            match receiver.try_recv() {
                Ok(Message::Read(read)) => round.push(*read),
                Ok(Message::Close(done)) => closing = Some(done),
                Err(_) => break,
            }
        }
        if closing.is_some() {
            // Whatever is still queued behind the close request is recorded too.
            while let Ok(Message::Read(read)) = receiver.try_recv() {
                round.push(*read);
            }
        }
        let appends = round.drain(..).map(|read| append(&ledger, read));
        futures::future::join_all(appends).await;
        if let Some(done) = closing {
            let _ = done.send(());
            return;
        }
    }
}

/// Appends one read, retrying a failure a few times.
async fn append(ledger: &Ledger, read: Read) {
    let stream = match StreamId::for_entity(STREAM_CATEGORY, read.patient_id) {
        Ok(stream) => stream,
        Err(error) => {
            tracing::error!(%error, "command_api.read_log.stream");
            return;
        }
    };
    let payload =
        RecordRead { patient_id: read.patient_id, parts: read.parts.into_iter().collect(), basis: read.basis };
    let actor =
        Actor { account_id: read.reader.account_id, role: read.reader.role, facility_id: read.reader.facility_id };
    for attempt in 1..=ATTEMPTS {
        let event = match NewEvent::typed(&payload, read.at) {
            Ok(event) => event,
            Err(error) => {
                tracing::error!(%error, "command_api.read_log.event");
                return;
            }
        };
        let request = AppendRequest::new(stream.clone(), ExpectedVersion::Any, actor.clone(), vec![event]);
        match ledger.append(request).await {
            Ok(_) => return,
            Err(error) if attempt < ATTEMPTS => {
                tracing::warn!(%error, attempt, "command_api.read_log.retrying");
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            Err(error) => tracing::error!(%error, "command_api.read_log.lost: a read could not be recorded"),
        }
    }
}
