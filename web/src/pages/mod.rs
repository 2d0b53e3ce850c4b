//! The pages, and what they share: the frame every page is drawn in (the language switch, signing
//! out), the form token each form carries, redirections, and the error pages.

pub mod activate;
pub mod card;
pub mod home;
pub mod sign_in;
mod summary;

use crate::forms::{self, FormKeys, Refusal};
use crate::i18n::Language;
use crate::{cookies, session, PagePolicy, WebState};
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use event_schema::events::account::LogoutScope;
use maud::{html, Markup, DOCTYPE};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub const SIGN_OUT_PATH: &str = "/sign-out";
pub const LANGUAGE_PATH: &str = "/language";

/// How long the language chosen is remembered: a year.
const LANGUAGE_MAX_AGE: u64 = 365 * 24 * 3600;
/// How long a form cookie lasts: a day, after which pages mint another (open forms are reloaded).
const FORM_MAX_AGE: u64 = 24 * 3600;

/// The pages a visitor may be sent back to after signing in. Nothing else is ever a destination,
/// so no link can send a visitor elsewhere (no open redirect), and none carries patient data.
const DESTINATIONS: [&str; 2] = ["/", card::PATH];

/// `next` if it is one of the pages a visitor may come back to, else the start page.
pub fn destination(next: Option<&str>) -> &'static str {
    let mut pages = DESTINATIONS.iter().chain(crate::portal::DESTINATIONS).chain(crate::workspace::DESTINATIONS);
    next.and_then(|next| pages.find(|page| **page == next)).copied().unwrap_or("/")
}

/// One request to a page: its language, and what its forms are bound to.
pub struct Visit {
    pub language: Language,
    form_cookie: String,
    /// Whether the form cookie was minted for this answer (and must be set with it).
    minted: bool,
    session: Option<String>,
    keys: Arc<FormKeys>,
}

impl Visit {
    pub fn new(state: &WebState, headers: &HeaderMap) -> Self {
        let existing = cookies::get(headers, cookies::FORM).filter(|value| value.len() == 64);
        Self {
            language: Language::of_request(headers),
            form_cookie: existing.map(str::to_owned).unwrap_or_else(forms::new_form_cookie),
            minted: existing.is_none(),
            session: cookies::get(headers, cookies::SESSION).map(str::to_owned),
            keys: state.keys.clone(),
        }
    }

    /// The token of the forms on this answer, bound to the cookies the request carried. Signing in
    /// and out answer with a redirection, so forms are always drawn for the cookies the browser
    /// holds when it posts them.
    fn token(&self) -> String {
        self.keys.token(&self.form_cookie, self.session.as_deref())
    }

    /// The hidden field carrying the form token.
    pub fn token_field(&self) -> Markup {
        html! { input type="hidden" name=(forms::TOKEN_FIELD) value=(self.token()); }
    }

    /// A page: `main` inside the frame, with the language switch (and signing out, when `signed_in`),
    /// answered with `status`.
    pub fn page(&self, status: StatusCode, title: &str, here: &str, signed_in: bool, main: Markup) -> Response {
        self.page_with(status, title, here, signed_in, main, None)
    }

    /// A page that loads `script`, one of this crate's assets (its path), which the page's policy
    /// then allows: scripts of this origin, nothing inline.
    pub fn page_with_script(
        &self,
        status: StatusCode,
        title: &str,
        here: &str,
        main: Markup,
        script: &str,
    ) -> Response {
        self.page_with(status, title, here, true, main, Some(script))
    }

    fn page_with(
        &self,
        status: StatusCode,
        title: &str,
        here: &str,
        signed_in: bool,
        main: Markup,
        script: Option<&str>,
    ) -> Response {
        let language = self.language;
        let body = html! {
            header.top {
                a.brand href="/" { (language.t("brand")) }
                form method="post" action=(LANGUAGE_PATH) {
                    (self.token_field())
                    input type="hidden" name="next" value=(here);
                    span.label id="language-label" { (language.t("language-label")) }
                    @for choice in Language::ALL {
                        button type="submit" name="lang" value=(choice.code()) lang=(choice.code())
                            aria-pressed=(if choice == language { "true" } else { "false" })
                            aria-describedby="language-label" {
                            (language.t(language_name(choice)))
                        }
                    }
                }
                @if signed_in {
                    form method="post" action=(SIGN_OUT_PATH) {
                        (self.token_field())
                        button type="submit" { (language.t("sign-out")) }
                    }
                }
            }
            main id="main" { (main) }
        };
        let mut response = document(language, title, body, status, script);
        if self.minted {
            if let Some(cookie) = cookies::set(cookies::FORM, &self.form_cookie, FORM_MAX_AGE) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
        }
        response
    }

    /// The page for an error.
    pub fn error(&self, error: PageError) -> Response {
        error_document(self.language, error)
    }
}

/// The message naming a language (in that language, whichever the page's).
fn language_name(language: Language) -> &'static str {
    match language {
        Language::French => id!("language-fr"),
        Language::English => id!("language-en"),
    }
}

/// A complete HTML page: `body` under the page's title, with the style sheet, and `script` (an
/// asset's path) when the page loads one.
fn document(language: Language, title: &str, body: Markup, status: StatusCode, script: Option<&str>) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang=(language.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (language.t_with("page-title", &[("title", title.into())])) }
                link rel="stylesheet" href=(crate::assets::style_path());
                // No icon to fetch: one request less on a slow link.
                link rel="icon" href="data:,";
                @if let Some(script) = script { script src=(script) defer {} }
            }
            body {
                a.skip href="#main" { (language.t("skip-to-content")) }
                (body)
                footer { p { (language.t("footer")) } }
            }
        }
    };
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // Pages show who is signed in and their record: never kept by a cache, never shown from history.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(if script.is_some() { PagePolicy::WithOwnScript } else { PagePolicy::Strict });
    response
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// A post refused before it was read.
    Refused(Refusal),
    NotFound,
    MethodNotAllowed,
    BadRequest,
    TooLarge,
    Timeout,
    TooManyAttempts {
        retry_after_secs: u64,
    },
    /// Nothing was shown: a store is unreachable, or a read could not be recorded.
    Unavailable,
    /// A defect; logged with its cause, shown only as a reference.
    Internal,
}

impl From<ApplicationError> for PageError {
    fn from(error: ApplicationError) -> Self {
        match error {
            ApplicationError::NotFound | ApplicationError::Forbidden => PageError::NotFound,
            ApplicationError::TooManyAttempts { retry_after_secs } => PageError::TooManyAttempts { retry_after_secs },
            ApplicationError::Unavailable(_) => PageError::Unavailable,
            error => {
                tracing::error!(error = %application::error::cause_chain(&error), "web.page.failed");
                PageError::Internal
            }
        }
    }
}

impl From<http_shell::error::ApiError> for PageError {
    fn from(error: http_shell::error::ApiError) -> Self {
        match error {
            http_shell::error::ApiError::TooManyAttempts { retry_after_secs } => {
                PageError::TooManyAttempts { retry_after_secs }
            }
            _ => {
                tracing::error!("web.page.attempts_unavailable");
                PageError::Internal
            }
        }
    }
}

/// Whole minutes, rounded up, in `seconds` (at least one).
pub fn minutes(seconds: u64) -> i64 {
    i64::try_from(seconds.div_ceil(60).max(1)).unwrap_or(i64::MAX)
}

/// An error page in `language`, without forms (so it needs no token).
fn error_document(language: Language, error: PageError) -> Response {
    let (status, title, message) = match &error {
        PageError::Refused(Refusal::CrossOrigin) => {
            (StatusCode::FORBIDDEN, language.t("error-forbidden-title"), language.t("error-cross-origin"))
        }
        PageError::Refused(Refusal::BadToken) => {
            (StatusCode::FORBIDDEN, language.t("error-forbidden-title"), language.t("error-form-token"))
        }
        PageError::NotFound => {
            (StatusCode::NOT_FOUND, language.t("error-not-found-title"), language.t("error-not-found"))
        }
        PageError::MethodNotAllowed => {
            (StatusCode::METHOD_NOT_ALLOWED, language.t("error-method-title"), language.t("error-method"))
        }
        PageError::BadRequest => {
            (StatusCode::BAD_REQUEST, language.t("error-bad-request-title"), language.t("error-bad-request"))
        }
        PageError::TooLarge => {
            (StatusCode::PAYLOAD_TOO_LARGE, language.t("error-too-large-title"), language.t("error-too-large"))
        }
        PageError::Timeout => {
            (StatusCode::REQUEST_TIMEOUT, language.t("error-timeout-title"), language.t("error-timeout"))
        }
        PageError::TooManyAttempts { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            language.t("error-too-many-title"),
            language.t_with("error-too-many", &[("minutes", minutes(*retry_after_secs).into())]),
        ),
        PageError::Unavailable => {
            (StatusCode::SERVICE_UNAVAILABLE, language.t("error-unavailable-title"), language.t("error-unavailable"))
        }
        PageError::Internal => {
            let reference = uuid::Uuid::new_v4().to_string();
            tracing::error!(%reference, "web.page.internal_error");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                language.t("error-internal-title"),
                language.t_with("error-internal", &[("reference", reference.into())]),
            )
        }
    };
    let body = html! {
        header.top { a.brand href="/" { (language.t("brand")) } }
        main id="main" {
            h1 { (title) }
            p.alert { (message) }
            p { a href="/" { (language.t("back-home")) } }
        }
    };
    let mut response = document(language, &title, body, status, None);
    if let PageError::TooManyAttempts { retry_after_secs } = error {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
    }
    response
}

/// The page for an error status the server produced without a page.
pub fn bare_error(status: StatusCode, headers: &HeaderMap) -> Response {
    let error = match status {
        StatusCode::NOT_FOUND => PageError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => PageError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => PageError::TooLarge,
        StatusCode::REQUEST_TIMEOUT => PageError::Timeout,
        StatusCode::SERVICE_UNAVAILABLE => PageError::Unavailable,
        status if status.is_client_error() => PageError::BadRequest,
        _ => PageError::Internal,
    };
    let mut response = error_document(Language::of_request(headers), error);
    *response.status_mut() = status;
    response
}

/// The answer to a method a page does not take: a page, with the methods it does take (`allow`).
pub(crate) fn method_not_allowed(
    allow: &'static str,
) -> impl Fn(HeaderMap) -> std::future::Ready<Response> + Clone + Send + Sync + 'static {
    move |headers: HeaderMap| {
        let mut response = bare_error(StatusCode::METHOD_NOT_ALLOWED, &headers);
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
        std::future::ready(response)
    }
}

/// A `303 See Other` to `location` (after a post, the browser follows it with a `GET`).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// To the sign-in page, coming back to `page` afterwards; a session cookie that no longer works is
/// dropped on the way.
pub fn to_sign_in(page: &str, headers: &HeaderMap) -> Response {
    let mut response = see_other(&sign_in_coming_back_to(page));
    if cookies::get(headers, cookies::SESSION).is_some() {
        response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
    }
    response
}

/// The sign-in page's path, coming back to `page` afterwards (the start page needs no mention).
pub fn sign_in_coming_back_to(page: &str) -> String {
    match destination(Some(page)) {
        "/" => sign_in::PATH.to_owned(),
        page => format!("{}?next={}", sign_in::PATH, page.replace('/', "%2F")),
    }
}

/// Where switching language leads back to: the page it was switched on, if that is the sign-in
/// page (with where it comes back to), the activation page, or a destination; else the start page.
fn after_language_switch(next: Option<&str>) -> String {
    match next {
        Some(activate::PATH) => activate::PATH.to_owned(),
        Some(page) if page == sign_in::PATH => sign_in::PATH.to_owned(),
        Some(page) => match page.strip_prefix(sign_in::PATH).and_then(|rest| rest.strip_prefix("?next=")) {
            Some(coming_back_to) => sign_in_coming_back_to(&coming_back_to.replace("%2F", "/")),
            None => destination(Some(page)).to_owned(),
        },
        None => "/".to_owned(),
    }
}

/// The client's address, when the server provides it, for the attempts it may make.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip())))
    }
}

/// Spends one of the client address's attempts (signing in, proving a second factor, activating).
pub fn spend_attempt(state: &WebState, address: &ClientAddress) -> Result<(), PageError> {
    match &state.attempts {
        Some(limit) => Ok(limit.spend(address.0)?),
        None => Ok(()),
    }
}

/// Checks a post's origin and token before its fields are looked at.
pub fn check_form(state: &WebState, headers: &HeaderMap, token: Option<&str>) -> Result<(), PageError> {
    state.keys.check(headers, token).map_err(PageError::Refused)
}

#[derive(Deserialize)]
pub struct SignOutForm {
    form_token: Option<String>,
}

/// Signs out: the session ends (access first, then the record, as the API does), its cookie is
/// dropped, and the visitor lands on the sign-in page.
pub(crate) async fn sign_out(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<SignOutForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    match session::current(&state, &headers).await {
        Ok(Some(signed_in)) => {
            let ended = state
                .application
                .log_out(&signed_in.account, &signed_in.session_id, &signed_in.principal, LogoutScope::ThisSession)
                .await;
            if let Err(error) = ended {
                return visit.error(error.into());
            }
        }
        Ok(None) => {}
        Err(error) => return visit.error(error),
    }
    let mut response = see_other(sign_in::PATH);
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
    response
}

#[derive(Deserialize)]
pub struct LanguageForm {
    form_token: Option<String>,
    lang: Option<String>,
    next: Option<String>,
}

/// Switches the pages' language and remembers it, then shows the same page again.
pub(crate) async fn language(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<LanguageForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let Some(language) = form.lang.as_deref().and_then(Language::from_code) else {
        return visit.error(PageError::BadRequest);
    };
    let mut response = see_other(&after_language_switch(form.next.as_deref()));
    if let Some(cookie) = cookies::set(cookies::LANGUAGE, language.code(), LANGUAGE_MAX_AGE) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A form field's value, its error if any, and how it is drawn.
pub struct Field<'a> {
    pub name: &'a str,
    pub label: String,
    pub kind: &'a str,
    /// Shown again after a refusal (never for a password).
    pub value: &'a str,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub autocomplete: &'a str,
}

impl Field<'_> {
    pub fn render(&self) -> Markup {
        let hint_id = format!("{}-hint", self.name);
        let error_id = format!("{}-error", self.name);
        let described: Vec<&str> =
            [self.hint.as_ref().map(|_| hint_id.as_str()), self.error.as_ref().map(|_| error_id.as_str())]
                .into_iter()
                .flatten()
                .collect();
        html! {
            div.field {
                label for=(self.name) { (self.label) }
                @if let Some(hint) = &self.hint { p.hint id=(hint_id) { (hint) } }
                @if let Some(error) = &self.error { p.error id=(error_id) { (error) } }
                input type=(self.kind) id=(self.name) name=(self.name) value=(self.value)
                    autocomplete=(self.autocomplete) required
                    aria-invalid=[self.error.as_ref().map(|_| "true")]
                    aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
            }
        }
    }
}

/// The error of a required text field of at most `max` characters, if it has one.
pub fn required(language: Language, value: &str, max: usize) -> Option<String> {
    if value.trim().is_empty() {
        Some(language.t("field-required"))
    } else if value.chars().count() > max {
        Some(language.t_with("field-too-long", &[("max", max.into())]))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_this_site_are_destinations() {
        assert_eq!(destination(Some("/")), "/");
        assert_eq!(destination(Some("/my/vaccination-card")), "/my/vaccination-card");
        for elsewhere in ["//evil.example", "https://evil.example/", "/\\evil.example", "/sign-out", "", "/graphql"] {
            assert_eq!(destination(Some(elsewhere)), "/", "{elsewhere}");
        }
        assert_eq!(destination(None), "/");
    }

    #[test]
    fn switching_language_stays_on_the_page_and_its_destination() {
        assert_eq!(after_language_switch(Some("/sign-in")), "/sign-in");
        assert_eq!(
            after_language_switch(Some("/sign-in?next=%2Fmy%2Fvaccination-card")),
            "/sign-in?next=%2Fmy%2Fvaccination-card"
        );
        assert_eq!(after_language_switch(Some("/sign-in?next=%2F%2Fevil.example")), "/sign-in");
        assert_eq!(after_language_switch(Some("/activate")), "/activate");
        assert_eq!(after_language_switch(Some("/my/vaccination-card")), "/my/vaccination-card");
        assert_eq!(after_language_switch(Some("https://evil.example/")), "/");
        assert_eq!(after_language_switch(None), "/");
    }

    #[test]
    fn waits_are_shown_in_whole_minutes() {
        assert_eq!(minutes(1), 1);
        assert_eq!(minutes(60), 1);
        assert_eq!(minutes(61), 2);
        assert_eq!(minutes(900), 15);
    }
}
