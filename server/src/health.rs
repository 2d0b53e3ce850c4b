//! Liveness, readiness and metrics, for load balancers, orchestrators and monitoring.
//!
//! `/health` says the process is up and answering; `/ready` says it can do its work now: the ledger's
//! database answers, and the projectors have not stopped at an entry they must not fold (a broken
//! chain, an entry that does not decode), which would leave every read model behind. `/metrics` gives
//! the figures an operator watches (the ledger's head, each projector's lag, the outbox's messages by
//! channel and state and the age of the oldest pending, reminders by outcome) in Prometheus's text
//! format, read from the database at each scrape. None needs authentication, and none says anything
//! about patients.

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
    OpenApiRouter::new().routes(routes!(health)).routes(routes!(ready)).routes(routes!(metrics))
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

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    summary = "The figures an operator watches, in Prometheus's text format",
    description = "`cloudmedi_ledger_head`, `cloudmedi_projector_lag{projector}`, \
        `cloudmedi_outbox_messages{channel,state}` (state `pending`, `sent`, `given_up`), \
        `cloudmedi_outbox_oldest_pending_seconds{channel}` and `cloudmedi_reminders{outcome}` (`queued`, \
        `delivered`, `undeliverable`). Counts only: no patient, recipient or text.",
    responses(
        (status = 200, description = "The figures, read now.", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 503, body = Problem, content_type = PROBLEM_JSON,
            description = "The ledger's database does not answer.")
    )
)]
async fn metrics(State(state): State<HealthState>) -> Result<impl axum::response::IntoResponse, ApiError> {
    let unavailable = |error: &dyn std::fmt::Display| {
        tracing::warn!(%error, "metrics: the ledger's database does not answer");
        ApiError::Unavailable { detail: "the ledger's database does not answer".into() }
    };
    let database = state.ledger.storage().database();
    let head = state.ledger.head().await.map_err(|e| unavailable(&e))?.position;
    let projectors = projections::Runner::new(database.clone()).status(head).await.map_err(|e| unavailable(&e))?;
    let outbox = ledger::outbox::Outbox::new(database.clone()).summary().await.map_err(|e| unavailable(&e))?;
    let reminders =
        projections::read::ReadModels::new(database).reminder_outcomes().await.map_err(|e| unavailable(&e))?;
    let now = ledger::system::now().as_datetime();
    let mut body = String::new();
    let mut section = |name: &str, help: &str, samples: Vec<String>| {
        body.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
        for sample in samples {
            body.push_str(&sample);
            body.push('\n');
        }
    };
    section(
        "cloudmedi_ledger_head",
        "The position of the ledger's last entry.",
        vec![format!("cloudmedi_ledger_head {head}")],
    );
    section(
        "cloudmedi_projector_lag",
        "Ledger entries a projector has still to fold.",
        projectors.iter().map(|p| format!("cloudmedi_projector_lag{{projector=\"{}\"}} {}", p.name, p.lag)).collect(),
    );
    let mut lines = Vec::new();
    for channel in &outbox {
        for (state, n) in [("pending", channel.pending), ("sent", channel.sent), ("given_up", channel.given_up)] {
            lines.push(format!("cloudmedi_outbox_messages{{channel=\"{}\",state=\"{state}\"}} {n}", channel.channel));
        }
    }
    section("cloudmedi_outbox_messages", "Messages to people in the outbox, by channel and state.", lines);
    let ages = outbox
        .iter()
        .map(|channel| {
            let age = channel
                .oldest_pending
                .as_deref()
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                .map_or(0, |at| (now - at.with_timezone(&chrono::Utc)).num_seconds().max(0));
            format!("cloudmedi_outbox_oldest_pending_seconds{{channel=\"{}\"}} {age}", channel.channel)
        })
        .collect();
    section("cloudmedi_outbox_oldest_pending_seconds", "How long the oldest pending message has waited.", ages);
    section(
        "cloudmedi_reminders",
        "Reminders decided, by what became of them.",
        reminders.iter().map(|(outcome, n)| format!("cloudmedi_reminders{{outcome=\"{outcome}\"}} {n}")).collect(),
    );
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body))
}
