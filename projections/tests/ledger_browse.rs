//! Auditors browse the ledger through its index: every listed entry shows the hash its ledger row
//! holds, the SHA-256 and field names of its payload, and the metadata it was appended with, in
//! position order and page by page, filtered as asked. On both backends, on a real SQLite file and a
//! real PostgreSQL database.

use event_schema::events;
use ledger::testing::ScratchDatabase;
use ledger::{Ledger, PgStorage, SqliteStorage, Storage};
use projections::read::{LedgerFilter, ReadModels};
use projections::Runner;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A new ledger in `storage` (its genesis and first node key), with every projector caught up.
async fn projected_ledger(storage: Arc<dyn Storage>) -> anyhow::Result<Ledger> {
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await?;
    projections::migrate(&storage.database()).await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let head = ledger.head().await?.position;
    Runner::new(storage.database()).catch_up(&ledger, head, |_| {}).await?;
    Ok(ledger)
}

async fn listed_entries_match_the_ledger(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    let ledger = projected_ledger(storage.clone()).await?;
    let head = ledger.head().await?.position;
    let entries = ledger.read_all(0, 1_000).await?;
    assert_eq!(entries.len() as u64, head);

    let read = ReadModels::new(storage.database());
    let mut listed = Vec::new();
    let mut after = 0;
    loop {
        let page = read.ledger_entries(&LedgerFilter::default(), after, 2).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
        listed.extend(page);
    }
    assert_eq!(listed.len(), entries.len(), "pages of two list every entry once");
    for (row, entry) in listed.iter().zip(&entries) {
        let fields: BTreeMap<String, serde_json::Value> = serde_json::from_str(entry.payload.as_str())?;
        assert_eq!(row.position as u64, entry.position);
        assert_eq!(row.hash, hex::encode(entry.hash.as_bytes()), "the hash is the ledger's");
        assert_eq!(row.payload_digest, hex::encode(Sha256::digest(entry.payload.as_str().as_bytes())));
        assert_eq!(row.payload_fields, fields.keys().cloned().collect::<Vec<_>>());
        assert_eq!(row.stream_id, entry.stream_id);
        assert_eq!(row.stream_version as u64, entry.stream_version);
        assert_eq!(row.event_type, entry.event_type);
        assert_eq!(row.actor_account_id, entry.actor.account_id.to_string());
        assert_eq!(row.actor_facility_id, entry.actor.facility_id.map(|id| id.to_string()));
        assert_eq!(row.entry_id, None, "key events name no record entry");
    }

    let stream = &entries[entries.len() - 1].stream_id;
    let filter = LedgerFilter { stream_id: Some(stream.clone()), ..LedgerFilter::default() };
    let in_stream = read.ledger_entries(&filter, 0, 100).await?;
    let expected: Vec<u64> =
        entries.iter().filter(|entry| &entry.stream_id == stream).map(|entry| entry.position).collect();
    assert_eq!(in_stream.iter().map(|row| row.position as u64).collect::<Vec<_>>(), expected);
    assert!(read.ledger_entries(&LedgerFilter::default(), head as i64, 100).await?.is_empty());
    ledger.close().await;
    Ok(())
}

#[tokio::test]
async fn listed_entries_match_the_ledger_on_sqlite() -> anyhow::Result<()> {
    let directory = tempfile::tempdir()?;
    let storage = Arc::new(SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?);
    listed_entries_match_the_ledger(storage.clone()).await?;
    storage.close().await;
    Ok(())
}

#[tokio::test]
async fn listed_entries_match_the_ledger_on_postgres() -> anyhow::Result<()> {
    let database = ScratchDatabase::create("cloudmedi_projections").await?;
    let storage = Arc::new(PgStorage::connect(database.url()).await?);
    listed_entries_match_the_ledger(storage.clone()).await?;
    storage.close().await;
    database.drop_database().await?;
    Ok(())
}

/// A payload changed behind the ledger's back into something that is not a JSON object is reported,
/// not listed as an entry without fields.
#[tokio::test]
async fn a_payload_that_is_not_an_object_is_reported() -> anyhow::Result<()> {
    let directory = tempfile::tempdir()?;
    let storage = Arc::new(SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?);
    projected_ledger(storage.clone()).await?.close().await;
    sqlx::raw_sql(
        "DROP TRIGGER ledger_entries_refuse_update; UPDATE ledger_entries SET payload = '[1]' WHERE position = 1",
    )
    .execute(storage.pool())
    .await?;

    let error = ReadModels::new(storage.database())
        .ledger_entries(&LedgerFilter::default(), 0, 100)
        .await
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(error.contains("ledger entry 1 is not a JSON object"), "{error}");
    storage.close().await;
    Ok(())
}
