//! The session of a page request: the token in the session cookie, looked up in the live sessions on
//! every request, exactly as the API looks up a bearer token (`http_shell::authn`), so a sign-out, a
//! revocation or a suspension ends it at the very next page.

use crate::cookies;
use crate::pages::PageError;
use crate::WebState;
use axum::http::HeaderMap;
use domain::access::Principal;
use event_schema::Role;
use identity::store::AccountRow;
use uuid::Uuid;

/// Who is signed in.
pub struct SignedIn {
    pub session_id: String,
    pub account: AccountRow,
    pub principal: Principal,
    /// For a guardian's session, the record of the minor in their charge they chose to view on the
    /// portal (the record cookie), checked to be in their charge still; `None` for their own.
    pub ward: Option<Uuid>,
}

/// The longest token accepted; the API's bound as well.
const TOKEN_MAX: usize = 128;

/// The request's live session, if it has one.
pub async fn current(state: &WebState, headers: &HeaderMap) -> Result<Option<SignedIn>, PageError> {
    let Some(token) = cookies::get(headers, cookies::SESSION).filter(|token| token.len() <= TOKEN_MAX) else {
        return Ok(None);
    };
    let found = state
        .application
        .identity()
        .authenticate(&identity::codes::hash_token(token), identity::now_micros())
        .await
        .map_err(application::ApplicationError::from)?;
    let Some((session_id, account)) = found else { return Ok(None) };
    let principal = application::accounts::principal_of(&account)?;
    let ward = ward_in_view(state, headers, &principal).await?;
    Ok(Some(SignedIn { session_id, account, principal, ward }))
}

/// The minor's record the record cookie names, if the session is a patient's who is that minor's
/// guardian today. A cookie naming anyone else (a guardianship ended, another account's child, a
/// forged value) is ignored: the patient sees their own record.
async fn ward_in_view(state: &WebState, headers: &HeaderMap, principal: &Principal) -> Result<Option<Uuid>, PageError> {
    let (Role::Patient, Some(own)) = (principal.role, principal.patient_id) else { return Ok(None) };
    let Some(ward) = cookies::get(headers, cookies::RECORD).and_then(|value| Uuid::parse_str(value).ok()) else {
        return Ok(None);
    };
    let wards = wards_of(state, own).await?;
    Ok(wards.contains(&ward).then_some(ward))
}

/// The minors in the charge of the patient `guardian` today.
pub async fn wards_of(state: &WebState, guardian: Uuid) -> Result<Vec<Uuid>, PageError> {
    let today = state.application.today_in_cameroon();
    state.queries.read_models().wards_of(guardian, &today).await.map_err(|error| {
        tracing::error!(error = %error, "web.session.wards_unreadable");
        PageError::Unavailable
    })
}
