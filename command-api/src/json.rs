//! A JSON body extractor whose every rejection is a problem+json `400` naming the offending field, so
//! malformed input gets the same error format as invalid input.

use crate::error::{ApiError, FieldError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// A request body parsed as JSON into `T`.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|media| {
                let media = media.trim().to_ascii_lowercase();
                media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request("the request body could not be read")
            }
        })?;
        parse(&bytes).map(Json)
    }
}

/// Parses a JSON document into `T`, naming the field at fault when it does not fit. The message names
/// the field and what was expected; it never echoes the value, which may be a password.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = if path == "." { String::new() } else { format!("/{}", path.replace('.', "/")) };
        let message = describe(&inner);
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("the body is not valid JSON ({message})"))
        } else {
            ApiError::BadRequest {
                detail: "the body does not have the expected shape".into(),
                errors: vec![FieldError { field, message }],
            }
        }
    })?;
    deserializer
        .end()
        .map_err(|_| ApiError::bad_request("the body has trailing characters after the JSON document"))?;
    Ok(value)
}

/// serde_json's message without the echoed value: `invalid type: string "hunter2", expected u32`
/// becomes `invalid type: expected u32`.
fn describe(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text).to_owned();
    match error.classify() {
        serde_json::error::Category::Data if text.starts_with("invalid type") || text.starts_with("invalid value") => {
            let kind = if text.starts_with("invalid type") { "invalid type" } else { "invalid value" };
            match text.split_once(", expected ") {
                Some((_, expected)) => format!("{kind}, expected {expected}"),
                None => kind.to_owned(),
            }
        }
        serde_json::error::Category::Data if text.starts_with("unknown variant") => {
            match text.split_once(", expected ") {
                Some((_, expected)) => format!("unknown value, expected {expected}"),
                None => "unknown value".to_owned(),
            }
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        login: String,
        password: String,
        nested: Option<Nested>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        count: u32,
    }

    fn field_errors(body: &str) -> Vec<FieldError> {
        match parse::<Login>(body.as_bytes()) {
            Err(ApiError::BadRequest { errors, .. }) => errors,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field_and_never_echo_the_value() {
        let errors = field_errors(r#"{"login": "CM1", "password": 12345678}"#);
        assert_eq!(errors[0].field, "/password");
        assert!(!errors[0].message.contains("12345678"), "{:?}", errors[0]);
        let errors = field_errors(r#"{"login": "CM1", "password": "x", "nested": {"count": "secret"}}"#);
        assert_eq!(errors[0].field, "/nested/count");
        assert!(!errors[0].message.contains("secret"));
        let errors = field_errors(r#"{"login": "CM1"}"#);
        assert!(errors[0].message.contains("missing field `password`"), "{errors:?}");
        let errors = field_errors(r#"{"login": "CM1", "password": "x", "admin": true}"#);
        assert!(errors[0].message.contains("unknown field `admin`"), "{errors:?}");
        assert!(matches!(parse::<Login>(b"{\"login\": "), Err(ApiError::BadRequest { .. })));
        assert!(matches!(parse::<Login>(br#"{"login":"a","password":"b"} x"#), Err(ApiError::BadRequest { .. })));
    }
}
