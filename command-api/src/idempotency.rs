//! `Idempotency-Key`: a client names a command so that retrying it after a lost answer records nothing
//! twice. A key is bound to the request it was first sent with: the account, and the request's
//! fingerprint (method, route, path parameters and body). The same key with the same request is a
//! retry and gets the first answer; the same key with any difference is refused with `422`, never
//! taken for a retry of something else.
//!
//! Two things enforce this. The ledger's command id is derived from the account, the key *and* the
//! fingerprint, so a different request can never be answered with another command's result. And the
//! first use of a key is recorded (the application's `idempotency` store), so that a different request
//! under a used key is refused instead of being carried out as a new command the client did not mean
//! to send. This module reads the headers and fingerprints the request; the store keeps the bindings.

use crate::CommandState;
use application::error::cause_chain;
use application::idempotency::{Claimed, KeyHash, Settlement};
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_shell::error::ApiError;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The header naming a command.
pub const HEADER: &str = "idempotency-key";
/// The longest key accepted.
pub const KEY_MAX: usize = 128;
/// Namespace of command ids derived from idempotency keys.
const COMMAND_NAMESPACE: Uuid = Uuid::from_u128(0x5c1f_0b8e_4d7a_4e21_9a63_0c1d_2b7e_9f40);

/// What a keyed request is, as a SHA-256 (hex) of its canonical form: two requests have the same
/// fingerprint exactly when they ask for the same thing (whitespace and member order in the body do
/// not count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// The fingerprint of a request: its method, route template, path parameters (UUIDs in their
    /// canonical lower-case form) and body (RFC 8785 JSON when it is JSON, else its bytes).
    ///
    /// Fails only if the request cannot be canonicalised (strings and objects always can): a request
    /// without a fingerprint of its own must not share one with every other such request.
    pub fn of(
        method: &Method,
        route: &str,
        params: &[(String, String)],
        body: &[u8],
    ) -> Result<Self, event_schema::CanonicalError> {
        let params: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(name, value)| {
                let value = Uuid::parse_str(value).map(|id| id.to_string()).unwrap_or_else(|_| value.clone());
                (name.clone(), serde_json::Value::String(value))
            })
            .collect();
        let body = if body.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|value| event_schema::canonical::canonical_bytes(&value).ok())
                .map(|canonical| serde_json::Value::String(format!("json:{}", hex::encode(Sha256::digest(canonical)))))
                .unwrap_or_else(|| serde_json::Value::String(format!("bytes:{}", hex::encode(Sha256::digest(body)))))
        };
        let request = serde_json::json!({
            "method": method.as_str(),
            "route": route,
            "params": params,
            "body": body,
        });
        let canonical = event_schema::canonical::canonical_bytes(&request)?;
        Ok(Self(hex::encode(Sha256::digest(canonical))))
    }
}

/// Computes the fingerprint of a request that carries an `Idempotency-Key`, for [`Preconditions`].
/// A route layer: it needs the matched route and its parameters. The body is read here and handed on
/// unchanged; the body limit applied further out still holds.
pub async fn fingerprint(path: MatchedPath, params: RawPathParams, request: Request, next: Next) -> Response {
    if !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|source| source.is::<http_body_util::LengthLimitError>())
                || error.to_string().contains("length limit");
            let error = if too_large {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request("the request body could not be read")
            };
            return error.into_response();
        }
    };
    let params: Vec<(String, String)> =
        params.iter().map(|(name, value)| (name.to_owned(), value.to_owned())).collect();
    let fingerprint = match Fingerprint::of(&parts.method, path.as_str(), &params, &bytes) {
        Ok(fingerprint) => fingerprint,
        Err(error) => return ApiError::Internal(format!("fingerprinting a keyed request: {error}")).into_response(),
    };
    let mut request = Request::from_parts(parts, Body::from(bytes));
    request.extensions_mut().insert(fingerprint);
    next.run(request).await
}

/// A command's key, as the client sent it, with the request's fingerprint.
#[derive(Debug, Clone)]
struct CommandKey {
    key: String,
    fingerprint: Fingerprint,
}

/// How a command was asked for: its idempotency key (if any) and the record versions the client
/// accepts (`If-Match`).
#[derive(Debug, Clone)]
pub struct Preconditions {
    key: Option<CommandKey>,
    /// The command id of an unkeyed command: fresh, so it names only this request.
    fresh: Uuid,
    /// The versions `If-Match` lists; `None` when absent or `*` (any version of an existing record).
    pub expected: Option<Vec<u64>>,
}

impl Preconditions {
    /// Whether the client named the command.
    pub fn keyed(&self) -> bool {
        self.key.is_some()
    }

    /// The ledger command id: derived from the account, the key and the request's fingerprint for a
    /// keyed command (so a retry finds the first one, and nothing else does), fresh otherwise. Keys are
    /// each account's own: the same key from two accounts names two commands.
    pub fn command_id(&self, account_id: Uuid) -> Uuid {
        match &self.key {
            Some(CommandKey { key, fingerprint }) => {
                let name = format!("{account_id}:{}:{key}", fingerprint.0);
                Uuid::new_v5(&COMMAND_NAMESPACE, name.as_bytes())
            }
            None => self.fresh,
        }
    }

    /// The command as the application layer takes it, for `account_id`'s request.
    pub fn submission(&self, account_id: Uuid) -> application::record::Submission {
        application::record::Submission {
            command_id: self.command_id(account_id),
            keyed: self.keyed(),
            expected: self.expected.clone(),
        }
    }

    /// The id of the entry the command creates: the same for every retry under the same key.
    pub fn entry_id(&self, caller: &http_shell::authn::Caller) -> Uuid {
        self.submission(caller.principal.account_id).entry_id()
    }

    fn from_headers(headers: &HeaderMap, fingerprint: Option<&Fingerprint>) -> Result<Self, ApiError> {
        let key = match headers.get(HEADER) {
            None => None,
            Some(value) => {
                let key = value.to_str().ok().filter(|key| valid_key(key)).ok_or_else(|| {
                    ApiError::bad_request(
                        "Idempotency-Key must be 1 to 128 visible ASCII characters, spaces allowed inside",
                    )
                })?;
                let fingerprint = fingerprint
                    .cloned()
                    .ok_or_else(|| ApiError::Internal("a keyed route without its fingerprint layer".into()))?;
                Some(CommandKey { key: key.to_owned(), fingerprint })
            }
        };
        let expected = match headers.get(header::IF_MATCH) {
            None => None,
            Some(value) => if_match(value.to_str().ok())?,
        };
        Ok(Self { key, fresh: Uuid::now_v7(), expected })
    }
}

/// Whether `key` is 1 to [`KEY_MAX`] visible ASCII characters, with spaces inside only (the pattern
/// the OpenAPI document states).
fn valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let visible = |byte: &u8| (0x21..=0x7e).contains(byte);
    (1..=KEY_MAX).contains(&bytes.len())
        && bytes.first().is_some_and(visible)
        && bytes.last().is_some_and(visible)
        && bytes.iter().all(|byte| (0x20..=0x7e).contains(byte))
}

/// The grammar of `If-Match` this API takes, as the OpenAPI document states it: `*`, or a list of
/// strong entity tags each holding a record version (`"3"`, `"3", "4"`). The quotes may be left out
/// (`3`): hand-written clients often do, and a bare number cannot be mistaken for anything else.
pub const IF_MATCH_PATTERN: &str =
    r#"^[ \t]*(\*|("[0-9]{1,19}"|[0-9]{1,19})([ \t]*,[ \t]*("[0-9]{1,19}"|[0-9]{1,19}))*)[ \t]*$"#;

/// Parses `If-Match` (RFC 9110 §13.1.1): `*` (any current version: the record exists) or a list of
/// entity tags, each a record version in double quotes as the `ETag` of an answer gives it. `If-Match`
/// compares strongly, so a weak tag (`W/"3"`) could never match: it is refused as the client's
/// mistake rather than answered `412` for ever.
fn if_match(text: Option<&str>) -> Result<Option<Vec<u64>>, ApiError> {
    let invalid = |detail: &str| ApiError::InvalidPrecondition { detail: detail.to_owned() };
    let malformed = || invalid("If-Match must be `*` or record versions in double quotes, as the ETag gives them");
    let text = text.map(str::trim).filter(|text| !text.is_empty()).ok_or_else(malformed)?;
    if text == "*" {
        return Ok(None);
    }
    text.split(',')
        .map(|tag| {
            let tag = tag.trim();
            if tag.starts_with("W/") {
                return Err(invalid("If-Match compares strongly (RFC 9110 §13.1.1); a weak tag W/\"…\" never matches"));
            }
            let version = match tag.strip_prefix('"') {
                Some(quoted) => quoted.strip_suffix('"'),
                None => Some(tag),
            };
            version
                .filter(|version| {
                    !version.is_empty() && version.len() <= 19 && version.bytes().all(|b| b.is_ascii_digit())
                })
                .and_then(|version| version.parse::<u64>().ok())
                .ok_or_else(malformed)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl<S: Send + Sync> FromRequestParts<S> for Preconditions {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::from_headers(&parts.headers, parts.extensions.get::<Fingerprint>())
    }
}

/// The binding of a key to its first request, held while a command runs.
pub use application::idempotency::Claim;

/// Binds the command's key to its request, if it has a key: refuses (`422`) a key already bound to
/// another request of the same account.
pub async fn claim(state: &CommandState, account_id: Uuid, pre: &Preconditions) -> Result<Option<Claim>, ApiError> {
    let Some(CommandKey { key, fingerprint }) = &pre.key else { return Ok(None) };
    let keys = state.application.idempotency_keys();
    match keys.claim(account_id, KeyHash::of(key), &fingerprint.0).await? {
        Claimed::Held(claim) => Ok(Some(claim)),
        Claimed::UsedForAnother => Err(ApiError::IdempotencyKeyReused),
    }
}

/// Settles a claim once its command has run. A command refused as a client error recorded nothing,
/// so the key it bound is released (a corrected request may use it); a server error may have come
/// after the append, so the binding stays. A retry that succeeded while its first attempt released
/// the key binds it again.
pub async fn settle<T>(state: &CommandState, claim: Option<Claim>, outcome: &Result<T, ApiError>) {
    let Some(claim) = claim else { return };
    let settlement = match outcome {
        Ok(_) => Settlement::Done,
        Err(error) if error.status().is_client_error() => Settlement::Refused,
        Err(_) => Settlement::Failed,
    };
    if let Err(error) = state.application.idempotency_keys().settle(claim, settlement).await {
        // The command's answer stands; a binding left behind only refuses the key for other requests.
        tracing::warn!(error = %cause_chain(&error), "command_api.idempotency.settle_failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(route: &str, patient: &str, body: &str) -> Fingerprint {
        Fingerprint::of(&Method::POST, route, &[("patient_id".into(), patient.into())], body.as_bytes())
            .expect("a fingerprint")
    }

    #[test]
    fn a_fingerprint_ignores_layout_and_sees_every_difference() {
        let patient = "0193a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
        let route = "/api/v1/patients/{patient_id}/vital-signs";
        let first = fingerprint(route, patient, r#"{"pulse_per_minute": 80, "measured_at": "2026-11-24T10:00:00Z"}"#);
        let same = fingerprint(
            route,
            &patient.to_uppercase(),
            r#"{"measured_at":"2026-11-24T10:00:00Z","pulse_per_minute":80}"#,
        );
        assert_eq!(first, same);
        let other_body =
            fingerprint(route, patient, r#"{"pulse_per_minute": 81, "measured_at": "2026-11-24T10:00:00Z"}"#);
        let other_patient = fingerprint(
            route,
            "0193a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6e",
            r#"{"pulse_per_minute": 80, "measured_at": "2026-11-24T10:00:00Z"}"#,
        );
        let other_route = fingerprint(
            "/api/v1/patients/{patient_id}/allergies",
            patient,
            r#"{"pulse_per_minute": 80, "measured_at": "2026-11-24T10:00:00Z"}"#,
        );
        for other in [other_body, other_patient, other_route] {
            assert_ne!(first, other);
        }
    }

    #[test]
    fn the_document_states_the_grammar_parsed_here() {
        let document = serde_json::to_value(crate::routes(None).into_openapi()).expect("the document serialises");
        let mut patterns = Vec::new();
        for item in document["paths"].as_object().into_iter().flat_map(|paths| paths.values()) {
            for operation in item.as_object().into_iter().flat_map(|operations| operations.values()) {
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if parameter["name"] == "If-Match" {
                        patterns.push(parameter["schema"]["pattern"].as_str().unwrap_or_default().to_owned());
                    }
                }
            }
        }
        assert!(patterns.len() > 20, "every command on a record takes If-Match");
        assert!(patterns.iter().all(|pattern| pattern == IF_MATCH_PATTERN), "{patterns:?}");
    }

    #[test]
    fn if_match_takes_a_star_or_versions() {
        assert_eq!(if_match(Some("*")).ok(), Some(None));
        assert_eq!(if_match(Some("\"3\"")).ok(), Some(Some(vec![3])));
        assert_eq!(if_match(Some(" \"3\" ,\"4\"")).ok(), Some(Some(vec![3, 4])));
        let pattern = regex::Regex::new(IF_MATCH_PATTERN).expect("the pattern compiles");
        for refused in ["\"three\"", "", "x3", "\"3\", W/\"4\"", "W/\"3\"", "\"\"", "\"-1\"", "\"3", "3\"", "*, \"3\""]
        {
            assert!(
                matches!(if_match(Some(refused)), Err(ApiError::InvalidPrecondition { .. })),
                "{refused} was taken"
            );
            assert!(!pattern.is_match(refused), "the document's pattern takes {refused}");
        }
        for taken in ["*", "\"3\"", " \"3\" ,\"4\"", "\"0\"", "3", "3, \"4\""] {
            assert!(pattern.is_match(taken), "{taken}");
            assert!(if_match(Some(taken)).is_ok(), "{taken}");
        }
    }
}
