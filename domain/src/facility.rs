//! Health facilities: the registry every other record points into.
//!
//! `decide` takes the facility as its events left it (`None` if it does not exist) and a command, and
//! returns the events that follow, or why none can. It does no IO.

use crate::reference;
use crate::{tidy, FieldError};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use uuid::Uuid;

/// The facility as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    pub id: Uuid,
    pub name: String,
    pub level: FacilityLevel,
    pub ownership: FacilityOwnership,
    pub region: String,
    pub health_district: String,
}

/// Register a facility (a system administrator's command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterFacility {
    pub facility_id: Uuid,
    pub name: String,
    pub level: FacilityLevel,
    pub ownership: FacilityOwnership,
    pub region: String,
    pub health_district: String,
}

/// The events of a facility's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FacilityEvent {
    Registered(FacilityRegistered),
}

/// Why a facility command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FacilityError {
    #[error("the facility is already registered")]
    AlreadyRegistered,
    #[error("the facility is invalid")]
    Invalid(Vec<FieldError>),
}

const NAME_LENGTH: std::ops::RangeInclusive<usize> = 2..=120;
const DISTRICT_LENGTH: std::ops::RangeInclusive<usize> = 2..=80;

/// Decides what registering a facility records.
pub fn decide_register(
    state: Option<&Facility>,
    command: RegisterFacility,
) -> Result<Vec<FacilityEvent>, FacilityError> {
    if state.is_some() {
        return Err(FacilityError::AlreadyRegistered);
    }
    let name = tidy(&command.name);
    let district = tidy(&command.health_district);
    let mut errors = Vec::new();
    errors.extend(crate::tidied_length("/name", &command.name, &name, &NAME_LENGTH));
    errors.extend(crate::tidied_length("/health_district", &command.health_district, &district, &DISTRICT_LENGTH));
    if reference::region(&command.region).is_none() {
        let known: Vec<&str> = reference::regions().iter().map(|region| region.code.as_str()).collect();
        errors.push(FieldError::new("/region", format!("unknown region; one of {}", known.join(", "))));
    }
    let private_level = command.level == FacilityLevel::PrivateClinic;
    if private_level && command.ownership == FacilityOwnership::Public {
        errors.push(FieldError::rule("/ownership", "a private clinic cannot be publicly owned"));
    }
    if !errors.is_empty() {
        return Err(FacilityError::Invalid(errors));
    }
    Ok(vec![FacilityEvent::Registered(FacilityRegistered {
        facility_id: command.facility_id,
        name,
        level: command.level,
        ownership: command.ownership,
        region: command.region,
        health_district: district,
    })])
}

/// Folds an event into the facility.
pub fn apply(_state: Option<Facility>, event: &FacilityEvent) -> Option<Facility> {
    match event {
        FacilityEvent::Registered(registered) => Some(Facility {
            id: registered.facility_id,
            name: registered.name.clone(),
            level: registered.level,
            ownership: registered.ownership,
            region: registered.region.clone(),
            health_district: registered.health_district.clone(),
        }),
    }
}
