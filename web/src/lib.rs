//! The web pages: server-rendered HTML for patients and staff, served by the same process as the APIs.
//!
//! Every page works without JavaScript: it is HTML forms and links, styled by one small style sheet
//! served from the binary. The one script, served from the binary too, only adds reading a card's QR
//! code to the patient search where the browser can; no other page loads a script. Texts are Project Fluent messages in French and English
//! ([`i18n`]); pages are written with maud, which escapes everything it interpolates.
//!
//! Signing in, second factors, activation and signing out call the application layer's `login`
//! service exactly as the JSON API does; a page's session is the same opaque token the API takes as a
//! bearer token, kept in an `HttpOnly`, `Secure`, `SameSite=Strict`, `__Host-` cookie and looked up
//! on every request, so a suspension or a sign-out ends it at the next page. Medical data is read
//! only through [`query_api::QueryApi`], in-process, for the session's viewer: the policy and the
//! recording of reads are the API's own. Every form carries a token only this server makes, and a
//! post from another site is refused before anything is done ([`forms`]).

// Code that serves requests answers every failure with a page.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// A message id, written where code keeps one as data rather than formatting it at once, so that the
/// translations' test finds every id the code names.
macro_rules! id {
    ($id:literal) => {
        $id
    };
}

pub mod assets;
pub mod cookies;
pub mod forms;
pub mod i18n;
mod pages;
mod portal;
mod session;
pub mod time;
mod workspace;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use http_shell::attempts::{AddressLimit, AttemptRate};
use std::sync::Arc;

/// What a page's `Content-Security-Policy` must allow, attached to its response for the server's
/// browser protections to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagePolicy {
    /// A page of this crate: this origin's style sheet and `data:` images, forms posting to this
    /// origin only, no script, nothing inline.
    Strict,
    /// A self-contained page to print (the vaccination card): no script, no form, and its own
    /// inline style sheet, which the policy allows by its hash.
    Printable,
    /// A page of this crate that loads a script of this origin (the patient search's QR code
    /// reader): [`PagePolicy::Strict`] with `script-src 'self'`, still nothing inline.
    WithOwnScript,
}

/// What the pages reach: the application layer (signing in), the query API (reading), the form
/// secret, and the attempts each client address has left.
#[derive(Clone)]
pub struct WebState {
    application: application::Application,
    queries: query_api::QueryApi,
    keys: Arc<forms::FormKeys>,
    attempts: Option<Arc<AddressLimit>>,
}

impl WebState {
    /// The pages over the application and the query API the server already holds, with a form secret
    /// drawn now.
    pub fn new(application: application::Application, queries: query_api::QueryApi) -> Self {
        Self { application, queries, keys: Arc::new(forms::FormKeys::random()), attempts: None }
    }
}

/// Every path this crate serves, every path under `/my/` (a patient's own pages) and under `/care/`
/// (the workspace), so that the server's own answers on them (a timeout, a body too large, a page not
/// found) are pages too.
pub fn serves(path: &str) -> bool {
    PAGES.contains(&path) || path.starts_with(assets::PREFIX) || path.starts_with("/my/") || path.starts_with("/care/")
}

const PAGES: [&str; 7] = [
    "/",
    pages::sign_in::PATH,
    pages::sign_in::SECOND_FACTOR_PATH,
    pages::activate::PATH,
    pages::SIGN_OUT_PATH,
    pages::LANGUAGE_PATH,
    pages::card::PATH,
];

/// The pages' routes. With `attempts`, signing in, second factors and activations are limited per
/// client address as the JSON API's are (which needs the server to provide each connection's
/// address, as `cloudmedi serve` does); lockouts per login apply in any case.
pub fn router(state: WebState, attempts: Option<AttemptRate>) -> Router {
    let state = WebState { attempts: attempts.and_then(AddressLimit::new).map(Arc::new), ..state };
    let (read, write, both) = ("GET, HEAD", "POST", "GET, HEAD, POST");
    let refuse = pages::method_not_allowed;
    Router::new()
        .route("/", get(pages::home::page).fallback(refuse(read)))
        .route(pages::sign_in::PATH, get(pages::sign_in::form).post(pages::sign_in::submit).fallback(refuse(both)))
        .route(pages::sign_in::SECOND_FACTOR_PATH, post(pages::sign_in::second_factor).fallback(refuse(write)))
        .route(pages::activate::PATH, get(pages::activate::form).post(pages::activate::submit).fallback(refuse(both)))
        .route(pages::SIGN_OUT_PATH, post(pages::sign_out).fallback(refuse(write)))
        .route(pages::LANGUAGE_PATH, post(pages::language).fallback(refuse(write)))
        .route(pages::card::PATH, get(pages::card::page).fallback(refuse(read)))
        .route(&format!("{}{{file}}", assets::PREFIX), get(assets::serve).fallback(refuse(read)))
        .merge(portal::routes())
        .merge(workspace::routes())
        .with_state(state)
}

/// The page for an error the server answered on one of these paths without a page (a timeout, a body
/// too large), in the visitor's language.
pub fn error_page(status: StatusCode, headers: &HeaderMap) -> Response {
    pages::bare_error(status, headers)
}
