//! The OpenAPI 3.1 document's common parts and the pages that serve it.
//!
//! The document is not written by hand: each handler carries a `#[utoipa::path]` annotation, and the
//! route modules register handlers through `utoipa_axum`'s `OpenApiRouter`, which routes a handler and
//! adds its annotation to the document in one step. What is described here is what is common to every
//! route: the title, the tags, the bearer scheme, the problem schema and the error answers many
//! routes share. The server composes the whole document from these parts and its APIs' routes;
//! `server/openapi.json` is its committed snapshot, checked by `server/tests/openapi_snapshot.rs`.

use crate::error::{ApiError, FieldError, Problem, PROBLEM_JSON};

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::SchemaType;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, ObjectBuilder, Ref, RefOr, Response as ResponseDoc, ResponseBuilder, Schema, Type,
};
use utoipa::{Modify, OpenApi, ToResponse};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";
/// Where the interactive documentation is served.
pub const DOCS_PATH: &str = "/api/v1/docs";

/// What every route shares; the routes themselves are added by the route modules' routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "CloudMedi command API",
        version = env!("CARGO_PKG_VERSION"),
        description = "Commands to CloudMedi, the national electronic medical record: logging in, \
            registering facilities, staff and patients. Every change is recorded as a signed event in the \
            ledger.\n\nAuthenticated routes take an opaque bearer token from `POST /api/v1/auth/login` in \
            the `Authorization` header. Every error is an RFC 9457 problem document \
            (`application/problem+json`); besides the answers each route lists, any route may answer \
            `408` (the request took too long), `413` (the body is too large), `500` (with a correlation id \
            to quote) or `503` (the database is not reachable; try again).\n\nA request that does not keep \
            to its schema (a type, a length, a pattern, a range, an unknown or missing field) is a `400` \
            (`/problems/invalid-request`) naming each field. A request that keeps to it but breaks a rule the \
            schema cannot state is a `422` (`/problems/rule-violated`), each field named with the rule: dates \
            checked against today or the patient's birth, codes checked against the ICD-10 list and the \
            immunisation schedule, identifiers that must name something that exists, free text that is empty \
            once its white space is tidied or holds control characters, and no string anywhere may hold the \
            character U+0000."
    ),
    modifiers(&BearerToken),
    components(
        schemas(Problem, FieldError),
        responses(Unauthenticated, CredentialsNotAccepted, TooManyAttempts, UnsupportedMediaType, InvalidRequest, RuleViolated)
    ),
    tags(
        (name = "health", description = "Liveness and readiness, for load balancers and orchestrators."),
        (name = "auth", description = "Logging in (password, then a second factor for staff), refreshing and \
            ending sessions, activating an issued account."),
        (name = "me", description = "The caller's own account and second factors."),
        (name = "facilities", description = "The registry of health facilities."),
        (name = "staff", description = "Staff accounts: registering, listing, suspending and reinstating \
            members of staff."),
        (name = "patients", description = "Registering patients and issuing their health ID."),
        (name = "record", description = "The clinical record: every section as its own commands, corrections \
            that never edit in place, the patient's consent, and break-the-glass access. Commands take an \
            `Idempotency-Key` and an `If-Match` version.")
    )
)]
pub struct ApiDoc;

/// The name the annotations' `security(("bearer" = []))` refer to.
pub const BEARER_SCHEME: &str = "bearer";

/// The name of the web session's cookie scheme, taken by the pages a browser opens
/// ([`PageCaller`](crate::authn::PageCaller)).
pub const SESSION_SCHEME: &str = "session";

/// Adds the bearer scheme: the derive has no syntax for security schemes.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("opaque")
                    .description(Some(
                        "An opaque access token from a login or a refresh, looked up on every request: a \
                         logout, a suspension or an expiry stops it at once.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::authn::SESSION_COOKIE,
                "The web pages' session: the same access token, kept by the browser once its user signs in on \
                 the web pages. Taken only by pages that read.",
            ))),
        );
    }
}

/// A problem+json answer, optionally with a header the client needs to act on it.
pub fn problem_response(description: &str, header: Option<(&str, Type, &str)>) -> RefOr<ResponseDoc> {
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build());
    if let Some((name, kind, description)) = header {
        let schema = ObjectBuilder::new().schema_type(kind);
        response = response.header(name, HeaderBuilder::new().schema(schema).description(Some(description)).build());
    }
    response.build().into()
}

/// `401` on an authenticated route.
pub struct Unauthenticated;

impl<'r> ToResponse<'r> for Unauthenticated {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        (
            "Unauthenticated",
            problem_response(
                "No bearer token, or one that is not a live session's (expired, logged out, or of a suspended \
                 account).",
                Some(("WWW-Authenticate", Type::String, "Always `Bearer`.")),
            ),
        )
    }
}

/// `401` on a route that checks a password, a code or a refresh token.
pub struct CredentialsNotAccepted;

impl<'r> ToResponse<'r> for CredentialsNotAccepted {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        (
            "CredentialsNotAccepted",
            problem_response(
                "The credentials were not accepted. The answer is the same whatever was wrong (an unknown \
                 login, a wrong password or code, an expired challenge, an account that is not active), so it \
                 says nothing about which accounts exist.",
                Some(("WWW-Authenticate", Type::String, "Always `Bearer`.")),
            ),
        )
    }
}

/// `429`: a lockout or the per-address limit.
pub struct TooManyAttempts;

impl<'r> ToResponse<'r> for TooManyAttempts {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        (
            "TooManyAttempts",
            problem_response(
                &format!(
                    "Too many attempts: {} failures within {} minutes lock the login out for {} minutes, and \
                     each client address may make only so many unauthenticated attempts.",
                    identity::LOCKOUT_THRESHOLD,
                    identity::FAILURE_WINDOW.as_secs() / 60,
                    identity::LOCKOUT.as_secs() / 60,
                ),
                Some(("Retry-After", Type::Integer, "Seconds to wait before trying again.")),
            ),
        )
    }
}

/// `415` on a route that takes a JSON body.
pub struct UnsupportedMediaType;

impl<'r> ToResponse<'r> for UnsupportedMediaType {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        ("UnsupportedMediaType", problem_response("The body is not sent as `application/json`.", None))
    }
}

/// `400` on a route that takes a JSON body.
pub struct InvalidRequest;

impl<'r> ToResponse<'r> for InvalidRequest {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        (
            "InvalidRequest",
            problem_response(
                "The request does not keep to its schema (`/problems/invalid-request`): malformed JSON, a \
                 missing or unknown field, a wrong type, a length, pattern or range broken; each field is named.",
                None,
            ),
        )
    }
}

/// `422` on a route that takes a JSON body.
pub struct RuleViolated;

impl<'r> ToResponse<'r> for RuleViolated {
    fn response() -> (&'r str, RefOr<ResponseDoc>) {
        (
            "RuleViolated",
            problem_response(
                "The request keeps to its schema but breaks a rule it cannot state (`/problems/rule-violated`); \
                 each field is named with the rule.",
                None,
            ),
        )
    }
}

/// Completes the document with what holds of every route of a kind, so that no route can leave it out:
/// a route that takes a JSON body may answer `400`, `415` and `422` (no string may hold U+0000, for
/// one), and an authenticated route `401`. A route's own description of these answers, where it has one,
/// is kept. Then the reference data's codes (see [`state_reference_codes`]).
pub fn complete(document: &mut utoipa::openapi::OpenApi) {
    for item in document.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let answers = &mut operation.responses.responses;
            if operation.request_body.is_some() {
                answers.entry("400".into()).or_insert_with(|| Ref::from_response_name("InvalidRequest").into());
                answers.entry("415".into()).or_insert_with(|| Ref::from_response_name("UnsupportedMediaType").into());
                answers.entry("422".into()).or_insert_with(|| Ref::from_response_name("RuleViolated").into());
            }
            if operation.security.as_ref().is_some_and(|security| !security.is_empty()) {
                answers.entry("401".into()).or_insert_with(|| Ref::from_response_name("Unauthenticated").into());
            }
        }
    }
    state_reference_codes(document);
}

/// The routes serving `document`: the JSON at [`DOCUMENT_PATH`] (rendered once, here, rather than on
/// every request) and the interactive documentation at [`DOCS_PATH`] (Scalar's API reference, whose
/// script and start-up script the binary serves itself, with the other pages' assets, so the page works
/// without internet).
pub fn router<S: Clone + Send + Sync + 'static>(document: utoipa::openapi::OpenApi) -> Router<S> {
    let json = serde_json::to_vec(&document).map(Bytes::from).map_err(|error| error.to_string());
    let serve_json = move || {
        let json = json.clone();
        async move {
            match json {
                Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
                Err(error) => ApiError::Internal(format!("the OpenAPI document: {error}")).into_response(),
            }
        }
    };
    Router::new()
        .route(DOCUMENT_PATH, get(serve_json))
        .route(DOCS_PATH, get(|| async { crate::assets::page(crate::assets::DOCS_PAGE) }))
        .merge(crate::assets::router())
}

/// States the reference data's codes as enums wherever a request names one: a `region` (the regions'
/// data file) and an `antigen` (every antigen of every version of the immunisation schedule). The codes
/// come from the same data the server checks against, so replacing a data file changes the document
/// with it; a code the schedule knows but not on the day a dose was given is still a `422`.
fn state_reference_codes(document: &mut utoipa::openapi::OpenApi) {
    let regions: Vec<String> = domain::reference::regions().iter().map(|region| region.code.clone()).collect();
    let mut antigens: Vec<String> = domain::record::schedule::versions()
        .iter()
        .flat_map(|version| version.antigens.iter().map(|antigen| antigen.code.clone()))
        .collect();
    antigens.sort();
    antigens.dedup();
    let codes = |name: &str| match name {
        "region" => Some(&regions),
        "antigen" => Some(&antigens),
        _ => None,
    };
    if let Some(components) = document.components.as_mut() {
        for schema in components.schemas.values_mut() {
            let RefOr::T(Schema::Object(object)) = schema else { continue };
            for (name, property) in object.properties.iter_mut() {
                if let (Some(codes), RefOr::T(Schema::Object(property))) = (codes(name), property) {
                    enumerate(property, codes);
                }
            }
        }
    }
    for item in document.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let (Some(codes), Some(RefOr::T(Schema::Object(schema)))) =
                    (codes(&parameter.name), parameter.schema.as_mut())
                {
                    enumerate(schema, codes);
                }
            }
        }
    }
}

/// Restricts a string schema to `codes` (and `null`, when it allows null).
fn enumerate(schema: &mut utoipa::openapi::schema::Object, codes: &[String]) {
    let nullable = match &schema.schema_type {
        SchemaType::Type(Type::String) => false,
        SchemaType::Array(types) if types.contains(&Type::String) => types.contains(&Type::Null),
        _ => return,
    };
    let mut values: Vec<serde_json::Value> = codes.iter().cloned().map(serde_json::Value::String).collect();
    if nullable {
        values.push(serde_json::Value::Null);
    }
    schema.enum_values = Some(values);
    schema.min_length = None;
    schema.max_length = None;
}
