//! Running the projectors: catch up from the checkpoints, then follow live appends; rebuild; status;
//! digest.

use crate::chain::ChainEnd;
use crate::commit::{commit_on_postgres, commit_on_sqlite, share_out, to_i64, Change};
use crate::context::{Context, Needs};
use crate::indexes;
use crate::projectors::{all, Projector};
use crate::table::Kind;
use crate::write::prepare;
use crate::ProjectionError;
use event_schema::{Catalog, Entry};
use ledger::{Database, Ledger, LedgerError};
use sha2::{Digest as _, Sha256};
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Row, Sqlite};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How many entries one catch-up read fetches (and so at most how many one transaction applies).
const PAGE: u32 = 10_000;
/// While following live appends, the least time between two reads of the ledger. Under a steady
/// stream of commands, each committed in a small batch of its own, the projectors would otherwise
/// commit a transaction per batch (every projector's checkpoint and a few inserts each), and on SQLite
/// the ledger's writer would wait for each of them in turn; waiting out the rest of this interval lets
/// one transaction carry everything committed meanwhile. A read model is then at most this much later;
/// a read that must see a patient's latest entries waits for them as before (`progress.rs`), and the
/// first append after a quiet moment is read at once.
const LIVE_PAGE_INTERVAL: Duration = Duration::from_millis(10);
/// A page shorter than this means the projectors are following live appends, not catching up (a
/// backlog is read in full pages, without waiting).
const LIVE_PAGE_ENTRIES: usize = 100;
/// How long the runner waits after a failure before starting over from its checkpoints.
const RETRY: Duration = Duration::from_secs(1);
/// How long the runner waits, once stopped with an alarm, before looking at the entry again (a
/// database restored from a backup, or a rebuild, may have removed the cause).
const ALARM_RETRY: Duration = Duration::from_secs(10);

/// A projector's position against the ledger's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectorStatus {
    pub name: &'static str,
    pub position: u64,
    /// Entries committed to the ledger that the projector has not applied yet.
    pub lag: u64,
}

/// Why the projectors stopped: an entry they must not fold (its hash or link is broken, or it does not
/// decode), at `position`. It stands until a runner folds that position or the read models are reset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub position: u64,
    /// Names what is wrong with the entry, never what it holds.
    pub reason: String,
    /// Unix microseconds.
    pub raised_at: i64,
}

/// The alarm standing in `database`, if any.
pub async fn alarm(database: &Database) -> Result<Option<Alarm>, ProjectionError> {
    let row: Option<(i64, String, i64)> = on_database!(database, pool => {
        sqlx::query_as("SELECT position, reason, raised_at FROM projection_alarm WHERE id = 1")
            .fetch_optional(pool)
            .await?
    });
    row.map(|(position, reason, raised_at)| {
        let position = u64::try_from(position)
            .map_err(|_| ProjectionError::Corrupt(format!("the alarm's position is {position}")))?;
        Ok(Alarm { position, reason, raised_at })
    })
    .transpose()
}

/// The projectors of one database, and the machinery that keeps them up to date.
#[derive(Clone)]
pub struct Runner {
    database: Database,
    projectors: Arc<Vec<Arc<dyn Projector>>>,
    catalog: Arc<Catalog>,
}

impl Runner {
    /// Every projector, over `database` (the ledger's own; its migrations create the tables).
    pub fn new(database: Database) -> Self {
        Self {
            database,
            projectors: Arc::new(all()),
            catalog: Arc::new(Catalog::ledger().merge(event_schema::events::catalog())),
        }
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.projectors.iter().map(|projector| projector.name()).collect()
    }

    /// Gives every projector a checkpoint row (at 0) if it has none yet.
    async fn ensure_checkpoints(&self) -> Result<(), ProjectionError> {
        for name in self.names() {
            on_database!(&self.database, pool => {
                sqlx::query("INSERT INTO projection_checkpoints (projector, position) VALUES ($1, 0) ON CONFLICT DO NOTHING")
                    .bind(name)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(())
    }

    /// Every projector's checkpoint.
    pub async fn checkpoints(&self) -> Result<BTreeMap<&'static str, u64>, ProjectionError> {
        self.ensure_checkpoints().await?;
        let rows: Vec<(String, i64)> = on_database!(&self.database, pool => {
            sqlx::query_as("SELECT projector, position FROM projection_checkpoints").fetch_all(pool).await?
        });
        let stored: BTreeMap<String, i64> = rows.into_iter().collect();
        self.names()
            .into_iter()
            .map(|name| {
                let position = stored.get(name).copied().unwrap_or(0);
                let position = u64::try_from(position)
                    .map_err(|_| ProjectionError::Corrupt(format!("checkpoint of {name} is {position}")))?;
                Ok((name, position))
            })
            .collect()
    }

    /// Each projector's position and lag behind `head`.
    pub async fn status(&self, head: u64) -> Result<Vec<ProjectorStatus>, ProjectionError> {
        Ok(self
            .checkpoints()
            .await?
            .into_iter()
            .map(|(name, position)| ProjectorStatus { name, position, lag: head.saturating_sub(position) })
            .collect())
    }

    /// The alarm standing, if the projectors stopped at an entry they must not fold.
    pub async fn alarm(&self) -> Result<Option<Alarm>, ProjectionError> {
        alarm(&self.database).await
    }

    /// Records why the projectors stopped, and says so in the log (the position and what is wrong,
    /// nothing of the entry's content).
    async fn raise_alarm(&self, position: u64, reason: &str) {
        let raised_at = crate::micros(&ledger::system::now());
        let raised: Result<(), ProjectionError> = async {
            on_database!(&self.database, pool => {
                sqlx::query(
                    "INSERT INTO projection_alarm (id, position, reason, raised_at) VALUES (1, $1, $2, $3) \
                     ON CONFLICT (id) DO UPDATE SET position = excluded.position, reason = excluded.reason, \
                     raised_at = excluded.raised_at \
                     WHERE projection_alarm.position <> excluded.position OR projection_alarm.reason <> excluded.reason",
                )
                .bind(to_i64(position))
                .bind(reason)
                .bind(raised_at)
                .execute(pool)
                .await?;
            });
            Ok(())
        }
        .await;
        tracing::error!(position, %reason, "projections.alarm: the projectors stopped at an entry they must not fold");
        if let Err(error) = raised {
            tracing::error!(%error, "projections.alarm: the alarm could not be recorded");
        }
    }

    async fn clear_alarm(&self) -> Result<(), ProjectionError> {
        on_database!(&self.database, pool => {
            sqlx::query("DELETE FROM projection_alarm").execute(pool).await?;
        });
        Ok(())
    }

    /// Empties the tables of the projector named `name` (every projector when `None`) and sets its
    /// checkpoint back to 0, in one transaction; a running runner notices and replays it from the
    /// start. The tables' secondary indexes are set aside until a runner has caught up again (see
    /// [`crate::indexes`]). Returns the projectors reset.
    pub async fn reset(&self, name: Option<&str>) -> Result<Vec<&'static str>, ProjectionError> {
        let chosen: Vec<&Arc<dyn Projector>> =
            self.projectors.iter().filter(|projector| name.is_none_or(|name| projector.name() == name)).collect();
        if chosen.is_empty() {
            return Err(ProjectionError::UnknownProjector(name.unwrap_or_default().to_owned()));
        }
        self.ensure_checkpoints().await?;
        let listing = indexes::listing(&self.database);
        // On PostgreSQL, `TRUNCATE`: a `DELETE` leaves every old row behind as dead space until a vacuum
        // gets to it, so each rebuild would write its rows after the last one's, into a table twice the
        // size. `TRUNCATE` is transactional there, and holds the table exclusively only until this
        // transaction commits. SQLite empties a table deleted without a condition just as cheaply.
        let empty = match &self.database {
            Database::Sqlite(_) => "DELETE FROM",
            Database::Postgres(_) => "TRUNCATE",
        };
        on_database!(&self.database, pool => {
            let mut transaction = pool.begin().await?;
            // The runner that replays the ledger raises the alarm again if its cause is still there.
            sqlx::query("DELETE FROM projection_alarm").execute(&mut *transaction).await?;
            for projector in &chosen {
                // The checkpoint first: it takes the write lock before anything else is touched.
                sqlx::query("UPDATE projection_checkpoints SET position = 0 WHERE projector = $1")
                    .bind(projector.name())
                    .execute(&mut *transaction)
                    .await?;
                for table in projector.tables() {
                    let found: Vec<(String, String)> =
                        sqlx::query_as(listing).bind(table.name).fetch_all(&mut *transaction).await?;
                    for (index, definition) in found {
                        sqlx::query(indexes::RECORD)
                            .bind(&index)
                            .bind(table.name)
                            .bind(&definition)
                            .execute(&mut *transaction)
                            .await?;
                        sqlx::query(&indexes::drop_statement(&index)).execute(&mut *transaction).await?;
                    }
                    sqlx::query(&format!("{empty} {}", table.name)).execute(&mut *transaction).await?;
                }
            }
            transaction.commit().await?;
        });
        Ok(chosen.into_iter().map(|projector| projector.name()).collect())
    }

    /// Recreates every secondary index a reset set aside, in one transaction. Returns how many.
    pub async fn restore_indexes(&self) -> Result<usize, ProjectionError> {
        Ok(on_database!(&self.database, pool => {
            let mut transaction = pool.begin().await?;
            let claimed: Vec<(String, String)> = sqlx::query_as(indexes::CLAIM).fetch_all(&mut *transaction).await?;
            for (index, definition) in &claimed {
                tracing::info!(index = %index, "projections.indexes.restoring");
                sqlx::query(definition).execute(&mut *transaction).await?;
            }
            transaction.commit().await?;
            claimed.len()
        }))
    }

    /// Whether a reset has set indexes aside that no runner has restored yet.
    async fn indexes_set_aside(&self) -> Result<bool, ProjectionError> {
        let count: i64 = on_database!(&self.database, pool => {
            sqlx::query_scalar(indexes::PENDING).fetch_one(pool).await?
        });
        Ok(count > 0)
    }

    /// What `entries` change for every projector behind them (pure work, no database), moving
    /// `checkpoints` to where the changes leave them once committed.
    fn plan(
        &self,
        entries: &[Entry],
        context: &Context,
        checkpoints: &mut BTreeMap<&'static str, u64>,
    ) -> Result<Vec<Change>, ProjectionError> {
        let mut changes = Vec::new();
        for projector in self.projectors.iter() {
            let name = projector.name();
            let from = checkpoints.get(name).copied().unwrap_or(0);
            let mut writes = Vec::new();
            let mut to = from;
            for entry in entries.iter().filter(|entry| entry.position > from) {
                projector.project(entry, &self.catalog, context, &mut writes)?;
                to = entry.position;
            }
            if to > from {
                checkpoints.insert(name, to);
                let writes = prepare(writes, matches!(self.database, Database::Sqlite(_)))?;
                changes.push(Change { projector: name, from, to, writes });
            }
        }
        Ok(changes)
    }

    /// Reads from the ledger what the projectors behind `entries` need to fold them.
    async fn context_for(
        &self,
        ledger: &Ledger,
        entries: &[Entry],
        checkpoints: &BTreeMap<&'static str, u64>,
    ) -> Result<Context, ProjectionError> {
        let mut needs = Needs::default();
        for projector in self.projectors.iter() {
            let from = checkpoints.get(projector.name()).copied().unwrap_or(0);
            for entry in entries.iter().filter(|entry| entry.position > from) {
                projector.needs(entry, &mut needs);
            }
        }
        Ok(Context::read(ledger, needs).await?)
    }

    /// A connection for the runner's commits, acquired once per run of pages.
    async fn writer(&self) -> Result<Writer, ProjectionError> {
        Ok(match &self.database {
            Database::Sqlite(pool) => {
                let mut connection = pool.acquire().await?;
                // Closed when the runner is done with it, however it is done: with the runner's
                // settings, it must never serve a ledger append.
                connection.close_on_drop();
                for setting in WRITER_SETTINGS {
                    sqlx::query(setting).execute(&mut *connection).await?;
                }
                Writer::Sqlite(connection, ledger::storage::sqlite::write_gate(pool))
            }
            Database::Postgres(pool) => {
                let mut connections = Vec::with_capacity(POSTGRES_WRITERS);
                for _ in 0..POSTGRES_WRITERS {
                    connections.push(pool.acquire().await?);
                }
                Writer::Postgres(connections)
            }
        })
    }

    /// Writes planned changes and moves their checkpoints: in one transaction on SQLite; on
    /// PostgreSQL, in one transaction per writer connection, each for some of the projectors, all at
    /// once (see [`POSTGRES_WRITERS`]). Either way each projector's rows and checkpoint move together.
    async fn commit(&self, writer: &mut Writer, changes: Vec<Change>) -> Result<(), ProjectionError> {
        if changes.is_empty() {
            return Ok(());
        }
        match writer {
            Writer::Sqlite(connection, gate) => {
                let _writing = gate.lock().await;
                commit_on_sqlite(connection, changes).await
            }
            Writer::Postgres(connections) => {
                let shares = share_out(changes, connections.len());
                let commits = connections
                    .iter_mut()
                    .zip(shares)
                    .filter(|(_, share)| !share.is_empty())
                    .map(|(connection, share)| commit_on_postgres(connection, share));
                futures::future::try_join_all(commits).await?;
                Ok(())
            }
        }
    }

    /// Plans pages from `pages` ahead of their commits (on a blocking thread, so projecting the next
    /// page overlaps writing the last), and commits them in order. Returns the entries applied; calls
    /// `progress` with the position reached after each page.
    ///
    /// Following (with `stop`), it restores any indexes a reset set aside once it has reached the
    /// ledger's head.
    async fn pipeline(
        &self,
        ledger: &Ledger,
        mut pages: mpsc::Receiver<Result<Vec<Entry>, LedgerError>>,
        checkpoints: BTreeMap<&'static str, u64>,
        stop: Option<&mut watch::Receiver<bool>>,
        mut progress: impl FnMut(u64),
    ) -> Result<u64, ProjectionError> {
        let mut set_aside = stop.is_some() && self.indexes_set_aside().await?;
        let behind = checkpoints.values().copied().min().unwrap_or(0);
        let mut standing = self.alarm().await?;
        let mut chain = match ChainEnd::at(ledger, behind).await {
            Ok(chain) => chain,
            Err(error) => {
                if let Some((position, reason)) = error.alarm() {
                    if standing.as_ref().is_none_or(|alarm| alarm.position != position || alarm.reason != reason) {
                        self.raise_alarm(position, &reason).await;
                    }
                }
                return Err(error);
            }
        };
        if set_aside && behind >= ledger.head().await?.position {
            self.restore_indexes().await?;
            set_aside = false;
        }
        let (planned, mut plans) = mpsc::channel::<Result<(Vec<Change>, u64, u64), ProjectionError>>(2);
        let planner = {
            let runner = self.clone();
            let ledger = ledger.clone();
            tokio::spawn(async move {
                let mut checkpoints = checkpoints;
                while let Some(page) = pages.recv().await {
                    let (plan, broken) = match page {
                        Ok(mut page) => {
                            let context = match runner.context_for(&ledger, &page, &checkpoints).await {
                                Ok(context) => context,
                                Err(error) => {
                                    let _ = planned.send(Err(error)).await;
                                    return;
                                }
                            };
                            let runner = runner.clone();
                            let mut moved = checkpoints.clone();
                            let mut end = chain;
                            let result = tokio::task::spawn_blocking(move || {
                                // The chain is checked while the page is projected, each on a core of its
                                // own. Only the entries before a broken one are folded (projected again
                                // without it: rare); the broken one stops the runner once they are
                                // committed.
                                let unmoved = moved.clone();
                                let (broken, mut plan) = rayon::join(
                                    || end.extend(&page).err(),
                                    || runner.plan(&page, &context, &mut moved),
                                );
                                if broken.is_some() {
                                    page.retain(|entry| entry.position <= end.position);
                                    moved = unmoved;
                                    plan = runner.plan(&page, &context, &mut moved);
                                }
                                let (last, count) = (page.last().map_or(0, |entry| entry.position), page.len() as u64);
                                let plan = plan.map(|changes| (changes, moved, last, count));
                                (plan, broken, end)
                            })
                            .await;
                            match result {
                                Ok((Ok((changes, moved, last, count)), broken, end)) => {
                                    checkpoints = moved;
                                    chain = end;
                                    (Ok((changes, last, count)), broken)
                                }
                                Ok((Err(error), _, _)) => (Err(error), None),
                                Err(_) => (
                                    Err(ProjectionError::Corrupt("projecting a page stopped unexpectedly".into())),
                                    None,
                                ),
                            }
                        }
                        Err(error) => (Err(error.into()), None),
                    };
                    let failed = plan.is_err();
                    if planned.send(plan).await.is_err() || failed {
                        return;
                    }
                    if let Some(broken) = broken {
                        let _ = planned.send(Err(broken)).await;
                        return;
                    }
                }
            })
        };
        let _planner = AbortOnDrop(planner);
        let mut writer = self.writer().await?;
        let mut applied = 0;
        let mut stop = stop;
        let result: Result<u64, ProjectionError> = async {
            loop {
                let plan = match stop.as_deref_mut() {
                    Some(stop) => tokio::select! {
                        plan = plans.recv() => plan,
                        _ = crate::leader::stopping(stop) => return Ok(applied),
                    },
                    None => plans.recv().await,
                };
                let Some(plan) = plan else { return Ok(applied) };
                let (changes, last, count) = plan?;
                if count == 0 {
                    continue;
                }
                self.commit(&mut writer, changes).await?;
                crate::progress::committed(last);
                applied += count;
                progress(last);
                if standing.as_ref().is_some_and(|alarm| last >= alarm.position) {
                    // The entry that raised it is folded now: its cause is gone.
                    self.clear_alarm().await?;
                    standing = None;
                }
                if set_aside && last >= ledger.head().await?.position {
                    self.restore_indexes().await?;
                    set_aside = false;
                }
            }
        }
        .await;
        if let Err(error) = &result {
            if let Some((position, reason)) = error.alarm() {
                if standing.as_ref().is_none_or(|alarm| alarm.position != position || alarm.reason != reason) {
                    self.raise_alarm(position, &reason).await;
                }
            }
        }
        result
    }

    /// Brings every projector up to at least `until`, reading the ledger ahead while the previous
    /// page is applied, then restores any indexes a reset set aside. Calls `progress` with the
    /// position reached after each page. Returns the number of entries read.
    pub async fn catch_up(
        &self,
        ledger: &Ledger,
        until: u64,
        progress: impl FnMut(u64),
    ) -> Result<u64, ProjectionError> {
        let checkpoints = self.checkpoints().await?;
        let from = checkpoints.values().copied().min().unwrap_or(0);
        if from >= until {
            self.restore_indexes().await?;
            return Ok(0);
        }
        let (pages, received) = mpsc::channel::<Result<Vec<Entry>, LedgerError>>(2);
        let reader = {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                let mut after = from;
                while after < until {
                    let page = ledger.read_all(after, PAGE).await;
                    let last = page.as_ref().ok().and_then(|page| page.last().map(|entry| entry.position));
                    let stop = page.is_err() || last.is_none();
                    if pages.send(page).await.is_err() || stop {
                        return;
                    }
                    after = last.unwrap_or(until);
                }
            })
        };
        let _reader = AbortOnDrop(reader);
        let read = self.pipeline(ledger, received, checkpoints, None, progress).await?;
        self.restore_indexes().await?;
        Ok(read)
    }

    /// Keeps every projector up to date until `stop` turns true: catches up from the checkpoints, then
    /// follows appends as they commit. Starts over from the checkpoints after another runner moved one
    /// (a rebuild) or after a failure, which is logged and retried.
    pub async fn follow(&self, ledger: &Ledger, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.follow_once(ledger, &mut stop).await {
                Ok(()) => return,
                Err(ProjectionError::CheckpointMoved(name)) => {
                    tracing::info!(projector = %name, "projections.follow.restarting: a checkpoint moved (rebuild)");
                }
                Err(error) => {
                    // An alarm was raised and logged where it was found; the entry is looked at again
                    // now and then, never folded while it is broken.
                    let pause = if error.alarm().is_some() {
                        ALARM_RETRY
                    } else {
                        tracing::error!(%error, "projections.follow.failed; retrying");
                        RETRY
                    };
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = crate::leader::stopping(&mut stop) => return,
                    }
                }
            }
        }
    }

    async fn follow_once(&self, ledger: &Ledger, stop: &mut watch::Receiver<bool>) -> Result<(), ProjectionError> {
        let checkpoints = self.checkpoints().await?;
        let from = checkpoints.values().copied().min().unwrap_or(0);
        let (pages, received) = mpsc::channel::<Result<Vec<Entry>, LedgerError>>(2);
        let mut subscription = ledger.subscribe(from);
        let reader = tokio::spawn(async move {
            let mut live_since: Option<tokio::time::Instant> = None;
            loop {
                if let Some(last) = live_since {
                    tokio::time::sleep_until(last + LIVE_PAGE_INTERVAL).await;
                }
                let page: Result<Vec<Entry>, LedgerError> = match subscription.next().await {
                    Ok(first) => match subscription.next_available().await {
                        Ok(more) => Ok(std::iter::once(first).chain(more).collect()),
                        Err(error) => Err(error),
                    },
                    Err(error) => Err(error),
                };
                live_since = match &page {
                    Ok(entries) if entries.len() < LIVE_PAGE_ENTRIES => Some(tokio::time::Instant::now()),
                    _ => None,
                };
                let failed = page.is_err();
                if pages.send(page).await.is_err() || failed {
                    return;
                }
            }
        });
        let _reader = AbortOnDrop(reader);
        self.pipeline(ledger, received, checkpoints, Some(stop), |_| {}).await?;
        if *stop.borrow() {
            Ok(())
        } else {
            Err(LedgerError::Closed.into())
        }
    }

    /// A SHA-256 of every row of every read-model table, table by table, in key order, with the names
    /// of the table's secondary indexes: equal digests mean equal read models, equally indexed.
    pub async fn digest(&self) -> Result<BTreeMap<&'static str, String>, ProjectionError> {
        let mut digests = BTreeMap::new();
        let listing = indexes::listing(&self.database);
        for projector in self.projectors.iter() {
            for table in projector.tables() {
                let found: Vec<(String, String)> = on_database!(&self.database, pool => {
                    sqlx::query_as(listing).bind(table.name).fetch_all(pool).await?
                });
                let names: Vec<String> = found.into_iter().map(|(name, _)| name).collect();
                let sql =
                    format!("SELECT {} FROM {} ORDER BY {}", table.column_list(), table.name, table.key.join(", "));
                let mut hasher = Sha256::new();
                let mut rows = 0u64;
                on_database!(&self.database, pool => {
                    for row in sqlx::query(&sql).fetch_all(pool).await? {
                        let mut values = Vec::with_capacity(table.columns.len());
                        for (index, column) in table.columns.iter().enumerate() {
                            values.push(match column.kind {
                                Kind::Text => serde_json::json!(row.try_get::<Option<String>, _>(index)?),
                                Kind::Int => serde_json::json!(row.try_get::<Option<i64>, _>(index)?),
                            });
                        }
                        hasher.update(serde_json::Value::Array(values).to_string().as_bytes());
                        hasher.update(b"\n");
                        rows += 1;
                    }
                });
                digests.insert(
                    table.name,
                    format!(
                        "{rows} rows, sha256 {}, indexed by [{}]",
                        hex::encode(hasher.finalize()),
                        names.join(", ")
                    ),
                );
            }
        }
        Ok(digests)
    }
}

/// The connections a runner commits on. On SQLite a connection's page cache stays valid only while no
/// other connection writes, so committing every page through one connection keeps the pages of the
/// read models' indexes warm from one page to the next; it commits once it holds the file's write
/// gate (`ledger::storage::sqlite::write_gate`), so that it queues behind the ledger's writer rather
/// than sleeping in SQLite's busy handler. On PostgreSQL, [`POSTGRES_WRITERS`].
enum Writer {
    Sqlite(PoolConnection<Sqlite>, std::sync::Arc<tokio::sync::Mutex<()>>),
    Postgres(Vec<PoolConnection<Postgres>>),
}

/// How many connections the runner commits on at once on PostgreSQL. Inserting the rows is the
/// server's work, and one connection is served by one server process, on one core: a rebuild was
/// bound by that process while the runner's own process stayed mostly idle. Two connections, each
/// committing about half of a page's writes, let the server use a second core.
const POSTGRES_WRITERS: usize = 2;

/// The runner's SQLite connection, unlike the others:
/// - copies the write-ahead log into the database every 64 MiB of log (the size of its page cache)
///   rather than SQLite's 4 MiB. A rebuild rewrites the same pages (the tables' last pages, their
///   keys' indexes) page after page; copied less often, each is copied once for many changes. On a 1M
///   ledger that made a rebuild 7-30% faster (74-76k entries/s against 58-69k, interleaved runs);
/// - commits without waiting for the log to reach the disk (`synchronous = NORMAL`). Read models can
///   always be derived again, and a transaction lost in a power cut takes its checkpoints with it, so
///   the runner replays it; the database stays consistent either way. The ledger's own commits, on
///   the other connections, still wait for the disk, and with them everything written before them.
const WRITER_SETTINGS: [&str; 2] = ["PRAGMA wal_autocheckpoint = 16384", "PRAGMA synchronous = NORMAL"];

/// Stops a background reader when the loop that consumes it ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
