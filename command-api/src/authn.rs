//! Who is calling: the bearer token of every authenticated request, checked against the live sessions.
//!
//! The token is looked up on every request (it is opaque, not a self-contained signed token), so a
//! logout, a revocation or a suspension stops it at the very next request.

use crate::error::ApiError;
use crate::identity::codes::hash_token;
use crate::identity::now_micros;
use crate::identity::store::AccountRow;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use domain::access::{Action, CareBasis, Decision, Facts, Principal};
use event_schema::{Actor, Role};
use uuid::Uuid;

/// The authenticated caller of a request.
#[derive(Clone)]
pub struct Caller {
    pub session_id: String,
    pub principal: Principal,
    pub account: AccountRow,
}

impl Caller {
    /// The actor recorded on every event this caller causes.
    pub fn actor(&self) -> Actor {
        Actor {
            account_id: self.principal.account_id,
            role: self.principal.role,
            facility_id: self.principal.facility_id,
        }
    }

    /// Asks the policy; a refusal is `403` and is logged with its reason (never with patient data).
    pub fn authorize(&self, action: &Action, facts: &Facts) -> Result<(), ApiError> {
        match domain::access::authorize(&self.principal, action, facts) {
            Decision::Allow(_) => Ok(()),
            Decision::Deny(reason) => {
                tracing::info!(role = self.principal.role.as_str(), reason, "command_api.access.denied");
                Err(ApiError::Forbidden)
            }
        }
    }
}

impl Caller {
    /// Asks the policy about an action on one patient's record, answering so that the answer never
    /// tells a record the caller may not see from one that does not exist: a refusal that depends on
    /// the patient is `404`, exactly as for an unknown id; only an action the caller's role could not
    /// take on any patient (`probe`, the action as it reads without the record) is `403`, which says
    /// nothing about the patient. A `probe` of `None` (the action depends on the record) is always `404`.
    pub fn authorize_on_patient(&self, action: &Action, facts: &Facts, probe: Option<&Action>) -> Result<(), ApiError> {
        match self.authorize(action, facts) {
            Ok(()) => Ok(()),
            Err(_) if probe.is_some_and(|probe| !self.could_ever(probe)) => Err(ApiError::Forbidden),
            Err(_) => Err(ApiError::NotFound),
        }
    }

    /// Whether the caller's role allows `action` on some patient: one in their care, or (for a patient)
    /// their own record.
    fn could_ever(&self, action: &Action) -> bool {
        let action = match (action, self.principal.patient_id) {
            (Action::ManageConsent { .. }, Some(own)) => Action::ManageConsent { patient: own },
            (Action::ReadDemographics { .. }, Some(own)) => Action::ReadDemographics { patient: own },
            (Action::ReadSection { section, .. }, Some(own)) => Action::ReadSection { patient: own, section: *section },
            (other, _) => *other,
        };
        let in_care = Facts { care: Some(CareBasis::Facility) };
        domain::access::authorize(&self.principal, &action, &in_care).is_allowed()
    }
}

/// Parses a stored id; a malformed one is a defect in the store, not the caller's fault.
pub fn stored_uuid(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::Internal("a malformed id in the identity store".into()))
}

/// The principal an account row describes.
pub fn principal_of(account: &AccountRow) -> Result<Principal, ApiError> {
    let role = Role::parse(&account.role)
        .filter(|role| *role != Role::System)
        .ok_or_else(|| ApiError::Internal("an account with an unknown role".into()))?;
    Ok(Principal {
        account_id: stored_uuid(&account.id)?,
        role,
        facility_id: account.facility_id.as_deref().map(stored_uuid).transpose()?,
        patient_id: account.patient_id.as_deref().map(stored_uuid).transpose()?,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty() && token.len() <= 128)
            .ok_or(ApiError::Unauthorized)?;
        let (session_id, account) =
            state.identity.authenticate(&hash_token(token), now_micros()).await?.ok_or(ApiError::Unauthorized)?;
        let principal = principal_of(&account)?;
        Ok(Caller { session_id, principal, account })
    }
}
