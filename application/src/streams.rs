//! Reading a stream whole and decoding its entries, and appending to one, for the command paths.

use crate::error::ApplicationError;
use event_schema::{Actor, Entry, EventPayload, StreamId, Timestamp};
use ledger::{AppendRequest, Appended, ExpectedVersion, Ledger, NewEvent};

/// How many entries one read of a stream fetches.
const PAGE: u32 = 1000;

/// Every entry of a stream, in order, with the stream's version (0 if it has none).
pub async fn read_stream(ledger: &Ledger, stream: &StreamId) -> Result<(Vec<Entry>, u64), ApplicationError> {
    let entries = read_stream_after(ledger, stream, 0).await?;
    let version = entries.last().map(|entry| entry.stream_version).unwrap_or(0);
    Ok((entries, version))
}

/// Every entry of a stream after its version `after`, in order.
pub async fn read_stream_after(ledger: &Ledger, stream: &StreamId, after: u64) -> Result<Vec<Entry>, ApplicationError> {
    let mut entries: Vec<Entry> = Vec::new();
    loop {
        let from = entries.last().map(|entry| entry.stream_version).unwrap_or(after);
        let page = ledger.read_stream(stream, from, PAGE).await?;
        let done = page.len() < PAGE as usize;
        entries.extend(page);
        if done {
            break;
        }
    }
    Ok(entries)
}

/// Decodes an entry of a known type; a stored entry that does not decode is a defect, reported as such.
pub fn decode<T: EventPayload>(ledger: &Ledger, entry: &Entry) -> Result<T, ApplicationError> {
    ledger
        .catalog()
        .decode::<T>(entry)
        .map_err(|error| ApplicationError::internal("a stored event does not decode", error))
}

/// The events of one command, typed, stamped `now`, ready to append.
pub fn new_events<T: EventPayload>(payloads: &[T], now: Timestamp) -> Result<Vec<NewEvent>, ApplicationError> {
    payloads.iter().map(|payload| NewEvent::typed(payload, now).map_err(ApplicationError::from)).collect()
}

impl crate::Application {
    /// Appends one event to `stream`, stamped now by the application's clock.
    pub async fn record<T: EventPayload>(
        &self,
        stream: StreamId,
        expected: ExpectedVersion,
        actor: Actor,
        payload: &T,
    ) -> Result<Appended, ApplicationError> {
        let events = new_events(std::slice::from_ref(payload), self.now())?;
        Ok(self.ledger().append(AppendRequest::new(stream, expected, actor, events)).await?)
    }
}
