//! The production backend: PostgreSQL, shared by any number of `cloudmedi` processes.
//!
//! Every appending transaction locks the one-row `ledger_head` (`SELECT … FOR UPDATE`), so positions
//! are assigned gap-free in commit order across processes; the entries of a batch go in with one
//! `INSERT … SELECT FROM UNNEST(…)` so a batch costs the same few round trips whatever its size. The
//! transaction ends with `pg_notify`, delivered at commit, which wakes subscribers in other processes.

use super::{
    check_head_is_last, corrupt, decode_digest, decode_key_id, decode_payload, decode_role, decode_signature,
    differing_guards, key_stream_moved, role_text, to_i64, to_u64, Backend, CommittedBatch, Storage,
};
use crate::append::PreparedAppend;
use crate::error::LedgerError;
use crate::seal::{commands_of, streams_of, BatchContext, Head, Sealer};
use crate::Appended;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use event_schema::ledger_events::KEY_STREAM;
use event_schema::{Actor, Entry, Timestamp};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Row};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// The channel on which committed appends are announced.
pub const NOTIFY_CHANNEL: &str = "cloudmedi_ledger";

const INSERT: &str = concat!(
    "INSERT INTO ledger_entries (",
    ledger_columns!(),
    ") SELECT * FROM UNNEST($1::int8[], $2::uuid[], $3::text[], $4::int8[], $5::text[], $6::int4[], \
     $7::timestamptz[], $8::timestamptz[], $9::uuid[], $10::text[], $11::uuid[], $12::uuid[], $13::uuid[], \
     $14::uuid[], $15::text[], $16::bytea[], $17::text[], $18::bytea[], $19::bytea[])"
);
const READ_ALL: &str =
    concat!("SELECT ", ledger_columns!(), " FROM ledger_entries WHERE position > $1 ORDER BY position LIMIT $2");
const READ_STREAM: &str = concat!(
    "SELECT ",
    ledger_columns!(),
    " FROM ledger_entries WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version LIMIT $3"
);
/// One index probe per stream named (`LATERAL`), whatever plan the statement is given.
const READ_STREAM_STARTS: &str = concat!(
    "SELECT e.* FROM UNNEST($1::TEXT[]) AS named(id) CROSS JOIN LATERAL (SELECT ",
    ledger_columns!(),
    " FROM ledger_entries WHERE stream_id = named.id AND stream_version = 1) AS e"
);
const READ_STREAMS: &str = concat!(
    "SELECT e.* FROM UNNEST($1::TEXT[]) AS named(id) CROSS JOIN LATERAL (SELECT ",
    ledger_columns!(),
    " FROM ledger_entries WHERE stream_id = named.id) AS e ORDER BY e.position"
);

/// The body of the function behind the append-only guard, as `0001_ledger.sql` creates it.
const REFUSE_CHANGE_BODY: &str = "
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
";

/// The append-only guard's triggers, as `0001_ledger.sql` creates them, each described the way
/// [`PgStorage::lifted_guards`] reads it back from the catalogue: its kind (`pg_trigger.tgtype`: 27 is
/// BEFORE UPDATE OR DELETE, FOR EACH ROW; 34 is BEFORE TRUNCATE, FOR EACH STATEMENT), the function it
/// runs and that function's body.
const GUARDS: [(&str, &str, i32); 2] = [
    ("ledger_entries_append_only", "BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW", 27),
    ("ledger_entries_no_truncate", "BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT", 34),
];

fn guard_description(kind: i32, function: &str, body: &str) -> String {
    format!("{kind} {function} {body}")
}

/// The database `url` names, for messages: `database `name` on host:port`, never the user's password
/// (which the URL may hold). A URL that cannot be read is described without being shown.
pub fn describe(url: &str) -> String {
    match PgConnectOptions::from_str(url) {
        Ok(options) => format!(
            "database `{}` on {}:{}",
            options.get_database().unwrap_or(options.get_username()),
            options.get_host(),
            options.get_port()
        ),
        Err(_) => "database (its URL could not be read)".to_owned(),
    }
}

/// A ledger in a PostgreSQL database.
#[derive(Clone)]
pub struct PgStorage {
    pool: PgPool,
}

impl PgStorage {
    /// Connects to `url` (`postgres://…`). The URL may hold a password: it is never logged.
    pub async fn connect(url: &str) -> Result<Self, LedgerError> {
        let options = PgConnectOptions::from_str(url)?.application_name("cloudmedi");
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    /// The connection pool, for read models kept in the same database and for tests.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn lock_head(conn: &mut PgConnection, for_update: bool) -> Result<Head, LedgerError> {
        let sql = if for_update {
            "SELECT position, hash FROM ledger_head WHERE id = 1 FOR UPDATE"
        } else {
            "SELECT position, hash FROM ledger_head WHERE id = 1"
        };
        let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
        let position = to_u64(0, "ledger_head.position", row.try_get::<i64, _>(0)?)?;
        let hash = decode_digest(position, "ledger_head.hash", &row.try_get::<Vec<u8>, _>(1)?)?;
        Ok(Head { position, hash })
    }

    /// The batch's already-committed commands, its streams' versions and the last stored entry, in one
    /// round trip. It runs after the head lock is held, in a statement of its own, so its snapshot sees
    /// every append that committed before the lock was granted.
    async fn context(
        conn: &mut PgConnection,
        batch: &[&PreparedAppend],
    ) -> Result<(BatchContext, Option<Head>), LedgerError> {
        let mut context = BatchContext::default();
        let rows = sqlx::query(
            // Commands are looked up one index probe each (LATERAL): with `command_id = ANY($1)` and a
            // generic plan, PostgreSQL may scan the whole table for a large batch.
            "SELECT 1, commands.id, NULL::text, found.first, found.last, found.version, NULL::bytea \
             FROM UNNEST($1::uuid[]) AS commands(id) CROSS JOIN LATERAL ( \
                 SELECT MIN(position) AS first, MAX(position) AS last, MAX(stream_version) AS version \
                 FROM ledger_entries WHERE command_id = commands.id) AS found \
             WHERE found.first IS NOT NULL \
             UNION ALL \
             SELECT 2, NULL::uuid, streams.id, (SELECT stream_version FROM ledger_entries WHERE stream_id = streams.id \
             ORDER BY stream_version DESC LIMIT 1), NULL, NULL, NULL FROM UNNEST($2::text[]) AS streams(id) \
             UNION ALL \
             (SELECT 3, NULL::uuid, NULL::text, position, NULL, NULL, hash FROM ledger_entries \
             ORDER BY position DESC LIMIT 1)",
        )
        .bind(commands_of(batch))
        .bind(streams_of(batch))
        .fetch_all(&mut *conn)
        .await?;
        let mut last = None;
        for row in rows {
            match row.try_get::<i32, _>(0)? {
                1 => {
                    let command: Uuid = row.try_get(1)?;
                    let first = to_u64(0, "position", row.try_get(3)?)?;
                    let appended = Appended {
                        first_position: first,
                        last_position: to_u64(first, "position", row.try_get(4)?)?,
                        stream_version: to_u64(first, "stream_version", row.try_get(5)?)?,
                        replayed: true,
                    };
                    context.committed.insert(command, appended);
                }
                2 => {
                    // One index seek per stream: a max() with GROUP BY would read every version of it.
                    if let Some(version) = row.try_get::<Option<i64>, _>(3)? {
                        let stream: String = row.try_get(2)?;
                        context.versions.insert(stream, to_u64(0, "stream_version", version)?);
                    }
                }
                _ => {
                    let position = to_u64(0, "position", row.try_get(3)?)?;
                    let hash = decode_digest(position, "hash", &row.try_get::<Vec<u8>, _>(6)?)?;
                    last = Some(Head { position, hash });
                }
            }
        }
        Ok((context, last))
    }

    async fn insert(conn: &mut PgConnection, entries: &[Entry]) -> Result<(), LedgerError> {
        let mut columns = Columns::with_capacity(entries.len());
        for entry in entries {
            columns.push(entry)?;
        }
        sqlx::query(INSERT)
            .bind(columns.position)
            .bind(columns.event_id)
            .bind(columns.stream_id)
            .bind(columns.stream_version)
            .bind(columns.event_type)
            .bind(columns.schema_version)
            .bind(columns.occurred_at)
            .bind(columns.recorded_at)
            .bind(columns.actor_account_id)
            .bind(columns.actor_role)
            .bind(columns.actor_facility_id)
            .bind(columns.command_id)
            .bind(columns.correlation_id)
            .bind(columns.causation_id)
            .bind(columns.payload)
            .bind(columns.prev_hash)
            .bind(columns.key_id)
            .bind(columns.hash)
            .bind(columns.signature)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// A batch of entries turned column-wise, for `UNNEST`.
#[derive(Default)]
struct Columns {
    position: Vec<i64>,
    event_id: Vec<Uuid>,
    stream_id: Vec<String>,
    stream_version: Vec<i64>,
    event_type: Vec<String>,
    schema_version: Vec<i32>,
    occurred_at: Vec<DateTime<Utc>>,
    recorded_at: Vec<DateTime<Utc>>,
    actor_account_id: Vec<Uuid>,
    actor_role: Vec<String>,
    actor_facility_id: Vec<Option<Uuid>>,
    command_id: Vec<Uuid>,
    correlation_id: Vec<Uuid>,
    causation_id: Vec<Option<Uuid>>,
    payload: Vec<String>,
    prev_hash: Vec<Vec<u8>>,
    key_id: Vec<String>,
    hash: Vec<Vec<u8>>,
    signature: Vec<Vec<u8>>,
}

impl Columns {
    fn with_capacity(n: usize) -> Self {
        Self { position: Vec::with_capacity(n), payload: Vec::with_capacity(n), ..Self::default() }
    }

    fn push(&mut self, entry: &Entry) -> Result<(), LedgerError> {
        self.position.push(to_i64(entry.position)?);
        self.event_id.push(entry.event_id);
        self.stream_id.push(entry.stream_id.clone());
        self.stream_version.push(to_i64(entry.stream_version)?);
        self.event_type.push(entry.event_type.clone());
        self.schema_version
            .push(i32::try_from(entry.schema_version).map_err(|e| LedgerError::InvalidAppend(e.to_string()))?);
        self.occurred_at.push(entry.occurred_at.as_datetime());
        self.recorded_at.push(entry.recorded_at.as_datetime());
        self.actor_account_id.push(entry.actor.account_id);
        self.actor_role.push(role_text(entry.actor.role));
        self.actor_facility_id.push(entry.actor.facility_id);
        self.command_id.push(entry.command_id);
        self.correlation_id.push(entry.correlation_id);
        self.causation_id.push(entry.causation_id);
        self.payload.push(entry.payload.as_str().to_owned());
        self.prev_hash.push(entry.prev_hash.as_bytes().to_vec());
        self.key_id.push(entry.key_id.to_string());
        self.hash.push(entry.hash.as_bytes().to_vec());
        self.signature.push(entry.signature.to_bytes().to_vec());
        Ok(())
    }
}

fn decode_entry(row: &PgRow) -> Result<Entry, LedgerError> {
    let position = to_u64(0, "position", row.try_get(0)?)?;
    let schema_version: i32 = row.try_get(5)?;
    Ok(Entry {
        position,
        event_id: row.try_get(1)?,
        stream_id: row.try_get(2)?,
        stream_version: to_u64(position, "stream_version", row.try_get(3)?)?,
        event_type: row.try_get(4)?,
        schema_version: u32::try_from(schema_version).map_err(|e| corrupt(position, "schema_version", e))?,
        occurred_at: Timestamp::from_datetime(row.try_get(6)?),
        recorded_at: Timestamp::from_datetime(row.try_get(7)?),
        actor: Actor {
            account_id: row.try_get(8)?,
            role: decode_role(position, &row.try_get::<String, _>(9)?)?,
            facility_id: row.try_get(10)?,
        },
        command_id: row.try_get(11)?,
        correlation_id: row.try_get(12)?,
        causation_id: row.try_get(13)?,
        payload: decode_payload(position, row.try_get::<String, _>(14)?)?,
        prev_hash: decode_digest(position, "prev_hash", &row.try_get::<Vec<u8>, _>(15)?)?,
        key_id: decode_key_id(position, &row.try_get::<String, _>(16)?)?,
        hash: decode_digest(position, "hash", &row.try_get::<Vec<u8>, _>(17)?)?,
        signature: decode_signature(position, &row.try_get::<Vec<u8>, _>(18)?)?,
    })
}

#[async_trait]
impl Storage for PgStorage {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn database(&self) -> super::Database {
        super::Database::Postgres(self.pool.clone())
    }

    async fn migrate(&self) -> Result<(), LedgerError> {
        super::migrate_ledger(&self.database()).await
    }

    async fn head(&self) -> Result<Head, LedgerError> {
        let mut conn = self.pool.acquire().await?;
        Self::lock_head(&mut conn, false).await
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
        let rows = sqlx::query(READ_STREAM_STARTS).bind(stream_ids).fetch_all(&self.pool).await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError> {
        if stream_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(READ_STREAMS).bind(stream_ids).fetch_all(&self.pool).await?;
        rows.iter().map(decode_entry).collect()
    }

    async fn append_batch(
        &self,
        batch: &[&PreparedAppend],
        sealer: &mut Sealer,
    ) -> Result<CommittedBatch, LedgerError> {
        let mut tx = self.pool.begin().await?;
        let head = Self::lock_head(&mut tx, true).await?;
        let (context, last) = Self::context(&mut tx, batch).await?;
        check_head_is_last(head, last)?;
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
            // Move the head and announce it in one round trip; the notification is delivered at commit.
            sqlx::query(
                "WITH moved AS (UPDATE ledger_head SET position = $1, hash = $2 WHERE id = 1 RETURNING position) \
                 SELECT pg_notify($3, position::text) FROM moved",
            )
            .bind(to_i64(plan.head.position)?)
            .bind(plan.head.hash.as_bytes().as_slice())
            .bind(NOTIFY_CHANNEL)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(CommittedBatch { plan })
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn lifted_guards(&self) -> Result<Vec<String>, LedgerError> {
        self.find_lifted_guards().await
    }

    async fn restore_guards(&self) -> Result<(), LedgerError> {
        self.recreate_guards().await
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
            "INSERT INTO ledger_verified (id, position, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE \
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

    async fn follow_other_writers(&self, head: Arc<watch::Sender<u64>>) {
        loop {
            if let Err(error) = listen(&self.pool, &head).await {
                tracing::warn!(%error, "ledger notification listener failed; reconnecting");
            }
            // Notifications missed while reconnecting are covered by subscribers' periodic re-reads,
            // so a short pause is all that is needed.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

impl PgStorage {
    async fn find_lifted_guards(&self) -> Result<Vec<String>, LedgerError> {
        let found: Vec<(String, String, i32, bool, String, String)> = sqlx::query_as(
            "SELECT t.tgname::text, t.tgenabled::text, t.tgtype::int4, t.tgqual IS NULL, p.proname::text, p.prosrc \
             FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid \
             WHERE t.tgrelid = 'ledger_entries'::regclass AND NOT t.tgisinternal",
        )
        .fetch_all(&self.pool)
        .await?;
        // A trigger counts only when it fires in ordinary sessions ('O', or 'A': always), for every
        // row (no WHEN condition), and runs the refusing function as created.
        let found: HashMap<String, String> = found
            .into_iter()
            .filter(|(_, enabled, _, unconditional, _, _)| (enabled == "O" || enabled == "A") && *unconditional)
            .map(|(name, _, kind, _, function, body)| (name, guard_description(kind, &function, &body)))
            .collect();
        let expected: Vec<(&str, String)> = GUARDS
            .iter()
            .map(|(name, _, kind)| (*name, guard_description(*kind, "ledger_refuse_change", REFUSE_CHANGE_BODY)))
            .collect();
        let expected: Vec<(&str, &str)> = expected.iter().map(|(name, text)| (*name, text.as_str())).collect();
        Ok(differing_guards(&expected, &found))
    }

    async fn recreate_guards(&self) -> Result<(), LedgerError> {
        let mut sql = format!(
            "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $guard${REFUSE_CHANGE_BODY}$guard$;"
        );
        for (name, when, _) in GUARDS {
            sql.push_str(&format!(
                "DROP TRIGGER IF EXISTS {name} ON ledger_entries; \
                 CREATE TRIGGER {name} {when} EXECUTE FUNCTION ledger_refuse_change();"
            ));
        }
        // One simple query: PostgreSQL runs its statements in one transaction.
        sqlx::raw_sql(&sql).execute(&self.pool).await?;
        Ok(())
    }
}

async fn listen(pool: &PgPool, head: &watch::Sender<u64>) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        if let Ok(position) = notification.payload().parse::<u64>() {
            head.send_if_modified(|current| {
                let newer = position > *current;
                if newer {
                    *current = position;
                }
                newer
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn a_description_names_the_database_and_never_the_password() {
        let url = "postgres://cloudmedi:hunter2-secret@db.example.cm:6543/ledger?sslmode=require";
        assert_eq!(describe(url), "database `ledger` on db.example.cm:6543");
        let unreadable = "postgres://cloudmedi:hunter2-secret@db.example.cm:port/ledger";
        assert!(!describe(unreadable).contains("hunter2-secret"), "{}", describe(unreadable));
    }
}
