//! The projectors check each entry's hash and its link to the entry before as they fold it, and stop
//! with an alarm at an entry that is broken or does not decode: they fold the entries before it, never
//! it, and the alarm (its position and what is wrong) is there for the status to show until the cause
//! is gone. On both backends, on a real SQLite file and a real PostgreSQL database.

use event_schema::{Catalog, EventPayload};
use ledger::testing::ScratchDatabase;
use ledger::{AppendRequest, Database, ExpectedVersion, Ledger, NewEvent, PgStorage, SqliteStorage, Storage};
use projections::{ProjectionError, Runner};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A note, an event no projector but the ledger index folds.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
struct NoteAdded {
    text: String,
}

impl EventPayload for NoteAdded {
    const EVENT_TYPE: &'static str = "test.note_added";
    const SCHEMA_VERSION: u32 = 1;
}

/// An entry under the name of a facility's registration that is not one: signed and chained like any
/// other, but the directory projector cannot decode it.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
struct NotAFacility {
    text: String,
}

impl EventPayload for NotAFacility {
    const EVENT_TYPE: &'static str = "facility.registered";
    const SCHEMA_VERSION: u32 = 1;
}

async fn open(storage: &Arc<dyn Storage>, catalog: Catalog) -> anyhow::Result<Ledger> {
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await?;
    projections::migrate(&storage.database()).await?;
    Ok(Ledger::open(storage.clone(), root.public_key(), node, catalog).await?)
}

async fn append<T: EventPayload>(ledger: &Ledger, payload: &T) -> anyhow::Result<u64> {
    let stream = event_schema::StreamId::parse("test:notes")?;
    let event = NewEvent::typed(payload, ledger::system::now())?;
    let request = AppendRequest::new(stream, ExpectedVersion::Any, event_schema::Actor::system(), vec![event]);
    Ok(ledger.append(request).await?.last_position)
}

async fn notes(ledger: &Ledger, count: usize) -> anyhow::Result<()> {
    for i in 0..count {
        append(ledger, &NoteAdded { text: format!("note {i}") }).await?;
    }
    Ok(())
}

/// Runs SQL straight on the database, as someone with access to its files or its server can.
async fn execute(database: &Database, sql: &str) -> anyhow::Result<()> {
    match database {
        Database::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ())?,
        Database::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ())?,
    }
    Ok(())
}

async fn payload_at(database: &Database, position: u64) -> anyhow::Result<String> {
    let sql = format!("SELECT payload FROM ledger_entries WHERE position = {position}");
    Ok(match database {
        Database::Sqlite(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await?,
        Database::Postgres(pool) => sqlx::query_scalar(&sql).fetch_one(pool).await?,
    })
}

async fn lift_guard(database: &Database) -> anyhow::Result<()> {
    match database {
        Database::Sqlite(_) => execute(database, "DROP TRIGGER ledger_entries_refuse_update").await,
        Database::Postgres(_) => execute(database, "ALTER TABLE ledger_entries DISABLE TRIGGER USER").await,
    }
}

async fn a_changed_entry_stops_the_projectors_with_an_alarm(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    let ledger = open(&storage, Catalog::new().register::<NoteAdded>()).await?;
    let database = storage.database();
    let runner = Runner::new(database.clone());
    notes(&ledger, 10).await?; // positions 3 to 12
    runner.catch_up(&ledger, ledger.head().await?.position, |_| {}).await?;
    notes(&ledger, 10).await?; // positions 13 to 22, not folded yet
    let original = payload_at(&database, 17).await?;

    // Changed behind the running ledger's back: a falsified entry must never reach a read model.
    lift_guard(&database).await?;
    execute(&database, "UPDATE ledger_entries SET payload = '{\"text\":\"falsified\"}' WHERE position = 17").await?;
    let head = ledger.head().await?.position;
    match runner.catch_up(&ledger, head, |_| {}).await {
        Err(ProjectionError::BrokenChain { position, reason }) => {
            assert_eq!(position, 17);
            assert!(reason.contains("hash mismatch"), "{reason}");
        }
        other => panic!("the runner must stop at the changed entry, got {other:?}"),
    }
    let alarm = runner.alarm().await?.expect("an alarm stands");
    assert_eq!(alarm.position, 17);
    assert!(alarm.reason.contains("hash mismatch") && !alarm.reason.contains("falsified"), "{}", alarm.reason);
    assert_eq!(projections::alarm(&database).await?, Some(alarm), "the status API shows the same alarm");
    for status in runner.status(head).await? {
        assert_eq!(status.position, 16, "{} folded the entries before the broken one, not it", status.name);
    }

    // Trying again changes nothing while the entry is broken.
    assert!(matches!(
        runner.catch_up(&ledger, head, |_| {}).await,
        Err(ProjectionError::BrokenChain { position: 17, .. })
    ));
    assert_eq!(runner.alarm().await?.map(|alarm| alarm.position), Some(17));

    // Restored (from a backup, say), the entry is folded and the alarm is gone.
    execute(&database, &format!("UPDATE ledger_entries SET payload = '{original}' WHERE position = 17")).await?;
    runner.catch_up(&ledger, head, |_| {}).await?;
    assert_eq!(runner.alarm().await?, None);
    assert!(runner.status(head).await?.iter().all(|status| status.lag == 0));
    ledger.close().await;
    Ok(())
}

async fn a_broken_link_stops_the_projectors_at_it(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    let ledger = open(&storage, Catalog::new().register::<NoteAdded>()).await?;
    let database = storage.database();
    let runner = Runner::new(database.clone());
    notes(&ledger, 6).await?; // positions 3 to 8
    lift_guard(&database).await?;
    // An entry whose stored hash was recomputed to match its changed content still breaks the link.
    let bytes = match database {
        Database::Sqlite(_) => "zeroblob(32)",
        Database::Postgres(_) => "decode(repeat('00', 32), 'hex')",
    };
    execute(&database, &format!("UPDATE ledger_entries SET prev_hash = {bytes} WHERE position = 6")).await?;
    let head = ledger.head().await?.position;
    match runner.catch_up(&ledger, head, |_| {}).await {
        Err(ProjectionError::BrokenChain { position, reason }) => {
            assert_eq!(position, 6);
            assert!(reason.contains("broken link"), "{reason}");
        }
        other => panic!("the runner must stop at the broken link, got {other:?}"),
    }
    assert_eq!(runner.alarm().await?.map(|alarm| alarm.position), Some(6));
    ledger.close().await;
    Ok(())
}

async fn an_undecodable_entry_stops_the_projectors_with_an_alarm(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    let catalog = Catalog::new().register::<NoteAdded>().register::<NotAFacility>();
    let ledger = open(&storage, catalog).await?;
    let runner = Runner::new(storage.database());
    notes(&ledger, 3).await?; // positions 3 to 5
    let position = append(&ledger, &NotAFacility { text: "Hôpital Laquintinie".into() }).await?;
    notes(&ledger, 2).await?;
    let head = ledger.head().await?.position;
    match runner.catch_up(&ledger, head, |_| {}).await {
        Err(error @ ProjectionError::Undecodable { .. }) => assert_eq!(error.alarm().map(|(at, _)| at), Some(position)),
        other => panic!("the runner must stop at the undecodable entry, got {other:?}"),
    }
    let alarm = runner.alarm().await?.expect("an alarm stands");
    assert_eq!(alarm.position, position);
    assert!(
        alarm.reason.contains("facility.registered") && alarm.reason.contains("cannot be decoded"),
        "{}",
        alarm.reason
    );
    assert!(!alarm.reason.contains("Laquintinie"), "the alarm names what is wrong, never what the entry holds");
    for status in runner.status(head).await? {
        assert!(status.position < position, "{} never folds the undecodable entry", status.name);
    }
    // A reset clears the alarm; the replay raises it again, since its cause is still there.
    runner.reset(None).await?;
    assert_eq!(runner.alarm().await?, None);
    assert!(runner.catch_up(&ledger, head, |_| {}).await.is_err());
    assert_eq!(runner.alarm().await?.map(|alarm| alarm.position), Some(position));
    ledger.close().await;
    Ok(())
}

async fn sqlite() -> anyhow::Result<(tempfile::TempDir, Arc<dyn Storage>)> {
    let directory = tempfile::tempdir()?;
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?);
    Ok((directory, storage))
}

async fn postgres() -> anyhow::Result<(ScratchDatabase, Arc<dyn Storage>)> {
    let database = ScratchDatabase::create("cloudmedi_projections").await?;
    let storage: Arc<dyn Storage> = Arc::new(PgStorage::connect(database.url()).await?);
    Ok((database, storage))
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() -> anyhow::Result<()> {
                    let (_directory, storage) = super::sqlite().await?;
                    super::$name(storage.clone()).await?;
                    storage.close().await;
                    Ok(())
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() -> anyhow::Result<()> {
                    let (database, storage) = super::postgres().await?;
                    super::$name(storage.clone()).await?;
                    storage.close().await;
                    database.drop_database().await?;
                    Ok(())
                }
            )*
        }
    };
}

on_both_backends!(
    a_changed_entry_stops_the_projectors_with_an_alarm,
    a_broken_link_stops_the_projectors_at_it,
    an_undecodable_entry_stops_the_projectors_with_an_alarm,
);
