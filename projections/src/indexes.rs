//! Secondary indexes set aside while read models are rebuilt from position 0.
//!
//! A rebuild writes every row of every read model again. Keeping a secondary index up to date row by
//! row costs a B-tree descent per row and index, in key order that is not insertion order, and is most
//! of a rebuild's time; building the same index once, from a sort of the finished table, costs a small
//! fraction of that. So a reset drops the secondary indexes of the tables it empties (never a primary
//! key or a unique constraint: inserts and corrections rely on those) and records each one's
//! definition in `projection_deferred_indexes`, in the same transaction as the reset. The first runner
//! that reaches the ledger's head afterwards recreates them and forgets the records, again in one
//! transaction; a crash in between leaves the records, so the next runner that catches up still
//! restores them. While they are set aside, queries on those tables scan: the tables are being
//! rebuilt, and incomplete anyway.

use ledger::Database;

/// Lists a table's secondary indexes that no constraint relies on, as (name, `CREATE INDEX`
/// statement), for the table named by `$1`.
pub(crate) fn listing(database: &Database) -> &'static str {
    match database {
        // An index SQLite made for a constraint has no statement of its own.
        Database::Sqlite(_) => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL \
             ORDER BY name"
        }
        Database::Postgres(_) => {
            "SELECT index_class.relname::TEXT, pg_get_indexdef(index_class.oid) \
             FROM pg_index JOIN pg_class index_class ON index_class.oid = pg_index.indexrelid \
             JOIN pg_class table_class ON table_class.oid = pg_index.indrelid \
             WHERE table_class.relname = $1 AND table_class.relnamespace = current_schema()::regnamespace \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE pg_constraint.conindid = pg_index.indexrelid) \
             ORDER BY index_class.relname"
        }
    }
}

/// Records an index about to be dropped. An index recorded by an earlier reset stays as it was.
pub(crate) const RECORD: &str = "INSERT INTO projection_deferred_indexes (index_name, table_name, definition) \
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/// Claims every recorded index for recreation. The first statement of its transaction is a write, so
/// on SQLite it takes the write lock before reading, and of two runners only one gets the rows.
pub(crate) const CLAIM: &str = "DELETE FROM projection_deferred_indexes RETURNING index_name, definition";

/// How many indexes are set aside.
pub(crate) const PENDING: &str = "SELECT COUNT(*) FROM projection_deferred_indexes";

/// The statement that drops the index `name`. Names come from the database's own catalogue, but are
/// quoted all the same.
pub(crate) fn drop_statement(name: &str) -> String {
    format!("DROP INDEX \"{}\"", name.replace('"', "\"\""))
}
