//! The facility directory (`GET /api/v1/facilities`): facilities in name order, a page at a time, from
//! the directory read model. Anyone signed in may list them, patients included: a facility's name,
//! region and district are public information, the kind printed on a signpost.

use super::QueryState;
use axum::extract::{Query, State};
use http_shell::authn::Caller;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<QueryState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// The largest page of the directory.
const PAGE_MAX: u32 = 200;
/// The page size when none is asked for.
const PAGE_DEFAULT: u32 = 50;

/// Which part of the directory to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DirectoryQuery {
    /// Only facilities of this region (a code, e.g. `LT` for Littoral).
    #[param(nullable = false)]
    region: Option<String>,
    /// Only facilities whose name starts with this text (1 to 120 characters; letters compared without
    /// case or accents). One that is all white space is a 422.
    #[param(nullable = false, min_length = 1, max_length = 120)]
    name: Option<String>,
    /// The last facility of the previous page (its `next`).
    #[param(nullable = false)]
    after: Option<Uuid>,
    /// How many facilities, 1 to 200; 50 when absent.
    #[param(nullable = false, minimum = 1, maximum = 200)]
    limit: Option<u32>,
}

/// A facility as the directory lists it. Its level and ownership are in the facility's own answer
/// (`GET /api/v1/facilities/{facility_id}`).
#[derive(Serialize, ToSchema)]
struct FacilityEntry {
    facility_id: Uuid,
    name: String,
    region: String,
    health_district: String,
}

/// A page of the directory.
#[derive(Serialize, ToSchema)]
struct FacilityPage {
    facilities: Vec<FacilityEntry>,
    /// The `after` of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Uuid>,
}

#[utoipa::path(
    get,
    path = "/api/v1/facilities",
    operation_id = "list_facilities",
    tag = "facilities",
    summary = "The facility directory",
    description = "Facilities in name order, a page at a time, optionally of one region or by the start of \
        their name. Anyone signed in may list them, patients included: they are public information. Served \
        from the directory read model, so a facility registered a moment ago may take a moment to appear.",
    params(DirectoryQuery),
    responses(
        (status = 200, description = "A page of facilities.", body = FacilityPage),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "A parameter is invalid; it is named (`/problems/invalid-request`)."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "`name` holds only white space, or U+0000 (`/problems/rule-violated`)."),
        (status = 401, response = http_shell::document::Unauthenticated)
    ),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<QueryState>,
    _caller: Caller,
    query: Result<Query<DirectoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<FacilityPage>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::bad_request(format!("the query string is invalid: {}", rejection.body_text()))
    })?;
    let limit = query.limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(ApiError::invalid_field("/limit", format!("must be 1 to {PAGE_MAX}")));
    }
    let text = |value: Option<String>, field: &str| -> Result<Option<String>, ApiError> {
        match value {
            Some(value) if value.is_empty() || value.chars().count() > 120 => {
                Err(ApiError::invalid_field(field, "must be 1 to 120 characters"))
            }
            Some(value) if value.trim().is_empty() || value.contains('\0') => {
                Err(ApiError::rule_violated(field, "must hold something besides white space, and no U+0000"))
            }
            other => Ok(other.map(|value| value.trim().to_owned())),
        }
    };
    let region = text(query.region, "/region")?;
    if region.as_deref().is_some_and(|code| domain::reference::region(code).is_none()) {
        let known: Vec<&str> = domain::reference::regions().iter().map(|region| region.code.as_str()).collect();
        return Err(ApiError::invalid_field("/region", format!("must be a region code, one of {}", known.join(", "))));
    }
    let filter = projections::read::FacilityFilter { region, name_prefix: text(query.name, "/name")? };
    let read_models = state.queries.read_models();
    // One more than the page, to know whether another follows.
    let mut rows = read_models
        .facility_directory(&filter, query.after, limit + 1)
        .await
        .map_err(|error| ApiError::Internal(format!("facility directory: {error}")))?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let facilities = rows
        .into_iter()
        .map(|row| {
            Ok(FacilityEntry {
                facility_id: http_shell::authn::stored_uuid(&row.facility_id)?,
                name: row.name,
                region: row.region,
                health_district: row.health_district,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let next = if more { facilities.last().map(|facility| facility.facility_id) } else { None };
    Ok(axum::Json(FacilityPage { facilities, next }))
}
