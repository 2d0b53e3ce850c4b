//! Canonical bytes (RFC 8785, JSON Canonicalization Scheme) and the I-JSON rules (RFC 7493) that make
//! them unambiguous.
//!
//! JCS prints every number as an IEEE-754 double, so an integer beyond 2^53 would be silently rounded
//! and two different payloads could hash alike; such integers are refused instead. NaN and infinities
//! have no JSON form at all and are refused too. The canonicaliser itself is the maintained
//! `serde_json_canonicalizer` crate.

use serde::Serialize;
use serde_json::Value;

/// The largest integer magnitude that an IEEE-754 double represents exactly (2^53 − 1).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
/// The largest canonical payload accepted for one event, in bytes.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// The deepest nesting of arrays and objects accepted in a payload.
pub const MAX_DEPTH: usize = 32;

/// Why a value cannot be written to the ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    #[error("the number at `{path}` is an integer beyond ±2^53, which I-JSON does not allow")]
    UnsafeInteger { path: String },
    #[error("a number is NaN or infinite, which JSON cannot represent")]
    NonFinite,
    #[error("the payload nests deeper than {MAX_DEPTH} levels at `{path}`")]
    TooDeep { path: String },
    #[error("the string at `{path}` holds the Unicode noncharacter U+{code:04X}, which I-JSON does not allow")]
    Noncharacter { path: String, code: u32 },
    #[error("the payload is {size} bytes once canonical; the limit is {MAX_PAYLOAD_BYTES}")]
    TooLarge { size: usize },
    #[error("the payload must be a JSON object")]
    NotAnObject,
    #[error("the value cannot be serialised: {0}")]
    Serialize(String),
}

/// Checks that a JSON value keeps to I-JSON and to the ledger's limits on it: nesting within
/// [`MAX_DEPTH`] first (see [`check_depth`]), then its values (see [`check_values`]). A
/// `serde_json::Value` cannot hold NaN or infinities, duplicate member names or lone surrogates: those
/// are refused when the JSON text is read.
pub fn check_i_json(value: &Value) -> Result<(), CanonicalError> {
    check_depth(value)?;
    check_values(value)
}

/// Checks that no value lies deeper than [`MAX_DEPTH`] (the value given is at depth 0). Done on its own
/// before the other checks, so that a payload breaking several rules is always reported the same way.
pub fn check_depth(value: &Value) -> Result<(), CanonicalError> {
    fn deepest(value: &Value, path: &mut String, depth: usize) -> Result<(), CanonicalError> {
        if depth > MAX_DEPTH {
            return Err(CanonicalError::TooDeep { path: path.clone() });
        }
        walk_children(value, path, |item, path| deepest(item, path, depth + 1))
    }
    deepest(value, &mut String::from("$"), 0)
}

/// Checks the values: every number within ±(2^53 − 1) and no string or member name holding a Unicode
/// noncharacter (U+FDD0 to U+FDEF, and the last two code points of every plane), which I-JSON
/// (RFC 7493, section 2.1) forbids.
pub fn check_values(value: &Value) -> Result<(), CanonicalError> {
    fn check_at(value: &Value, path: &mut String) -> Result<(), CanonicalError> {
        match value {
            Value::Number(number) => {
                // Every double beyond 2^53 is a whole number, and RFC 8785 prints those below 10^21 as
                // integers: so any number of that magnitude, however it was written, is refused.
                let unsafe_integer = match (number.as_u64(), number.as_i64(), number.as_f64()) {
                    (Some(unsigned), _, _) => unsigned > MAX_SAFE_INTEGER,
                    (None, Some(signed), _) => signed.unsigned_abs() > MAX_SAFE_INTEGER,
                    (None, None, Some(float)) => float.abs() > MAX_SAFE_INTEGER as f64,
                    (None, None, None) => false,
                };
                if unsafe_integer {
                    return Err(CanonicalError::UnsafeInteger { path: path.clone() });
                }
                Ok(())
            }
            Value::String(text) => no_noncharacter(text, path),
            Value::Object(fields) => {
                for name in fields.keys() {
                    no_noncharacter(name, path)?;
                }
                walk_children(value, path, check_at)
            }
            Value::Array(_) => walk_children(value, path, check_at),
            Value::Null | Value::Bool(_) => Ok(()),
        }
    }
    check_at(value, &mut String::from("$"))
}

/// Calls `check` on each item of an array or member of an object, with `path` naming it.
fn walk_children(
    value: &Value,
    path: &mut String,
    mut check: impl FnMut(&Value, &mut String) -> Result<(), CanonicalError>,
) -> Result<(), CanonicalError> {
    match value {
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{index}]"));
                check(item, path)?;
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                check(item, path)?;
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
    Ok(())
}

/// Whether `c` is one of the 66 Unicode noncharacters.
pub fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

fn no_noncharacter(text: &str, path: &str) -> Result<(), CanonicalError> {
    match text.chars().find(|&c| is_noncharacter(c)) {
        Some(c) => Err(CanonicalError::Noncharacter { path: path.to_owned(), code: u32::from(c) }),
        None => Ok(()),
    }
}

/// The RFC 8785 canonical bytes of any serialisable value.
pub fn canonical_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    serde_json_canonicalizer::to_vec(value).map_err(|error| CanonicalError::Serialize(error.to_string()))
}

/// An event payload that has passed every check: a JSON object, I-JSON, within the size limit.
/// `canonical` is its RFC 8785 text, which is what the database stores.
#[derive(Debug, Clone, PartialEq)]
pub struct CanonicalPayload {
    pub value: Value,
    pub canonical: String,
}

impl CanonicalPayload {
    /// Checks a payload given as JSON.
    pub fn from_value(value: Value) -> Result<Self, CanonicalError> {
        if !value.is_object() {
            return Err(CanonicalError::NotAnObject);
        }
        check_i_json(&value)?;
        let bytes = canonical_bytes(&value)?;
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return Err(CanonicalError::TooLarge { size: bytes.len() });
        }
        let canonical = String::from_utf8(bytes).map_err(|error| CanonicalError::Serialize(error.to_string()))?;
        Ok(Self { value, canonical })
    }

    /// The canonical text as a stored payload.
    pub fn to_payload(&self) -> Result<crate::envelope::Payload, CanonicalError> {
        crate::envelope::Payload::from_canonical(self.canonical.clone())
    }

    /// Checks a typed payload. Its floats are checked before it becomes JSON, because `serde_json` would
    /// silently turn a NaN into `null`.
    pub fn from_typed<T: Serialize>(payload: &T) -> Result<Self, CanonicalError> {
        Self::from_value(Self::typed_value(payload)?)
    }

    /// A typed payload as a JSON value, refusing non-finite floats (not yet checked against the other
    /// rules: see [`Self::from_value`]).
    pub fn typed_value<T: Serialize>(payload: &T) -> Result<Value, CanonicalError> {
        if !crate::finite::all_finite(payload) {
            return Err(CanonicalError::NonFinite);
        }
        serde_json::to_value(payload).map_err(|error| CanonicalError::Serialize(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_bytes_follow_rfc_8785() {
        // The number and ordering cases of RFC 8785 section 3.2.2 and 3.2.3.
        let value: Value = serde_json::from_str(
            r#"{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"b":"\u20ac","a":1}"#,
        )
        .unwrap();
        let text = String::from_utf8(canonical_bytes(&value).unwrap()).unwrap();
        assert_eq!(text, r#"{"a":1,"b":"€","numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}"#);
    }

    #[test]
    fn refuses_integers_beyond_2_pow_53() {
        let error = CanonicalPayload::from_value(json!({"dose": {"count": 9007199254740993u64}})).unwrap_err();
        assert_eq!(error, CanonicalError::UnsafeInteger { path: "$.dose.count".into() });
        let error = CanonicalPayload::from_value(json!({"x": [-9007199254740993i64]})).unwrap_err();
        assert_eq!(error, CanonicalError::UnsafeInteger { path: "$.x[0]".into() });
        assert!(CanonicalPayload::from_value(json!({"x": 9007199254740991u64})).is_ok());
        for written_as_float in ["1e16", "9007199254740993.0", "-1e300"] {
            let value: Value = serde_json::from_str(&format!(r#"{{"x": {written_as_float}}}"#)).unwrap();
            let error = CanonicalPayload::from_value(value).unwrap_err();
            assert_eq!(error, CanonicalError::UnsafeInteger { path: "$.x".into() }, "{written_as_float}");
        }
        assert!(CanonicalPayload::from_value(json!({"x": 9007199254740991.0, "y": 1.5e-300})).is_ok());
    }

    #[test]
    fn refuses_non_finite_numbers_in_typed_payloads() {
        #[derive(Serialize)]
        struct Vital {
            temperature: f64,
        }
        let error = CanonicalPayload::from_typed(&Vital { temperature: f64::NAN }).unwrap_err();
        assert_eq!(error, CanonicalError::NonFinite);
        let error = CanonicalPayload::from_typed(&Vital { temperature: f64::INFINITY }).unwrap_err();
        assert_eq!(error, CanonicalError::NonFinite);
    }

    #[test]
    fn refuses_unicode_noncharacters_in_strings_and_names() {
        for bad in ["\u{FDD0}", "\u{FDEF}", "\u{FFFE}", "\u{FFFF}", "\u{1FFFE}", "\u{10FFFF}"] {
            let code = u32::from(bad.chars().next().unwrap());
            let error = CanonicalPayload::from_value(json!({"note": ["ok", format!("a{bad}")]})).unwrap_err();
            assert_eq!(error, CanonicalError::Noncharacter { path: "$.note[1]".into(), code });
            let error = CanonicalPayload::from_value(json!({"n": {bad: 1}})).unwrap_err();
            assert_eq!(error, CanonicalError::Noncharacter { path: "$.n".into(), code });
        }
        for fine in ["\u{FDCF}", "\u{FDF0}", "\u{FFFD}", "\u{1F600}", "\u{10FFFD}"] {
            assert!(CanonicalPayload::from_value(json!({"note": fine})).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn refuses_oversized_deep_and_non_object_payloads() {
        let big = json!({"note": "x".repeat(MAX_PAYLOAD_BYTES)});
        assert!(matches!(CanonicalPayload::from_value(big), Err(CanonicalError::TooLarge { .. })));
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!({ "a": deep });
        }
        assert!(matches!(CanonicalPayload::from_value(deep), Err(CanonicalError::TooDeep { .. })));
        assert_eq!(CanonicalPayload::from_value(json!([1])), Err(CanonicalError::NotAnObject));
    }
}
