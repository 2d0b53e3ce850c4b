//! What callers hand to the ledger, and what they get back.

use crate::error::{InvalidEvent, LedgerError};
use event_schema::ledger_events::{is_key_registry_event, KEY_STREAM};
use event_schema::names::validate_event_type;
use event_schema::{Actor, CanonicalPayload, Catalog, EventPayload, Payload, StreamId, Timestamp};
use serde_json::Value;
use std::fmt;
use uuid::Uuid;

/// The most events one append may carry.
pub const MAX_EVENTS_PER_APPEND: usize = 1_000;

/// One event a command produced, not yet in the ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_at: Timestamp,
    pub payload: Value,
}

impl NewEvent {
    /// An event from a typed payload at its type's current schema version. The payload's floats are
    /// checked here, before it becomes JSON (where a NaN would silently become `null`); every other
    /// check happens when the event is appended.
    pub fn typed<T: EventPayload>(payload: &T, occurred_at: Timestamp) -> Result<Self, LedgerError> {
        let payload = CanonicalPayload::typed_value(payload)
            .map_err(|error| LedgerError::InvalidEvent { index: 0, reason: error.into() })?;
        Ok(Self { event_type: T::EVENT_TYPE.to_owned(), schema_version: T::SCHEMA_VERSION, occurred_at, payload })
    }
}

/// The stream version an append was decided against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the stream's version.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be at exactly this version (its last event's `stream_version`).
    Exactly(u64),
}

impl ExpectedVersion {
    pub(crate) fn admits(self, actual: u64) -> bool {
        match self {
            Self::Any => true,
            Self::NoStream => actual == 0,
            Self::Exactly(version) => actual == version,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any version"),
            Self::NoStream => f.write_str("no stream"),
            Self::Exactly(version) => write!(f, "version {version}"),
        }
    }
}

/// The events of one command, for one stream, appended all or nothing.
#[derive(Debug, Clone)]
pub struct AppendRequest {
    pub stream_id: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
    /// Identifies the command: retrying an append with a command id that already committed returns
    /// the first result and writes nothing.
    pub command_id: Uuid,
    pub actor: Actor,
    pub correlation_id: Uuid,
    pub causation_id: Option<Uuid>,
}

impl AppendRequest {
    /// A request with a fresh command id that also serves as its correlation id.
    pub fn new(stream_id: StreamId, expected: ExpectedVersion, actor: Actor, events: Vec<NewEvent>) -> Self {
        let command_id = Uuid::now_v7();
        Self { stream_id, expected, events, command_id, actor, correlation_id: command_id, causation_id: None }
    }

    pub fn with_command_id(mut self, command_id: Uuid) -> Self {
        self.command_id = command_id;
        self
    }
}

/// Where an append landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// The position of the append's first event; its events occupy consecutive positions.
    pub first_position: u64,
    pub last_position: u64,
    /// The stream's version after the append (its last event's `stream_version`).
    pub stream_version: u64,
    /// True when the command id had already committed and this is the original result.
    pub replayed: bool,
}

impl Appended {
    pub fn positions(&self) -> std::ops::RangeInclusive<u64> {
        self.first_position..=self.last_position
    }
}

/// Which key seals an append.
#[derive(Clone)]
pub(crate) enum SealWith {
    /// This node's signing key: every ordinary event.
    Node,
    /// The root key: key registry events only.
    Root(std::sync::Arc<event_schema::KeyPair>),
}

/// An event that passed every check, with its id and canonical payload text.
#[derive(Debug, Clone)]
pub(crate) struct PreparedEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub schema_version: u32,
    pub occurred_at: Timestamp,
    /// The payload's RFC 8785 text, as it will be hashed and stored.
    pub payload: Payload,
}

/// An append that passed every check that does not need the database.
/// Opaque outside this crate: only [`crate::Ledger`] makes them.
pub struct PreparedAppend {
    pub(crate) request: AppendRequest,
    pub(crate) events: Vec<PreparedEvent>,
    pub(crate) seal: SealWith,
}

impl PreparedAppend {
    /// Validates an append before it is queued, in the caller's task, so that the group-commit
    /// writer only ever sees appends that can be written.
    pub(crate) fn prepare(request: AppendRequest, seal: SealWith, catalog: &Catalog) -> Result<Self, LedgerError> {
        if request.events.is_empty() {
            return Err(LedgerError::InvalidAppend("an append needs at least one event".into()));
        }
        if request.events.len() > MAX_EVENTS_PER_APPEND {
            return Err(LedgerError::InvalidAppend(format!(
                "an append carries at most {MAX_EVENTS_PER_APPEND} events, this one has {}",
                request.events.len()
            )));
        }
        let by_root = matches!(seal, SealWith::Root(_));
        if by_root != (request.stream_id.as_str() == KEY_STREAM) {
            return Err(LedgerError::InvalidAppend(format!(
                "the stream `{KEY_STREAM}` is reserved for the key registry, which only the root key signs"
            )));
        }
        let mut events = Vec::with_capacity(request.events.len());
        for (index, event) in request.events.iter().enumerate() {
            let invalid = |reason: InvalidEvent| LedgerError::InvalidEvent { index, reason };
            validate_event_type(&event.event_type).map_err(|e| invalid(e.into()))?;
            if is_key_registry_event(&event.event_type) != by_root {
                return Err(LedgerError::InvalidAppend(format!(
                    "event {index}: `{}` is reserved for the key registry, which only the root key signs",
                    event.event_type
                )));
            }
            let payload = CanonicalPayload::from_value(event.payload.clone()).map_err(|e| invalid(e.into()))?;
            catalog
                .check_new(&event.event_type, event.schema_version, &payload.value)
                .map_err(|e| invalid(e.into()))?;
            let payload = payload.to_payload().map_err(|e| invalid(e.into()))?;
            events.push(PreparedEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type.clone(),
                schema_version: event.schema_version,
                occurred_at: event.occurred_at,
                payload,
            });
        }
        Ok(Self { request, events, seal })
    }
}
