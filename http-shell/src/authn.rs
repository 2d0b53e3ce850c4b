//! Who is calling: the bearer token of every authenticated request, checked against the live sessions.
//!
//! The token is looked up on every request (it is opaque, not a self-contained signed token), so a
//! logout, a revocation or a suspension stops it at the very next request.

use crate::error::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use domain::access::{Action, Facts, Principal};
use event_schema::Actor;
use identity::codes::hash_token;
use identity::now_micros;
use identity::store::{AccountRow, IdentityStore};
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
        Ok(application::access::authorize(&self.principal, action, facts)?)
    }
}

/// Parses a stored id; a malformed one is a defect in the store, not the caller's fault.
pub fn stored_uuid(text: &str) -> Result<Uuid, ApiError> {
    Ok(application::accounts::stored_uuid(text)?)
}

/// The principal an account row describes.
pub fn principal_of(account: &AccountRow) -> Result<Principal, ApiError> {
    Ok(application::accounts::principal_of(account)?)
}

/// Any API whose state holds the identity store can ask who is calling.
impl<S> FromRequestParts<S> for Caller
where
    IdentityStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
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
        let (session_id, account) = IdentityStore::from_ref(state)
            .authenticate(&hash_token(token), now_micros())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        let principal = principal_of(&account)?;
        Ok(Caller { session_id, principal, account })
    }
}
