//! The SQLite write gate: the writers of one process queue on it rather than in SQLite's busy handler.

mod support;

use ledger::storage::sqlite::write_gate;
use ledger::ExpectedVersion;
use std::time::Duration;
use support::{append_notes, Kind, TestDb};

#[tokio::test]
async fn every_pool_of_one_file_shares_one_gate_and_other_files_have_their_own() {
    let db = TestDb::new(Kind::Sqlite).await;
    let other = TestDb::new(Kind::Sqlite).await;
    let first = db.sqlite.as_ref().expect("sqlite").pool().clone();
    let second = db.second_storage().await;
    let ledger::Database::Sqlite(second) = second.database() else { panic!("a SQLite store") };
    let elsewhere = other.sqlite.as_ref().expect("sqlite").pool().clone();

    assert!(std::sync::Arc::ptr_eq(&write_gate(&first), &write_gate(&second)), "one file, one gate");
    assert!(!std::sync::Arc::ptr_eq(&write_gate(&first), &write_gate(&elsewhere)), "another file, another gate");
    db.finish().await;
    other.finish().await;
}

#[tokio::test]
async fn an_append_waits_for_the_gate_and_commits_once_it_is_free() {
    let db = TestDb::new(Kind::Sqlite).await;
    let ledger = db.open().await;
    let gate = write_gate(db.sqlite.as_ref().expect("sqlite").pool());

    // Another writer of this process (a projector committing) holds the gate: the append waits.
    let held = gate.clone().lock_owned().await;
    let appending = {
        let ledger = ledger.clone();
        tokio::spawn(async move { ledger.append(append_notes("gated", ExpectedVersion::NoStream, &["n1"])).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!appending.is_finished(), "the append went ahead while another writer held the gate");
    assert_eq!(ledger.read_stream(&support::stream("gated"), 0, 10).await.unwrap().len(), 0);

    // Released, the append commits, and the gate is free again afterwards.
    drop(held);
    let appended = tokio::time::timeout(Duration::from_secs(30), appending)
        .await
        .expect("the append commits once the gate is free")
        .expect("the append task")
        .expect("the append");
    assert_eq!(appended.stream_version, 1);
    assert!(gate.try_lock().is_ok(), "the writer let go of the gate");
    ledger.close().await;
    db.finish().await;
}
