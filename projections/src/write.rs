//! Row changes, as projectors describe them, and their execution on either backend.
//!
//! Projectors only describe changes; the runner executes them in order inside its transaction, merging
//! runs of inserts into one table into multi-row statements, which is most of a rebuild's speed.

use crate::table::Table;
use uuid::Uuid;

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(Some(value))
    }
}
impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(Some(value.to_owned()))
    }
}
impl From<Option<String>> for Value {
    fn from(value: Option<String>) -> Self {
        Value::Text(value)
    }
}
impl From<Option<&str>> for Value {
    fn from(value: Option<&str>) -> Self {
        Value::Text(value.map(str::to_owned))
    }
}
impl From<Uuid> for Value {
    fn from(value: Uuid) -> Self {
        Value::Text(Some(value.to_string()))
    }
}
impl From<Option<Uuid>> for Value {
    fn from(value: Option<Uuid>) -> Self {
        Value::Text(value.map(|id| id.to_string()))
    }
}
impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(Some(value))
    }
}
impl From<Option<i64>> for Value {
    fn from(value: Option<i64>) -> Self {
        Value::Int(value)
    }
}
impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Int(Some(i64::from(value)))
    }
}
impl From<u64> for Value {
    /// Positions and versions fit in an i64 (the ledger refuses any beyond it).
    fn from(value: u64) -> Self {
        Value::Int(Some(i64::try_from(value).unwrap_or(i64::MAX)))
    }
}

/// One change to a read model.
#[derive(Debug, Clone)]
pub enum Write {
    /// A new row, its values in the table's column order. A row whose key already exists is left as
    /// it is: the ledger never repeats an entry, so a clash could only come from a defective event,
    /// and one bad event must not stop every read model behind it.
    Insert { table: &'static Table, row: Vec<Value> },
    /// Any other statement, with `$1`, `$2`… parameters (the same text runs on both backends).
    Sql { sql: &'static str, params: Vec<Value> },
}

/// The most parameters one statement binds: under SQLite's limit (32,766) and PostgreSQL's (65,535).
const MAX_PARAMETERS: usize = 30_000;
/// The most rows one insert carries, so that statement texts (and prepared statements) stay few.
const MAX_ROWS: usize = 32;

/// A multi-row insert's text for `rows` rows, its parameters numbered (`$1`, for PostgreSQL) or
/// anonymous (`?`, for SQLite, where binding a named or numbered parameter looks its name up in a list
/// as long as the statement's: quadratic in a long insert, and most of a rebuild's time).
fn insert_sql(table: &Table, rows: usize, numbered: bool) -> String {
    let width = table.columns.len();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, table.column_list());
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..width {
            if column > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push_str(&format!("${}", row * width + column + 1));
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    sql
}

/// Splits one projector's `writes` for a page into statements: its new rows first, table by table in
/// multi-row inserts, then its other statements in order.
///
/// Running the inserts first is sound because of what the ledger guarantees: a statement that changes
/// a row (a correction, a reschedule, a revocation) always follows, in ledger order, the entry that
/// created the row, and a new row never depends on a change to another. So the page ends in the same
/// state whichever way its statements are grouped, and live projection (small pages) and a rebuild
/// (large ones) agree; the rebuild test's digests check it.
pub(crate) fn statements(writes: &[Write], numbered: bool) -> Vec<(std::borrow::Cow<'static, str>, Vec<&Value>)> {
    let mut out = Vec::new();
    let mut tables: Vec<(&'static Table, Vec<&Vec<Value>>)> = Vec::new();
    for write in writes {
        if let Write::Insert { table, row } = write {
            match tables.iter_mut().find(|(known, _)| std::ptr::eq(*known, *table)) {
                Some((_, rows)) => rows.push(row),
                None => tables.push((table, vec![row])),
            }
        }
    }
    for (table, rows) in tables {
        let per_statement = (MAX_PARAMETERS / table.columns.len().max(1)).clamp(1, MAX_ROWS);
        // Only two texts per table, full runs and single rows, so that both stay prepared in the
        // connection's statement cache: preparing a long statement anew costs more than it saves.
        let mut chunks = rows.chunks_exact(per_statement);
        for chunk in chunks.by_ref() {
            out.push((
                std::borrow::Cow::Owned(insert_sql(table, chunk.len(), numbered)),
                chunk.iter().copied().flatten().collect(),
            ));
        }
        for row in chunks.remainder() {
            out.push((std::borrow::Cow::Owned(insert_sql(table, 1, numbered)), row.iter().collect()));
        }
    }
    for write in writes {
        if let Write::Sql { sql, params } = write {
            out.push((std::borrow::Cow::Borrowed(*sql), params.iter().collect()));
        }
    }
    out
}

/// Binds `params` to a query of either backend.
macro_rules! bind_values {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for value in $params {
            query = match value {
                $crate::write::Value::Text(text) => query.bind(text.as_deref()),
                $crate::write::Value::Int(number) => query.bind(*number),
            };
        }
        query
    }};
}
pub(crate) use bind_values;

/// Executes `writes` in order on a connection of either backend (inside the caller's transaction).
macro_rules! execute_writes {
    ($connection:expr, $writes:expr, $numbered:expr) => {{
        let mut result: Result<(), sqlx::Error> = Ok(());
        for (sql, params) in $crate::write::statements($writes, $numbered) {
            let query = $crate::write::bind_values!(sqlx::query(&sql), params.into_iter());
            if let Err(error) = query.execute(&mut *$connection).await {
                result = Err(error);
                break;
            }
        }
        result
    }};
}
pub(crate) use execute_writes;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns;

    static T: Table = Table { name: "t", columns: columns![text "a", int "b"], key: &["a"] };
    static U: Table = Table { name: "u", columns: columns![text "a"], key: &["a"] };

    #[test]
    fn new_rows_go_first_table_by_table_then_the_other_statements_in_order() {
        let insert = |table: &'static Table, n: i64| Write::Insert {
            table,
            row: if table.columns.len() == 2 { vec![Value::from("x"), Value::from(n)] } else { vec![Value::from("y")] },
        };
        let update = |n: i64| Write::Sql { sql: "UPDATE t SET b = $1", params: vec![Value::from(n)] };
        let mut writes = vec![insert(&T, 1), update(1), insert(&U, 0), update(2)];
        writes.extend((0..MAX_ROWS as i64).map(|n| insert(&T, n)));
        let statements = statements(&writes, true);
        let texts: Vec<&str> = statements.iter().map(|(sql, _)| sql.as_ref()).collect();
        // T has MAX_ROWS + 1 rows: one full run, then the one left over on its own.
        assert_eq!(texts.len(), 5);
        assert!(texts[0].starts_with("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"));
        assert_eq!(statements[0].1.len(), 2 * MAX_ROWS);
        assert_eq!(texts[1], "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING");
        assert_eq!(texts[2], "INSERT INTO u (a) VALUES ($1) ON CONFLICT DO NOTHING");
        assert_eq!(&texts[3..], ["UPDATE t SET b = $1", "UPDATE t SET b = $1"]);
        assert_eq!(statements[3].1, [&Value::from(1i64)]);
        assert_eq!(statements[4].1, [&Value::from(2i64)]);
        let anonymous = super::statements(&writes, false);
        assert_eq!(anonymous[2].0, "INSERT INTO u (a) VALUES (?) ON CONFLICT DO NOTHING");
    }
}
