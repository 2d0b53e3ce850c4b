//! Projector leadership: on PostgreSQL, where several processes share one database, only the holder of
//! a session-level advisory lock runs the projectors. The lock belongs to a connection held for as long
//! as the leader leads; if the process dies its connection closes, the server releases the lock, and a
//! waiting process takes over within a poll interval. SQLite has one process by construction.

use ledger::Database;
use sqlx::Connection;
use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;

/// The advisory lock's key: the first eight bytes of SHA-256("cloudmedi.projections").
pub const LOCK_KEY: i64 = 0x2c8f_4a1e_6b3d_0975;
/// How often a follower tries the lock, and a leader checks that it still holds it.
const POLL: Duration = Duration::from_secs(1);

/// Runs `work` while this process leads, until `stop` turns true. `work` receives its own stop signal,
/// which turns true when leadership is lost or `stop` does; it is then awaited before anything else.
pub async fn lead<W, F>(database: &Database, mut stop: watch::Receiver<bool>, work: W)
where
    W: Fn(watch::Receiver<bool>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let pool = match database {
        Database::Sqlite(_) => {
            work(stop).await;
            return;
        }
        Database::Postgres(pool) => pool.clone(),
    };
    let mut announced_waiting = false;
    while !*stop.borrow() {
        let mut connection = match pool.acquire().await {
            Ok(connection) => connection.detach(),
            Err(error) => {
                tracing::warn!(%error, "projections.leader.cannot_connect");
                if wait(&mut stop, POLL).await {
                    return;
                }
                continue;
            }
        };
        let acquired: Result<bool, sqlx::Error> =
            sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LOCK_KEY).fetch_one(&mut connection).await;
        match acquired {
            Ok(true) => {}
            Ok(false) => {
                if !announced_waiting {
                    tracing::info!("projections.leader.waiting: another process runs the projectors");
                    announced_waiting = true;
                }
                let _ = connection.close().await;
                if wait(&mut stop, POLL).await {
                    return;
                }
                continue;
            }
            Err(error) => {
                tracing::warn!(%error, "projections.leader.lock_failed");
                if wait(&mut stop, POLL).await {
                    return;
                }
                continue;
            }
        }
        announced_waiting = false;
        tracing::info!("projections.leader.acquired: this process runs the projectors");
        let (stop_work, work_stopped) = watch::channel(false);
        let mut running = tokio::spawn(work(work_stopped));
        let lost = loop {
            tokio::select! {
                _ = &mut running => break false,
                _ = crate::leader::stopping(&mut stop) => break false,
                _ = tokio::time::sleep(POLL) => {
                    if sqlx::query("SELECT 1").execute(&mut connection).await.is_err() {
                        break true;
                    }
                }
            }
        };
        let _ = stop_work.send(true);
        let _ = (&mut running).await;
        if lost {
            tracing::warn!("projections.leader.lost: the lock's connection failed; trying again");
            continue;
        }
        let _ = sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK_KEY).execute(&mut connection).await;
        let _ = connection.close().await;
        return;
    }
}

/// Waits `period` or until `stop`; true if stopping.
async fn wait(stop: &mut watch::Receiver<bool>, period: Duration) -> bool {
    let stopped = tokio::select! {
        _ = tokio::time::sleep(period) => false,
        _ = crate::leader::stopping(stop) => true,
    };
    stopped || *stop.borrow()
}

/// Resolves once `stop` turns true (or its sender is gone). The guard `wait_for` returns is dropped
/// here, so that the futures awaiting this stay `Send`.
pub(crate) async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
