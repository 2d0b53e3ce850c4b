//! E-mail delivered to a real SMTP server (aiosmtpd, Debian's `python3-aiosmtpd`, on a free port,
//! writing what it receives to a Maildir): a message arrives with its headers and its French text
//! intact, a server that is down leaves the message queued and retried rather than lost, and once it
//! is back each message arrives exactly once, on both backends.

use delivery::EmailChannel;
use ledger::outbox::{Channel, ChannelKind, Delivery, Dispatcher, Message, Outbox, Queued};
use ledger::testing::ScratchDatabase;
use ledger::{Ledger, PgStorage, SqliteStorage, Storage};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

// The mail server the end-to-end tests run, shared rather than written twice.
#[path = "../../cloudmedi/tests/support/mail.rs"]
#[allow(dead_code)]
mod mail;

use mail::{free_port, MailServer as SmtpServer};

fn channel(port: u16) -> EmailChannel {
    let url = SecretString::from(format!("smtp://127.0.0.1:{port}"));
    EmailChannel::new(&url, "CloudMedi <no-reply@cloudmedi.test>").unwrap()
}

const REMINDER: &str = "Bonjour, le vaccin Penta 3 d'Aïcha est prévu le 12 décembre au CSI de Nkolbisson. \
                        Merci d'apporter son carnet.";

#[tokio::test]
async fn a_message_arrives_with_its_headers_and_its_french_text() {
    let port = free_port();
    let server = SmtpServer::start_on(port);
    let id = Uuid::now_v7();
    let message = Queued {
        id,
        claim: Uuid::now_v7(),
        channel: ChannelKind::Email,
        recipient: "maman.bello@example.cm".into(),
        subject: Some("Rappel : vaccination prévue".into()),
        body: REMINDER.into(),
        attempts: 0,
        topic: None,
    };
    channel(port).deliver(&message).await.unwrap();
    let received = server.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let mail = &received[0];
    assert_eq!(mail["from"], "CloudMedi <no-reply@cloudmedi.test>");
    assert_eq!(mail["to"], "maman.bello@example.cm");
    assert_eq!(mail["subject"], "Rappel : vaccination prévue");
    assert_eq!(mail["message_id"], format!("<{id}@cloudmedi>"));
    assert_eq!((mail["type"].as_str(), mail["charset"].as_str()), (Some("text/plain"), Some("utf-8")));
    assert_eq!(mail["body"].as_str().map(str::trim_end), Some(REMINDER));
}

#[tokio::test]
async fn a_server_that_is_down_is_a_failure_that_names_no_one() {
    let port = free_port();
    let message = Queued {
        id: Uuid::now_v7(),
        claim: Uuid::now_v7(),
        channel: ChannelKind::Email,
        recipient: "maman.bello@example.cm".into(),
        subject: None,
        body: REMINDER.into(),
        attempts: 0,
        topic: None,
    };
    let error = channel(port).deliver(&message).await.unwrap_err();
    assert_eq!(error, "the mail server could not be reached");
    let invalid = Queued { recipient: "not an address".into(), ..message };
    assert_eq!(channel(port).deliver(&invalid).await.unwrap_err(), "the recipient's address is not valid");
}

/// A ledger database of the test's own, with the outbox's table.
async fn outbox_on(postgres: bool) -> (Outbox, Option<ScratchDatabase>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (storage, scratch): (Arc<dyn Storage>, _) = if postgres {
        let scratch = ScratchDatabase::create("cloudmedi_delivery").await.expect("PostgreSQL must be running");
        (Arc::new(PgStorage::connect(scratch.url()).await.unwrap()), Some(scratch))
    } else {
        (Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.unwrap()), None)
    };
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "delivery-test").await.unwrap();
    (Outbox::new(storage.database()), scratch, dir)
}

async fn a_server_down_then_back_gets_each_message_once(postgres: bool) {
    let (outbox, scratch, _dir) = outbox_on(postgres).await;
    let port = free_port();
    let mut dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(channel(port)) as Arc<dyn Channel>]);
    // Retries fall due at once, so the test need not wait out a real backoff.
    dispatcher.first_retry = Duration::from_millis(1);
    let mut ids = Vec::new();
    for n in 0..3 {
        let message = Message {
            channel: ChannelKind::Email,
            recipient: format!("parent{n}@example.cm"),
            subject: Some("Rappel".into()),
            body: format!("{REMINDER} ({n})"),
            not_before: None,
        };
        ids.push(outbox.enqueue(&message).await.unwrap());
    }

    // The server is down: nothing is delivered, nothing is lost, each message will be tried again.
    assert_eq!(dispatcher.run_once().await.unwrap(), 0);
    for id in &ids {
        let (delivery, body) = outbox.status(*id).await.unwrap().unwrap();
        assert_eq!(delivery, Delivery::Pending { attempts: 1 });
        assert!(!body.is_empty(), "a message not yet delivered keeps its text");
    }

    // Back up: each message arrives once, and a further round sends nothing again.
    let server = SmtpServer::start_on(port);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(dispatcher.run_once().await.unwrap(), 3);
    assert_eq!(dispatcher.run_once().await.unwrap(), 0);
    let received = server.received();
    assert_eq!(received.len(), 3, "{received:?}");
    let mut recipients: Vec<&str> = received.iter().map(|mail| mail["to"].as_str().unwrap()).collect();
    recipients.sort_unstable();
    assert_eq!(recipients, ["parent0@example.cm", "parent1@example.cm", "parent2@example.cm"]);
    for id in &ids {
        let (delivery, body) = outbox.status(*id).await.unwrap().unwrap();
        assert_eq!(delivery, Delivery::Sent);
        assert!(body.is_empty(), "a delivered message's text is erased");
    }
    drop(server);
    if let Some(scratch) = scratch {
        scratch.drop_database().await.unwrap();
    }
}

#[tokio::test]
async fn a_server_down_then_back_gets_each_message_once_on_sqlite() {
    a_server_down_then_back_gets_each_message_once(false).await;
}

#[tokio::test]
async fn a_server_down_then_back_gets_each_message_once_on_postgres() {
    a_server_down_then_back_gets_each_message_once(true).await;
}
