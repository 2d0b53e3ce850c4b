//! Row changes, as projectors describe them, and their execution on either backend.
//!
//! Projectors only describe changes; the runner executes them inside its transaction. Each projector's
//! new rows go first, table by table, in few statements (multi-row inserts on SQLite, one `UNNEST` of
//! column arrays on PostgreSQL): statements, not rows, are most of what a rebuild costs. A page's
//! writes are grouped, and on SQLite turned into statements with their arguments, while the page is
//! planned ([`prepare`]), so that the commit, which every page waits for, only runs them.

use crate::table::{Kind, Table};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments as _, PgConnection, SqliteConnection};
use std::sync::Arc;
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
    // On SQLite, `OR FAIL`: a row that breaks a constraint other than the key (a NOT NULL, say) stops
    // the statement where it is rather than undoing its earlier rows. The runner then abandons the
    // whole transaction anyway, so nothing half-written survives either way; but SQLite need not keep
    // a statement journal (a copy of every page the insert touches, taken before it touches it) to be
    // able to undo one statement alone, and that journal was several per cent of a rebuild.
    let verb = if numbered { "INSERT" } else { "INSERT OR FAIL" };
    let mut sql = format!("{verb} INTO {} ({}) VALUES ", table.name, table.column_list());
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

/// One statement for every new row of `table` on PostgreSQL: each column travels as one array, and
/// the server unnests them, so a page costs one statement per table instead of one per few rows.
/// Rows keep their order, so of two rows with the same key the first is kept, as with single inserts.
fn unnest_sql(table: &Table) -> String {
    let arrays: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| match column.kind {
            Kind::Text => format!("${}::TEXT[]", index + 1),
            Kind::Int => format!("${}::BIGINT[]", index + 1),
        })
        .collect();
    format!(
        "INSERT INTO {} ({}) SELECT * FROM UNNEST({}) ON CONFLICT DO NOTHING",
        table.name,
        table.column_list(),
        arrays.join(", ")
    )
}

/// A projector's writes for a page: its new rows table by table, in the order the tables first
/// appear, then its other statements in order.
///
/// The runner writes the new rows before the other statements. That is sound because of what the
/// ledger guarantees: a statement that changes a row (a correction, a reschedule, a revocation) always
/// follows, in ledger order, the entry that created the row, and a new row never depends on a change
/// to another. So the page ends in the same state whichever way its statements are grouped, and live
/// projection (small pages) and a rebuild (large ones) agree; the rebuild test's digests check it.
#[derive(Debug, Default)]
pub(crate) struct Grouped {
    inserts: Vec<(&'static Table, Vec<Vec<Value>>)>,
    others: Vec<(&'static str, Vec<Value>)>,
}

impl Grouped {
    fn of(writes: Vec<Write>) -> Self {
        let mut grouped = Grouped::default();
        for write in writes {
            match write {
                Write::Insert { table, row } => {
                    match grouped.inserts.iter_mut().find(|(known, _)| std::ptr::eq(*known, table)) {
                        Some((_, rows)) => rows.push(row),
                        None => grouped.inserts.push((table, vec![row])),
                    }
                }
                Write::Sql { sql, params } => grouped.others.push((sql, params)),
            }
        }
        grouped
    }
}

/// A statement for SQLite with its arguments, ready to run. The runs of one table's inserts share one
/// text, formatted once per page.
pub(crate) struct SqliteStatement {
    sql: Arc<str>,
    arguments: SqliteArguments<'static>,
}

/// One projector's writes for a page, as its backend runs them.
pub(crate) enum Prepared {
    Sqlite(Vec<SqliteStatement>),
    Postgres(Grouped),
}

impl Prepared {
    /// Roughly how much work the writes are: rows and statements.
    pub(crate) fn weight(&self) -> usize {
        match self {
            Prepared::Sqlite(statements) => statements.iter().map(|statement| statement.arguments.len()).sum(),
            Prepared::Postgres(grouped) => {
                grouped.inserts.iter().map(|(_, rows)| rows.len()).sum::<usize>() + grouped.others.len()
            }
        }
    }
}

/// Prepares `writes` for the backend of `sqlite` (true) or PostgreSQL.
pub(crate) fn prepare(writes: Vec<Write>, sqlite: bool) -> Result<Prepared, sqlx::Error> {
    let grouped = Grouped::of(writes);
    Ok(if sqlite { Prepared::Sqlite(sqlite_statements(grouped)?) } else { Prepared::Postgres(grouped) })
}

/// `values` as a statement's arguments, moved rather than copied.
fn arguments(values: impl IntoIterator<Item = Value>) -> Result<SqliteArguments<'static>, sqlx::Error> {
    let mut arguments = SqliteArguments::default();
    for value in values {
        match value {
            Value::Text(text) => arguments.add(text),
            Value::Int(number) => arguments.add(number),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(arguments)
}

/// The statements of `grouped` on SQLite: for each table, fixed runs of multi-row inserts, then single
/// rows (only two texts per table, so that both stay prepared in the connection's statement cache:
/// preparing a long statement anew costs more than it saves); then the other statements.
fn sqlite_statements(grouped: Grouped) -> Result<Vec<SqliteStatement>, sqlx::Error> {
    let mut statements = Vec::new();
    for (table, rows) in grouped.inserts {
        let per_statement = (MAX_PARAMETERS / table.columns.len().max(1)).clamp(1, MAX_ROWS);
        let full_runs = rows.len() / per_statement;
        let mut rows = rows.into_iter();
        if full_runs > 0 {
            let sql: Arc<str> = insert_sql(table, per_statement, false).into();
            for _ in 0..full_runs {
                let run = rows.by_ref().take(per_statement).flatten();
                statements.push(SqliteStatement { sql: sql.clone(), arguments: arguments(run)? });
            }
        }
        let mut rows = rows.peekable();
        if rows.peek().is_some() {
            let sql: Arc<str> = insert_sql(table, 1, false).into();
            for row in rows {
                statements.push(SqliteStatement { sql: sql.clone(), arguments: arguments(row)? });
            }
        }
    }
    for (sql, params) in grouped.others {
        statements.push(SqliteStatement { sql: sql.into(), arguments: arguments(params)? });
    }
    Ok(statements)
}

/// A column of new rows as one array, for [`unnest_sql`].
enum ColumnArray<'a> {
    Text(Vec<Option<&'a str>>),
    Int(Vec<Option<i64>>),
}

/// `rows` as one array per column of `table`; `None` if a value does not have its column's kind (a
/// projector's defect, which the row-by-row insert then reports as the database sees it).
fn column_arrays<'a>(table: &Table, rows: &'a [Vec<Value>]) -> Option<Vec<ColumnArray<'a>>> {
    let mut arrays: Vec<ColumnArray<'a>> = table
        .columns
        .iter()
        .map(|column| match column.kind {
            Kind::Text => ColumnArray::Text(Vec::with_capacity(rows.len())),
            Kind::Int => ColumnArray::Int(Vec::with_capacity(rows.len())),
        })
        .collect();
    for row in rows {
        if row.len() != arrays.len() {
            return None;
        }
        for (array, value) in arrays.iter_mut().zip(row.iter()) {
            match (array, value) {
                (ColumnArray::Text(array), Value::Text(text)) => array.push(text.as_deref()),
                (ColumnArray::Int(array), Value::Int(number)) => array.push(*number),
                _ => return None,
            }
        }
    }
    Some(arrays)
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

/// Writes prepared for the other backend: the runner prepares for its own, so only a defect gets here.
fn prepared_for_another_backend() -> sqlx::Error {
    sqlx::Error::Protocol("projection writes prepared for another backend".into())
}

/// Runs one projector's prepared statements for a page on SQLite (inside the caller's transaction).
pub(crate) async fn execute_on_sqlite(connection: &mut SqliteConnection, writes: Prepared) -> Result<(), sqlx::Error> {
    let Prepared::Sqlite(statements) = writes else { return Err(prepared_for_another_backend()) };
    for statement in statements {
        sqlx::query_with(&statement.sql, statement.arguments).execute(&mut *connection).await?;
    }
    Ok(())
}

/// Executes one projector's writes for a page on PostgreSQL (inside the caller's transaction): its new
/// rows first, one statement per table, then its other statements in order.
pub(crate) async fn execute_on_postgres(connection: &mut PgConnection, writes: Prepared) -> Result<(), sqlx::Error> {
    let Prepared::Postgres(grouped) = writes else { return Err(prepared_for_another_backend()) };
    for (table, rows) in &grouped.inserts {
        match column_arrays(table, rows) {
            Some(arrays) => {
                let sql = unnest_sql(table);
                let mut query = sqlx::query(&sql);
                for array in arrays {
                    query = match array {
                        ColumnArray::Text(values) => query.bind(values),
                        ColumnArray::Int(values) => query.bind(values),
                    };
                }
                query.execute(&mut *connection).await?;
            }
            None => {
                let sql = insert_sql(table, 1, true);
                for row in rows {
                    bind_values!(sqlx::query(&sql), row.iter()).execute(&mut *connection).await?;
                }
            }
        }
    }
    for (sql, params) in &grouped.others {
        bind_values!(sqlx::query(sql), params.iter()).execute(&mut *connection).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns;

    static T: Table = Table { name: "t", columns: columns![text "a", int "b"], key: &["a"] };
    static U: Table = Table { name: "u", columns: columns![text "a"], key: &["a"] };

    fn insert(table: &'static Table, n: i64) -> Write {
        Write::Insert {
            table,
            row: if table.columns.len() == 2 { vec![Value::from("x"), Value::from(n)] } else { vec![Value::from("y")] },
        }
    }

    fn update(n: i64) -> Write {
        Write::Sql { sql: "UPDATE t SET b = $1", params: vec![Value::from(n)] }
    }

    #[test]
    fn new_rows_are_grouped_by_table_and_the_other_statements_keep_their_order() {
        let writes = vec![insert(&T, 1), update(1), insert(&U, 0), update(2), insert(&T, 2)];
        let grouped = Grouped::of(writes);
        assert_eq!(grouped.inserts.len(), 2);
        assert_eq!(grouped.inserts[0].0.name, "t");
        assert_eq!(
            grouped.inserts[0].1,
            [vec![Value::from("x"), Value::from(1i64)], vec![Value::from("x"), Value::from(2i64)]]
        );
        assert_eq!(grouped.inserts[1].0.name, "u");
        let others: Vec<&Vec<Value>> = grouped.others.iter().map(|(_, params)| params).collect();
        assert_eq!(others, [&vec![Value::from(1i64)], &vec![Value::from(2i64)]]);
    }

    #[test]
    fn sqlite_inserts_come_in_full_runs_then_single_rows_then_the_other_statements() {
        let mut writes: Vec<Write> = (0..=MAX_ROWS as i64).map(|n| insert(&T, n)).collect();
        writes.push(update(7));
        let statements = sqlite_statements(Grouped::of(writes)).expect("values bind");
        // MAX_ROWS + 1 rows: one full run, then the one left over on its own, then the update.
        assert_eq!(statements.len(), 3);
        assert!(statements[0].sql.starts_with("INSERT OR FAIL INTO t (a, b) VALUES (?, ?), (?, ?)"));
        assert_eq!(statements[0].arguments.len(), 2 * MAX_ROWS);
        assert_eq!(&*statements[1].sql, "INSERT OR FAIL INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING");
        assert_eq!(statements[1].arguments.len(), 2);
        assert_eq!(&*statements[2].sql, "UPDATE t SET b = $1");
        assert_eq!(statements[2].arguments.len(), 1);
    }

    #[test]
    fn postgres_inserts_send_one_array_per_column() {
        assert_eq!(
            unnest_sql(&T),
            "INSERT INTO t (a, b) SELECT * FROM UNNEST($1::TEXT[], $2::BIGINT[]) ON CONFLICT DO NOTHING"
        );
        let grouped = Grouped::of(vec![insert(&T, 1), insert(&T, 2)]);
        let arrays = column_arrays(&T, &grouped.inserts[0].1).expect("values of their columns' kinds");
        assert!(matches!(&arrays[0], ColumnArray::Text(texts) if texts == &[Some("x"), Some("x")]));
        assert!(matches!(&arrays[1], ColumnArray::Int(numbers) if numbers == &[Some(1), Some(2)]));
        let mismatched =
            Grouped::of(vec![Write::Insert { table: &T, row: vec![Value::from(1i64), Value::from(2i64)] }]);
        assert!(column_arrays(&T, &mismatched.inserts[0].1).is_none(), "a text column given a number");
    }
}
