//! The facility registry: registering facilities (system administrators) and reading them (anyone
//! signed in; a facility's name, level and district are public information).

use crate::authn::Caller;
use crate::error::ApiError;
use crate::json::Json;
use crate::record::{decode, parse_id, read_stream, record};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use domain::access::{Action, Facts};
use domain::facility::{self, Facility, FacilityError, FacilityEvent, RegisterFacility};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use ledger::ExpectedVersion;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/facilities", post(register)).route("/api/v1/facilities/{facility_id}", get(show))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterRequest {
    name: String,
    level: FacilityLevel,
    ownership: FacilityOwnership,
    /// A region code, e.g. `LT` for Littoral.
    region: String,
    health_district: String,
}

#[derive(Serialize)]
pub struct FacilityView {
    facility_id: Uuid,
    name: String,
    level: FacilityLevel,
    ownership: FacilityOwnership,
    region: String,
    health_district: String,
}

impl From<Facility> for FacilityView {
    fn from(facility: Facility) -> Self {
        Self {
            facility_id: facility.id,
            name: facility.name,
            level: facility.level,
            ownership: facility.ownership,
            region: facility.region,
            health_district: facility.health_district,
        }
    }
}

pub fn facility_stream(id: Uuid) -> String {
    format!("facility:{id}")
}

/// The facility as its stream describes it, if it exists.
pub async fn load(state: &AppState, id: Uuid) -> Result<Option<Facility>, ApiError> {
    let (entries, _) = read_stream(state, &facility_stream(id)).await?;
    let mut facility = None;
    for entry in &entries {
        if entry.event_type == <FacilityRegistered as event_schema::EventPayload>::EVENT_TYPE {
            facility = facility::apply(facility, &FacilityEvent::Registered(decode(state, entry)?));
        }
    }
    Ok(facility)
}

async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<FacilityView>), ApiError> {
    caller.authorize(&Action::RegisterFacility, &Facts::default())?;
    let facility_id = Uuid::now_v7();
    let command = RegisterFacility {
        facility_id,
        name: request.name,
        level: request.level,
        ownership: request.ownership,
        region: request.region,
        health_district: request.health_district,
    };
    let events = facility::decide_register(None, command).map_err(|error| match error {
        FacilityError::Invalid(errors) => ApiError::from(errors),
        FacilityError::AlreadyRegistered => ApiError::Conflict { detail: error.to_string() },
    })?;
    let mut view = None;
    for FacilityEvent::Registered(registered) in &events {
        record(&state, &facility_stream(facility_id), ExpectedVersion::NoStream, caller.actor(), registered).await?;
        view = facility::apply(None, &FacilityEvent::Registered(registered.clone()));
    }
    let view = view.ok_or_else(|| ApiError::Internal("a registration without its event".into()))?;
    Ok((StatusCode::CREATED, axum::Json(view.into())))
}

async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    Path(facility_id): Path<String>,
) -> Result<axum::Json<FacilityView>, ApiError> {
    let id = parse_id(&facility_id, "/facility_id")?;
    let facility = load(&state, id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(facility.into()))
}
