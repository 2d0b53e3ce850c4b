//! The notification outbox on both backends: queued in the ledger's database, delivered at least once
//! through a channel, retried with backoff, given up after a limit, bodies erased once done.

mod support;

use async_trait::async_trait;
use event_schema::Timestamp;
use ledger::outbox::{Channel, ChannelKind, Delivery, Dispatcher, FileChannel, Message, Outbox, Queued};
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::{Kind, TestDb};

fn code_for(phone: &str, code: &str) -> Message {
    Message {
        channel: ChannelKind::Sms,
        recipient: phone.into(),
        subject: None,
        body: format!("CloudMedi: your code is {code}"),
        not_before: None,
    }
}

struct Broken;

#[async_trait]
impl Channel for Broken {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Email
    }
    async fn deliver(&self, _: &Queued) -> Result<(), String> {
        Err("the mail relay refused the connection".into())
    }
}

/// Counts deliveries, slowly enough for two dispatchers to overlap.
struct Counting(Arc<AtomicUsize>);

#[async_trait]
impl Channel for Counting {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }
    async fn deliver(&self, _: &Queued) -> Result<(), String> {
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

async fn messages_are_delivered_once_and_their_bodies_erased(kind: Kind) {
    let db = TestDb::new(kind).await;
    let outbox = Outbox::new(db.storage.database());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sms.log");
    let id = outbox.enqueue(&code_for("+237690000001", "482913")).await.unwrap();
    let later = Message {
        not_before: Some(Timestamp::from_datetime(ledger::system::now().as_datetime() + Duration::from_secs(3600))),
        ..code_for("+237690000002", "111111")
    };
    let later_id = outbox.enqueue(&later).await.unwrap();

    let dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(FileChannel::new(ChannelKind::Sms, file.clone()))]);
    assert_eq!(dispatcher.run_once().await.unwrap(), 1, "only the message that is due");
    assert_eq!(dispatcher.run_once().await.unwrap(), 0, "nothing twice");
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&file).unwrap().lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["recipient"], "+237690000001");
    assert_eq!(lines[0]["body"], "CloudMedi: your code is 482913");
    assert_eq!(outbox.status(id).await.unwrap(), Some((Delivery::Sent, String::new())), "the code is not kept");
    assert_eq!(
        outbox.status(later_id).await.unwrap().map(|(delivery, _)| delivery),
        Some(Delivery::Pending { attempts: 0 })
    );
    db.finish().await;
}

async fn failures_are_retried_then_given_up(kind: Kind) {
    let db = TestDb::new(kind).await;
    let outbox = Outbox::new(db.storage.database());
    let results = || Message {
        channel: ChannelKind::Email,
        recipient: "a@example.cm".into(),
        subject: Some("Results".into()),
        body: "Your results are ready".into(),
        not_before: None,
    };

    // A failed delivery waits before it is tried again.
    let waiting = outbox.enqueue(&results()).await.unwrap();
    let mut patient = Dispatcher::new(outbox.clone(), vec![Arc::new(Broken)]);
    patient.first_retry = Duration::from_secs(3600);
    patient.run_once().await.unwrap();
    patient.run_once().await.unwrap();
    assert_eq!(outbox.status(waiting).await.unwrap().map(|(d, _)| d), Some(Delivery::Pending { attempts: 1 }));

    // With no wait, it is tried up to the limit, then given up and its body erased.
    let doomed = outbox.enqueue(&results()).await.unwrap();
    let mut hasty = Dispatcher::new(outbox.clone(), vec![Arc::new(Broken)]);
    hasty.first_retry = Duration::ZERO;
    hasty.max_attempts = 3;
    for _ in 0..3 {
        hasty.run_once().await.unwrap();
    }
    assert_eq!(outbox.status(doomed).await.unwrap(), Some((Delivery::Failed { attempts: 3 }, String::new())));
    hasty.run_once().await.unwrap();
    assert_eq!(outbox.status(doomed).await.unwrap().map(|(d, _)| d), Some(Delivery::Failed { attempts: 3 }));
    db.finish().await;
}

async fn concurrent_dispatchers_never_deliver_a_message_twice(kind: Kind) {
    let db = TestDb::new(kind).await;
    let outbox = Outbox::new(db.storage.database());
    let mut ids = HashSet::new();
    for i in 0..60 {
        ids.insert(outbox.enqueue(&code_for(&format!("+2376900{i:05}"), "000000")).await.unwrap());
    }
    let delivered = Arc::new(AtomicUsize::new(0));
    let other = Outbox::new(db.second_storage().await.database());
    let first = Dispatcher::new(outbox.clone(), vec![Arc::new(Counting(delivered.clone()))]);
    let second = Dispatcher::new(other, vec![Arc::new(Counting(delivered.clone()))]);
    let mut total = 0;
    loop {
        let (a, b) = tokio::join!(first.run_once(), second.run_once());
        let round = a.unwrap() + b.unwrap();
        if round == 0 {
            break;
        }
        total += round;
    }
    assert_eq!(total, 60);
    assert_eq!(delivered.load(Ordering::SeqCst), 60);
    for id in ids {
        assert_eq!(outbox.status(id).await.unwrap().map(|(d, _)| d), Some(Delivery::Sent));
    }
    db.finish().await;
}

async fn an_expired_claim_cannot_record_an_outcome(kind: Kind) {
    let db = TestDb::new(kind).await;
    let outbox = Outbox::new(db.storage.database());
    let id = outbox.enqueue(&code_for("+237690000009", "999999")).await.unwrap();
    // A dispatcher claims it, then stalls past its lease; another claims it and delivers it.
    let stale = outbox.claim_due(ledger::system::now(), Duration::ZERO, 10).await.unwrap().remove(0);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let fresh = outbox.claim_due(ledger::system::now(), Duration::from_secs(120), 10).await.unwrap().remove(0);
    assert_eq!(stale.id, fresh.id);
    outbox.mark_failed(&stale, "late", ledger::system::now(), Some(ledger::system::now())).await.unwrap();
    outbox.mark_sent(&stale, ledger::system::now()).await.unwrap();
    assert_eq!(outbox.status(id).await.unwrap().map(|(d, _)| d), Some(Delivery::Pending { attempts: 0 }), "ignored");
    outbox.mark_sent(&fresh, ledger::system::now()).await.unwrap();
    assert_eq!(outbox.status(id).await.unwrap(), Some((Delivery::Sent, String::new())));
    outbox.mark_failed(&fresh, "late", ledger::system::now(), None).await.unwrap();
    assert_eq!(outbox.status(id).await.unwrap().map(|(d, _)| d), Some(Delivery::Sent), "a sent message stays sent");
    db.finish().await;
}

async fn a_channel_is_sent_no_faster_than_its_pace(kind: Kind) {
    let db = TestDb::new(kind).await;
    let outbox = Outbox::new(db.storage.database());
    let ids: Vec<_> = queued_codes(&outbox, 3).await;
    let delivered = Arc::new(AtomicUsize::new(0));
    // Two texts a minute: a burst of two, then one every thirty seconds, far beyond this round's time.
    let mut paced = Dispatcher::new(outbox.clone(), vec![Arc::new(Counting(delivered.clone())) as Arc<dyn Channel>])
        .with_rate_limit(ChannelKind::Sms, 2);
    paced.lease = Duration::from_secs(2);
    let started = std::time::Instant::now();
    assert_eq!(paced.run_once().await.unwrap(), 2, "the burst the pace allows");
    assert!(started.elapsed() < Duration::from_secs(10), "the round ends at half its lease, not at the pace");
    assert_eq!(delivered.load(Ordering::SeqCst), 2);
    // The third is neither sent nor counted as a failed attempt: it waits for its turn.
    let pending: Vec<_> = deliveries(&outbox, &ids).await;
    assert_eq!(pending.iter().filter(|delivery| **delivery == Delivery::Sent).count(), 2);
    assert_eq!(
        pending.iter().filter(|delivery| **delivery == Delivery::Pending { attempts: 0 }).count(),
        1,
        "{pending:?}"
    );
    // E-mail has no pace set here, so it is not held back by the texts'.
    let email = Dispatcher::new(outbox.clone(), vec![Arc::new(Broken) as Arc<dyn Channel>])
        .with_rate_limit(ChannelKind::Sms, 1);
    let mail = outbox.enqueue(&Message { channel: ChannelKind::Email, ..code_for("a@example.cm", "1") }).await.unwrap();
    email.run_once().await.unwrap();
    assert_eq!(outbox.status(mail).await.unwrap().map(|(d, _)| d), Some(Delivery::Pending { attempts: 1 }));
    db.finish().await;
}

/// Queues `n` login codes by SMS.
async fn queued_codes(outbox: &Outbox, n: usize) -> Vec<uuid::Uuid> {
    let mut ids = Vec::new();
    for k in 0..n {
        ids.push(outbox.enqueue(&code_for(&format!("+23769000010{k}"), "123456")).await.unwrap());
    }
    ids
}

async fn deliveries(outbox: &Outbox, ids: &[uuid::Uuid]) -> Vec<Delivery> {
    let mut statuses = Vec::new();
    for id in ids {
        statuses.push(outbox.status(*id).await.unwrap().unwrap().0);
    }
    statuses
}

contract_tests!(
    a_channel_is_sent_no_faster_than_its_pace,
    an_expired_claim_cannot_record_an_outcome,
    messages_are_delivered_once_and_their_bodies_erased,
    failures_are_retried_then_given_up,
    concurrent_dispatchers_never_deliver_a_message_twice,
);
