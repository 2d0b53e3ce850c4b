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
        let is_json =
            request.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(is_utf8_json);
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

/// Whether a `Content-Type` names JSON in UTF-8: `application/json` or `application/*+json`, with no
/// `charset` or `charset=utf-8`. JSON exchanged between systems is UTF-8 (RFC 8259 §8.1); a body
/// declared in another encoding is a media type this API does not take (415), not malformed JSON.
fn is_utf8_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let json = media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"));
    json && parts.all(|parameter| match parameter.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
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
    if let Some(field) = null_character(bytes) {
        // A rule of every string, stated once in the document's description rather than as a pattern on
        // each, which would also make every generated client's validation slower.
        return Err(ApiError::rule_violated(&field, "must not contain the character U+0000"));
    }
    Ok(value)
}

/// The path of a string in a JSON document that holds U+0000, if one does. No field has a use for the
/// character and PostgreSQL refuses it in text, so a body holding one is refused here rather than
/// failing as a server error wherever it reaches the database.
fn null_character(bytes: &[u8]) -> Option<String> {
    if !escapes_null(bytes) {
        return None;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Some(String::new());
    };
    let mut path = Vec::new();
    holds_null(&value, &mut path).then(|| path.iter().map(|segment| format!("/{segment}")).collect())
}

/// Whether the JSON text holds the escape `\u0000`, the only way valid JSON can carry U+0000. Every
/// other escape is stepped over whole, so `\\u0000` (a backslash, then the text `u0000`) is not
/// taken for one. This rules out almost every body without parsing it a second time.
fn escapes_null(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&byte| byte == b'\\') {
        if rest.get(at + 1..at + 6) == Some(b"u0000".as_slice()) {
            return true;
        }
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    false
}

/// Whether `value` holds U+0000 in a string or a member's name; `path` is left naming where.
fn holds_null(value: &serde_json::Value, path: &mut Vec<String>) -> bool {
    let mut descend = |segment: String, value: &serde_json::Value, named_with_null: bool| {
        path.push(segment.replace('\0', "\u{fffd}"));
        let found = named_with_null || holds_null(value, path);
        if !found {
            path.pop();
        }
        found
    };
    match value {
        serde_json::Value::String(text) => text.contains('\0'),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().any(|(index, item)| descend(index.to_string(), item, false))
        }
        serde_json::Value::Object(members) => {
            members.iter().any(|(name, member)| descend(name.clone(), member, name.contains('\0')))
        }
        _ => false,
    }
}

/// A count in a request: JSON Schema's `integer` is any number with no fractional part, so `1.0` is
/// the integer 1 and is taken as such; `1.5`, a negative number or one beyond `u32` is not a count.
/// For `#[serde(deserialize_with = "whole")]`.
pub fn whole<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    deserializer.deserialize_any(WholeNumber)
}

/// [`whole`] for an optional count (with `#[serde(default)]`, so that an absent one is `None`).
pub fn optional_whole<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    deserializer.deserialize_option(OptionalWholeNumber)
}

struct WholeNumber;

impl<'de> serde::de::Visitor<'de> for WholeNumber {
    type Value = u32;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a whole number from 0 to 4294967295")
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<u32, E> {
        u32::try_from(value).map_err(|_| E::invalid_value(serde::de::Unexpected::Other("a number"), &self))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<u32, E> {
        u32::try_from(value).map_err(|_| E::invalid_value(serde::de::Unexpected::Other("a number"), &self))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<u32, E> {
        if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) {
            // Whole and in range, so the conversion is exact.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok(value as u32)
        } else {
            Err(E::invalid_value(serde::de::Unexpected::Other("a number"), &self))
        }
    }
}

struct OptionalWholeNumber;

impl<'de> serde::de::Visitor<'de> for OptionalWholeNumber {
    type Value = Option<u32>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a whole number from 0 to 4294967295, or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        whole(deserializer).map(Some)
    }
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
            Err(ApiError::BadRequest { errors, .. } | ApiError::Unprocessable { errors }) => errors,
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

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Counts {
        #[serde(deserialize_with = "whole")]
        dose_number: u32,
        #[serde(default, deserialize_with = "optional_whole")]
        year: Option<u32>,
    }

    #[test]
    fn a_count_is_any_whole_number_in_range() {
        let counts = |body: &str| parse::<Counts>(body.as_bytes());
        assert_eq!(counts(r#"{"dose_number": 1.0}"#).ok().map(|c| (c.dose_number, c.year)), Some((1, None)));
        assert_eq!(
            counts(r#"{"dose_number": 3, "year": 2e3}"#).ok().map(|c| (c.dose_number, c.year)),
            Some((3, Some(2000)))
        );
        assert_eq!(counts(r#"{"dose_number": 0, "year": null}"#).ok().map(|c| c.year), Some(None));
        assert_eq!(counts(r#"{"dose_number": 4294967295}"#).ok().map(|c| c.dose_number), Some(u32::MAX));
        for refused in [
            r#"{"dose_number": 1.5}"#,
            r#"{"dose_number": -1}"#,
            r#"{"dose_number": 4294967296}"#,
            r#"{"dose_number": "1"}"#,
            r#"{"dose_number": 1, "year": 1.25}"#,
            r#"{"dose_number": 1e300}"#,
        ] {
            match counts(refused) {
                Err(ApiError::BadRequest { errors, .. }) => assert!(!errors.is_empty(), "{refused}"),
                other => panic!("{refused} gave {other:?}"),
            }
        }
    }

    #[test]
    fn only_json_in_utf8_is_taken() {
        for taken in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
            "application/merge-patch+json",
            "application/json; profile=x",
        ] {
            assert!(is_utf8_json(taken), "{taken}");
        }
        for refused in
            ["application/json; charset=utf-16", "application/json; charset=iso-8859-1", "text/json", "text/plain", ""]
        {
            assert!(!is_utf8_json(refused), "{refused}");
        }
    }

    #[test]
    fn the_null_character_is_refused_wherever_it_is() {
        let errors = field_errors(r#"{"login": "CM\u00001", "password": "x"}"#);
        assert_eq!(errors[0].field, "/login");
        assert_eq!(errors[0].message, "must not contain the character U+0000");
        let errors = field_errors(r#"{"login": "CM1", "password": "x", "nested": {"count": 1, "\u0000": "y"}}"#);
        assert_eq!(errors[0].field, "/nested/\u{fffd}");
        let errors = field_errors(r#"{"login": "CM1", "password": "x\\\u0000"}"#);
        assert_eq!(errors[0].field, "/password");
        // A backslash followed by the text `u0000` is not the character.
        assert!(parse::<Login>(br#"{"login": "C:\\u0000", "password": "\"\\u0000"}"#).is_ok());
        assert!(parse::<Vec<String>>(br#"["a", "\\", "\u0000"]"#).is_err());
        assert!(matches!(
            parse::<Login>(br#"{"login": "CM\u00001", "password": "x"}"#),
            Err(ApiError::Unprocessable { .. })
        ));
    }
}
