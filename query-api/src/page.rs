//! Cursor pagination: `first` (at most `MAX_PAGE`) and `after`, an opaque cursor.

use crate::error::bad_input;
use crate::{DEFAULT_PAGE, MAX_PAGE};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Error, InputValueError, InputValueResult, OutputType, Scalar, ScalarType, Value};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// How many items a page holds: 1 to [`MAX_PAGE`]. A scalar rather than an `Int`, so that the schema
/// states the bound and a client's tools can check it; a value outside it is refused while the request
/// is validated (when its cost is worked out, which reads every page size), before anything is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(usize);

/// A page holds 1 to 100 items (20 when `first` is not given).
#[Scalar(name = "PageSize")]
impl ScalarType for PageSize {
    fn parse(value: Value) -> InputValueResult<Self> {
        let size = match &value {
            Value::Number(number) => number.as_u64().and_then(|size| usize::try_from(size).ok()),
            _ => None,
        };
        match size {
            Some(size) if (1..=MAX_PAGE).contains(&size) => Ok(PageSize(size)),
            _ => Err(InputValueError::custom(format!("a page holds 1 to {MAX_PAGE} items"))),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// The page size asked for, or the default.
pub(crate) fn size(first: Option<PageSize>) -> usize {
    first.map_or(DEFAULT_PAGE, |PageSize(size)| size)
}

pub(crate) fn encode(cursor: &str) -> String {
    URL_SAFE_NO_PAD.encode(cursor)
}

/// The position a cursor stands for; a cursor this server did not issue is refused.
pub(crate) fn decode(cursor: Option<&str>) -> Result<Option<String>, Error> {
    let Some(cursor) = cursor else { return Ok(None) };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad_input("after is not a cursor this API issued"))?;
    String::from_utf8(bytes).map(Some).map_err(|_| bad_input("after is not a cursor this API issued"))
}

/// An integer cursor (a ledger position).
pub(crate) fn decode_position(cursor: Option<&str>) -> Result<Option<i64>, Error> {
    match decode(cursor)? {
        None => Ok(None),
        Some(text) => text.parse().map(Some).map_err(|_| bad_input("after is not a cursor this API issued")),
    }
}

/// A page from `items` fetched with one more than `size`, each with its cursor.
pub(crate) fn connection<T: OutputType>(
    mut items: Vec<(String, T)>,
    size: usize,
    has_previous: bool,
) -> Connection<String, T> {
    let has_next = items.len() > size;
    items.truncate(size);
    let mut connection = Connection::new(has_previous, has_next);
    connection.edges.extend(items.into_iter().map(|(cursor, node)| Edge::new(encode(&cursor), node)));
    connection
}
