//! Each owner of tables in the ledger's database runs its own migrations (the ledger, identity, the
//! read models, the application's idempotency keys), from folders of its own, numbered from one
//! sequence. A database that one migrator brought up to date with every file in version order (as
//! every release before the split did) must still open, and a fresh database must end up with exactly
//! the tables that one migrator would have given it. On both backends.

mod support;

use event_schema::events;
use ledger::testing::ScratchDatabase;
use ledger::{Backend, Database, Ledger, PgStorage, SqliteStorage, Storage};
use sqlx::migrate::Migrator;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The owners' migrations folders, relative to the workspace.
const OWNERS: [&str; 4] = ["ledger", "identity", "projections", "application"];

/// Every migration released, with the SHA-384 of its file that databases recorded when they applied
/// it: a file that changes by a byte makes those databases refuse to start.
const RELEASED_SQLITE: [(i64, &str); 16] = [
    (1, "0be31ea3dccf323672f8b140f32505c306a55fc84240dd94768e125c25afc5c5a6039e7bc1b236b5e04b79c95b9ed16b"),
    (2, "919448d036e80c793a1005c963d463f992d3f166f64372f90849c4e30219ef1489e4f550108d442aaa241865cf49f5f9"),
    (3, "5eb959ce5ddb7128870c71a7158da402fb2efafee13b301d0c52c7e9ab22687ac07c7eabed87c320519a5dd049c9905c"),
    (4, "614d4025f674854d6c52b6a7aabc3f8a6d6176eabbb541ad532477c3700c036b74c29bf45d16434c3659e0dbc9225bd3"),
    (5, "6423a2338c977c1863015797c856749128cb1fa0f7663a1ee796329ea0a4759756002ba3a457885da1933738c3812fbf"),
    (6, "61eac901775f0db6cd50adf922d1809ec1ad58ffffe82bca7ef21686f6b7f1be69abe0ba5207f157402a9db337750b3b"),
    (7, "16e374d242678aaac0468a3dca61010b07a8c44dc59b2a8f3558d328d17a5c6a505bc7e0a6b066d51a63a14a00de7684"),
    (8, "cd5ac70f35c70926f79fd985d53ef42255c1b40ad3dc3426e0a5601aea9e87c769425d80c5a11557d122165a76d1abb2"),
    (9, "18bfed9f79f9eba5e604cee17d056fa149ab584827c0640b3f529af388169d8b8748a257b114a4db9a7e649476034c27"),
    (12, "8c2cf9afda3fb923c29c069f9057aa222376558d014358cd52fc941ebd45aca4b7675fed1bc5f446b2a4cb5c7a022d2d"),
    (13, "d81544f9100de54f0360a920b2a8830af981b82a4ecfe332b3e89de0913530d9d9f22443e0ef1034daa2a3d69d6c8a1b"),
    (14, "e1525943ac1a90bb506cc4659e01e2f4334b39e8400e5dcc99e27aa229fb63acfc0f77663847d51a2a755300ea34941e"),
    (15, "9a6b1777e685e9101bcae7718e850ace38b858046fe827672eb4df2017f3145ad0990bfed3a45110346fce134682e651"),
    (16, "ebc83af6f594f626e690e131cc28cb092d41290b55cd881ec26b60601cc6b1eb7e4e50f00f63f16f0f48b076e835e376"),
    (17, "85b20e5c7879ddd6d428a6017c0476f9a9941246507120e5be88451f6fdaa81fd21f217cd6de79a252ff868e07ca4880"),
    (18, "f620005ba1c9fbab01e1d31f91e493f794505a86f464d1c7f44ae5f4b35a894abe79d523a24f834b4481a7eb7ef4a15b"),
];
const RELEASED_POSTGRES: [(i64, &str); 16] = [
    (1, "5dad609ecb119c11dcdc2736172467564490f49421b7656ecdeaaed3f796926c7461ea0ec303deb18a5c83dd9c26d622"),
    (2, "e864a0b987a2a7a55565fa967bf1b71ea102d2fca1ec949c1d9b2d93eb5785ad52435a74e7300e27892223fa9607362c"),
    (3, "5eb959ce5ddb7128870c71a7158da402fb2efafee13b301d0c52c7e9ab22687ac07c7eabed87c320519a5dd049c9905c"),
    (4, "614d4025f674854d6c52b6a7aabc3f8a6d6176eabbb541ad532477c3700c036b74c29bf45d16434c3659e0dbc9225bd3"),
    (5, "6423a2338c977c1863015797c856749128cb1fa0f7663a1ee796329ea0a4759756002ba3a457885da1933738c3812fbf"),
    (6, "61eac901775f0db6cd50adf922d1809ec1ad58ffffe82bca7ef21686f6b7f1be69abe0ba5207f157402a9db337750b3b"),
    (7, "16e374d242678aaac0468a3dca61010b07a8c44dc59b2a8f3558d328d17a5c6a505bc7e0a6b066d51a63a14a00de7684"),
    (8, "cb86577d8c35f3f739cc9dbc9a3c46d4ca0b9eb48f5e0c5ae902188c4da23b51c5bc62b2dbbab9bd0b955e85f603ad18"),
    (9, "18bfed9f79f9eba5e604cee17d056fa149ab584827c0640b3f529af388169d8b8748a257b114a4db9a7e649476034c27"),
    (12, "7f6eed32d194939938a01f087dee292632e9581c089f1ee0062193a7647b41783723a38a1413a113df528335600cd032"),
    (13, "d81544f9100de54f0360a920b2a8830af981b82a4ecfe332b3e89de0913530d9d9f22443e0ef1034daa2a3d69d6c8a1b"),
    (14, "e1525943ac1a90bb506cc4659e01e2f4334b39e8400e5dcc99e27aa229fb63acfc0f77663847d51a2a755300ea34941e"),
    (15, "9a6b1777e685e9101bcae7718e850ace38b858046fe827672eb4df2017f3145ad0990bfed3a45110346fce134682e651"),
    (16, "ebc83af6f594f626e690e131cc28cb092d41290b55cd881ec26b60601cc6b1eb7e4e50f00f63f16f0f48b076e835e376"),
    (17, "230a9003e615a366b59ae4a638c980da989b49dbc2031198f82319a63aec25ed673d72ec8fec73a5d3345264f709c302"),
    (18, "f620005ba1c9fbab01e1d31f91e493f794505a86f464d1c7f44ae5f4b35a894abe79d523a24f834b4481a7eb7ef4a15b"),
];

fn backend(postgres: bool) -> Backend {
    if postgres {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

/// Every owner's migration files for `backend`, each with its version; the versions are one sequence,
/// so no two files share one.
fn migration_files(backend: Backend) -> Vec<(i64, PathBuf)> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for owner in OWNERS {
        let folder = workspace.join(owner).join("migrations").join(backend.to_string());
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|error| panic!("{}: {error}", folder.display())) {
            let path = entry.expect("a directory entry").path();
            let name = path.file_name().and_then(|name| name.to_str()).expect("a file name").to_owned();
            let version = name.split('_').next().and_then(|number| number.parse().ok()).expect("a version");
            files.push((version, path));
        }
    }
    files.sort();
    let versions: BTreeSet<i64> = files.iter().map(|(version, _)| *version).collect();
    assert_eq!(versions.len(), files.len(), "two owners' migrations share a version: {files:?}");
    files
}

/// One migrator holding every owner's files, in version order: how every release before the split
/// brought a database up to date.
async fn combined_migrator(backend: Backend) -> (tempfile::TempDir, Migrator) {
    let folder = tempfile::tempdir().expect("temp dir");
    for (_, path) in migration_files(backend) {
        std::fs::copy(&path, folder.path().join(path.file_name().expect("a file name"))).expect("copy");
    }
    let migrator = Migrator::new(folder.path()).await.expect("the migrations resolve");
    (folder, migrator)
}

/// What the split code runs wherever it opens the database, in the order `cloudmedi` runs it.
async fn migrate_each_owner(storage: &dyn Storage) {
    storage.migrate().await.expect("the ledger's migrations");
    let database = storage.database();
    identity::migrate(&database).await.expect("the identity tables' migrations");
    projections::migrate(&database).await.expect("the read models' migrations");
    application::migrate(&database).await.expect("the application's migrations");
}

/// An empty database of the test's own.
struct Scratch {
    storage: Arc<dyn Storage>,
    _dir: tempfile::TempDir,
    scratch: Option<ScratchDatabase>,
}

impl Scratch {
    async fn new(postgres: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        if postgres {
            let scratch = ScratchDatabase::create("cloudmedi_migrations").await.expect("PostgreSQL must be running");
            let storage = Arc::new(PgStorage::connect(scratch.url()).await.expect("postgres"));
            Self { storage, _dir: dir, scratch: Some(scratch) }
        } else {
            let storage = Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.expect("sqlite"));
            Self { storage, _dir: dir, scratch: None }
        }
    }

    /// The migrations the database records: version, description, success and checksum (hex).
    async fn applied(&self) -> Vec<(i64, String, bool, String)> {
        let sql = "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version";
        let rows: Vec<(i64, String, bool, Vec<u8>)> = match self.storage.database() {
            Database::Sqlite(pool) => sqlx::query_as(sql).fetch_all(&pool).await,
            Database::Postgres(pool) => sqlx::query_as(sql).fetch_all(&pool).await,
        }
        .expect("the migration history");
        rows.into_iter()
            .map(|(version, description, success, checksum)| (version, description, success, hex::encode(checksum)))
            .collect()
    }

    /// Every table, column, index and trigger of the database, as the database describes them.
    async fn schema(&self) -> Vec<String> {
        let rows: Vec<(String, String, String)> = match self.storage.database() {
            Database::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT type, name, COALESCE(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' \
                 ORDER BY type, name",
                )
                .fetch_all(&pool)
                .await
            }
            Database::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT 'column'::text, table_name || '.' || column_name, \
                     data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 UNION ALL SELECT 'index', indexname::text, indexdef FROM pg_indexes WHERE schemaname = 'public' \
                 UNION ALL SELECT 'trigger', tgname::text, pg_get_triggerdef(oid) FROM pg_trigger \
                     WHERE NOT tgisinternal \
                 UNION ALL SELECT 'constraint', conrelid::regclass::text || '.' || conname::text, \
                     pg_get_constraintdef(oid) \
                     FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
                 ORDER BY 1, 2",
                )
                .fetch_all(&pool)
                .await
            }
        }
        .expect("the schema");
        rows.into_iter().map(|(kind, name, definition)| format!("{kind} {name}: {definition}")).collect()
    }

    async fn finish(self) {
        self.storage.close().await;
        if let Some(scratch) = self.scratch {
            scratch.drop_database().await.expect("drop the scratch database");
        }
    }
}

/// The files in the owners' folders are the migrations released, byte for byte, under the same
/// versions and descriptions.
async fn the_owners_hold_the_released_migrations(postgres: bool) {
    let backend = backend(postgres);
    let (_folder, migrator) = combined_migrator(backend).await;
    let found: Vec<(i64, String)> =
        migrator.iter().map(|migration| (migration.version, hex::encode(&migration.checksum))).collect();
    let released = if postgres { RELEASED_POSTGRES } else { RELEASED_SQLITE };
    let released: Vec<(i64, String)> =
        released.iter().map(|(version, checksum)| (*version, (*checksum).to_owned())).collect();
    assert_eq!(found, released);
}

/// A database brought up to date by one migrator with every file, then initialised, opens with the
/// owners' migrators: each finds its own migrations applied with the same checksums, ignores the
/// others', and applies nothing.
async fn a_database_migrated_before_the_split_opens(postgres: bool) {
    let db = Scratch::new(postgres).await;
    let (_folder, migrator) = combined_migrator(backend(postgres)).await;
    match db.storage.database() {
        Database::Sqlite(pool) => migrator.run(&pool).await,
        Database::Postgres(pool) => migrator.run(&pool).await,
    }
    .expect("the migrations as one migrator ran them");
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(db.storage.as_ref(), &root, &node.public_key(), "test-node").await.expect("initialise");
    let before = (db.applied().await, db.schema().await);

    migrate_each_owner(db.storage.as_ref()).await;
    assert_eq!((db.applied().await, db.schema().await), before, "nothing was applied again or anew");
    let ledger = Ledger::open(db.storage.clone(), root.public_key(), node, events::catalog()).await.expect("open");
    let application = application::Application::new(ledger.clone());
    let administrator = application::staff::SystemAdministrator {
        professional_id: "MINSANTE-ADM-001".into(),
        family_name: "Ngono".into(),
        given_names: "Paul".into(),
        phone: Some("677 00 00 01".into()),
        email: None,
    };
    application.issue_system_administrator(administrator).await.expect("the identity tables are usable");
    ledger.close().await;
    db.finish().await;
}

/// A fresh database migrated by each owner gets exactly the tables, columns, indexes and triggers, and
/// the same migration history, that one migrator running every file in version order gives.
async fn a_fresh_database_gets_every_table(postgres: bool) {
    let split = Scratch::new(postgres).await;
    migrate_each_owner(split.storage.as_ref()).await;

    let combined = Scratch::new(postgres).await;
    let (_folder, migrator) = combined_migrator(backend(postgres)).await;
    match combined.storage.database() {
        Database::Sqlite(pool) => migrator.run(&pool).await,
        Database::Postgres(pool) => migrator.run(&pool).await,
    }
    .expect("the migrations as one migrator runs them");

    assert_eq!(split.applied().await, combined.applied().await);
    let schema = split.schema().await;
    for table in ["ledger_entries", "notification_outbox", "accounts", "patient_identifiers", "rm_patients"] {
        assert!(schema.iter().any(|line| line.contains(table)), "{table} is missing: {schema:#?}");
    }
    for table in ["rm_record_corrections", "idempotency_keys", "ledger_verified", "projection_alarm"] {
        assert!(schema.iter().any(|line| line.contains(table)), "{table} is missing: {schema:#?}");
    }
    assert_eq!(schema, combined.schema().await);
    split.finish().await;
    combined.finish().await;
}

on_both_backends!(
    the_owners_hold_the_released_migrations,
    a_database_migrated_before_the_split_opens,
    a_fresh_database_gets_every_table
);
