//! How far a projector has got, and waiting for it: what lets a read be authorised on facts at least as
//! new as every change of access acknowledged before it.
//!
//! A revocation of consent answers once its entry is committed to the ledger; the `care` read model
//! shows it only once the projector has applied it. A read that looked only at `rm_care` in between
//! would be allowed on a consent already withdrawn. So before reading a patient's care facts, a reader
//! finds the newest entry of the patient's stream (every change to who may read a record — consent,
//! referral, break-the-glass, merge — is an entry there) and waits until the `care` projector's
//! checkpoint has reached it. The ledger and the checkpoints are in the same database, so this holds
//! whichever process appended, projects or reads, on either backend, and also after a rebuild (a reset
//! checkpoint makes reads wait for the replay instead of trusting facts half rebuilt) or a crash that
//! took an unflushed projection with it (its checkpoint went with it).
//!
//! The wait is bounded ([`READ_WAIT`]): a projector that is stopped or far behind makes such reads
//! fail with [`ProjectionError::Behind`] rather than answer on stale facts.

use crate::ProjectionError;
use ledger::Database;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// How long a read waits for the `care` projector to apply the newest entry of a patient's stream
/// before giving up. The projector normally trails the ledger by milliseconds.
pub const READ_WAIT: Duration = Duration::from_secs(5);

/// The longest pause between two looks at a checkpoint, for a runner in another process (one in this
/// process wakes its waiters as soon as it commits).
const MAX_PAUSE: Duration = Duration::from_millis(20);

/// Rung by every runner of this process after each commit, to wake the readers waiting here. Only a
/// wake-up: a woken reader reads the checkpoint again from the database, which alone decides.
static COMMITTED: LazyLock<watch::Sender<u64>> = LazyLock::new(|| watch::Sender::new(0));

/// Tells readers waiting in this process that a runner committed up to `position`.
pub(crate) fn committed(position: u64) {
    COMMITTED.send_replace(position);
}

/// The ledger stream holding a patient's record and every change to who may read it.
fn patient_stream(patient: &Uuid) -> String {
    format!("patient:{patient}")
}

/// The position `projector` has applied, and the newest position among `patients`' streams (0 for
/// none), in one statement.
async fn positions(database: &Database, projector: &str, patients: &[Uuid]) -> Result<(u64, u64), ProjectionError> {
    let streams: Vec<String> = patients.iter().map(patient_stream).collect();
    // One index probe per stream: its entry of the highest version is its newest.
    let values = (2..streams.len() + 2).map(|n| format!("(${n})")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "WITH streams (stream_id) AS (VALUES {values}) \
         SELECT (SELECT position FROM projection_checkpoints WHERE projector = $1), \
         (SELECT max(newest) FROM (SELECT (SELECT entry.position FROM ledger_entries entry \
            WHERE entry.stream_id = streams.stream_id ORDER BY entry.stream_version DESC LIMIT 1) AS newest \
          FROM streams) AS newest_of_each)"
    );
    let (reached, needed): (Option<i64>, Option<i64>) = on_database!(database, pool => {
        let mut query = sqlx::query_as(&sql).bind(projector);
        for stream in &streams {
            query = query.bind(stream);
        }
        query.fetch_one(pool).await?
    });
    let position = |value: Option<i64>| {
        u64::try_from(value.unwrap_or(0)).map_err(|_| ProjectionError::Corrupt(format!("a position of {value:?}")))
    };
    Ok((position(reached)?, position(needed)?))
}

/// The position `projector` has applied.
async fn checkpoint(database: &Database, projector: &str) -> Result<u64, ProjectionError> {
    let position: Option<i64> = on_database!(database, pool => {
        sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE projector = $1")
            .bind(projector)
            .fetch_optional(pool)
            .await?
    });
    let position = position.unwrap_or(0);
    u64::try_from(position).map_err(|_| ProjectionError::Corrupt(format!("checkpoint of {projector} is {position}")))
}

/// Returns once `projector` has applied every entry of `patients`' streams committed before the call,
/// or fails with [`ProjectionError::Behind`] after `bound`. What the caller reads from the projector's
/// tables afterwards reflects those entries.
pub async fn wait_for_patients(
    database: &Database,
    projector: &'static str,
    patients: &[Uuid],
    bound: Duration,
) -> Result<(), ProjectionError> {
    if patients.is_empty() {
        return Ok(());
    }
    let (reached, needed) = positions(database, projector, patients).await?;
    if reached >= needed {
        return Ok(());
    }
    wait_for(database, projector, needed, bound).await
}

/// Returns once `projector` has applied every entry committed to the ledger before the call, or fails
/// with [`ProjectionError::Behind`] after `bound`: for a read that no single stream bounds.
pub async fn wait_for_head(
    database: &Database,
    projector: &'static str,
    bound: Duration,
) -> Result<(), ProjectionError> {
    let head: Option<i64> = on_database!(database, pool => {
        sqlx::query_scalar("SELECT max(position) FROM ledger_entries").fetch_one(pool).await?
    });
    let head = u64::try_from(head.unwrap_or(0))
        .map_err(|_| ProjectionError::Corrupt(format!("the ledger's head is at {head:?}")))?;
    wait_for(database, projector, head, bound).await
}

/// Returns once `projector`'s checkpoint is at `position` or beyond, or fails with
/// [`ProjectionError::Behind`] after `bound`.
pub async fn wait_for(
    database: &Database,
    projector: &'static str,
    position: u64,
    bound: Duration,
) -> Result<(), ProjectionError> {
    let deadline = tokio::time::Instant::now() + bound;
    let mut woken = COMMITTED.subscribe();
    let mut pause = Duration::from_millis(1);
    loop {
        // Marked seen before the look, so a commit landing just after it still wakes this waiter.
        woken.borrow_and_update();
        let reached = checkpoint(database, projector).await?;
        if reached >= position {
            return Ok(());
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(ProjectionError::Behind { projector, position, reached });
        }
        // Woken by a runner of this process, or after a pause for one in another process.
        let _ = tokio::time::timeout_at((now + pause).min(deadline), woken.changed()).await;
        pause = (pause * 2).min(MAX_PAUSE);
    }
}
