//! The embedded backend: one SQLite file in WAL mode with `synchronous = FULL`, so an acknowledged
//! append survives a power cut. SQLite has a single writer; appends take the write lock up front
//! (`BEGIN IMMEDIATE`) so a transaction never has to upgrade a read lock and fail.

use super::{
    check_head_is_last, corrupt, decode_digest, decode_key_id, decode_payload, decode_role, decode_signature,
    differing_guards, key_stream_moved, role_text, to_i64, to_u64, Backend, CommittedBatch, Storage,
};
use crate::append::PreparedAppend;
use crate::error::LedgerError;
use crate::seal::{commands_of, streams_of, BatchContext, Head, Sealer};
use crate::Appended;
use async_trait::async_trait;
use event_schema::ledger_events::KEY_STREAM;
use event_schema::{Actor, Entry, Timestamp};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

const READ_ALL: &str =
    concat!("SELECT ", ledger_columns!(), " FROM ledger_entries WHERE position > ?1 ORDER BY position LIMIT ?2");
const READ_STREAM: &str = concat!(
    "SELECT ",
    ledger_columns!(),
    " FROM ledger_entries WHERE stream_id = ?1 AND stream_version > ?2 ORDER BY stream_version LIMIT ?3"
);
const READ_STREAM_STARTS: &str = concat!(
    "SELECT ",
    ledger_columns!(),
    " FROM ledger_entries WHERE stream_version = 1 AND stream_id IN (SELECT value FROM json_each(?1))"
);
const READ_STREAMS: &str = concat!(
    "SELECT ",
    ledger_columns!(),
    " FROM ledger_entries WHERE stream_id IN (SELECT value FROM json_each(?1)) ORDER BY position"
);

/// The append-only guard, exactly as `0001_ledger.sql` creates it (SQLite keeps each trigger's text as
/// written, which is compared with this, whitespace aside).
const GUARDS: [(&str, &str); 2] = [
    (
        "ledger_entries_refuse_update",
        "CREATE TRIGGER ledger_entries_refuse_update BEFORE UPDATE ON ledger_entries
         BEGIN
             SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on ledger_entries is refused');
         END",
    ),
    (
        "ledger_entries_refuse_delete",
        "CREATE TRIGGER ledger_entries_refuse_delete BEFORE DELETE ON ledger_entries
         BEGIN
             SELECT RAISE(ABORT, 'the ledger is append-only: DELETE on ledger_entries is refused');
         END",
    ),
];

/// The gate every writer of this process takes before writing to the SQLite file `pool` opens.
///
/// SQLite lets one connection write at a time. A connection that finds the write lock taken is put to
/// sleep by its busy handler, in steps growing from 1 to 100 ms, and looks again: under load the
/// ledger's writer and the projectors met that way about 85 times a second, sleeping 3.7 ms on
/// average, with 16 clients recording vital signs, and every command waiting on the ledger's next
/// commit waited out the sleep too. Writers of one process therefore queue here first, on an async
/// lock per database file that passes to the next writer the moment the last one commits. The busy
/// handler still serves writers in other processes (an administrator's command run beside the server).
///
/// Pools of the same file share the gate (it is found by the file's name). A writer takes the gate
/// before it takes a connection, or holds a connection of its own, so no writer waits for the gate
/// while holding a connection another writer needs.
pub fn write_gate(pool: &SqlitePool) -> Arc<tokio::sync::Mutex<()>> {
    static GATES: std::sync::LazyLock<std::sync::Mutex<HashMap<std::path::PathBuf, Weak<tokio::sync::Mutex<()>>>>> =
        std::sync::LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    // A poisoned map still maps files to gates: nothing is left half-changed by a panic between the
    // two lines that change it.
    let mut gates = GATES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(gate) = gates.get(&file).and_then(Weak::upgrade) {
        return gate;
    }
    gates.retain(|_, gate| gate.strong_count() > 0);
    let gate = Arc::new(tokio::sync::Mutex::new(()));
    gates.insert(file, Arc::downgrade(&gate));
    gate
}

/// A ledger in a SQLite file.
#[derive(Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
    /// Held for as long as the storage is, so that every writer of this file shares it.
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl SqliteStorage {
    /// Opens (and with `create`, creates) the database file.
    pub async fn open(path: &Path, create: bool) -> Result<Self, LedgerError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache per connection (the default is 2 MiB): the read models' indexes
            // are written in key order that is not insertion order, and a rebuild touching them
            // through a small cache spends its time re-reading pages.
            .pragma("cache_size", "-65536")
            // Statement journals (which let one statement of a transaction roll back alone) and the
            // sorts behind `CREATE INDEX` in memory rather than in temporary files: a multi-row insert
            // otherwise copies each page it touches to a file first.
            .pragma("temp_store", "memory")
            // Reads served from the file mapped in memory (up to 64 GiB of it: SQLite's own ceiling of
            // 2 GiB is raised in `.cargo/config.toml`) rather than copied into each connection's
            // cache. A connection's cache is emptied whenever another connection commits, so while a
            // projector commits page after page, every read of the ledger would otherwise copy and
            // allocate its pages again. Only the file's actual size is mapped.
            .pragma("mmap_size", "68719476736")
            // Rows travel from the connection's thread in a bounded channel; a deep one lets a page
            // of entries stream without the two threads waking each other for every row.
            .row_buffer_size(4_096);
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        let gate = write_gate(&pool);
        Ok(Self { pool, gate })
    }

    /// The connection pool, for read models kept in the same database and for tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn read_head(conn: &mut SqliteConnection) -> Result<Head, LedgerError> {
        let row = sqlx::query("SELECT position, hash FROM ledger_head WHERE id = 1").fetch_one(&mut *conn).await?;
        let position = to_u64(0, "ledger_head.position", row.try_get::<i64, _>(0)?)?;
        let hash = decode_digest(position, "ledger_head.hash", &row.try_get::<Vec<u8>, _>(1)?)?;
        Ok(Head { position, hash })
    }

    /// The head, the batch's already-committed commands and its streams' versions, in one statement:
    /// every statement is a round trip to the connection's thread, and `BEGIN IMMEDIATE` already holds
    /// the write lock, so nothing can commit between the parts.
    async fn head_and_context(
        conn: &mut SqliteConnection,
        batch: &[&PreparedAppend],
    ) -> Result<(Head, BatchContext), LedgerError> {
        let commands: Vec<String> = commands_of(batch).iter().map(Uuid::to_string).collect();
        let commands = serde_json::to_string(&commands).map_err(|e| LedgerError::InvalidAppend(e.to_string()))?;
        let streams =
            serde_json::to_string(&streams_of(batch)).map_err(|e| LedgerError::InvalidAppend(e.to_string()))?;
        let rows = sqlx::query(
            "SELECT 0, NULL, position, NULL, NULL, hash FROM ledger_head WHERE id = 1 \
             UNION ALL \
             SELECT 1, command_id, MIN(position), MAX(position), MAX(stream_version), NULL FROM ledger_entries \
             WHERE command_id IN (SELECT value FROM json_each(?1)) GROUP BY command_id \
             UNION ALL \
             SELECT 2, streams.value, (SELECT stream_version FROM ledger_entries WHERE stream_id = streams.value \
             ORDER BY stream_version DESC LIMIT 1), NULL, NULL, NULL FROM json_each(?2) AS streams \
             UNION ALL \
             SELECT 3, NULL, position, NULL, NULL, hash FROM ledger_entries \
             WHERE position = (SELECT MAX(position) FROM ledger_entries)",
        )
        .bind(commands)
        .bind(streams)
        .fetch_all(&mut *conn)
        .await?;
        let mut head = None;
        let mut last = None;
        let mut context = BatchContext::default();
        for row in rows {
            match row.try_get::<i64, _>(0)? {
                0 => {
                    let position = to_u64(0, "ledger_head.position", row.try_get(2)?)?;
                    let hash = decode_digest(position, "ledger_head.hash", &row.try_get::<Vec<u8>, _>(5)?)?;
                    head = Some(Head { position, hash });
                }
                1 => {
                    let first = to_u64(0, "position", row.try_get(2)?)?;
                    let command: String = row.try_get(1)?;
                    let command = Uuid::parse_str(&command).map_err(|e| corrupt(first, "command_id", e))?;
                    let appended = Appended {
                        first_position: first,
                        last_position: to_u64(first, "position", row.try_get(3)?)?,
                        stream_version: to_u64(first, "stream_version", row.try_get(4)?)?,
                        replayed: true,
                    };
                    context.committed.insert(command, appended);
                }
                2 => {
                    // One index seek per stream: a MAX() with GROUP BY would read every version of it.
                    if let Some(version) = row.try_get::<Option<i64>, _>(2)? {
                        let stream: String = row.try_get(1)?;
                        context.versions.insert(stream, to_u64(0, "stream_version", version)?);
                    }
                }
                _ => {
                    let position = to_u64(0, "position", row.try_get(2)?)?;
                    let hash = decode_digest(position, "hash", &row.try_get::<Vec<u8>, _>(5)?)?;
                    last = Some(Head { position, hash });
                }
            }
        }
        let head = head.ok_or_else(|| corrupt(0, "ledger_head", "the head row is missing"))?;
        check_head_is_last(head, last)?;
        Ok((head, context))
    }

    /// Inserts entries with one multi-row statement per [`INSERT_CHUNK`] rows: every statement is a
    /// round trip to the connection's thread, so one per entry would cost more than the SQL itself.
    async fn insert(conn: &mut SqliteConnection, entries: &[Entry]) -> Result<(), LedgerError> {
        for chunk in entries.chunks(INSERT_CHUNK) {
            let sql;
            let statement = if chunk.len() == INSERT_CHUNK {
                full_chunk_insert()
            } else {
                sql = insert_statement(chunk.len());
                sql.as_str()
            };
            let mut query = sqlx::query(statement);
            for entry in chunk {
                query = query
                    .bind(to_i64(entry.position)?)
                    .bind(entry.event_id.to_string())
                    .bind(entry.stream_id.as_str())
                    .bind(to_i64(entry.stream_version)?)
                    .bind(entry.event_type.as_str())
                    .bind(i64::from(entry.schema_version))
                    .bind(entry.occurred_at.to_string())
                    .bind(entry.recorded_at.to_string())
                    .bind(entry.actor.account_id.to_string())
                    .bind(role_text(entry.actor.role))
                    .bind(entry.actor.facility_id.map(|id| id.to_string()))
                    .bind(entry.command_id.to_string())
                    .bind(entry.correlation_id.to_string())
                    .bind(entry.causation_id.map(|id| id.to_string()))
                    .bind(entry.payload.as_str())
                    .bind(entry.prev_hash.as_bytes().as_slice())
                    .bind(entry.key_id.as_str())
                    .bind(entry.hash.as_bytes().as_slice())
                    .bind(entry.signature.to_bytes().to_vec());
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Rows per INSERT statement: 19 columns × 50 rows stays far below SQLite's limit of 32,766 parameters.
const INSERT_CHUNK: usize = 50;

fn insert_statement(rows: usize) -> String {
    let row = format!("({})", vec!["?"; 19].join(", "));
    format!("INSERT INTO ledger_entries ({}) VALUES {}", ledger_columns!(), vec![row; rows].join(", "))
}

fn full_chunk_insert() -> &'static str {
    static STATEMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STATEMENT.get_or_init(|| insert_statement(INSERT_CHUNK))
}

fn decode_entry(row: &SqliteRow) -> Result<Entry, LedgerError> {
    let position = to_u64(0, "position", row.try_get(0)?)?;
    let uuid = |index: usize, what: &str| -> Result<Uuid, LedgerError> {
        let text: String = row.try_get(index)?;
        Uuid::parse_str(&text).map_err(|e| corrupt(position, what, e))
    };
    let optional_uuid = |index: usize, what: &str| -> Result<Option<Uuid>, LedgerError> {
        let text: Option<String> = row.try_get(index)?;
        text.map(|text| Uuid::parse_str(&text).map_err(|e| corrupt(position, what, e))).transpose()
    };
    let timestamp = |index: usize, what: &str| -> Result<Timestamp, LedgerError> {
        let text: String = row.try_get(index)?;
        Timestamp::parse(&text).map_err(|e| corrupt(position, what, e))
    };
    let schema_version: i64 = row.try_get(5)?;
    Ok(Entry {
        position,
        event_id: uuid(1, "event_id")?,
        stream_id: row.try_get(2)?,
        stream_version: to_u64(position, "stream_version", row.try_get(3)?)?,
        event_type: row.try_get(4)?,
        schema_version: u32::try_from(schema_version).map_err(|e| corrupt(position, "schema_version", e))?,
        occurred_at: timestamp(6, "occurred_at")?,
        recorded_at: timestamp(7, "recorded_at")?,
        actor: Actor {
            account_id: uuid(8, "actor_account_id")?,
            role: decode_role(position, &row.try_get::<String, _>(9)?)?,
            facility_id: optional_uuid(10, "actor_facility_id")?,
        },
        command_id: uuid(11, "command_id")?,
        correlation_id: uuid(12, "correlation_id")?,
        causation_id: optional_uuid(13, "causation_id")?,
        payload: decode_payload(position, row.try_get::<String, _>(14)?)?,
        prev_hash: decode_digest(position, "prev_hash", &row.try_get::<Vec<u8>, _>(15)?)?,
        key_id: decode_key_id(position, &row.try_get::<String, _>(16)?)?,
        hash: decode_digest(position, "hash", &row.try_get::<Vec<u8>, _>(17)?)?,
        signature: decode_signature(position, &row.try_get::<Vec<u8>, _>(18)?)?,
    })
}

#[async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn database(&self) -> super::Database {
        super::Database::Sqlite(self.pool.clone())
    }

    async fn migrate(&self) -> Result<(), LedgerError> {
        super::migrate_ledger(&self.database()).await
    }

    async fn head(&self) -> Result<Head, LedgerError> {
        let mut conn = self.pool.acquire().await?;
        Self::read_head(&mut conn).await
    }

    async fn read_all(&self, after: u64, limit: u32) -> Result<Vec<Entry>, LedgerError> {
        let rows = sqlx::query(READ_ALL).bind(to_i64(after)?).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn read_stream(&self, stream_id: &str, after_version: u64, limit: u32) -> Result<Vec<Entry>, LedgerError> {
        let rows = sqlx::query(READ_STREAM)
            .bind(stream_id)
            .bind(to_i64(after_version)?)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn read_stream_starts(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError> {
        if stream_ids.is_empty() {
            return Ok(Vec::new());
        }
        let named = serde_json::to_string(stream_ids).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
        let rows = sqlx::query(READ_STREAM_STARTS).bind(named).fetch_all(&self.pool).await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError> {
        if stream_ids.is_empty() {
            return Ok(Vec::new());
        }
        let named = serde_json::to_string(stream_ids).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
        let rows = sqlx::query(READ_STREAMS).bind(named).fetch_all(&self.pool).await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn append_batch(
        &self,
        batch: &[&PreparedAppend],
        sealer: &mut Sealer,
    ) -> Result<CommittedBatch, LedgerError> {
        let _writing = self.gate.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let (head, context) = Self::head_and_context(&mut tx, batch).await?;
        if key_stream_moved(sealer, &context) {
            let rows = sqlx::query(READ_STREAM)
                .bind(KEY_STREAM)
                .bind(to_i64(sealer.registry_version())?)
                .bind(i64::MAX)
                .fetch_all(&mut *tx)
                .await?;
            let key_entries = rows.iter().map(decode_entry).collect::<Result<Vec<_>, _>>()?;
            sealer.refresh_registry(&key_entries)?;
        }
        let plan = sealer.plan(head, context, batch);
        if !plan.entries.is_empty() {
            Self::insert(&mut tx, &plan.entries).await?;
            sqlx::query("UPDATE ledger_head SET position = ?1, hash = ?2 WHERE id = 1")
                .bind(to_i64(plan.head.position)?)
                .bind(plan.head.hash.as_bytes().as_slice())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(CommittedBatch { plan })
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn follow_other_writers(&self, _head: Arc<watch::Sender<u64>>) {
        // One process writes a SQLite ledger; its own writer keeps the head current.
        std::future::pending::<()>().await;
    }

    async fn lifted_guards(&self) -> Result<Vec<String>, LedgerError> {
        let found: Vec<(String, String)> = sqlx::query_as(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger_entries'",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(differing_guards(&GUARDS, &found.into_iter().collect::<HashMap<_, _>>()))
    }

    async fn restore_guards(&self) -> Result<(), LedgerError> {
        let _writing = self.gate.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for (name, definition) in GUARDS {
            sqlx::query(&format!("DROP TRIGGER IF EXISTS {name}")).execute(&mut *tx).await?;
            sqlx::query(definition).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn verified_point(&self) -> Result<Option<Head>, LedgerError> {
        let row: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT position, hash FROM ledger_verified WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(position, hash)| {
            let position = to_u64(0, "ledger_verified.position", position)?;
            Ok(Head { position, hash: decode_digest(position, "ledger_verified.hash", &hash)? })
        })
        .transpose()
    }

    async fn record_verified(&self, point: Head) -> Result<(), LedgerError> {
        sqlx::query(
            "INSERT INTO ledger_verified (id, position, hash) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE \
             SET position = excluded.position, hash = excluded.hash WHERE excluded.position > ledger_verified.position",
        )
        .bind(to_i64(point.position)?)
        .bind(point.hash.as_bytes().as_slice())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn withdraw_verified(&self) -> Result<(), LedgerError> {
        sqlx::query("DELETE FROM ledger_verified").execute(&self.pool).await?;
        Ok(())
    }
}
