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
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
    /// `delta` added to a count: `table`'s last column counts, and its other columns, `key` here, hold
    /// its primary key and what the key determines (none of them null). A row is created for a key not counted yet and removed
    /// when its count comes back to zero, so a table holds exactly the cells that count someone,
    /// however its changes were grouped into pages. Counts are summed per key over a page before they
    /// are written: a page writes each cell once.
    Count { table: &'static Table, key: Vec<Value>, delta: i64 },
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
///
/// Counts go between the two: a sum commutes with everything else a page does, and no statement
/// reads a count.
#[derive(Debug, Default)]
pub(crate) struct Grouped {
    inserts: Vec<(&'static Table, Vec<Vec<Value>>)>,
    counts: Vec<(&'static Table, BTreeMap<Vec<Value>, i64>)>,
    others: Vec<(&'static str, Vec<Value>)>,
}

impl Grouped {
    fn of(writes: Vec<Write>) -> Self {
        let mut grouped = Grouped::default();
        for write in writes {
            match write {
                Write::Count { table, key, delta } => {
                    let cells = match grouped.counts.iter_mut().position(|(known, _)| std::ptr::eq(*known, table)) {
                        Some(index) => &mut grouped.counts[index].1,
                        None => {
                            grouped.counts.push((table, BTreeMap::new()));
                            let last = grouped.counts.len() - 1;
                            &mut grouped.counts[last].1
                        }
                    };
                    *cells.entry(key).or_insert(0) += delta;
                }
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
                grouped.inserts.iter().map(|(_, rows)| rows.len()).sum::<usize>()
                    + grouped.counts.iter().map(|(_, cells)| cells.len()).sum::<usize>()
                    + grouped.others.len()
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
        push_runs(&mut statements, table, rows, |rows| insert_sql(table, rows, false))?;
    }
    for (table, cells) in grouped.counts {
        let (changed, emptied) = count_rows(cells);
        push_runs(&mut statements, table, changed, |rows| count_sql(table, rows, false))?;
        if !emptied.is_empty() {
            let sql: Arc<str> = remove_emptied_sql(table).into();
            for key in emptied {
                statements.push(SqliteStatement { sql: sql.clone(), arguments: arguments(key)? });
            }
        }
    }
    for (sql, params) in grouped.others {
        statements.push(SqliteStatement { sql: sql.into(), arguments: arguments(params)? });
    }
    Ok(statements)
}

/// `rows` of `table` as fixed runs of multi-row statements (`sql` for a number of rows), then single
/// rows: only two texts per table, so that both stay prepared in the connection's statement cache.
fn push_runs(
    statements: &mut Vec<SqliteStatement>,
    table: &Table,
    rows: Vec<Vec<Value>>,
    sql: impl Fn(usize) -> String,
) -> Result<(), sqlx::Error> {
    let per_statement = (MAX_PARAMETERS / table.columns.len().max(1)).clamp(1, MAX_ROWS);
    let full_runs = rows.len() / per_statement;
    let mut rows = rows.into_iter();
    if full_runs > 0 {
        let text: Arc<str> = sql(per_statement).into();
        for _ in 0..full_runs {
            let run = rows.by_ref().take(per_statement).flatten();
            statements.push(SqliteStatement { sql: text.clone(), arguments: arguments(run)? });
        }
    }
    let mut rows = rows.peekable();
    if rows.peek().is_some() {
        let text: Arc<str> = sql(1).into();
        for row in rows {
            statements.push(SqliteStatement { sql: text.clone(), arguments: arguments(row)? });
        }
    }
    Ok(())
}

/// A page's summed counts as rows to add (key, then the sum; sums of zero change nothing and are left
/// out) and the keys whose count may have come back to zero (those that went down).
fn count_rows(cells: BTreeMap<Vec<Value>, i64>) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
    let mut changed = Vec::with_capacity(cells.len());
    let mut emptied = Vec::new();
    for (key, delta) in cells {
        if delta == 0 {
            continue;
        }
        if delta < 0 {
            emptied.push(key.clone());
        }
        let mut row = key;
        row.push(Value::from(delta));
        changed.push(row);
    }
    (changed, emptied)
}

/// The count column of a table written by [`Write::Count`]: its last.
fn count_column(table: &Table) -> &'static str {
    table.columns.last().map_or("n", |column| column.name)
}

/// A multi-row upsert adding each row's count to the cell its key names.
fn count_sql(table: &Table, rows: usize, numbered: bool) -> String {
    let insert = insert_sql(table, rows, numbered);
    let values = insert.strip_suffix(" ON CONFLICT DO NOTHING").unwrap_or(&insert);
    let n = count_column(table);
    format!("{values} ON CONFLICT ({}) DO UPDATE SET {n} = {}.{n} + excluded.{n}", table.key.join(", "), table.name)
}

/// Removes a cell whose count is back to zero. Its columns but the count are bound in order (as `$1`…
/// on both backends): the key, and any column the key determines (a day's week).
fn remove_emptied_sql(table: &Table) -> String {
    let cell = &table.columns[..table.columns.len().saturating_sub(1)];
    let conditions: Vec<String> =
        cell.iter().enumerate().map(|(index, column)| format!("{} = ${}", column.name, index + 1)).collect();
    format!("DELETE FROM {} WHERE {} AND {} = 0", table.name, conditions.join(" AND "), count_column(table))
}

/// One upsert for every cell of `table` a page counts on PostgreSQL, its columns as arrays: the page's
/// sums make each key appear once, as PostgreSQL requires of one upsert.
fn unnest_count_sql(table: &Table) -> String {
    let insert = unnest_sql(table);
    let values = insert.strip_suffix(" ON CONFLICT DO NOTHING").unwrap_or(&insert);
    let n = count_column(table);
    format!("{values} ON CONFLICT ({}) DO UPDATE SET {n} = {}.{n} + excluded.{n}", table.key.join(", "), table.name)
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
    for (table, cells) in grouped.counts {
        let (changed, emptied) = count_rows(cells);
        if !changed.is_empty() {
            match column_arrays(table, &changed) {
                Some(arrays) => {
                    let sql = unnest_count_sql(table);
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
                    let sql = count_sql(table, 1, true);
                    for row in &changed {
                        bind_values!(sqlx::query(&sql), row.iter()).execute(&mut *connection).await?;
                    }
                }
            }
        }
        let sql = remove_emptied_sql(table);
        for key in &emptied {
            bind_values!(sqlx::query(&sql), key.iter()).execute(&mut *connection).await?;
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

    static C: Table = Table { name: "c", columns: columns![text "k", int "n"], key: &["k"] };

    fn count(key: &str, delta: i64) -> Write {
        Write::Count { table: &C, key: vec![Value::from(key)], delta }
    }

    #[test]
    fn counts_are_summed_per_cell_over_a_page_and_cells_that_went_down_are_checked_for_zero() {
        let writes = vec![count("a", 1), count("b", 1), count("a", 1), count("b", -1), count("c", -1), update(3)];
        let statements = sqlite_statements(Grouped::of(writes)).expect("values bind");
        // `a` adds 2; `b` nets to nothing and is not written; `c` goes down, so its cell is removed if it
        // reaches zero; the update keeps its place after the counts.
        assert_eq!(statements.len(), 4, "{:?}", statements.iter().map(|s| s.sql.to_string()).collect::<Vec<_>>());
        assert_eq!(
            &*statements[0].sql,
            "INSERT OR FAIL INTO c (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = c.n + excluded.n"
        );
        assert_eq!(statements[0].arguments.len(), 2);
        assert_eq!(&*statements[2].sql, "DELETE FROM c WHERE k = $1 AND n = 0");
        assert_eq!(&*statements[3].sql, "UPDATE t SET b = $1");
        let (changed, emptied) = count_rows(Grouped::of(vec![count("a", 2), count("c", -1)]).counts.remove(0).1);
        assert_eq!(changed, [vec![Value::from("a"), Value::from(2i64)], vec![Value::from("c"), Value::from(-1i64)]]);
        assert_eq!(emptied, [vec![Value::from("c")]]);
        assert_eq!(
            unnest_count_sql(&C),
            "INSERT INTO c (k, n) SELECT * FROM UNNEST($1::TEXT[], $2::BIGINT[]) ON CONFLICT (k) DO UPDATE SET n = c.n + excluded.n"
        );
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
