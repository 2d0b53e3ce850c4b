//! A reset sets the read models' secondary indexes aside; a runner following the ledger recreates them
//! once it has caught up, leaving exactly the read models (rows and indexes) it had before. On both
//! backends, on a real SQLite file and a real PostgreSQL database.

use event_schema::events;
use ledger::testing::ScratchDatabase;
use ledger::{Database, Ledger, PgStorage, SqliteStorage, Storage};
use projections::Runner;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

async fn follow_restores_what_a_reset_set_aside(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await?;
    projections::migrate(&storage.database()).await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let head = ledger.head().await?.position;
    assert!(head > 0, "the ledger's genesis entries are there to project");

    let runner = Runner::new(storage.database());
    runner.catch_up(&ledger, head, |_| {}).await?;
    let live = runner.digest().await?;
    assert!(live["rm_ledger_index"].starts_with(&format!("{head} rows")), "{}", live["rm_ledger_index"]);
    assert!(!live["rm_ledger_index"].ends_with("indexed by []"), "{}", live["rm_ledger_index"]);

    runner.reset(None).await?;
    let reset = runner.digest().await?;
    assert!(reset["rm_ledger_index"].starts_with("0 rows"), "{}", reset["rm_ledger_index"]);
    assert!(reset["rm_ledger_index"].ends_with("indexed by []"), "a reset sets the indexes aside");
    if let Database::Postgres(pool) = storage.database() {
        // Emptied, not merely deleted from: no dead rows are left for the replay to write after.
        let size: i64 = sqlx::query_scalar("SELECT pg_relation_size('rm_ledger_index')").fetch_one(&pool).await?;
        assert_eq!(size, 0, "a reset leaves the table's storage empty");
    }

    let (stop, stopped) = watch::channel(false);
    let follower = {
        let (runner, ledger) = (runner.clone(), ledger.clone());
        tokio::spawn(async move { runner.follow(&ledger, stopped).await })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut rebuilt = runner.digest().await?;
    while rebuilt != live && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        rebuilt = runner.digest().await?;
    }
    stop.send(true)?;
    follower.await?;
    assert_eq!(rebuilt, live, "following from a reset gives the same rows and the same indexes back");
    assert_eq!(runner.restore_indexes().await?, 0, "nothing is left set aside");
    ledger.close().await;
    Ok(())
}

#[tokio::test]
async fn following_restores_set_aside_indexes_on_sqlite() -> anyhow::Result<()> {
    let directory = tempfile::tempdir()?;
    let storage = Arc::new(SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?);
    follow_restores_what_a_reset_set_aside(storage.clone()).await?;
    storage.close().await;
    Ok(())
}

#[tokio::test]
async fn following_restores_set_aside_indexes_on_postgres() -> anyhow::Result<()> {
    let database = ScratchDatabase::create("cloudmedi_projections").await?;
    let storage = Arc::new(PgStorage::connect(database.url()).await?);
    follow_restores_what_a_reset_set_aside(storage.clone()).await?;
    storage.close().await;
    database.drop_database().await?;
    Ok(())
}
