//! Liveness and readiness, for load balancers and orchestrators.
//!
//! `/health` says the process is up and answering; `/ready` says it can do its work now (the ledger's
//! database answers). Neither needs authentication, and neither says anything about patients.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    ledger_position: u64,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/ready", get(ready))
}

async fn health() -> Json<Health> {
    Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION") })
}

async fn ready(State(state): State<AppState>) -> Result<Json<Readiness>, ApiError> {
    let head = state.ledger.head().await.map_err(|error| {
        tracing::warn!(%error, "readiness check: the ledger's database does not answer");
        ApiError::Unavailable { detail: "the ledger's database does not answer".into() }
    })?;
    Ok(Json(Readiness { status: "ready", ledger_position: head.position }))
}
