//! The storage contract: every test here runs unchanged against SQLite and PostgreSQL.

mod support;

use event_schema::ledger_events::{NodeKeyRegistered, NodeKeyRevoked, RevocationReason, KEY_STREAM};
use event_schema::{keys, CanonicalError, CatalogError, KeyPair, Timestamp};
use ledger::audit::verify_storage;
use ledger::{AppendRequest, ExpectedVersion, InvalidEvent, Ledger, LedgerError, NewEvent};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use support::{append_notes, clerk, note, stream, Kind, NoteAdded, Poison, TestDb};
use uuid::Uuid;

/// Genesis and the first node key occupy positions 1 and 2 of every test ledger.
const FIRST: u64 = 3;

async fn verifies(db: &TestDb) -> u64 {
    let summary = verify_storage(db.storage.as_ref(), db.root.public_key(), |_| {}).await.expect("ledger verifies");
    summary.entries
}

async fn appends_are_ordered_and_readable_by_stream_and_position(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    let a1 = ledger.append(append_notes("a", ExpectedVersion::NoStream, &["a1", "a2"])).await.unwrap();
    let b1 = ledger.append(append_notes("b", ExpectedVersion::NoStream, &["b1"])).await.unwrap();
    let a3 = ledger.append(append_notes("a", ExpectedVersion::Exactly(2), &["a3"])).await.unwrap();
    assert_eq!((a1.first_position, a1.last_position, a1.stream_version), (FIRST, FIRST + 1, 2));
    assert_eq!((b1.first_position, b1.stream_version), (FIRST + 2, 1));
    assert_eq!((a3.first_position, a3.stream_version), (FIRST + 3, 3));

    let all = ledger.read_all(0, 100).await.unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=FIRST + 3).collect::<Vec<_>>());
    for pair in all.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "entries are chained");
    }

    let stream_a = ledger.read_stream(&stream("a"), 0, 100).await.unwrap();
    let texts: Vec<String> = stream_a.iter().map(|e| ledger.catalog().decode::<NoteAdded>(e).unwrap().text).collect();
    assert_eq!(texts, ["a1", "a2", "a3"]);
    assert_eq!(stream_a.iter().map(|e| e.stream_version).collect::<Vec<_>>(), [1, 2, 3]);
    let tail = ledger.read_stream(&stream("a"), 2, 100).await.unwrap();
    assert_eq!(tail.len(), 1);

    // Several streams at once: the first entry of each named stream that has one, and whole streams
    // in position order.
    let named = |names: &[&str]| names.iter().map(|name| stream(name).as_str().to_owned()).collect::<Vec<_>>();
    let mut starts = ledger.read_stream_starts(&named(&["a", "b", "none"])).await.unwrap();
    starts.sort_by_key(|entry| entry.position);
    assert_eq!(
        starts.iter().map(|e| (e.stream_id.clone(), e.stream_version)).collect::<Vec<_>>(),
        [(stream("a").as_str().to_owned(), 1), (stream("b").as_str().to_owned(), 1)]
    );
    assert_eq!(starts[0], all[FIRST as usize - 1], "read exactly as stored");
    let whole = ledger.read_streams(&named(&["b", "a"])).await.unwrap();
    assert_eq!(whole.iter().map(|e| e.position).collect::<Vec<_>>(), [FIRST, FIRST + 1, FIRST + 2, FIRST + 3]);
    assert!(ledger.read_streams(&[]).await.unwrap().is_empty());
    assert!(ledger.read_stream_starts(&named(&["none"])).await.unwrap().is_empty());
    assert_eq!(ledger.read_all(FIRST + 1, 2).await.unwrap().len(), 2);
    assert_eq!(ledger.head().await.unwrap().position, FIRST + 3);
    assert_eq!(verifies(&db).await, FIRST + 3);
    ledger.close().await;
    db.finish().await;
}

async fn eight_concurrent_writers_leave_no_gaps(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    let mut writers = Vec::new();
    for writer in 0..8 {
        let ledger = ledger.clone();
        writers.push(tokio::spawn(async move {
            let mut positions = Vec::new();
            for i in 0..1_000u64 {
                let request =
                    append_notes(&format!("w{writer}"), ExpectedVersion::Exactly(i), &[&format!("{writer}-{i}")]);
                positions.push(ledger.append(request).await.unwrap().first_position);
            }
            positions
        }));
    }
    let mut positions = Vec::new();
    for writer in writers {
        let mine = writer.await.unwrap();
        assert!(mine.windows(2).all(|w| w[0] < w[1]), "each writer sees its appends in order");
        positions.extend(mine);
    }
    positions.sort_unstable();
    assert_eq!(positions, (FIRST..FIRST + 8_000).collect::<Vec<_>>(), "positions are gap-free and unique");
    let mut after = 0;
    loop {
        let page = ledger.read_all(after, 1_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
    }
    assert_eq!(after, FIRST + 7_999);
    assert_eq!(verifies(&db).await, FIRST + 7_999);
    ledger.close().await;
    db.finish().await;
}

async fn two_store_instances_append_at_once(kind: Kind) {
    let db = TestDb::new(kind).await;
    let first = db.open().await;
    let second = db.open_on(db.second_storage().await).await;
    let mut tasks = Vec::new();
    for (index, ledger) in [first.clone(), second.clone()].into_iter().enumerate() {
        for writer in 0..4 {
            let ledger = ledger.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..250u64 {
                    let name = format!("s{index}w{writer}");
                    ledger.append(append_notes(&name, ExpectedVersion::Exactly(i), &["x"])).await.unwrap();
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let head = first.head().await.unwrap().position;
    assert_eq!(head, FIRST + 1_999);
    let mut seen = Vec::new();
    let mut after = 0;
    loop {
        let page = first.read_all(after, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        seen.extend(page.into_iter().map(|e| e.position));
    }
    assert_eq!(seen, (1..=head).collect::<Vec<_>>());
    assert_eq!(verifies(&db).await, head);
    first.close().await;
    second.close().await;
    db.finish().await;
}

async fn stale_expected_versions_are_typed_conflicts(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    ledger.append(append_notes("c", ExpectedVersion::NoStream, &["one"])).await.unwrap();
    let error = ledger.append(append_notes("c", ExpectedVersion::NoStream, &["again"])).await.unwrap_err();
    assert!(
        matches!(&error, LedgerError::Conflict { stream_id, expected: ExpectedVersion::NoStream, actual: 1 } if stream_id == "patient:c"),
        "{error:?}"
    );
    let error = ledger.append(append_notes("c", ExpectedVersion::Exactly(0), &["stale"])).await.unwrap_err();
    assert!(matches!(error, LedgerError::Conflict { actual: 1, .. }), "{error:?}");
    ledger.append(append_notes("c", ExpectedVersion::Any, &["any"])).await.unwrap();

    // Many writers decide against the same version at once: exactly one wins.
    let mut racers = Vec::new();
    for i in 0..16 {
        let ledger = ledger.clone();
        racers.push(tokio::spawn(async move {
            ledger.append(append_notes("c", ExpectedVersion::Exactly(2), &[&format!("racer {i}")])).await
        }));
    }
    let mut winners = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(appended) => {
                winners += 1;
                assert_eq!(appended.stream_version, 3);
            }
            Err(LedgerError::Conflict { actual: 3, .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(ledger.read_stream(&stream("c"), 0, 100).await.unwrap().len(), 3);
    assert_eq!(verifies(&db).await, FIRST + 2);
    ledger.close().await;
    db.finish().await;
}

async fn retried_command_ids_return_the_original_positions(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    let request = append_notes("r", ExpectedVersion::NoStream, &["first", "second"]);
    let original = ledger.append(request.clone()).await.unwrap();
    assert!(!original.replayed);
    let retried = ledger.append(request.clone()).await.unwrap();
    assert!(retried.replayed);
    assert_eq!(retried.positions(), original.positions());
    assert_eq!(retried.stream_version, original.stream_version);
    assert_eq!(ledger.head().await.unwrap().position, original.last_position, "the retry wrote nothing");

    // Retries racing each other (and so landing in one batch) still write once.
    let command = Uuid::now_v7();
    let mut racers = Vec::new();
    for _ in 0..8 {
        let ledger = ledger.clone();
        let request = append_notes("r2", ExpectedVersion::Any, &["once"]).with_command_id(command);
        racers.push(tokio::spawn(async move { ledger.append(request).await.unwrap() }));
    }
    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| !r.replayed).count(), 1);
    assert!(results.iter().all(|r| r.first_position == results[0].first_position));
    assert_eq!(ledger.read_stream(&stream("r2"), 0, 100).await.unwrap().len(), 1);
    assert_eq!(verifies(&db).await, FIRST + 2);
    ledger.close().await;
    db.finish().await;
}

async fn subscribers_catch_up_then_follow_without_loss_or_duplicate(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    for i in 0..50 {
        ledger.append(append_notes("early", ExpectedVersion::Any, &[&format!("{i}")])).await.unwrap();
    }
    let total = FIRST - 1 + 50 + 4 * 300;
    // One subscriber from the start, one from the middle of the history.
    let collector = |mut subscription: ledger::Subscription, until: u64| {
        tokio::spawn(async move {
            let mut positions = Vec::new();
            while positions.last().copied().unwrap_or(0) < until {
                positions.push(subscription.next().await.unwrap().position);
            }
            positions
        })
    };
    let start_task = collector(ledger.subscribe(0), total);
    let middle_task = collector(ledger.subscribe(20), total);
    let mut writers = Vec::new();
    for writer in 0..4 {
        let ledger = ledger.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..300 {
                ledger
                    .append(append_notes(&format!("live{writer}"), ExpectedVersion::Any, &[&format!("{i}")]))
                    .await
                    .unwrap();
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), start_task).await.unwrap().unwrap();
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), middle_task).await.unwrap().unwrap();
    assert_eq!(seen, (21..=total).collect::<Vec<_>>());
    ledger.close().await;
    db.finish().await;
}

async fn subscribers_see_appends_made_through_another_store(kind: Kind) {
    let db = TestDb::new(kind).await;
    let reader = db.open().await;
    let writer = db.open_on(db.second_storage().await).await;
    let mut subscription = reader.subscribe(FIRST - 1);
    let task = tokio::spawn(async move {
        let mut positions = Vec::new();
        for _ in 0..200 {
            positions.push(subscription.next().await.unwrap().position);
        }
        positions
    });
    for i in 0..200 {
        writer.append(append_notes("elsewhere", ExpectedVersion::Any, &[&format!("{i}")])).await.unwrap();
    }
    let seen = tokio::time::timeout(std::time::Duration::from_secs(60), task).await.unwrap().unwrap();
    assert_eq!(seen, (FIRST..FIRST + 200).collect::<Vec<_>>());
    reader.close().await;
    writer.close().await;
    db.finish().await;
}

async fn an_append_that_fails_midway_leaves_nothing(kind: Kind) {
    let db = TestDb::new(kind).await;
    db.install_poison().await;
    let ledger = db.open().await;
    ledger.append(append_notes("m", ExpectedVersion::NoStream, &["before"])).await.unwrap();
    let head = ledger.head().await.unwrap();

    let poisoned = AppendRequest::new(
        stream("m"),
        ExpectedVersion::Exactly(1),
        clerk(),
        vec![note("ok 1"), note("ok 2"), NewEvent::typed(&Poison {}, ledger::system::now()).unwrap()],
    );
    let error = ledger.append(poisoned.clone()).await.unwrap_err();
    assert!(matches!(error, LedgerError::Database(_)), "{error:?}");
    assert_eq!(ledger.head().await.unwrap(), head, "the head did not move");
    assert_eq!(ledger.read_stream(&stream("m"), 0, 100).await.unwrap().len(), 1, "no event of the append was kept");

    // Concurrent appends batched with a poisoned one still commit, and positions stay gap-free.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let ledger = ledger.clone();
        let request = if i == 7 {
            poisoned.clone().with_command_id(Uuid::now_v7())
        } else {
            append_notes(&format!("innocent{i}"), ExpectedVersion::NoStream, &["fine"])
        };
        tasks.push(tokio::spawn(async move { ledger.append(request).await }));
    }
    let mut ok = 0;
    for task in tasks {
        if task.await.unwrap().is_ok() {
            ok += 1;
        }
    }
    assert_eq!(ok, 19);
    let next = ledger.append(append_notes("m", ExpectedVersion::Exactly(1), &["after"])).await.unwrap();
    assert_eq!(next.first_position, head.position + 20);
    assert_eq!(verifies(&db).await, head.position + 20);
    ledger.close().await;
    db.finish().await;
}

async fn bad_input_is_refused_and_nothing_is_written(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    let head = ledger.head().await.unwrap();
    let event = |event_type: &str, version: u32, payload: serde_json::Value| NewEvent {
        event_type: event_type.into(),
        schema_version: version,
        occurred_at: ledger::system::now(),
        payload,
    };
    let request = |events: Vec<NewEvent>| AppendRequest::new(stream("bad"), ExpectedVersion::Any, clerk(), events);

    let error = ledger.append(request(vec![note("fine"), event("test.unknown", 1, json!({}))])).await.unwrap_err();
    assert!(
        matches!(
            error,
            LedgerError::InvalidEvent { index: 1, reason: InvalidEvent::Catalog(CatalogError::UnknownType(_)) }
        ),
        "{error:?}"
    );
    let error = ledger.append(request(vec![event("test.note_added", 2, json!({"text": "x"}))])).await.unwrap_err();
    assert!(
        matches!(
            error,
            LedgerError::InvalidEvent { reason: InvalidEvent::Catalog(CatalogError::UnknownVersion { .. }), .. }
        ),
        "{error:?}"
    );
    let error = ledger.append(request(vec![event("test.note_added", 1, json!({"txt": "x"}))])).await.unwrap_err();
    assert!(
        matches!(
            error,
            LedgerError::InvalidEvent { reason: InvalidEvent::Catalog(CatalogError::InvalidPayload { .. }), .. }
        ),
        "{error:?}"
    );
    let error = ledger
        .append(request(vec![event("test.note_added", 1, json!({"text": "x", "n": 9007199254740993u64}))]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LedgerError::InvalidEvent { reason: InvalidEvent::Canonical(CanonicalError::UnsafeInteger { .. }), .. }
        ),
        "{error:?}"
    );
    let error = ledger
        .append(request(vec![event("test.note_added", 1, json!({"text": "x".repeat(70_000)}))]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            LedgerError::InvalidEvent { reason: InvalidEvent::Canonical(CanonicalError::TooLarge { .. }), .. }
        ),
        "{error:?}"
    );
    let error = ledger.append(request(vec![event("Not A Type", 1, json!({}))])).await.unwrap_err();
    assert!(matches!(error, LedgerError::InvalidEvent { reason: InvalidEvent::Name(_), .. }), "{error:?}");
    let error = ledger.append(request(vec![])).await.unwrap_err();
    assert!(matches!(error, LedgerError::InvalidAppend(_)), "{error:?}");
    let error = ledger.append(request((0..1_001).map(|_| note("x")).collect())).await.unwrap_err();
    assert!(matches!(error, LedgerError::InvalidAppend(_)), "{error:?}");

    // The key registry is the root key's alone.
    let forged = NodeKeyRegistered {
        key_id: ledger::system::new_key_pair().id().clone(),
        public_key: keys::public_key_hex(&ledger::system::new_key_pair().public_key()),
        node_name: "intruder".into(),
    };
    let forged = NewEvent::typed(&forged, ledger::system::now()).unwrap();
    let error = ledger
        .append(AppendRequest::new(stream("bad"), ExpectedVersion::Any, clerk(), vec![forged.clone()]))
        .await
        .unwrap_err();
    assert!(matches!(error, LedgerError::InvalidAppend(_)), "{error:?}");
    let key_stream = event_schema::StreamId::parse(KEY_STREAM).unwrap();
    let error = ledger
        .append(AppendRequest::new(key_stream, ExpectedVersion::Any, clerk(), vec![note("x")]))
        .await
        .unwrap_err();
    assert!(matches!(error, LedgerError::InvalidAppend(_)), "{error:?}");

    assert_eq!(ledger.head().await.unwrap(), head, "nothing was written");
    ledger.close().await;
    db.finish().await;
}

async fn opening_checks_the_root_and_node_keys(kind: Kind) {
    let db = TestDb::empty(kind).await;
    let error = Ledger::open(db.storage.clone(), db.root.public_key(), db.node.clone(), support::catalog()).await;
    assert!(matches!(error, Err(LedgerError::NotInitialised)));
    Ledger::initialise(db.storage.as_ref(), &db.root, &db.node.public_key(), "n1").await.unwrap();
    let again = Ledger::initialise(db.storage.as_ref(), &db.root, &db.node.public_key(), "n1").await;
    assert!(matches!(again, Err(LedgerError::AlreadyInitialised)), "{again:?}");
    let other_root = ledger::system::new_key_pair();
    let error = Ledger::open(db.storage.clone(), other_root.public_key(), db.node.clone(), support::catalog()).await;
    assert!(matches!(error, Err(LedgerError::WrongRootKey)), "{:?}", error.err());
    let stranger = ledger::system::new_key_pair();
    let error = Ledger::open(db.storage.clone(), db.root.public_key(), stranger, support::catalog()).await;
    assert!(matches!(error, Err(LedgerError::NodeKey { state: "not registered", .. })), "{:?}", error.err());
    db.finish().await;
}

async fn rotated_keys_stop_signing_and_the_new_key_takes_over(kind: Kind) {
    let db = TestDb::new(kind).await;
    let old = db.open().await;
    // A second process still holding the old key.
    let elsewhere = db.open_on(db.second_storage().await).await;
    old.append(append_notes("k", ExpectedVersion::Any, &["before rotation"])).await.unwrap();

    let new_key = ledger::system::new_key_pair();
    let now = ledger::system::now();
    let registered = NodeKeyRegistered {
        key_id: new_key.id().clone(),
        public_key: keys::public_key_hex(&new_key.public_key()),
        node_name: "test-node".into(),
    };
    let revoked = NodeKeyRevoked { key_id: db.node.id().clone(), reason: RevocationReason::Rotated };
    old.append_key_events(
        &db.root,
        vec![NewEvent::typed(&registered, now).unwrap(), NewEvent::typed(&revoked, now).unwrap()],
    )
    .await
    .unwrap();

    let error = old.append(append_notes("k", ExpectedVersion::Any, &["after"])).await.unwrap_err();
    assert!(matches!(error, LedgerError::NodeKey { state: "revoked", .. }), "{error:?}");
    let error = elsewhere.append(append_notes("k", ExpectedVersion::Any, &["after"])).await.unwrap_err();
    assert!(matches!(error, LedgerError::NodeKey { state: "revoked", .. }), "{error:?}");
    let reopened = Ledger::open(db.storage.clone(), db.root.public_key(), db.node.clone(), support::catalog()).await;
    assert!(matches!(reopened, Err(LedgerError::NodeKey { state: "revoked", .. })), "{:?}", reopened.err());

    let new =
        Ledger::open(db.storage.clone(), db.root.public_key(), new_key.clone(), support::catalog()).await.unwrap();
    let appended = new.append(append_notes("k", ExpectedVersion::Any, &["after rotation"])).await.unwrap();
    let entry = &new.read_all(appended.first_position - 1, 1).await.unwrap()[0];
    assert_eq!(&entry.key_id, new_key.id());
    assert_eq!(verifies(&db).await, appended.last_position);
    for ledger in [old, elsewhere, new] {
        ledger.close().await;
    }
    db.finish().await;
}

async fn key_registry_changes_are_checked_before_they_are_written(kind: Kind) {
    let db = TestDb::new(kind).await;
    let head = db.storage.head().await.unwrap();
    let now = ledger::system::now();
    let stranger = ledger::system::new_key_pair();
    let revoke = |key_id: &event_schema::KeyId| {
        NewEvent::typed(&NodeKeyRevoked { key_id: key_id.clone(), reason: RevocationReason::Compromised }, now).unwrap()
    };
    let register = |key: &KeyPair| {
        let registered = NodeKeyRegistered {
            key_id: key.id().clone(),
            public_key: keys::public_key_hex(&key.public_key()),
            node_name: "second-node".into(),
        };
        NewEvent::typed(&registered, now).unwrap()
    };
    let root_signed = |events| Ledger::append_root_signed(db.storage.as_ref(), &db.root, ExpectedVersion::Any, events);

    // Written, these would make the ledger fail verification for good: they are refused instead.
    let error = root_signed(vec![revoke(stranger.id())]).await.unwrap_err();
    assert!(matches!(&error, LedgerError::InvalidAppend(reason) if reason.contains("never registered")), "{error:?}");
    let error = root_signed(vec![register(&db.node)]).await.unwrap_err();
    assert!(matches!(&error, LedgerError::InvalidAppend(reason) if reason.contains("already registered")), "{error:?}");
    let mut mismatched = register(&stranger);
    mismatched.payload["key_id"] = serde_json::Value::String(db.node.id().to_string());
    let error = root_signed(vec![mismatched]).await.unwrap_err();
    assert!(matches!(error, LedgerError::InvalidAppend(_)), "{error:?}");
    assert_eq!(db.storage.head().await.unwrap(), head, "nothing was written");

    // A second node gets its own key registered by the root, appends, and is later revoked.
    root_signed(vec![register(&stranger)]).await.unwrap();
    let second =
        Ledger::open(db.storage.clone(), db.root.public_key(), stranger.clone(), support::catalog()).await.unwrap();
    let first = db.open().await;
    second.append(append_notes("n2", ExpectedVersion::Any, &["from the second node"])).await.unwrap();
    first.append(append_notes("n1", ExpectedVersion::Any, &["from the first node"])).await.unwrap();
    root_signed(vec![revoke(stranger.id())]).await.unwrap();
    let error = second.append(append_notes("n2", ExpectedVersion::Any, &["after revocation"])).await.unwrap_err();
    assert!(matches!(error, LedgerError::NodeKey { state: "revoked", .. }), "{error:?}");
    first.append(append_notes("n1", ExpectedVersion::Any, &["still fine"])).await.unwrap();
    let error = root_signed(vec![revoke(stranger.id())]).await.unwrap_err();
    assert!(matches!(&error, LedgerError::InvalidAppend(reason) if reason.contains("already revoked")), "{error:?}");
    assert_eq!(verifies(&db).await, head.position + 5);
    first.close().await;
    second.close().await;
    db.finish().await;
}

async fn entries_round_trip_every_envelope_field(kind: Kind) {
    let db = TestDb::new(kind).await;
    let ledger = db.open().await;
    let actor = clerk();
    let occurred = Timestamp::parse("2026-01-15T09:30:00.123456Z").unwrap();
    let mut request = AppendRequest::new(
        stream("fields"),
        ExpectedVersion::NoStream,
        actor.clone(),
        vec![NewEvent::typed(&NoteAdded { text: "Ngaoundéré \u{1F600} \"quoted\" \\ \n".into() }, occurred).unwrap()],
    );
    request.causation_id = Some(Uuid::now_v7());
    request.correlation_id = Uuid::now_v7();
    let appended = ledger.append(request.clone()).await.unwrap();
    let entry = ledger.read_stream(&stream("fields"), 0, 1).await.unwrap().remove(0);
    assert_eq!(entry.position, appended.first_position);
    assert_eq!(entry.actor, actor);
    assert_eq!(entry.occurred_at, occurred);
    assert_eq!(entry.command_id, request.command_id);
    assert_eq!(entry.correlation_id, request.correlation_id);
    assert_eq!(entry.causation_id, request.causation_id);
    assert_eq!(entry.event_id.get_version_num(), 7);
    assert_eq!(entry.compute_hash().unwrap(), entry.hash);
    let payload: NoteAdded = ledger.catalog().decode(&entry).unwrap();
    assert_eq!(payload.text, "Ngaoundéré \u{1F600} \"quoted\" \\ \n");
    let mut seen = HashSet::new();
    let mut streams: HashMap<String, u64> = HashMap::new();
    for entry in ledger.read_all(0, 100).await.unwrap() {
        assert!(seen.insert(entry.event_id));
        *streams.entry(entry.stream_id).or_default() += 1;
    }
    assert_eq!(streams.get(KEY_STREAM), Some(&2));
    ledger.close().await;
    db.finish().await;
}

contract_tests!(
    appends_are_ordered_and_readable_by_stream_and_position,
    eight_concurrent_writers_leave_no_gaps,
    two_store_instances_append_at_once,
    stale_expected_versions_are_typed_conflicts,
    retried_command_ids_return_the_original_positions,
    subscribers_catch_up_then_follow_without_loss_or_duplicate,
    subscribers_see_appends_made_through_another_store,
    an_append_that_fails_midway_leaves_nothing,
    bad_input_is_refused_and_nothing_is_written,
    opening_checks_the_root_and_node_keys,
    rotated_keys_stop_signing_and_the_new_key_takes_over,
    entries_round_trip_every_envelope_field,
    key_registry_changes_are_checked_before_they_are_written,
);
