//! Committing a page's changes: every projector's checkpoint moved and its rows written in one
//! transaction, shared out between the runner's connections.

use crate::write::{execute_on_postgres, execute_on_sqlite, Prepared};
use crate::ProjectionError;
use sqlx::pool::PoolConnection;
use sqlx::{Postgres, Sqlite};

/// One projector's changes for a page: its writes, and its checkpoint's move.
pub(crate) struct Change {
    pub(crate) projector: &'static str,
    pub(crate) from: u64,
    pub(crate) to: u64,
    pub(crate) writes: Prepared,
}

/// Moves the checkpoints of `changes` and writes their rows, in one transaction on `$connection`.
macro_rules! commit_on {
    ($connection:expr, $changes:expr, $execute:path, $numbered:expr) => {{
        let changes: Vec<Change> = $changes;
        let mut transaction = sqlx::Connection::begin(&mut **$connection).await?;
        for change in &changes {
            let moved =
                sqlx::query("UPDATE projection_checkpoints SET position = $3 WHERE projector = $1 AND position = $2")
                    .bind(change.projector)
                    .bind(to_i64(change.from))
                    .bind(to_i64(change.to))
                    .execute(&mut *transaction)
                    .await?;
            if moved.rows_affected() != 1 {
                return Err(ProjectionError::CheckpointMoved(change.projector.to_owned()));
            }
        }
        if $numbered {
            // Read models can always be derived again from the ledger, and a transaction lost in a
            // crash takes its checkpoints with it, so the runner simply replays it: no need to wait
            // for the commit to reach the disk.
            sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *transaction).await?;
        }
        for change in changes {
            $execute(&mut *transaction, change.writes).await?;
        }
        transaction.commit().await?;
        Ok(())
    }};
}

pub(crate) async fn commit_on_sqlite(
    connection: &mut PoolConnection<Sqlite>,
    changes: Vec<Change>,
) -> Result<(), ProjectionError> {
    commit_on!(connection, changes, execute_on_sqlite, false)
}

pub(crate) async fn commit_on_postgres(
    connection: &mut PoolConnection<Postgres>,
    changes: Vec<Change>,
) -> Result<(), ProjectionError> {
    commit_on!(connection, changes, execute_on_postgres, true)
}

/// Shares `changes` out between `writers` connections, so that each has about as many writes: the
/// largest first, each to the connection with the fewest so far. Projectors are independent (each
/// owns its tables and its checkpoint), so their changes may commit in any grouping.
pub(crate) fn share_out(changes: Vec<Change>, writers: usize) -> Vec<Vec<Change>> {
    let mut shares: Vec<Vec<Change>> = (0..writers.max(1)).map(|_| Vec::new()).collect();
    let mut loads = vec![0usize; shares.len()];
    let mut largest_first = changes;
    largest_first.sort_by_key(|change| std::cmp::Reverse(change.writes.weight()));
    for change in largest_first {
        let lightest = (0..loads.len()).min_by_key(|&writer| loads[writer]).unwrap_or(0);
        loads[lightest] += change.writes.weight().max(1);
        shares[lightest].push(change);
    }
    shares
}

pub(crate) fn to_i64(position: u64) -> i64 {
    i64::try_from(position).unwrap_or(i64::MAX)
}
