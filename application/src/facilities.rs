//! The facility registry as its streams describe it.

use crate::error::ApplicationError;
use crate::streams::{decode, read_stream};
use domain::facility::{self, Facility, FacilityEvent};
use event_schema::events::facility::FacilityRegistered;
use event_schema::{EventPayload, StreamId};
use ledger::Ledger;
use uuid::Uuid;

/// A facility folded from its stream; `None` if no such facility was registered.
pub async fn load(ledger: &Ledger, id: Uuid) -> Result<Option<Facility>, ApplicationError> {
    let (entries, _) = read_stream(ledger, &StreamId::facility(id)).await?;
    let mut folded = None;
    for entry in &entries {
        if entry.event_type == FacilityRegistered::EVENT_TYPE {
            folded = facility::apply(folded, &FacilityEvent::Registered(decode(ledger, entry)?));
        }
    }
    Ok(folded)
}
