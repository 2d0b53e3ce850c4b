//! The whole server in process, over a fresh SQLite ledger with every owner's tables, for the tests
//! that send it requests without a network.

use axum::Router;

/// The server with every API and no limit on attempts (in-process requests carry no client address);
/// the directory holds its database and must outlive it.
pub async fn app() -> (tempfile::TempDir, Router) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let storage = ledger::SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.expect("SQLite");
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    ledger::Ledger::initialise(&storage, &root, &node.public_key(), "test-node").await.expect("initialise");
    let database = ledger::Storage::database(&storage);
    identity::migrate(&database).await.expect("the identity tables");
    projections::migrate(&database).await.expect("the read models");
    application::migrate(&database).await.expect("the idempotency keys");
    let storage: std::sync::Arc<dyn ledger::Storage> = std::sync::Arc::new(storage);
    let ledger = ledger::Ledger::open(storage, root.public_key(), node, event_schema::events::catalog())
        .await
        .expect("open the ledger");
    let limits = server::Limits { attempts: None, ..Default::default() };
    (dir, server::router(server::ServerState::new(ledger), limits))
}
