//! The harness shared by the contract and tamper suites: a fresh database per test, on SQLite or
//! PostgreSQL, with an initialised ledger and a small catalogue of test events.
#![allow(dead_code)]

use event_schema::{Actor, Catalog, EventPayload, KeyPair, Role, StreamId};
use ledger::testing::ScratchDatabase;
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent, PgStorage, SqliteStorage, Storage};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A note, standing in for any clinical event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteAdded {
    pub text: String,
}

impl EventPayload for NoteAdded {
    const EVENT_TYPE: &'static str = "test.note_added";
    const SCHEMA_VERSION: u32 = 1;
}

/// An event that a test-installed trigger makes the database refuse, to fail an append midway.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Poison {}

impl EventPayload for Poison {
    const EVENT_TYPE: &'static str = "test.poison";
    const SCHEMA_VERSION: u32 = 1;
}

pub fn catalog() -> Catalog {
    Catalog::new().register::<NoteAdded>().register::<Poison>()
}

/// A database of one test's own, with its keys.
pub struct TestDb {
    pub kind: Kind,
    pub root: KeyPair,
    pub node: KeyPair,
    pub storage: Arc<dyn Storage>,
    pub sqlite: Option<SqliteStorage>,
    pub postgres: Option<PgStorage>,
    scratch: Option<ScratchDatabase>,
    dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh, initialised ledger database.
    pub async fn new(kind: Kind) -> Self {
        let db = Self::empty(kind).await;
        Ledger::initialise(db.storage.as_ref(), &db.root, &db.node.public_key(), "test-node")
            .await
            .expect("initialise");
        db
    }

    /// A fresh database with no ledger in it yet.
    pub async fn empty(kind: Kind) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (storage, sqlite, postgres, scratch): (Arc<dyn Storage>, _, _, _) = match kind {
            Kind::Sqlite => {
                let sqlite = SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.expect("sqlite");
                (Arc::new(sqlite.clone()), Some(sqlite), None, None)
            }
            Kind::Postgres => {
                let scratch = ScratchDatabase::create("cloudmedi_test").await.expect("PostgreSQL must be running");
                let postgres = PgStorage::connect(scratch.url()).await.expect("postgres");
                (Arc::new(postgres.clone()), None, Some(postgres), Some(scratch))
            }
        };
        Self {
            kind,
            root: ledger::system::new_key_pair(),
            node: ledger::system::new_key_pair(),
            storage,
            sqlite,
            postgres,
            scratch,
            dir,
        }
    }

    /// A second, independent store on the same database (its own pool), as another process has.
    pub async fn second_storage(&self) -> Arc<dyn Storage> {
        match self.kind {
            Kind::Sqlite => Arc::new(
                SqliteStorage::open(&self.dir.path().join("ledger.sqlite"), false).await.expect("second sqlite"),
            ),
            Kind::Postgres => {
                let url = self.scratch.as_ref().expect("scratch").url();
                Arc::new(PgStorage::connect(url).await.expect("second postgres"))
            }
        }
    }

    pub async fn open(&self) -> Ledger {
        self.open_on(self.storage.clone()).await
    }

    pub async fn open_on(&self, storage: Arc<dyn Storage>) -> Ledger {
        Ledger::open(storage, self.root.public_key(), self.node.clone(), catalog()).await.expect("open ledger")
    }

    /// Runs SQL directly on the database (for tampering and fault injection).
    pub async fn execute(&self, sql: &str) {
        match (&self.sqlite, &self.postgres) {
            (Some(sqlite), _) => {
                sqlx::raw_sql(sql).execute(sqlite.pool()).await.expect("sql");
            }
            (_, Some(postgres)) => {
                sqlx::raw_sql(sql).execute(postgres.pool()).await.expect("sql");
            }
            _ => unreachable!("a test database has one backend"),
        }
    }

    /// Runs SQL that the database is expected to refuse; returns the error text.
    pub async fn execute_refused(&self, sql: &str) -> String {
        let result = match (&self.sqlite, &self.postgres) {
            (Some(sqlite), _) => sqlx::raw_sql(sql).execute(sqlite.pool()).await.map(|_| ()),
            (_, Some(postgres)) => sqlx::raw_sql(sql).execute(postgres.pool()).await.map(|_| ()),
            _ => unreachable!("a test database has one backend"),
        };
        result.expect_err("the database accepted a change it must refuse").to_string()
    }

    /// Lifts the append-only guard, as someone with direct database access could.
    pub async fn disable_guard(&self) {
        match self.kind {
            Kind::Sqlite => {
                self.execute("DROP TRIGGER ledger_entries_refuse_update; DROP TRIGGER ledger_entries_refuse_delete;")
                    .await
            }
            Kind::Postgres => self.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER").await,
        }
    }

    /// Installs a trigger that makes the database refuse any `test.poison` entry.
    pub async fn install_poison(&self) {
        match self.kind {
            Kind::Sqlite => {
                self.execute(
                    "CREATE TRIGGER poison BEFORE INSERT ON ledger_entries WHEN NEW.event_type = 'test.poison' \
                     BEGIN SELECT RAISE(ABORT, 'poisoned'); END;",
                )
                .await
            }
            Kind::Postgres => {
                self.execute(
                    "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                     IF NEW.event_type = 'test.poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$; \
                     CREATE TRIGGER poison BEFORE INSERT ON ledger_entries FOR EACH ROW EXECUTE FUNCTION poison();",
                )
                .await
            }
        }
    }

    /// Drops the scratch database (PostgreSQL); the SQLite file goes with the temp dir.
    pub async fn finish(self) {
        if let Some(scratch) = self.scratch {
            scratch.drop_database().await.expect("drop scratch database");
        }
    }
}

pub fn clerk() -> Actor {
    Actor { account_id: Uuid::now_v7(), role: Role::RegistrationClerk, facility_id: Some(Uuid::now_v7()) }
}

pub fn note(text: &str) -> NewEvent {
    NewEvent::typed(&NoteAdded { text: text.to_owned() }, ledger::system::now()).expect("note")
}

pub fn stream(name: &str) -> StreamId {
    StreamId::parse(format!("patient:{name}")).expect("stream id")
}

pub fn append_notes(stream_name: &str, expected: ExpectedVersion, texts: &[&str]) -> AppendRequest {
    AppendRequest::new(stream(stream_name), expected, clerk(), texts.iter().map(|t| note(t)).collect())
}

/// Instantiates each named contract test once per backend.
#[macro_export]
macro_rules! contract_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Kind::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::support::Kind::Postgres).await
                }
            )*
        }
    };
}
