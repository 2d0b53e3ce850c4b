//! JSON parsing that refuses duplicate member names.
//!
//! `serde_json` keeps the last of two members with the same name, so a line read with it could hide a
//! first copy that another reader would see instead. The ledger's format forbids duplicates; reading
//! an export for verification uses this parser so that a line with one is refused, not reinterpreted.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::fmt;

/// Parses `text` as JSON, refusing any object, at any depth, that names a member twice.
pub fn parse_without_duplicates(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|strict| strict.0)
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value).map(Value::Number).ok_or_else(|| E::custom("a number JSON cannot hold"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("the member `{}` appears twice", shorten(&key))));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn shorten(key: &str) -> String {
    key.chars().take(40).map(|c| if c.is_control() { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_members_are_refused_at_any_depth() {
        assert!(parse_without_duplicates(r#"{"a":1,"b":{"c":[1,{"d":2}]}}"#).is_ok());
        let error = parse_without_duplicates(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(error.to_string().contains("`a` appears twice"), "{error}");
        assert!(parse_without_duplicates(r#"{"p":{"x":1,"y":2,"x":3}}"#).is_err());
        assert!(parse_without_duplicates(r#"[{"k":1},{"k":1,"k":1}]"#).is_err());
    }

    #[test]
    fn values_are_the_same_as_serde_json_reads_them() {
        let text = r#"{"n":-5,"u":18446744073709551615,"f":1.5e-7,"s":"é\n","t":true,"z":null,"a":[]}"#;
        assert_eq!(parse_without_duplicates(text).unwrap(), serde_json::from_str::<Value>(text).unwrap());
    }
}
