//! The facility registry: registering a facility, and a facility as its stream describes it.

use crate::access::authorize;
use crate::error::ApplicationError;
use crate::record::actor_of;
use crate::streams::{decode, read_stream};
use crate::Application;
use domain::access::{Action, Facts, Principal};
use domain::facility::{self, Facility, FacilityError, FacilityEvent, RegisterFacility};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::{EventPayload, StreamId};
use ledger::{ExpectedVersion, Ledger};
use uuid::Uuid;

/// A facility as the system administrator describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFacility {
    pub name: String,
    pub level: FacilityLevel,
    pub ownership: FacilityOwnership,
    pub region: String,
    pub health_district: String,
}

impl From<FacilityError> for ApplicationError {
    fn from(error: FacilityError) -> Self {
        match error {
            FacilityError::Invalid(errors) => Self::Invalid(errors),
            FacilityError::AlreadyRegistered => Self::Conflict(error.to_string()),
        }
    }
}

impl Application {
    /// Adds a health facility to the network (system administrators only).
    #[tracing::instrument(name = "application.facilities.register", skip_all)]
    pub async fn register_facility(
        &self,
        principal: &Principal,
        new: NewFacility,
    ) -> Result<Facility, ApplicationError> {
        authorize(principal, &Action::RegisterFacility, &Facts::default())?;
        let facility_id = Uuid::now_v7();
        let command = RegisterFacility {
            facility_id,
            name: new.name,
            level: new.level,
            ownership: new.ownership,
            region: new.region,
            health_district: new.health_district,
        };
        let mut registered = None;
        for event in facility::decide_register(None, command)? {
            let FacilityEvent::Registered(payload) = &event;
            let stream = StreamId::facility(facility_id);
            self.record(stream, ExpectedVersion::NoStream, actor_of(principal), payload).await?;
            registered = facility::apply(registered, &event);
        }
        registered.ok_or_else(|| ApplicationError::internal("a facility registration", "the decision recorded nothing"))
    }
}

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
