//! Staff accounts: administrators register staff (each gets an account to activate with a one-time
//! code sent to them), list them, and suspend or reinstate them.
//!
//! A facility administrator manages their own facility's practitioners and clerks; a system
//! administrator appoints facility administrators and manages the national roles. Suspension takes
//! effect at once: the account is shut and every session it holds is revoked before the suspension is
//! recorded, so the suspended person's next request already fails.

use crate::authn::Caller;
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::json::Json;
use crate::record::{decode, parse_id, read_stream, record};
use crate::routes::facilities;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::access::{Action, Facts};
use domain::staff::{self, ActivationDelivery, RegisterStaff, StaffError, StaffEvent, StaffMember, SuspendStaff};
use event_schema::events::staff::{
    ActivationReissued, ContactChannel, StaffRegistered, StaffReinstated, StaffSuspended,
};
use event_schema::StreamId;
use event_schema::{Actor, EventPayload, Role};
use identity::codes::{hash_code, new_activation_code};
use identity::store::{AccountRow, StaffRow, ACTIVE, ISSUED, SUSPENDED};
use identity::{micros_after, now_micros};
use ledger::outbox::ChannelKind;
use ledger::ExpectedVersion;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
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
    /// Where the activation code went.
    activation_sent_by: ContactChannel,
}

/// A member of staff as their account stands.
#[derive(Serialize, ToSchema)]
#[schema(as = StaffMember)]
struct StaffView {
    #[schema(value_type = Uuid)]
    account_id: String,
    login: String,
    #[schema(value_type = Role)]
    role: String,
    /// The facility they work at; `null` for national roles.
    #[schema(value_type = Option<Uuid>)]
    facility_id: Option<String>,
    family_name: String,
    given_names: String,
    /// `issued` (not activated yet), `active` or `suspended`.
    status: String,
}

impl From<StaffRow> for StaffView {
    fn from(row: StaffRow) -> Self {
        Self {
            account_id: row.id,
            login: row.login,
            role: row.role,
            facility_id: row.facility_id,
            family_name: row.family_name,
            given_names: row.given_names,
            status: row.status,
        }
    }
}

fn staff_error(error: StaffError) -> ApiError {
    application::ApplicationError::from(error).into()
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
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller may not register this role at this facility."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No facility has this id."),
        (status = 415, response = crate::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register_at_facility(
    State(state): State<AppState>,
    caller: Caller,
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
        administrators, who belong to no facility.",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The member of staff is registered.", body = Registered),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "Some fields are invalid, or the professional ID already has an account."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "Only system administrators manage national staff."),
        (status = 415, response = crate::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register_national(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<Registered>), ApiError> {
    caller.authorize(&Action::ManageNationalStaff, &Facts::default())?;
    let registered = register(&state, caller.actor(), request, None).await?;
    Ok((StatusCode::CREATED, axum::Json(registered)))
}

async fn register(
    state: &AppState,
    actor: Actor,
    request: RegisterRequest,
    facility_id: Option<Uuid>,
) -> Result<Registered, ApiError> {
    let command = RegisterStaff {
        account_id: Uuid::now_v7(),
        professional_id: request.professional_id,
        role: request.role,
        facility_id,
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
        role: registered.role,
        facility_id: registered.facility_id,
        activation_sent_by: registered.activation_sent_by,
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
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller may not see this facility's staff.")
    ),
    security(("bearer" = []))
)]
async fn list_at_facility(
    State(state): State<AppState>,
    caller: Caller,
    Path(facility_id): Path<String>,
) -> Result<axum::Json<Vec<StaffView>>, ApiError> {
    let facility = parse_id(&facility_id, "/facility_id")?;
    caller.authorize(&Action::ViewStaff { facility }, &Facts::default())?;
    let rows = state.identity.staff(Some(facility)).await?;
    Ok(axum::Json(rows.into_iter().map(StaffView::from).collect()))
}

#[utoipa::path(
    get,
    path = "/api/v1/staff",
    tag = "staff",
    summary = "The national staff",
    responses(
        (status = 200, description = "Every member of staff who belongs to no facility.", body = Vec<StaffView>),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "Only system administrators manage national staff.")
    ),
    security(("bearer" = []))
)]
async fn list_national(State(state): State<AppState>, caller: Caller) -> Result<axum::Json<Vec<StaffView>>, ApiError> {
    caller.authorize(&Action::ManageNationalStaff, &Facts::default())?;
    let rows = state.identity.staff(None).await?;
    Ok(axum::Json(rows.into_iter().map(StaffView::from).collect()))
}

/// The member of staff an account id names, after checking the caller may act on them. Someone the
/// caller may not manage is answered as not found, so ids of other facilities' staff reveal nothing.
async fn managed_account(state: &AppState, caller: &Caller, account_id: &str) -> Result<AccountRow, ApiError> {
    let id = parse_id(account_id, "/account_id")?;
    let account = state.identity.get(&id.to_string()).await?.ok_or(ApiError::NotFound)?;
    let facility = account.facility_id.as_deref().map(crate::authn::stored_uuid).transpose()?;
    let action = match facility {
        Some(facility) => Action::SuspendStaff { facility },
        None => Action::ManageNationalStaff,
    };
    let patient = account.role == Role::Patient.as_str();
    if patient || !domain::access::authorize(&caller.principal, &action, &Facts::default()).is_allowed() {
        return Err(ApiError::NotFound);
    }
    // A facility administrator manages practitioners, not their fellow administrators.
    if caller.principal.role == Role::FacilityAdministrator && account.role == Role::FacilityAdministrator.as_str() {
        return Err(ApiError::Forbidden);
    }
    if id == caller.principal.account_id {
        return Err(ApiError::Conflict { detail: "you cannot act on your own account".into() });
    }
    Ok(account)
}

/// The member of staff as their staff stream describes them, with the stream's version.
async fn load_member(state: &AppState, account_id: Uuid) -> Result<(StaffMember, u64), ApiError> {
    let (entries, version) = read_stream(state, &StreamId::staff(account_id)).await?;
    let mut member = None;
    for entry in &entries {
        let event = match entry.event_type.as_str() {
            StaffRegistered::EVENT_TYPE => StaffEvent::Registered(decode(state, entry)?),
            StaffSuspended::EVENT_TYPE => StaffEvent::Suspended(decode(state, entry)?),
            StaffReinstated::EVENT_TYPE => StaffEvent::Reinstated(decode(state, entry)?),
            _ => continue,
        };
        member = staff::apply(member, &event);
    }
    Ok((member.ok_or(ApiError::NotFound)?, version))
}

/// How many times a decision is retaken when another administrator's decision about the same person
/// lands in between.
const DECISION_ATTEMPTS: usize = 3;

fn version_of(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
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
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "A facility administrator may not suspend a fellow administrator."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No member of staff the caller manages has this id."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "Already suspended, the caller's own account, or the account kept changing."),
        (status = 415, response = crate::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn suspend(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<String>,
    Json(request): Json<SuspendRequest>,
) -> Result<axum::Json<Suspended>, ApiError> {
    let account = managed_account(&state, &caller, &account_id).await?;
    let id = crate::authn::stored_uuid(&account.id)?;
    for _ in 0..DECISION_ATTEMPTS {
        let (member, version) = load_member(&state, id).await?;
        let command = |sessions_revoked| SuspendStaff {
            reason: request.reason.clone(),
            by: caller.principal.role,
            sessions_revoked,
        };
        match staff::decide_suspend(Some(&member), command(0)) {
            Err(StaffError::AlreadySuspended) => {
                // Already decided; make sure it is in force (an earlier attempt may have stopped halfway).
                state.identity.suspend_at(&account.id, version_of(version)).await?;
                state.identity.revoke_all(&account.id, now_micros()).await?;
                return Err(staff_error(StaffError::AlreadySuspended));
            }
            Err(error) => return Err(staff_error(error)),
            Ok(_) => {}
        }
        // Access is withdrawn first: from here the person's live tokens fail.
        state.identity.suspend_at(&account.id, version_of(version)).await?;
        let revoked = state.identity.revoke_all(&account.id, now_micros()).await?;
        let events = staff::decide_suspend(Some(&member), command(revoked)).map_err(staff_error)?;
        let Some(StaffEvent::Suspended(suspended)) = events.first() else {
            return Err(ApiError::Internal("a suspension without its event".into()));
        };
        let stream = StreamId::staff(id);
        match record(&state, stream, ExpectedVersion::Exactly(version), caller.actor(), suspended).await {
            Ok(appended) => {
                state.identity.suspend_at(&account.id, version_of(appended.stream_version)).await?;
                return Ok(axum::Json(Suspended { account_id: id, status: SUSPENDED, sessions_revoked: revoked }));
            }
            Err(ApiError::Conflict { .. }) => continue,
            Err(error) => return Err(error),
        }
    }
    Err(ApiError::Conflict { detail: "the account kept changing; try again".into() })
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
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "A fellow administrator, or a suspension decided by a higher authority."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No member of staff the caller manages has this id."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "Not suspended, the caller's own account, or the account kept changing.")
    ),
    security(("bearer" = []))
)]
async fn reinstate(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<String>,
) -> Result<axum::Json<Suspended>, ApiError> {
    let account = managed_account(&state, &caller, &account_id).await?;
    let id = crate::authn::stored_uuid(&account.id)?;
    for _ in 0..DECISION_ATTEMPTS {
        let (member, version) = load_member(&state, id).await?;
        let events = staff::decide_reinstate(Some(&member), caller.principal.role).map_err(staff_error)?;
        let Some(StaffEvent::Reinstated(reinstated)) = events.first() else {
            return Err(ApiError::Internal("a reinstatement without its event".into()));
        };
        // Access is granted back only once the reinstatement is recorded, and only if no later
        // decision (a new suspension) has been recorded since.
        let stream = StreamId::staff(id);
        match record(&state, stream, ExpectedVersion::Exactly(version), caller.actor(), reinstated).await {
            Ok(appended) => {
                state.identity.reinstate_at(&account.id, version_of(appended.stream_version)).await?;
                let status = if account.password_hash.is_some() { ACTIVE } else { ISSUED };
                return Ok(axum::Json(Suspended { account_id: id, status, sessions_revoked: 0 }));
            }
            Err(ApiError::Conflict { .. }) => continue,
            Err(error) => return Err(error),
        }
    }
    Err(ApiError::Conflict { detail: "the account kept changing; try again".into() })
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
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "A facility administrator may not act on a fellow administrator."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No member of staff the caller manages has this id."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The account is not waiting for activation, has no contact to send a code \
                to, or is the caller's own.")
    ),
    security(("bearer" = []))
)]
async fn reissue_activation(
    State(state): State<AppState>,
    caller: Caller,
    Path(account_id): Path<String>,
) -> Result<axum::Json<Reissued>, ApiError> {
    let account = managed_account(&state, &caller, &account_id).await?;
    let id = crate::authn::stored_uuid(&account.id)?;
    if account.status != ISSUED {
        return Err(ApiError::Conflict { detail: "this account is not waiting for activation".into() });
    }
    let (channel, sent_by, recipient) = match (&account.phone, &account.email) {
        (Some(phone), _) => (ChannelKind::Sms, ContactChannel::Sms, phone.clone()),
        (None, Some(email)) => (ChannelKind::Email, ContactChannel::Email, email.clone()),
        (None, None) => return Err(ApiError::Conflict { detail: "no contact is on file to send a code to".into() }),
    };
    let reissued = ActivationReissued { account_id: id, sent_by };
    record(&state, StreamId::staff(id), ExpectedVersion::Any, caller.actor(), &reissued).await?;
    let code = new_activation_code();
    let expires = micros_after(now_micros(), identity::ACTIVATION_TTL);
    if !state.identity.reissue_activation(&account.id, &hash_code(&code), expires).await? {
        return Err(ApiError::Conflict { detail: "this account is not waiting for activation".into() });
    }
    state.application.send_activation(channel, Some(recipient), &account.login, &code).await?;
    Ok(axum::Json(Reissued { account_id: id, sent_by }))
}
