//! A running node checks the chain it builds on: opening the ledger verifies the entries appended
//! since the point it last verified and refuses a broken chain, naming the position; opening refuses
//! when the append-only guard was lifted; each append checks that the head row it links to is the last
//! stored entry; `verify_storage` reports a chain that does not end at the head row. On both backends,
//! each test on a fresh database.

mod support;

use event_schema::FailureReason;
use ledger::audit::{verify_storage, AuditError};
use ledger::{ExpectedVersion, LedgerError};
use support::{append_notes, catalog, Kind, TestDb};

/// A ledger of 2 registry entries plus 30 notes (positions 3 to 32), opened once (so verified up to
/// its head) and closed.
async fn ledger_with_history(kind: Kind) -> TestDb {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    append_some(&ledger, 30).await;
    ledger.close().await;
    db
}

async fn append_some(ledger: &ledger::Ledger, count: usize) {
    for i in 0..count {
        ledger
            .append(append_notes(&format!("p{}", i % 3), ExpectedVersion::Any, &[&format!("note {i}")]))
            .await
            .unwrap();
    }
}

async fn try_open(db: &TestDb) -> Result<ledger::Ledger, LedgerError> {
    ledger::Ledger::open(db.storage.clone(), db.root.public_key(), db.node.clone(), catalog()).await
}

async fn entries(db: &TestDb) -> u64 {
    db.storage.head().await.unwrap();
    let mut count = 0;
    let mut after = 0;
    loop {
        let page = db.storage.read_all(after, 1_000).await.unwrap();
        let Some(last) = page.last() else { return count };
        after = last.position;
        count += page.len() as u64;
    }
}

/// Changes the payload of the entry at `position` with the guard put back exactly as it was, so only
/// verification can tell: on SQLite the trigger is dropped and created again from its original text;
/// PostgreSQL lets a superuser's session skip triggers without touching them.
async fn change_payload_quietly(db: &TestDb, position: u64) {
    let update = format!("UPDATE ledger_entries SET payload = '{{\"text\":\"changed\"}}' WHERE position = {position}");
    match db.kind {
        Kind::Sqlite => {
            db.execute(&format!(
                "DROP TRIGGER ledger_entries_refuse_update; {update}; \
                 CREATE TRIGGER ledger_entries_refuse_update BEFORE UPDATE ON ledger_entries\n\
                 BEGIN\n    SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on ledger_entries is refused');\nEND;"
            ))
            .await
        }
        Kind::Postgres => {
            db.execute(&format!("BEGIN; SET LOCAL session_replication_role = replica; {update}; COMMIT;")).await
        }
    }
}

async fn opening_refuses_an_entry_changed_since_it_was_verified(kind: Kind) {
    let db = ledger_with_history(kind).await;
    let ledger = db.open().await;
    append_some(&ledger, 8).await; // positions 33 to 40, after the verified point (32)
    ledger.close().await;
    change_payload_quietly(&db, 36).await;
    match try_open(&db).await {
        Err(LedgerError::ChainBroken(failure)) => {
            assert_eq!(failure.position, 36);
            assert!(matches!(failure.reason, FailureReason::HashMismatch { .. }), "{}", failure.reason);
        }
        other => panic!("opening must refuse a broken chain, got {:?}", other.map(|_| ())),
    }
    let error = try_open(&db).await.err().map(|error| error.to_string()).unwrap_or_default();
    assert!(error.contains("position 36"), "the refusal names the position: {error}");
    db.finish().await;
}

async fn a_dropped_trigger_refuses_the_start_then_everything_is_verified(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.disable_guard().await;
    db.execute("UPDATE ledger_entries SET payload = '{\"text\":\"note 99\"}' WHERE position = 17").await;
    match try_open(&db).await {
        Err(LedgerError::GuardLifted { triggers }) => assert!(!triggers.is_empty()),
        other => panic!("opening must refuse a lifted guard, got {:?}", other.map(|_| ())),
    }
    let error = try_open(&db).await.err().map(|error| error.to_string()).unwrap_or_default();
    assert!(
        error.contains("chain is broken at position 17") && error.contains("hash mismatch"),
        "once refused, the next start verifies the whole chain and names the changed entry: {error}"
    );
    // The guard stands again.
    let refused = db.execute_refused("UPDATE ledger_entries SET payload = '{}' WHERE position = 3").await;
    assert!(refused.contains("append-only"), "{refused}");
    let refused = db.execute_refused("DELETE FROM ledger_entries WHERE position = 3").await;
    assert!(refused.contains("append-only"), "{refused}");
    db.finish().await;
}

async fn a_dropped_trigger_alone_is_refused_once_then_the_intact_chain_opens(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.disable_guard().await;
    let error = try_open(&db).await.err().map(|error| error.to_string()).unwrap_or_default();
    assert!(error.contains("append-only triggers") && error.contains("were dropped"), "{error}");
    let ledger = try_open(&db).await.expect("an intact chain opens once it was verified in full");
    ledger.append(append_notes("p0", ExpectedVersion::Any, &["after"])).await.unwrap();
    ledger.close().await;
    db.finish().await;
}

async fn an_altered_trigger_counts_as_dropped(kind: Kind) {
    let db = ledger_with_history(kind).await;
    match kind {
        Kind::Sqlite => {
            db.execute(
                "DROP TRIGGER ledger_entries_refuse_delete; \
                 CREATE TRIGGER ledger_entries_refuse_delete BEFORE DELETE ON ledger_entries WHEN 0 \
                 BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: DELETE on ledger_entries is refused'); END;",
            )
            .await
        }
        Kind::Postgres => {
            db.execute(
                "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN RETURN OLD; END $$;",
            )
            .await
        }
    }
    assert!(matches!(try_open(&db).await, Err(LedgerError::GuardLifted { .. })));
    let refused = db.execute_refused("DELETE FROM ledger_entries WHERE position = 3").await;
    assert!(refused.contains("append-only"), "the guard was recreated as created: {refused}");
    db.finish().await;
}

async fn a_ledger_never_verified_gets_its_guard_back_and_is_verified_in_full(kind: Kind) {
    // A database that no version checking its chain has opened: no verified point, and (say) a guard
    // dropped long ago. This is the first start: the guard is recreated and the whole chain verified.
    let db = ledger_with_history(kind).await;
    db.execute("DELETE FROM ledger_verified").await;
    db.disable_guard().await;
    let ledger = try_open(&db).await.expect("a first start recreates the guard");
    ledger.close().await;
    let refused = db.execute_refused("UPDATE ledger_entries SET payload = '{}' WHERE position = 3").await;
    assert!(refused.contains("append-only"), "{refused}");

    db.execute("DELETE FROM ledger_verified").await;
    change_payload_quietly(&db, 5).await;
    match try_open(&db).await {
        Err(LedgerError::ChainBroken(failure)) => assert_eq!(failure.position, 5),
        other => panic!("a first start verifies everything, got {:?}", other.map(|_| ())),
    }
    db.finish().await;
}

async fn an_append_refuses_a_head_row_that_is_not_the_last_entry(kind: Kind) {
    let db = ledger_with_history(kind).await;
    let ledger = db.open().await;
    // The head row pointed elsewhere (it is not guarded: every append moves it).
    let zero_hash = match kind {
        Kind::Sqlite => "zeroblob(32)",
        Kind::Postgres => "decode(repeat('00', 32), 'hex')",
    };
    db.execute(&format!("UPDATE ledger_head SET hash = {zero_hash}")).await;
    match ledger.append(append_notes("p0", ExpectedVersion::Any, &["linked to what?"])).await {
        Err(LedgerError::HeadMismatch { head, last }) => {
            assert_eq!((head.position, last.position), (32, 32));
            assert_ne!(head.hash, last.hash);
        }
        other => panic!("the append must be refused, got {other:?}"),
    }
    assert_eq!(entries(&db).await, 32, "nothing was appended");
    ledger.close().await;
    db.finish().await;
}

async fn an_append_refuses_a_log_shortened_behind_its_back(kind: Kind) {
    let db = ledger_with_history(kind).await;
    let ledger = db.open().await;
    db.disable_guard().await;
    db.execute("DELETE FROM ledger_entries WHERE position > 29").await;
    match ledger.append(append_notes("p0", ExpectedVersion::Any, &["on a shortened log"])).await {
        Err(LedgerError::HeadMismatch { head, last }) => assert_eq!((head.position, last.position), (32, 29)),
        other => panic!("the append must be refused, got {other:?}"),
    }
    assert_eq!(entries(&db).await, 29, "nothing was appended");
    ledger.close().await;
    db.finish().await;
}

async fn verification_reports_a_shortened_tail(kind: Kind) {
    let db = ledger_with_history(kind).await;
    assert!(verify_storage(db.storage.as_ref(), db.root.public_key(), |_| {}).await.is_ok());
    db.disable_guard().await;
    db.execute("DELETE FROM ledger_entries WHERE position > 29").await;
    match verify_storage(db.storage.as_ref(), db.root.public_key(), |_| {}).await {
        Err(error @ AuditError::HeadMismatch { head, chain }) => {
            assert_eq!((head.position, chain.position), (32, 29));
            assert!(error.to_string().contains("shortened tail"), "{error}");
        }
        other => panic!("a shortened tail must be reported, got {other:?}"),
    }
    db.finish().await;
}

async fn verification_reports_a_head_row_pointing_elsewhere(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.execute("UPDATE ledger_head SET position = 20").await;
    match verify_storage(db.storage.as_ref(), db.root.public_key(), |_| {}).await {
        Err(AuditError::HeadMismatch { head, .. }) => assert_eq!(head.position, 20),
        other => panic!("a head row behind the chain must be reported, got {other:?}"),
    }
    db.finish().await;
}

contract_tests!(
    opening_refuses_an_entry_changed_since_it_was_verified,
    a_dropped_trigger_refuses_the_start_then_everything_is_verified,
    a_dropped_trigger_alone_is_refused_once_then_the_intact_chain_opens,
    an_altered_trigger_counts_as_dropped,
    a_ledger_never_verified_gets_its_guard_back_and_is_verified_in_full,
    an_append_refuses_a_head_row_that_is_not_the_last_entry,
    an_append_refuses_a_log_shortened_behind_its_back,
    verification_reports_a_shortened_tail,
    verification_reports_a_head_row_pointing_elsewhere,
);
