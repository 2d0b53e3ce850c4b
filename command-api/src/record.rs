//! Appending what a command decided to the ledger, and reading streams back, for the routes that do not
//! go through a typed command of the application layer yet (second factors, staff suspensions,
//! facilities). Each is the application layer's own helper with its error as an API error.

use crate::error::ApiError;
use crate::AppState;
use application::streams;
use event_schema::{Actor, Entry, EventPayload, StreamId};
use ledger::{Appended, ExpectedVersion};

/// Appends one event to `stream`.
pub async fn record<T: EventPayload>(
    state: &AppState,
    stream: StreamId,
    expected: ExpectedVersion,
    actor: Actor,
    payload: &T,
) -> Result<Appended, ApiError> {
    Ok(streams::record(&state.ledger, stream, expected, actor, payload).await?)
}

/// Every entry of a stream, in order, with the stream's version (0 if it has none).
pub async fn read_stream(state: &AppState, stream: &StreamId) -> Result<(Vec<Entry>, u64), ApiError> {
    Ok(streams::read_stream(&state.ledger, stream).await?)
}

/// Decodes an entry of a known type; a stored entry that does not decode is a defect, reported as such.
pub fn decode<T: EventPayload>(state: &AppState, entry: &Entry) -> Result<T, ApiError> {
    Ok(streams::decode(&state.ledger, entry)?)
}

/// Parses an id from a path, as a field error when it is not one.
pub fn parse_id(text: &str, field: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(text).map_err(|_| ApiError::invalid_field(field, "must be a UUID"))
}
