//! The patient's own printable vaccination card, for a web session: the query API's card (the one
//! `GET /api/v1/patients/{id}/vaccination-card` serves to a bearer token), read for the session's
//! viewer so the policy and the recording of the read are the API's. The patient is the session's
//! own, or the minor in their charge they chose to view: no patient id in the URL.

use super::{to_sign_in, PageError, Visit};
use crate::session;
use crate::{PagePolicy, WebState};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use query_api::{Code, Viewer};

pub const PATH: &str = "/my/vaccination-card";

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match session::current(&state, &headers).await {
        Ok(Some(signed_in)) => signed_in,
        Ok(None) => return to_sign_in(PATH, &headers),
        Err(error) => return visit.error(error),
    };
    let Ok(patient_id) = crate::portal::record_in_view(&signed_in) else { return visit.error(PageError::NotFound) };
    let viewer = Viewer { principal: signed_in.principal };
    match state.queries.printable_vaccination_card(viewer, patient_id).await {
        Ok(card) => {
            let mut response = Html(card).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response.extensions_mut().insert(PagePolicy::Printable);
            response
        }
        Err(Code::NotFound | Code::Forbidden) => visit.error(PageError::NotFound),
        Err(Code::Unavailable) => visit.error(PageError::Unavailable),
        Err(_) => visit.error(PageError::Internal),
    }
}
