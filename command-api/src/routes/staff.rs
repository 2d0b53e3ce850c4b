//! Staff accounts: administrators register staff (each gets an account to activate with a one-time
//! code sent to them), list them, and suspend or reinstate them.
//!
//! A facility administrator manages their own facility's practitioners and clerks; a system
//! administrator appoints facility administrators and manages the national roles. Suspension takes
//! effect at once: the account is shut and every session it holds is revoked before the suspension is
//! recorded, so the suspended person's next request already fails.

use crate::permitted::{self, Permitted};
use crate::routes::facilities;
use crate::routes::parse_id;
use crate::CommandState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::{Action, Facts};
use domain::staff::{ActivationDelivery, RegisterStaff};
use event_schema::Actor;
use http_shell::authn::Caller;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use http_shell::vocabulary::{ContactChannel, Role};
use identity::store::StaffRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .routes(routes!(register_at_facility, list_at_facility))
        .routes(routes!(register_national, list_national))
        .routes(routes!(suspend))
        .routes(routes!(reinstate))
        .routes(routes!(reissue_activation))
}

/// A member of staff to register, who will activate their account with a one-time code sent to their
/// phone or e-mail.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StaffRegistration)]
struct RegisterRequest {
    /// The professional ID the facility assigned; the person logs in with it.
    professional_id: String,
    role: Role,
    /// For a health authority analyst of a regional delegation, the region whose statistics the
    /// account reads (and no other); absent for a national analyst, refused for any other role.
    region: Option<String>,
    family_name: String,
    given_names: String,
    /// Where login codes are sent: a phone number, an e-mail address, or both.
    phone: Option<String>,
    email: Option<String>,
}

/// A member of staff registered, with an account waiting for activation.
#[derive(Serialize, ToSchema)]
#[schema(as = RegisteredStaff)]
struct Registered {
    account_id: Uuid,
    /// The professional ID, as the person logs in with it.
    login: String,
    role: Role,
    /// The facility they work at; `null` for national roles.
    facility_id: Option<Uuid>,
    /// The region a regional analyst's statistics are limited to; `null` for everyone else.
    region: Option<String>,
    /// Where the activation code went.
    activation_sent_by: ContactChannel,
}

/// A member of staff as their account stands.
#[derive(Serialize, ToSchema)]
#[schema(as = StaffMember)]
struct StaffView {
    account_id: Uuid,
    login: String,
    role: Role,
    /// The facility they work at; `null` for national roles.
    facility_id: Option<Uuid>,
    /// The region a regional analyst's statistics are limited to; `null` for everyone else.
    region: Option<String>,
    family_name: String,
    given_names: String,
    /// `issued` (not activated yet), `active` or `suspended`.
    status: &'static str,
}

impl From<StaffRow> for StaffView {
    fn from(row: StaffRow) -> Self {
        Self {
            account_id: row.id,
            login: row.login,
            role: row.role.into(),
            facility_id: row.facility_id,
            region: row.region,
            family_name: row.family_name,
            given_names: row.given_names,
            status: row.status.as_str(),
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/facilities/{facility_id}/staff",
    tag = "staff",
    summary = "Register a member of a facility's staff",
    description = "A facility administrator registers their facility's practitioners and clerks; a system \
        administrator appoints facility administrators. The account's activation code is sent to the \
        person's phone, or else their e-mail.",
    params(("facility_id" = Uuid, Path, description = "The facility's id.")),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The member of staff is registered.", body = Registered),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "Some fields are invalid, or the professional ID already has an account."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller may not register this role at this facility."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No facility has this id."),
        (status = 415, response = http_shell::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register_at_facility(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::RegisterFacilityStaff>,
    Path(facility_id): Path<String>,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<Registered>), ApiError> {
    let facility = parse_id(&facility_id, "/facility_id")?;
    let action = if request.role == Role::FacilityAdministrator {
        Action::AppointFacilityAdministrator { facility }
    } else {
        Action::RegisterStaff { facility }
    };
    caller.authorize(&action, &Facts::default())?;
    if facilities::load(&state, facility).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let registered = register(&state, caller.actor(), request, Some(facility)).await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

#[utoipa::path(
    post,
    path = "/api/v1/staff",
    tag = "staff",
    summary = "Register a member of the national staff",
    description = "A system administrator registers health authority analysts, auditors and other system \
        administrators, who belong to no facility. An analyst of a regional delegation is registered with \
        the region whose statistics the account reads.",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The member of staff is registered.", body = Registered),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "Some fields are invalid, or the professional ID already has an account."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "Only system administrators manage national staff."),
        (status = 415, response = http_shell::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register_national(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageNationalStaff>,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<Registered>), ApiError> {
    caller.authorize(&Action::ManageNationalStaff, &Facts::default())?;
    let registered = register(&state, caller.actor(), request, None).await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

async fn register(
    state: &CommandState,
    actor: Actor,
    request: RegisterRequest,
    facility_id: Option<Uuid>,
) -> Result<Registered, ApiError> {
    let command = RegisterStaff {
        account_id: Uuid::now_v7(),
        professional_id: request.professional_id,
        role: request.role.into(),
        facility_id,
        region: request.region,
        family_name: request.family_name,
        given_names: request.given_names,
        phone: request.phone,
        email: request.email,
        registered_by: actor.role,
        delivery: ActivationDelivery::ToContact,
    };
    let (registered, _) = state.application.issue_staff(actor, command).await?;
    Ok(Registered {
        account_id: registered.account_id,
        login: registered.login,
        role: registered.role.into(),
        facility_id: registered.facility_id,
        region: registered.region,
        activation_sent_by: registered.activation_sent_by.into(),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/facilities/{facility_id}/staff",
    tag = "staff",
    summary = "A facility's staff",
    params(("facility_id" = Uuid, Path, description = "The facility's id.")),
    responses(
        (status = 200, description = "Every member of the facility's staff.", body = Vec<StaffView>),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The id is not a UUID."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller may not see this facility's staff.")
    ),
    security(("bearer" = []))
)]
async fn list_at_facility(
    State(state): State<CommandState>,
    caller: Caller,
    Path(facility_id): Path<String>,
) -> Result<axum::Json<Vec<StaffView>>, ApiError> {
    let facility = parse_id(&facility_id, "/facility_id")?;
    let rows = state.application.staff_of(&caller.principal, Some(facility)).await?;
    Ok(axum::Json(rows.into_iter().map(StaffView::from).collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "staff",
    summary = "The national staff",
    responses(
        (status = 200, description = "Every member of staff who belongs to no facility.", body = Vec<StaffView>),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "Only system administrators manage national staff.")
    ),
    security(("bearer" = []))
)]
async fn list_national(
    State(state): State<CommandState>,
    caller: Caller,
) -> Result<axum::Json<Vec<StaffView>>, ApiError> {
    let rows = state.application.staff_of(&caller.principal, None).await?;
    Ok(axum::Json(rows.into_iter().map(StaffView::from).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Suspension)]
struct SuspendRequest {
    /// Why, for the record.
    reason: String,
}

/// A member of staff's account after a suspension or a reinstatement.
#[derive(Serialize, ToSchema)]
#[schema(as = StaffAccountStatus)]
struct Suspended {
    account_id: Uuid,
    /// `suspended`; after a reinstatement, `active`, or `issued` if the account was never activated.
    status: &'static str,
    /// How many sessions the suspension ended.
    sessions_revoked: u32,
}

impl From<application::staff::StaffStatus> for Suspended {
    fn from(status: application::staff::StaffStatus) -> Self {
        let application::staff::StaffStatus { account_id, status, sessions_revoked } = status;
        Suspended { account_id, status: status.as_str(), sessions_revoked }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/staff/{account_id}/suspend",
    tag = "staff",
    summary = "Suspend a member of staff",
    description = "Takes effect at once: the account is shut and every session it holds ends before the \
        suspension is recorded. Someone the caller may not manage is answered as not found.",
    params(("account_id" = Uuid, Path, description = "The member of staff's account id.")),
    request_body = SuspendRequest,
    responses(
        (status = 200, description = "The account is suspended.", body = Suspended),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The id is not a UUID, or the reason is invalid."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller's role manages no staff (checked before anything else), or a \
                facility administrator may not suspend a fellow administrator."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No member of staff the caller manages has this id."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "Already suspended, the caller's own account, or the account kept changing."),
        (status = 415, response = http_shell::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn suspend(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageStaff>,
    Path(account_id): Path<String>,
    Json(request): Json<SuspendRequest>,
) -> Result<axum::Json<Suspended>, ApiError> {
    let account_id = parse_id(&account_id, "/account_id")?;
    let status = state.application.suspend_staff(&caller.principal, account_id, request.reason).await?;
    Ok(axum::Json(status.into()))
}

#[utoipa::path(
    post,
    path = "/api/v1/staff/{account_id}/reinstate",
    tag = "staff",
    summary = "Reinstate a suspended member of staff",
    description = "Access comes back once the reinstatement is recorded. Someone the caller may not manage is \
        answered as not found.",
    params(("account_id" = Uuid, Path, description = "The member of staff's account id.")),
    responses(
        (status = 200, description = "The account is reinstated.", body = Suspended),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The id is not a UUID."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller's role manages no staff (checked before anything else), a fellow \
                administrator, or a suspension decided by a higher authority."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No member of staff the caller manages has this id."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "Not suspended, the caller's own account, or the account kept changing.")
    ),
    security(("bearer" = []))
)]
async fn reinstate(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageStaff>,
    Path(account_id): Path<String>,
) -> Result<axum::Json<Suspended>, ApiError> {
    let account_id = parse_id(&account_id, "/account_id")?;
    Ok(axum::Json(state.application.reinstate_staff(&caller.principal, account_id).await?.into()))
}

/// A fresh activation code was sent.
#[derive(Serialize, ToSchema)]
#[schema(as = ActivationSent)]
struct Reissued {
    account_id: Uuid,
    /// Where the code went.
    sent_by: ContactChannel,
}

/// Sends a fresh activation code to a member of staff who has not activated their account yet (the
/// first was lost or expired); the earlier code stops working.
#[utoipa::path(
    post,
    path = "/api/v1/staff/{account_id}/activation",
    tag = "staff",
    summary = "Send a member of staff a fresh activation code",
    description = "For an account not activated yet whose code was lost or expired; the earlier code stops \
        working. Someone the caller may not manage is answered as not found.",
    params(("account_id" = Uuid, Path, description = "The member of staff's account id.")),
    responses(
        (status = 200, description = "A fresh code was sent.", body = Reissued),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The id is not a UUID."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller's role manages no staff (checked before anything else), or a \
                facility administrator may not act on a fellow administrator."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No member of staff the caller manages has this id."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The account is not waiting for activation, has no contact to send a code \
                to, or is the caller's own.")
    ),
    security(("bearer" = []))
)]
async fn reissue_activation(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageStaff>,
    Path(account_id): Path<String>,
) -> Result<axum::Json<Reissued>, ApiError> {
    let account_id = parse_id(&account_id, "/account_id")?;
    let sent_by = state.application.reissue_activation(&caller.principal, account_id).await?;
    Ok(axum::Json(Reissued { account_id, sent_by: sent_by.into() }))
}
