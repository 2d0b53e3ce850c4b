//! The identity store returns rows typed, on both backends: what was written reads back as written,
//! and a stored value that does not read as what its column holds is an error naming the column,
//! never a panic or a guess.

use event_schema::Role;
use identity::store::{AccountStatus, NewAccount};
use identity::{IdentityError, IdentityStore};
use ledger::outbox::ChannelKind;
use ledger::testing::ScratchDatabase;
use ledger::{Database, PgStorage, SqliteStorage, Storage};
use uuid::Uuid;

struct Scratch {
    store: IdentityStore,
    database: Database,
    _dir: tempfile::TempDir,
    scratch: Option<ScratchDatabase>,
}

async fn scratch(postgres: bool) -> Scratch {
    let dir = tempfile::tempdir().expect("temp dir");
    let (storage, scratch): (Box<dyn Storage>, _) = if postgres {
        let scratch = ScratchDatabase::create("cloudmedi_identity").await.expect("PostgreSQL must be running");
        (Box::new(PgStorage::connect(scratch.url()).await.expect("postgres")), Some(scratch))
    } else {
        (Box::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.expect("sqlite")), None)
    };
    storage.migrate().await.expect("the ledger's migrations");
    let database = storage.database();
    identity::migrate(&database).await.expect("the identity tables' migrations");
    Scratch { store: IdentityStore::new(database.clone()), database, _dir: dir, scratch }
}

impl Scratch {
    async fn execute(&self, sql: &str) {
        match &self.database {
            Database::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
            Database::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        }
        .expect("sql");
    }

    async fn finish(self) {
        if let Some(scratch) = self.scratch {
            scratch.drop_database().await.expect("drop the scratch database");
        }
    }
}

async fn issue(store: &IdentityStore, login: &str) -> (Uuid, Uuid) {
    let (id, facility) = (Uuid::now_v7(), Uuid::now_v7());
    let account = NewAccount {
        id,
        login,
        national_id: None,
        role: Role::Nurse,
        facility_id: Some(facility),
        region: None,
        patient_id: None,
        family_name: "Abena",
        given_names: "Marie",
        phone: Some("+237677000001"),
        email: None,
        otp_channel: Some(ChannelKind::Sms),
        activation_code_hash: "hash",
        activation_expires_at: i64::MAX,
    };
    store.insert_issued(&account, 0).await.expect("issued");
    (id, facility)
}

fn malformed_column(result: Result<impl std::fmt::Debug, IdentityError>) -> &'static str {
    match result {
        Err(IdentityError::Malformed { column, .. }) => column,
        other => panic!("expected a malformed value, got {other:?}"),
    }
}

async fn rows_read_back_typed(postgres: bool) {
    let db = scratch(postgres).await;
    let (id, facility) = issue(&db.store, "CE0001-IN01").await;
    let account = db.store.get(id).await.expect("read").expect("the account");
    assert_eq!(
        (account.id, account.role, account.facility_id, account.status, account.otp_channel),
        (id, Role::Nurse, Some(facility), AccountStatus::Issued, Some(ChannelKind::Sms))
    );
    let staff = db.store.staff(Some(facility)).await.expect("staff");
    assert_eq!(
        staff.iter().map(|row| (row.id, row.role, row.status)).collect::<Vec<_>>(),
        [(id, Role::Nurse, AccountStatus::Issued)]
    );
    db.finish().await;
}

async fn a_malformed_stored_value_is_an_error(postgres: bool) {
    let db = scratch(postgres).await;
    let (id, facility) = issue(&db.store, "CE0001-IN02").await;
    let corrupt =
        |column: &str, value: &str| format!("UPDATE accounts SET {column} = '{value}' WHERE login = 'CE0001-IN02'");

    db.execute(&corrupt("role", "surgeon")).await;
    assert_eq!(malformed_column(db.store.get(id).await), "accounts.role");
    assert_eq!(malformed_column(db.store.find_for_login("CE0001-IN02").await), "accounts.role");
    assert_eq!(malformed_column(db.store.staff(Some(facility)).await), "accounts.role");
    db.execute(&corrupt("role", "nurse")).await;

    db.execute(&corrupt("status", "pending")).await;
    assert_eq!(malformed_column(db.store.get(id).await), "accounts.status");
    db.execute(&corrupt("status", "issued")).await;

    db.execute(&corrupt("otp_channel", "pigeon")).await;
    assert_eq!(malformed_column(db.store.get(id).await), "accounts.otp_channel");
    db.execute(&corrupt("otp_channel", "sms")).await;

    db.execute(&corrupt("facility_id", "not-an-id")).await;
    assert_eq!(malformed_column(db.store.find_for_login("CE0001-IN02").await), "accounts.facility_id");
    db.finish().await;
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread")]
    async fn rows_read_back_typed() {
        super::rows_read_back_typed(false).await
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_malformed_stored_value_is_an_error() {
        super::a_malformed_stored_value_is_an_error(false).await
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread")]
    async fn rows_read_back_typed() {
        super::rows_read_back_typed(true).await
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_malformed_stored_value_is_an_error() {
        super::a_malformed_stored_value_is_an_error(true).await
    }
}
