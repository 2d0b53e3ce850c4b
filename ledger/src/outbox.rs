//! The notification outbox: messages to people (second-factor codes, reminders), queued in the
//! ledger's database and delivered by a [`Dispatcher`] through pluggable [`Channel`]s.
//!
//! Delivery is at least once: a dispatcher claims due messages by pushing their `not_before` a lease
//! ahead (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several dispatchers never claim the same message),
//! delivers them, and marks them sent; one that dies mid-way leaves its claims to expire and be retried.
//! A failed delivery is retried with exponential backoff, up to a limit. A message's body is erased once
//! it is delivered or given up on, so codes and reminders do not stay at rest.

use crate::error::LedgerError;
use crate::storage::Database;
use async_trait::async_trait;
use event_schema::{Clock, Timestamp};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How a message reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Sms,
    Email,
}

impl ChannelKind {
    /// The channel as stored (in the outbox, and by the identity tables for where codes go).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// The channel stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "sms" => Some(Self::Sms),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// A message to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub channel: ChannelKind,
    /// A phone number or an e-mail address.
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    /// Not to be delivered before this instant (a reminder's date); now when absent.
    pub not_before: Option<Timestamp>,
}

/// A queued message claimed for delivery.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Queued {
    pub id: Uuid,
    /// The claim under which this dispatcher may record the outcome.
    #[serde(skip)]
    pub claim: Uuid,
    pub channel: ChannelKind,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    /// Deliveries tried before this one.
    pub attempts: u32,
    /// What the message is about, for whoever queued it (see [`Outbox::enqueue_once`]); messages with
    /// one wait out the quiet hours.
    #[serde(skip)]
    pub topic: Option<String>,
}

impl std::fmt::Debug for Queued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Recipients and bodies are personal data (and bodies may hold codes): never in debug output.
        f.debug_struct("Queued")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// A message with a topic, delivered or given up, whose outcome is to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub id: Uuid,
    pub topic: String,
    /// Delivered; otherwise given up.
    pub delivered: bool,
    /// Deliveries tried.
    pub attempts: u32,
}

/// One channel's messages by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelSummary {
    pub channel: String,
    pub pending: u64,
    pub sent: u64,
    pub given_up: u64,
    /// When the oldest message still pending was queued (RFC 3339, UTC).
    pub oldest_pending: Option<String>,
}

/// A message given up after its last attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub channel: String,
    pub attempts: u32,
    /// When it was given up (RFC 3339, UTC).
    pub failed_at: String,
    pub last_error: Option<String>,
    pub topic: Option<String>,
}

/// Where a message's delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Pending { attempts: u32 },
    Sent,
    Failed { attempts: u32 },
}

/// The outbox in the ledger's database.
#[derive(Clone)]
pub struct Outbox {
    database: Database,
    /// When messages are queued, fall due and are delivered.
    clock: Arc<dyn Clock>,
}

impl Outbox {
    /// The outbox in `database`, on the system's clock.
    pub fn new(database: Database) -> Self {
        Self { database, clock: crate::system::clock() }
    }

    /// The same outbox on `clock`.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// Queues a message; returns its id.
    pub async fn enqueue(&self, message: &Message) -> Result<Uuid, LedgerError> {
        let id = Uuid::now_v7();
        let now = self.clock.now();
        let not_before = message.not_before.unwrap_or(now);
        match &self.database {
            Database::Sqlite(pool) => {
                sqlx::query(
                    "INSERT INTO notification_outbox (id, channel, recipient, subject, body, created_at, not_before) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )
                .bind(id.to_string())
                .bind(message.channel.as_str())
                .bind(&message.recipient)
                .bind(&message.subject)
                .bind(&message.body)
                .bind(now.to_string())
                .bind(not_before.to_string())
                .execute(pool)
                .await?;
            }
            Database::Postgres(pool) => {
                sqlx::query(
                    "INSERT INTO notification_outbox (id, channel, recipient, subject, body, created_at, not_before) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(message.channel.as_str())
                .bind(&message.recipient)
                .bind(&message.subject)
                .bind(&message.body)
                .bind(now.as_datetime())
                .bind(not_before.as_datetime())
                .execute(pool)
                .await?;
            }
        }
        Ok(id)
    }

    /// Queues a message under the id its sender chose, with a `topic` saying what it is about (never
    /// an address or a text: it outlives the body). Queuing the same id again does nothing, so a
    /// sender that cannot tell whether its first try landed simply tries again. Returns whether this
    /// call queued it.
    pub async fn enqueue_once(&self, id: Uuid, message: &Message, topic: &str) -> Result<bool, LedgerError> {
        let now = self.clock.now();
        let not_before = message.not_before.unwrap_or(now);
        let inserted = match &self.database {
            Database::Sqlite(pool) => sqlx::query(
                "INSERT INTO notification_outbox (id, channel, recipient, subject, body, created_at, not_before, topic) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id.to_string())
            .bind(message.channel.as_str())
            .bind(&message.recipient)
            .bind(&message.subject)
            .bind(&message.body)
            .bind(now.to_string())
            .bind(not_before.to_string())
            .bind(topic)
            .execute(pool)
            .await?
            .rows_affected(),
            Database::Postgres(pool) => sqlx::query(
                "INSERT INTO notification_outbox (id, channel, recipient, subject, body, created_at, not_before, topic) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING",
            )
            .bind(id)
            .bind(message.channel.as_str())
            .bind(&message.recipient)
            .bind(&message.subject)
            .bind(&message.body)
            .bind(now.as_datetime())
            .bind(not_before.as_datetime())
            .bind(topic)
            .execute(pool)
            .await?
            .rows_affected(),
        };
        Ok(inserted == 1)
    }

    /// Puts a claimed message back until `until` without counting an attempt (quiet hours), if the
    /// claim still holds.
    pub async fn hold(&self, message: &Queued, until: Timestamp) -> Result<(), LedgerError> {
        match &self.database {
            Database::Sqlite(pool) => {
                sqlx::query(
                    "UPDATE notification_outbox SET not_before = ?1, claim_id = NULL \
                     WHERE id = ?2 AND claim_id = ?3 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(until.to_string())
                .bind(message.id.to_string())
                .bind(message.claim.to_string())
                .execute(pool)
                .await?;
            }
            Database::Postgres(pool) => {
                sqlx::query(
                    "UPDATE notification_outbox SET not_before = $1, claim_id = NULL \
                     WHERE id = $2 AND claim_id = $3 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(until.as_datetime())
                .bind(message.id)
                .bind(message.claim)
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Up to `limit` messages with a topic, delivered or given up, whose outcome their sender has not
    /// yet recorded ([`Outbox::outcome_recorded`]).
    pub async fn unrecorded_outcomes(&self, limit: u32) -> Result<Vec<Settled>, LedgerError> {
        type Row = (String, String, bool, i64);
        let rows: Vec<Row> = match &self.database {
            Database::Sqlite(pool) => sqlx::query_as(
                "SELECT id, topic, sent_at IS NOT NULL, attempts FROM notification_outbox \
                 WHERE topic IS NOT NULL AND outcome_recorded_at IS NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL) \
                 LIMIT ?1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?,
            Database::Postgres(pool) => sqlx::query_as(
                "SELECT id::text, topic, sent_at IS NOT NULL, attempts::int8 FROM notification_outbox \
                 WHERE topic IS NOT NULL AND outcome_recorded_at IS NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL) \
                 LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?,
        };
        Ok(rows
            .into_iter()
            .filter_map(|(id, topic, sent, attempts)| {
                Some(Settled {
                    id: Uuid::parse_str(&id).ok()?,
                    topic,
                    delivered: sent,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                })
            })
            .collect())
    }

    /// Notes that the sender recorded message `id`'s outcome.
    pub async fn outcome_recorded(&self, id: Uuid) -> Result<(), LedgerError> {
        let now = self.clock.now();
        match &self.database {
            Database::Sqlite(pool) => {
                sqlx::query("UPDATE notification_outbox SET outcome_recorded_at = ?1 WHERE id = ?2")
                    .bind(now.to_string())
                    .bind(id.to_string())
                    .execute(pool)
                    .await?;
            }
            Database::Postgres(pool) => {
                sqlx::query("UPDATE notification_outbox SET outcome_recorded_at = $1 WHERE id = $2")
                    .bind(now.as_datetime())
                    .bind(id)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// How many messages each channel holds in each state, and since when the oldest pending one
    /// waits: what an operator checks first.
    pub async fn summary(&self) -> Result<Vec<ChannelSummary>, LedgerError> {
        type Row = (String, i64, i64, i64, Option<String>);
        let rows: Vec<Row> = match &self.database {
            Database::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT channel, \
                 SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), \
                 MIN(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN created_at END) \
                 FROM notification_outbox GROUP BY channel ORDER BY channel",
                )
                .fetch_all(pool)
                .await?
            }
            Database::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT channel, \
                 COUNT(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL), \
                 COUNT(*) FILTER (WHERE sent_at IS NOT NULL), \
                 COUNT(*) FILTER (WHERE failed_at IS NOT NULL), \
                 to_char(MIN(created_at) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL) AT TIME ZONE 'UTC', \
                         'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') \
                 FROM notification_outbox GROUP BY channel ORDER BY channel",
                )
                .fetch_all(pool)
                .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(channel, pending, sent, failed, oldest)| ChannelSummary {
                channel,
                pending: u64::try_from(pending).unwrap_or(0),
                sent: u64::try_from(sent).unwrap_or(0),
                given_up: u64::try_from(failed).unwrap_or(0),
                oldest_pending: oldest,
            })
            .collect())
    }

    /// The messages given up (the dead letters), newest first, at most `limit`: their id, channel,
    /// attempts, when and the last error (which holds no personal data), never recipient or text.
    pub async fn dead_letters(&self, limit: u32) -> Result<Vec<DeadLetter>, LedgerError> {
        type Row = (String, String, i64, String, Option<String>, Option<String>);
        let rows: Vec<Row> = match &self.database {
            Database::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT id, channel, attempts, failed_at, last_error, topic FROM notification_outbox \
                 WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT ?1",
                )
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
            }
            Database::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT id::text, channel, attempts::int8, \
                 to_char(failed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), last_error, topic \
                 FROM notification_outbox WHERE failed_at IS NOT NULL ORDER BY failed_at DESC LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|(id, channel, attempts, failed_at, last_error, topic)| DeadLetter {
                id,
                channel,
                attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                failed_at,
                last_error,
                topic,
            })
            .collect())
    }

    /// Claims up to `limit` messages due at `now` for `lease`: no other dispatcher sees them until the
    /// lease runs out, and only this claim may record their outcome. On PostgreSQL the database's own
    /// clock decides what is due, so dispatchers on machines with different clocks agree.
    pub async fn claim_due(&self, now: Timestamp, lease: Duration, limit: u32) -> Result<Vec<Queued>, LedgerError> {
        let claim = Uuid::now_v7();
        type Row = (Option<Uuid>, String, String, Option<String>, String, i64, Option<String>);
        let rows: Vec<Row> = match &self.database {
            Database::Sqlite(pool) => {
                let until = Timestamp::from_datetime(now.as_datetime() + lease);
                sqlx::query(
                    "UPDATE notification_outbox SET not_before = ?1, claim_id = ?2 WHERE id IN ( \
                         SELECT id FROM notification_outbox \
                         WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= ?3 \
                         ORDER BY not_before LIMIT ?4) \
                     RETURNING id, channel, recipient, subject, body, attempts, topic",
                )
                .bind(until.to_string())
                .bind(claim.to_string())
                .bind(now.to_string())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    let id: &str = row.try_get(0)?;
                    Ok((
                        Uuid::parse_str(id).ok(),
                        row.try_get(1)?,
                        row.try_get(2)?,
                        row.try_get(3)?,
                        row.try_get(4)?,
                        row.try_get(5)?,
                        row.try_get(6)?,
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?
            }
            Database::Postgres(pool) => sqlx::query(
                "UPDATE notification_outbox SET not_before = now() + $1 * interval '1 millisecond', claim_id = $2 \
                 WHERE id IN ( \
                     SELECT id FROM notification_outbox \
                     WHERE sent_at IS NULL AND failed_at IS NULL AND not_before <= now() \
                     ORDER BY not_before LIMIT $3 FOR UPDATE SKIP LOCKED) \
                 RETURNING id, channel, recipient, subject, body, attempts::int8, topic",
            )
            .bind(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX))
            .bind(claim)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    Some(row.try_get::<Uuid, _>(0)?),
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                    row.try_get(4)?,
                    row.try_get(5)?,
                    row.try_get(6)?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?,
        };
        let mut claimed = Vec::with_capacity(rows.len());
        for (id, channel, recipient, subject, body, attempts, topic) in rows {
            let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
            match (id, ChannelKind::parse(&channel)) {
                (Some(id), Some(channel)) => {
                    claimed.push(Queued { id, claim, channel, recipient, subject, body, attempts, topic })
                }
                (Some(id), None) => {
                    // A row this code did not write: give it up rather than claim it forever.
                    tracing::warn!(%id, "ledger.outbox: giving up a message for an unknown channel");
                    let channel = ChannelKind::Sms;
                    let queued = Queued { id, claim, channel, recipient, subject, body, attempts, topic };
                    self.mark_failed(&queued, "unknown channel", self.clock.now(), None).await?;
                }
                (None, _) => tracing::warn!("ledger.outbox: skipping an outbox row with a malformed id"),
            }
        }
        Ok(claimed)
    }

    /// Records a delivery and erases the body, if `message`'s claim still holds.
    pub async fn mark_sent(&self, message: &Queued, at: Timestamp) -> Result<(), LedgerError> {
        self.finish(message, "sent_at", at, None).await
    }

    /// Records a failed delivery, if `message`'s claim still holds: retried at `retry_at`, or given up
    /// (body erased) when `retry_at` is `None`.
    pub async fn mark_failed(
        &self,
        message: &Queued,
        error: &str,
        at: Timestamp,
        retry_at: Option<Timestamp>,
    ) -> Result<(), LedgerError> {
        let error: String = error.chars().take(500).collect();
        let Some(retry_at) = retry_at else { return self.finish(message, "failed_at", at, Some(&error)).await };
        match &self.database {
            Database::Sqlite(pool) => {
                sqlx::query(
                    "UPDATE notification_outbox SET attempts = attempts + 1, last_error = ?1, not_before = ?2, \
                     claim_id = NULL WHERE id = ?3 AND claim_id = ?4 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(&error)
                .bind(retry_at.to_string())
                .bind(message.id.to_string())
                .bind(message.claim.to_string())
                .execute(pool)
                .await?;
            }
            Database::Postgres(pool) => {
                sqlx::query(
                    "UPDATE notification_outbox SET attempts = attempts + 1, last_error = $1, not_before = $2, \
                     claim_id = NULL WHERE id = $3 AND claim_id = $4 AND sent_at IS NULL AND failed_at IS NULL",
                )
                .bind(&error)
                .bind(retry_at.as_datetime())
                .bind(message.id)
                .bind(message.claim)
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    async fn finish(
        &self,
        message: &Queued,
        column: &'static str,
        at: Timestamp,
        error: Option<&str>,
    ) -> Result<(), LedgerError> {
        // `column` is one of two constants above, never input.
        match &self.database {
            Database::Sqlite(pool) => {
                let sql = format!(
                    "UPDATE notification_outbox SET {column} = ?1, body = '', attempts = attempts + 1, \
                     last_error = COALESCE(?2, last_error), claim_id = NULL \
                     WHERE id = ?3 AND claim_id = ?4 AND sent_at IS NULL AND failed_at IS NULL"
                );
                sqlx::query(&sql)
                    .bind(at.to_string())
                    .bind(error)
                    .bind(message.id.to_string())
                    .bind(message.claim.to_string())
                    .execute(pool)
                    .await?;
            }
            Database::Postgres(pool) => {
                let sql = format!(
                    "UPDATE notification_outbox SET {column} = $1, body = '', attempts = attempts + 1, \
                     last_error = COALESCE($2, last_error), claim_id = NULL \
                     WHERE id = $3 AND claim_id = $4 AND sent_at IS NULL AND failed_at IS NULL"
                );
                sqlx::query(&sql)
                    .bind(at.as_datetime())
                    .bind(error)
                    .bind(message.id)
                    .bind(message.claim)
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Where a message stands, and its stored body (empty once delivered or given up).
    pub async fn status(&self, id: Uuid) -> Result<Option<(Delivery, String)>, LedgerError> {
        let row = match &self.database {
            Database::Sqlite(pool) => sqlx::query(
                "SELECT attempts, sent_at IS NOT NULL, failed_at IS NOT NULL, body FROM notification_outbox WHERE id = ?1",
            )
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
            .map(|row| Ok::<_, sqlx::Error>((row.try_get::<i64, _>(0)?, row.try_get::<bool, _>(1)?, row.try_get::<bool, _>(2)?, row.try_get::<String, _>(3)?)))
            .transpose()?,
            Database::Postgres(pool) => sqlx::query(
                "SELECT attempts::int8, sent_at IS NOT NULL, failed_at IS NOT NULL, body FROM notification_outbox WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
            .map(|row| Ok::<_, sqlx::Error>((row.try_get::<i64, _>(0)?, row.try_get::<bool, _>(1)?, row.try_get::<bool, _>(2)?, row.try_get::<String, _>(3)?)))
            .transpose()?,
        };
        Ok(row.map(|(attempts, sent, failed, body)| {
            let attempts = u32::try_from(attempts).unwrap_or(u32::MAX);
            let delivery = if sent {
                Delivery::Sent
            } else if failed {
                Delivery::Failed { attempts }
            } else {
                Delivery::Pending { attempts }
            };
            (delivery, body)
        }))
    }
}

/// A way of delivering messages.
#[async_trait]
pub trait Channel: Send + Sync {
    fn kind(&self) -> ChannelKind;
    /// Delivers one message; the error says why not (it is stored, so it must hold no personal data).
    async fn deliver(&self, message: &Queued) -> Result<(), String>;
}

/// The development channel: appends each message as one JSON line to a file (in the data directory),
/// where a developer or a test reads the codes a phone or a mailbox would have received.
pub struct FileChannel {
    kind: ChannelKind,
    path: PathBuf,
}

impl FileChannel {
    pub fn new(kind: ChannelKind, path: PathBuf) -> Self {
        Self { kind, path }
    }
}

#[async_trait]
impl Channel for FileChannel {
    fn kind(&self) -> ChannelKind {
        self.kind
    }

    async fn deliver(&self, message: &Queued) -> Result<(), String> {
        let line = serde_json::to_string(message).map_err(|error| error.to_string())? + "\n";
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut options = std::fs::OpenOptions::new();
            options.create(true).append(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file =
                options.open(&path).map_err(|error| format!("cannot open the channel file: {}", error.kind()))?;
            file.write_all(line.as_bytes()).map_err(|error| format!("cannot write the channel file: {}", error.kind()))
        })
        .await
        .map_err(|_| "the delivery task stopped".to_owned())?
    }
}

/// How many messages one dispatch claims.
const BATCH: u32 = 20;

/// `wait`, or up to half of it less, at random: after a gateway outage, the messages that failed
/// together are spread out instead of all being retried in the same instant.
fn jittered(wait: Duration) -> Duration {
    use rand_core::RngCore;
    let fraction = f64::from(rand_core::OsRng.next_u32()) / f64::from(u32::MAX);
    wait.mul_f64(1.0 - fraction / 2.0)
}

/// When messages with a topic (reminders) may go, asked at `now`: `None` now, or the instant the quiet
/// hours end.
pub type QuietHoursRule = Arc<dyn Fn(Timestamp) -> Option<Timestamp> + Send + Sync>;

type RateLimiter = governor::DefaultDirectRateLimiter;

/// Delivers due messages through the channels, retrying failures with exponential backoff and jitter.
pub struct Dispatcher {
    outbox: Outbox,
    channels: HashMap<ChannelKind, Arc<dyn Channel>>,
    /// Deliveries per channel at most at this pace (a gateway's contract, a mail server's limit).
    limits: HashMap<ChannelKind, RateLimiter>,
    /// The quiet hours, for messages with a topic; codes asked for by someone signing in always go.
    quiet: Option<QuietHoursRule>,
    /// Deliveries tried before a message is given up.
    pub max_attempts: u32,
    /// The wait before the first retry; each further retry waits twice as long (each less up to half
    /// of it, at random).
    pub first_retry: Duration,
    /// How long a claim keeps other dispatchers off a message.
    pub lease: Duration,
}

impl Dispatcher {
    pub fn new(outbox: Outbox, channels: Vec<Arc<dyn Channel>>) -> Self {
        let channels = channels.into_iter().map(|channel| (channel.kind(), channel)).collect();
        Self {
            outbox,
            channels,
            limits: HashMap::new(),
            quiet: None,
            max_attempts: 5,
            first_retry: Duration::from_secs(30),
            lease: Duration::from_secs(120),
        }
    }

    /// The same dispatcher, delivering at most `per_minute` messages a minute through `channel` (a burst
    /// of up to that many, then at the pace). Zero leaves the channel unlimited.
    pub fn with_rate_limit(mut self, channel: ChannelKind, per_minute: u32) -> Self {
        if let Some(pace) = std::num::NonZeroU32::new(per_minute) {
            self.limits.insert(channel, governor::RateLimiter::direct(governor::Quota::per_minute(pace)));
        }
        self
    }

    /// The same dispatcher, holding messages with a topic back while `rule` says the hours are quiet.
    pub fn with_quiet_hours(mut self, rule: QuietHoursRule) -> Self {
        self.quiet = Some(rule);
        self
    }

    /// Delivers what is due now; returns how many messages were delivered.
    pub async fn run_once(&self) -> Result<usize, LedgerError> {
        let (_, never) = tokio::sync::watch::channel(false);
        self.deliver_due(&never).await
    }

    /// Delivers due messages until done, `stop` turns true, or half the lease has gone: messages not
    /// reached are left to their lease, so none is delivered twice by two dispatchers. Each delivery
    /// gets a quarter of the lease at most.
    async fn deliver_due(&self, stop: &tokio::sync::watch::Receiver<bool>) -> Result<usize, LedgerError> {
        let started = std::time::Instant::now();
        let mut delivered = 0;
        for message in self.outbox.claim_due(self.outbox.clock.now(), self.lease, BATCH).await? {
            if *stop.borrow() || started.elapsed() > self.lease / 2 {
                break;
            }
            if let (Some(quiet), Some(_)) = (&self.quiet, &message.topic) {
                if let Some(until) = quiet(self.outbox.clock.now()) {
                    self.outbox.hold(&message, until).await?;
                    continue;
                }
            }
            if let Some(limiter) = self.limits.get(&message.channel) {
                // Waiting for the pace counts against the lease like a delivery does: a message not
                // reached in time is left to its lease, never delivered twice.
                let left = (self.lease / 2).saturating_sub(started.elapsed());
                if tokio::time::timeout(left, limiter.until_ready()).await.is_err() {
                    break;
                }
            }
            let result = match self.channels.get(&message.channel) {
                Some(channel) => match tokio::time::timeout(self.lease / 4, channel.deliver(&message)).await {
                    Ok(result) => result,
                    Err(_) => Err("the channel did not answer in time".to_owned()),
                },
                None => Err(format!("no {} channel is configured", message.channel.as_str())),
            };
            let at = self.outbox.clock.now();
            match result {
                Ok(()) => {
                    self.outbox.mark_sent(&message, at).await?;
                    delivered += 1;
                }
                Err(error) => {
                    let tried = message.attempts.saturating_add(1);
                    let retry_at = (tried < self.max_attempts).then(|| {
                        let wait = jittered(self.first_retry.saturating_mul(1 << (tried - 1).min(16)));
                        Timestamp::from_datetime(at.as_datetime() + wait)
                    });
                    tracing::warn!(id = %message.id, attempts = tried, %error, "ledger.outbox: delivery failed");
                    self.outbox.mark_failed(&message, &error, at, retry_at).await?;
                }
            }
        }
        Ok(delivered)
    }

    /// Delivers due messages every `interval` until `stop` turns true.
    pub async fn run(self, interval: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(error) = self.deliver_due(&stop).await {
                tracing::warn!(%error, "ledger.outbox: dispatch failed; will try again");
            }
            if *stop.borrow() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_waits_between_half_and_all_of_its_backoff_and_not_always_the_same() {
        let wait = Duration::from_secs(60);
        let waits: Vec<Duration> = (0..64).map(|_| jittered(wait)).collect();
        assert!(waits.iter().all(|waited| *waited >= wait / 2 && *waited <= wait), "{waits:?}");
        assert!(waits.iter().any(|waited| *waited != waits[0]), "spread out: {waits:?}");
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
