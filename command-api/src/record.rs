//! Appending what a command decided to the ledger, with the caller as the actor.

use crate::error::ApiError;
use crate::AppState;
use event_schema::{Actor, EventPayload, StreamId, Timestamp};
use ledger::{AppendRequest, Appended, ExpectedVersion, NewEvent};

/// The events of one command, typed, ready to append.
pub fn events<T: EventPayload>(payloads: &[T]) -> Result<Vec<NewEvent>, ApiError> {
    let now = Timestamp::now();
    payloads.iter().map(|payload| NewEvent::typed(payload, now).map_err(ApiError::from)).collect()
}

/// Appends one event to `stream`.
pub async fn record<T: EventPayload>(
    state: &AppState,
    stream: &str,
    expected: ExpectedVersion,
    actor: Actor,
    payload: &T,
) -> Result<Appended, ApiError> {
    append(state, stream, expected, actor, events(std::slice::from_ref(payload))?).await
}

/// Appends prepared events to `stream`.
pub async fn append(
    state: &AppState,
    stream: &str,
    expected: ExpectedVersion,
    actor: Actor,
    events: Vec<NewEvent>,
) -> Result<Appended, ApiError> {
    let stream_id = StreamId::parse(stream).map_err(|error| ApiError::Internal(format!("stream name: {error}")))?;
    Ok(state.ledger.append(AppendRequest::new(stream_id, expected, actor, events)).await?)
}

/// The stream of an account's events.
pub fn account_stream(account_id: &impl std::fmt::Display) -> String {
    format!("account:{account_id}")
}

/// Every entry of a stream, in order, with the stream's version (0 if it has none).
pub async fn read_stream(state: &AppState, stream: &str) -> Result<(Vec<event_schema::Entry>, u64), ApiError> {
    let stream_id = StreamId::parse(stream).map_err(|error| ApiError::Internal(format!("stream name: {error}")))?;
    let mut entries = Vec::new();
    loop {
        let after = entries.last().map(|entry: &event_schema::Entry| entry.stream_version).unwrap_or(0);
        let page = state.ledger.read_stream(&stream_id, after, 1000).await?;
        let done = page.len() < 1000;
        entries.extend(page);
        if done {
            break;
        }
    }
    let version = entries.last().map(|entry| entry.stream_version).unwrap_or(0);
    Ok((entries, version))
}

/// Decodes an entry of a known type; a stored entry that does not decode is a defect, reported as such.
pub fn decode<T: EventPayload>(state: &AppState, entry: &event_schema::Entry) -> Result<T, ApiError> {
    state
        .ledger
        .catalog()
        .decode::<T>(entry)
        .map_err(|error| ApiError::Internal(format!("a stored event does not decode: {error}")))
}

/// Parses an id from a path, as a field error when it is not one.
pub fn parse_id(text: &str, field: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(text).map_err(|_| ApiError::invalid_field(field, "must be a UUID"))
}
