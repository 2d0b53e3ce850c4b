//! Group commit: one writer task per ledger handle takes every append queued since its last commit
//! and writes them in one transaction, so one fsync (or one PostgreSQL commit) serves many appends.
//! While a batch commits, the next one gathers in the queue: under load, batches grow by themselves.

use crate::append::{Appended, PreparedAppend, SealWith};
use crate::error::LedgerError;
use crate::seal::Sealer;
use crate::storage::Storage;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::Instrument;

/// The most events one group-commit batch holds.
pub const MAX_BATCH_EVENTS: usize = 4_096;

/// A batch this large means appenders are queueing: worth yielding for more to join it.
const LINGER_FROM: usize = 4;
/// How many turns the writer yields, at most, while a batch keeps growing.
const LINGER_ROUNDS: usize = 8;

/// What the writer task receives.
pub(crate) enum Message {
    Append {
        append: PreparedAppend,
        reply: oneshot::Sender<Result<Appended, LedgerError>>,
    },
    /// Acknowledged once everything queued before it has been committed.
    Close {
        done: oneshot::Sender<()>,
    },
}

pub(crate) struct Writer {
    pub storage: Arc<dyn Storage>,
    pub sealer: Sealer,
    pub queue: mpsc::Receiver<Message>,
    pub head: Arc<watch::Sender<u64>>,
}

type Pending = (PreparedAppend, oneshot::Sender<Result<Appended, LedgerError>>);

impl Writer {
    pub(crate) async fn run(mut self) {
        let mut carried: Option<Message> = None;
        loop {
            let first = match carried.take() {
                Some(message) => message,
                None => match self.queue.recv().await {
                    Some(message) => message,
                    None => return,
                },
            };
            let (append, reply) = match first {
                Message::Append { append, reply } => (append, reply),
                Message::Close { done } => {
                    let _ = done.send(());
                    return;
                }
            };
            // A root-signed append (key registry) is always committed alone, so that the registry the
            // next batch is sealed against includes it.
            let alone = matches!(append.seal, SealWith::Root(_));
            let mut events = append.events.len();
            let mut batch: Vec<Pending> = vec![(append, reply)];
            let mut rounds = 0;
            while !alone && carried.is_none() && events < MAX_BATCH_EVENTS {
                let before = batch.len();
                while events < MAX_BATCH_EVENTS {
                    match self.queue.try_recv() {
                        Ok(Message::Append { append, reply }) if matches!(append.seal, SealWith::Node) => {
                            events += append.events.len();
                            batch.push((append, reply));
                        }
                        Ok(other) => {
                            carried = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                // Under load, appenders answered by the last commit are about to send their next
                // append: give them a few turns to join this batch, which costs the same fixed
                // round trips and fsync whatever its size. A lone appender never waits here.
                rounds += 1;
                if batch.len() < LINGER_FROM || batch.len() == before || rounds > LINGER_ROUNDS {
                    break;
                }
                tokio::task::yield_now().await;
            }
            let span = tracing::debug_span!("ledger.append.batch", appends = batch.len(), events);
            self.commit(batch).instrument(span).await;
        }
    }

    async fn commit(&mut self, batch: Vec<Pending>) {
        let appends: Vec<&PreparedAppend> = batch.iter().map(|(append, _)| append).collect();
        match self.storage.append_batch(&appends, &mut self.sealer).await {
            Ok(committed) => {
                let head = committed.plan.head.position;
                for ((_, reply), outcome) in batch.into_iter().zip(committed.plan.outcomes) {
                    let _ = reply.send(outcome);
                }
                self.head.send_if_modified(|current| {
                    let newer = head > *current;
                    if newer {
                        *current = head;
                    }
                    newer
                });
            }
            Err(error) if batch.len() == 1 => {
                tracing::warn!(%error, "ledger append failed; nothing was written");
                if let Some((_, reply)) = batch.into_iter().next() {
                    let _ = reply.send(Err(error));
                }
            }
            Err(error) if error.concerns_one_statement() => {
                // The database refused a statement (a constraint, a trigger) and the transaction
                // rolled back as a whole. Retry each append on its own so that one append's failure
                // is not visited on the others in its batch.
                tracing::warn!(%error, appends = batch.len(), "ledger batch failed; retrying its appends one by one");
                for pending in batch {
                    Box::pin(self.commit(vec![pending])).await;
                }
            }
            Err(error) => {
                // The database is unreachable or the connection broke: retrying append by append
                // would only wait out the same timeout once per append. Fail them all now; callers
                // retry with the same command ids, which makes the retry safe.
                tracing::warn!(%error, appends = batch.len(), "ledger batch failed; nothing was written");
                let message = error.to_string();
                for (_, reply) in batch {
                    let _ = reply.send(Err(LedgerError::Unavailable(message.clone())));
                }
            }
        }
    }
}
