//! Argument types that state their rules in the schema: a client's tools check them before sending, and
//! the server refuses a value that breaks them while the request is validated, before anything is read.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A patient's health ID: `CM` and ten digits whose last is a check digit (spaces allowed, as printed on
/// the card: `CM 123 456 789 4`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthId(pub domain::health_id::HealthId);

/// A health ID: `CM` followed by ten digits, the last a check digit; spaces as printed are allowed.
#[Scalar(name = "HealthId")]
impl ScalarType for HealthId {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => domain::health_id::HealthId::parse(text)
                .map(HealthId)
                .map_err(|_| InputValueError::custom("not a health ID: CM and ten digits, the last a check digit")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if domain::health_id::HealthId::parse(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.as_str().to_owned())
    }
}

/// A region's code, one of those of the regions' reference data (`LT` for Littoral).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCode(pub String);

/// A region's code from the regions' reference data: AD, CE, EN, ES, LT, NO, NW, OU, SU or SW.
#[Scalar(name = "RegionCode")]
impl ScalarType for RegionCode {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(code) if domain::reference::region(code).is_some() => Ok(RegionCode(code.clone())),
            Value::String(_) => {
                let known: Vec<&str> = domain::reference::regions().iter().map(|region| region.code.as_str()).collect();
                Err(InputValueError::custom(format!("not a region code; one of {}", known.join(", "))))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(code) if domain::reference::region(code).is_some())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}
