//! Cursor pagination: `first` (at most `MAX_PAGE`) and `after`, an opaque cursor.

use crate::error::bad_input;
use crate::{DEFAULT_PAGE, MAX_PAGE};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Error, OutputType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The page size asked for, checked.
pub(crate) fn size(first: Option<i32>) -> Result<usize, Error> {
    match first {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n >= 1 && (n as usize) <= MAX_PAGE => Ok(n as usize),
        Some(_) => Err(bad_input(format!("first must be between 1 and {MAX_PAGE}"))),
    }
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
