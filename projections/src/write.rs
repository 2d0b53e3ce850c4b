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
const MAX_ROWS: usize = 256;

/// A multi-row insert's text for `rows` rows.
fn insert_sql(table: &Table, rows: usize) -> String {
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
            sql.push_str(&format!("${}", row * width + column + 1));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING");
    sql
}

/// Splits `writes` into statements: runs of inserts into one table become multi-row inserts.
pub(crate) fn statements(writes: &[Write]) -> Vec<(std::borrow::Cow<'static, str>, Vec<&Value>)> {
    let mut out = Vec::new();
    let mut index = 0;
    while index < writes.len() {
        match &writes[index] {
            Write::Sql { sql, params } => {
                out.push((std::borrow::Cow::Borrowed(*sql), params.iter().collect()));
                index += 1;
            }
            Write::Insert { table, .. } => {
                let per_statement = (MAX_PARAMETERS / table.columns.len().max(1)).clamp(1, MAX_ROWS);
                let mut rows: Vec<&Vec<Value>> = Vec::new();
                while let Some(Write::Insert { table: next, row }) = writes.get(index) {
                    if !std::ptr::eq(*next, *table) || rows.len() == per_statement {
                        break;
                    }
                    rows.push(row);
                    index += 1;
                }
                let sql = insert_sql(table, rows.len());
                out.push((std::borrow::Cow::Owned(sql), rows.into_iter().flatten().collect()));
            }
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
    ($connection:expr, $writes:expr) => {{
        let mut result: Result<(), sqlx::Error> = Ok(());
        for (sql, params) in $crate::write::statements($writes) {
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
    fn runs_of_inserts_into_one_table_become_one_statement_and_order_is_kept() {
        let insert = |table: &'static Table, n: i64| Write::Insert {
            table,
            row: if table.columns.len() == 2 { vec![Value::from("x"), Value::from(n)] } else { vec![Value::from("y")] },
        };
        let writes = vec![
            insert(&T, 1),
            insert(&T, 2),
            Write::Sql { sql: "UPDATE t SET b = $1", params: vec![Value::from(3i64)] },
            insert(&T, 4),
            insert(&U, 0),
        ];
        let statements = statements(&writes);
        let texts: Vec<&str> = statements.iter().map(|(sql, _)| sql.as_ref()).collect();
        assert_eq!(
            texts,
            [
                "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING",
                "UPDATE t SET b = $1",
                "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                "INSERT INTO u (a) VALUES ($1) ON CONFLICT DO NOTHING",
            ]
        );
        assert_eq!(statements[0].1.len(), 4);
    }
}
