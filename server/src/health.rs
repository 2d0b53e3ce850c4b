//! Liveness and readiness, for load balancers and orchestrators.
//!
//! `/health` says the process is up and answering; `/ready` says it can do its work now: the ledger's
//! database answers, and the projectors have not stopped at an entry they must not fold (a broken
//! chain, an entry that does not decode), which would leave every read model behind. Neither needs
//! authentication, and neither says anything about patients.

use axum::extract::State;
use axum::Json;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use ledger::Ledger;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The process is up.
#[derive(Serialize, ToSchema)]
struct Health {
    /// Always `ok`.
    status: &'static str,
    /// The server's version.
    version: &'static str,
}

/// The process can do its work.
#[derive(Serialize, ToSchema)]
struct Readiness {
    /// Always `ready`.
    status: &'static str,
    /// The position of the ledger's last entry.
    ledger_position: u64,
}

/// What the readiness check reads: the ledger, and beside it the projectors' alarm.
#[derive(Clone)]
pub struct HealthState {
    pub ledger: Ledger,
}

pub fn router() -> OpenApiRouter<HealthState> {
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(ready))
}

#[utoipa::path(
    get,
    path = "/health",
    tag = "health",
    summary = "Liveness: the process is up and answering",
    responses((status = 200, description = "The process answers.", body = Health))
)]
async fn health() -> Json<Health> {
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") })
}

#[utoipa::path(
    get,
    path = "/ready",
    tag = "health",
    summary = "Readiness: the ledger's database answers and the read models are kept",
    responses(
        (status = 200, description = "The server can do its work now.", body = Readiness),
        (status = 503, body = Problem, content_type = PROBLEM_JSON,
            description = "The ledger's database does not answer, or the projectors stopped at a broken ledger \
                entry (the detail names its position).")
    )
)]
async fn ready(State(state): State<HealthState>) -> Result<Json<Readiness>, ApiError> {
    let head = state.ledger.head().await.map_err(|error| {
        tracing::warn!(%error, "readiness check: the ledger's database does not answer");
        ApiError::Unavailable { detail: "the ledger's database does not answer".into() }
    })?;
    let alarm = projections::alarm(&state.ledger.storage().database()).await.map_err(|error| {
        tracing::warn!(%error, "readiness check: the projectors' alarm cannot be read");
        ApiError::Unavailable { detail: "the ledger's database does not answer".into() }
    })?;
    if let Some(alarm) = alarm {
        return Err(ApiError::Unavailable {
            detail: format!(
                "the projectors stopped at ledger position {}: {}; the read models are not kept up to date",
                alarm.position, alarm.reason
            ),
        });
    }
    Ok(Json(Readiness { status: "ready", ledger_position: head.position }))
}
