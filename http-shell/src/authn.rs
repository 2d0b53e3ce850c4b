//! Who is calling: the bearer token of every authenticated request, checked against the live sessions.
//!
//! The token is looked up on every request (it is opaque, not a self-contained signed token), so a
//! logout, a revocation or a suspension stops it at the very next request.
//!
//! A page that a browser opens as well as a program (the statistics dashboard) also takes the web
//! session's cookie, [`PageCaller`]: it holds the very same token. Nothing else does, so no route that
//! changes anything can be reached by a cookie the browser sends along by itself.

use crate::error::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
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

/// The longest token taken, as a bearer token or in the session cookie.
const TOKEN_MAX: usize = 128;

/// The cookie the web pages keep the session's access token in: exactly what the API takes as a bearer
/// token. `__Host-` prefixed, `Secure`, `HttpOnly` and `SameSite=Strict`, as the web pages set it.
pub const SESSION_COOKIE: &str = "__Host-cloudmedi-session";

/// The value of cookie `name` in the request, if it has one that is not empty.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty())
}

/// The bearer token of the `Authorization` header, if it has one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok()).and_then(|value| {
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    })
}

/// The live session `token` opens, as its caller; `401` for none.
async fn caller_of(store: &IdentityStore, token: Option<&str>) -> Result<Caller, ApiError> {
    let token = token.filter(|token| !token.is_empty() && token.len() <= TOKEN_MAX).ok_or(ApiError::Unauthorized)?;
    let (session_id, account) =
        store.authenticate(&hash_token(token), now_micros()).await?.ok_or(ApiError::Unauthorized)?;
    let principal = principal_of(&account)?;
    Ok(Caller { session_id, principal, account })
}

/// Any API whose state holds the identity store can ask who is calling.
impl<S> FromRequestParts<S> for Caller
where
    IdentityStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        caller_of(&IdentityStore::from_ref(state), bearer(&parts.headers)).await
    }
}

/// The caller of a page a browser opens as well as a program: the bearer token when the request has an
/// `Authorization` header, the web session's cookie otherwise. For pages that only read (`GET`): a
/// browser sends the cookie along with any request to this host, so a route that changes anything
/// takes the bearer token alone ([`Caller`]), whatever the cookie's `SameSite` already prevents.
pub struct PageCaller(pub Caller);

impl<S> FromRequestParts<S> for PageCaller
where
    IdentityStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = match parts.headers.contains_key(header::AUTHORIZATION) {
            true => bearer(&parts.headers),
            false => cookie(&parts.headers, SESSION_COOKIE),
        };
        caller_of(&IdentityStore::from_ref(state), token).await.map(PageCaller)
    }
}
