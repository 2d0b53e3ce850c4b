//! Tamper evidence: the database refuses to change the past, and when someone with direct access
//! lifts that guard and changes it anyway, verification names the first altered position and why.

mod support;

use event_schema::{Actor, EntryBody, FailureReason};
use ledger::audit::{verify_storage, AuditError};
use ledger::ExpectedVersion;
use serde_json::json;
use support::{append_notes, Kind, TestDb};
use uuid::Uuid;

/// A ledger of 2 registry entries plus 30 notes (positions 3 to 32).
async fn ledger_with_history(kind: Kind) -> TestDb {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    for i in 0..30 {
        ledger
            .append(append_notes(&format!("p{}", i % 3), ExpectedVersion::Any, &[&format!("note {i}")]))
            .await
            .unwrap();
    }
    ledger.close().await;
    db
}

async fn first_failure(db: &TestDb) -> (u64, FailureReason) {
    match verify_storage(db.storage.as_ref(), db.root.public_key(), |_| {}).await {
        Err(AuditError::Failed(failure)) => (failure.position, failure.reason),
        other => panic!("expected a verification failure, got {other:?}"),
    }
}

async fn the_database_refuses_updates_and_deletes(kind: Kind) {
    let db = ledger_with_history(kind).await;
    let error = db.execute_refused("UPDATE ledger_entries SET payload = '{\"text\":\"x\"}' WHERE position = 10").await;
    assert!(error.contains("append-only"), "{error}");
    let error = db.execute_refused("DELETE FROM ledger_entries WHERE position = 10").await;
    assert!(error.contains("append-only"), "{error}");
    if kind == Kind::Postgres {
        let error = db.execute_refused("TRUNCATE ledger_entries").await;
        assert!(error.contains("append-only"), "{error}");
    }
    assert!(verify_storage(db.storage.as_ref(), db.root.public_key(), |_| {}).await.is_ok());
    db.finish().await;
}

async fn a_changed_payload_is_a_hash_mismatch(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.disable_guard().await;
    db.execute("UPDATE ledger_entries SET payload = '{\"text\":\"note 99\"}' WHERE position = 17").await;
    let (position, reason) = first_failure(&db).await;
    assert_eq!(position, 17);
    assert!(matches!(reason, FailureReason::HashMismatch { .. }), "{reason}");
    db.finish().await;
}

async fn a_deleted_row_is_a_gap(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.disable_guard().await;
    db.execute("DELETE FROM ledger_entries WHERE position = 12").await;
    let (position, reason) = first_failure(&db).await;
    assert_eq!(position, 12);
    assert_eq!(reason, FailureReason::Gap { expected: 12, found: 13 });
    db.finish().await;
}

async fn swapped_rows_are_caught_at_the_first(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.disable_guard().await;
    db.execute(
        "UPDATE ledger_entries SET position = -1 WHERE position = 20; \
         UPDATE ledger_entries SET position = 20 WHERE position = 25; \
         UPDATE ledger_entries SET position = 25 WHERE position = -1;",
    )
    .await;
    let (position, reason) = first_failure(&db).await;
    assert_eq!(position, 20);
    assert!(matches!(reason, FailureReason::BrokenLink { .. } | FailureReason::HashMismatch { .. }), "{reason}");
    db.finish().await;
}

async fn a_replaced_signature_is_a_bad_signature(kind: Kind) {
    let db = ledger_with_history(kind).await;
    db.disable_guard().await;
    // The signature of entry 9 put on entry 8: a well-formed signature, by the right key, of the
    // wrong entry.
    let copy = match kind {
        Kind::Sqlite => {
            "UPDATE ledger_entries SET signature = (SELECT signature FROM ledger_entries WHERE position = 9) \
             WHERE position = 8"
        }
        Kind::Postgres => {
            "UPDATE ledger_entries AS e SET signature = s.signature FROM ledger_entries AS s \
             WHERE e.position = 8 AND s.position = 9"
        }
    };
    db.execute(copy).await;
    let (position, reason) = first_failure(&db).await;
    assert_eq!(position, 8);
    assert!(matches!(reason, FailureReason::BadSignature { .. }), "{reason}");
    db.finish().await;
}

async fn an_entry_signed_by_an_unregistered_key_is_caught(kind: Kind) {
    let db = ledger_with_history(kind).await;
    let ledger = db.open().await;
    let head = ledger.head().await.unwrap();
    ledger.close().await;
    // A perfectly chained entry, signed by a key the registry never saw, inserted behind the ledger's
    // back.
    let intruder = ledger::system::new_key_pair();
    let (event_id, command_id) = (Uuid::now_v7(), Uuid::now_v7());
    let now = ledger::system::now();
    let actor = Actor::system();
    let payload = event_schema::CanonicalPayload::from_value(json!({"text": "forged"})).unwrap().to_payload().unwrap();
    let entry = EntryBody {
        position: head.position + 1,
        event_id: &event_id,
        stream_id: "patient:p0",
        stream_version: 11,
        event_type: "test.note_added",
        schema_version: 1,
        occurred_at: &now,
        recorded_at: &now,
        actor: &actor,
        command_id: &command_id,
        correlation_id: &command_id,
        causation_id: &None,
        payload: payload.as_raw(),
        prev_hash: head.hash,
        key_id: intruder.id(),
    }
    .seal(&intruder)
    .unwrap();
    let sql = format!(
        "INSERT INTO ledger_entries (position, event_id, stream_id, stream_version, event_type, schema_version, \
         occurred_at, recorded_at, actor_account_id, actor_role, actor_facility_id, command_id, correlation_id, \
         causation_id, payload, prev_hash, key_id, hash, signature) VALUES ({}, '{}', '{}', {}, '{}', 1, '{}', '{}', \
         '{}', 'system', NULL, '{}', '{}', NULL, '{}', {}, '{}', {}, {})",
        entry.position,
        entry.event_id,
        entry.stream_id,
        entry.stream_version,
        entry.event_type,
        entry.occurred_at,
        entry.recorded_at,
        entry.actor.account_id,
        entry.command_id,
        entry.correlation_id,
        entry.payload.as_str(),
        blob(kind, entry.prev_hash.as_bytes()),
        entry.key_id,
        blob(kind, entry.hash.as_bytes()),
        blob(kind, &entry.signature.to_bytes()),
    );
    db.execute(&sql).await;
    let (position, reason) = first_failure(&db).await;
    assert_eq!(position, head.position + 1);
    assert_eq!(reason, FailureReason::UnknownKey { key_id: intruder.id().clone() });
    db.finish().await;
}

fn blob(kind: Kind, bytes: &[u8]) -> String {
    match kind {
        Kind::Sqlite => format!("X'{}'", hex(bytes)),
        Kind::Postgres => format!("'\\x{}'::bytea", hex(bytes)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

contract_tests!(
    the_database_refuses_updates_and_deletes,
    a_changed_payload_is_a_hash_mismatch,
    a_deleted_row_is_a_gap,
    swapped_rows_are_caught_at_the_first,
    a_replaced_signature_is_a_bad_signature,
    an_entry_signed_by_an_unregistered_key_is_caught,
);

/// A second signature made by the node key's holder for an entry already signed: `R` the identity
/// point and `S = k·a`, for which the cofactorless equation holds. Strict verification refuses a
/// small-order `R`, so the entry is reported as badly signed.
mod small_order_signature {
    use super::support::{self, Kind};
    use super::{blob, first_failure, ledger_with_history};
    use event_schema::testing::small_order_r_signature;
    use event_schema::FailureReason;

    async fn a_signature_with_a_small_order_r_is_a_bad_signature(kind: Kind) {
        let db = ledger_with_history(kind).await;
        db.disable_guard().await;
        let entry = db.storage.read_all(10, 1).await.unwrap().remove(0);
        assert_eq!(entry.position, 11);
        let forged = small_order_r_signature(&db.node, &entry.hash);
        db.execute(&format!(
            "UPDATE ledger_entries SET signature = {} WHERE position = 11",
            blob(kind, &forged.to_bytes())
        ))
        .await;
        let (position, reason) = first_failure(&db).await;
        assert_eq!(position, 11);
        assert_eq!(reason, FailureReason::BadSignature { key_id: db.node.id().clone() });
        db.finish().await;
    }

    crate::contract_tests!(a_signature_with_a_small_order_r_is_a_bad_signature);
}
