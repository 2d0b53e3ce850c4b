//! On SQLite the runner commits through a connection with settings of its own: its commits do not wait
//! for the disk. A ledger append must never run on such a connection, so once the runner is done with
//! it, having caught up or having followed the ledger, every connection the pool hands out waits for
//! the disk again.

use event_schema::events;
use ledger::{Ledger, SqliteStorage, Storage};
use projections::Runner;
use sqlx::SqlitePool;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Checks every connection of the pool, holding each so that the next is another.
async fn every_connection_waits_for_the_disk(pool: &SqlitePool) -> anyhow::Result<()> {
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        let mut connection = pool.acquire().await?;
        let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&mut *connection).await?;
        assert_eq!(synchronous, 2, "a pooled connection commits with synchronous = FULL");
        let checkpoints: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(&mut *connection).await?;
        assert_eq!(checkpoints, 1000, "a pooled connection checkpoints at SQLite's default");
        held.push(connection);
    }
    Ok(())
}

#[tokio::test]
async fn the_runners_connection_never_returns_to_the_pool() -> anyhow::Result<()> {
    let directory = tempfile::tempdir()?;
    let storage = Arc::new(SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?);
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await?;
    projections::migrate(&storage.database()).await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let head = ledger.head().await?.position;
    let runner = Runner::new(storage.database());

    runner.catch_up(&ledger, head, |_| {}).await?;
    every_connection_waits_for_the_disk(storage.pool()).await?;

    runner.reset(None).await?;
    let (stop, stopped) = watch::channel(false);
    let follower = {
        let (runner, ledger) = (runner.clone(), ledger.clone());
        tokio::spawn(async move { runner.follow(&ledger, stopped).await })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while runner.status(head).await?.iter().any(|status| status.lag > 0) {
        assert!(Instant::now() < deadline, "the follower catches up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true)?;
    follower.await?;
    every_connection_waits_for_the_disk(storage.pool()).await?;

    ledger.close().await;
    storage.close().await;
    Ok(())
}
