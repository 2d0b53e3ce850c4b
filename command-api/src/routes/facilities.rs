//! The facility registry: registering facilities (system administrators), reading one, and listing
//! the directory (anyone signed in, patients included: a facility's name, level, region and district
//! are public information, the kind printed on a signpost).

use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::facilities::NewFacility;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::facility::Facility;
use http_shell::authn::Caller;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use http_shell::vocabulary::{FacilityLevel, FacilityOwnership};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new().routes(routes!(register)).routes(routes!(show))
}

/// A facility joining the network.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FacilityRegistration)]
struct RegisterRequest {
    /// 2 to 120 characters.
    #[schema(min_length = 2, max_length = 120)]
    name: String,
    level: FacilityLevel,
    ownership: FacilityOwnership,
    /// A region code, e.g. `LT` for Littoral.
    region: String,
    /// 2 to 80 characters.
    #[schema(min_length = 2, max_length = 80)]
    health_district: String,
}

/// A health facility.
#[derive(Serialize, ToSchema)]
#[schema(as = Facility)]
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
            level: facility.level.into(),
            ownership: facility.ownership.into(),
            region: facility.region,
            health_district: facility.health_district,
        }
    }
}

/// The facility as its stream describes it, if it exists.
pub async fn load(state: &CommandState, id: Uuid) -> Result<Option<Facility>, ApiError> {
    Ok(application::facilities::load(&state.ledger, id).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/facilities",
    operation_id = "register_facility",
    tag = "facilities",
    summary = "Register a facility",
    description = "Adds a health facility to the network. Only system administrators may.",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The facility is registered.", body = FacilityView),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "Some fields are invalid; each is named."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "Only system administrators register facilities."),
        (status = 415, response = http_shell::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::RegisterFacility>,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<FacilityView>), ApiError> {
    let new = NewFacility {
        name: request.name,
        level: request.level.into(),
        ownership: request.ownership.into(),
        region: request.region,
        health_district: request.health_district,
    };
    let registered = state.application.register_facility(&caller.principal, new).await?;
    Ok((StatusCode::CREATED, axum::Json(registered.into())))
}

#[utoipa::path(
    get,
    path = "/api/v1/facilities/{facility_id}",
    operation_id = "show_facility",
    tag = "facilities",
    summary = "A facility",
    description = "Anyone signed in may read a facility: its name, level and district are public information.",
    params(("facility_id" = Uuid, Path, description = "The facility's id.")),
    responses(
        (status = 200, description = "The facility.", body = FacilityView),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The id is not a UUID."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No facility has this id.")
    ),
    security(("bearer" = []))
)]
async fn show(
    State(state): State<CommandState>,
    _caller: Caller,
    Path(facility_id): Path<String>,
) -> Result<axum::Json<FacilityView>, ApiError> {
    let id = parse_id(&facility_id, "/facility_id")?;
    let facility = load(&state, id).await?.ok_or(ApiError::NotFound)?;
    Ok(axum::Json(facility.into()))
}
