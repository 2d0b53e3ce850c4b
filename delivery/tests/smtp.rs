//! E-mail delivered to a real SMTP server (aiosmtpd, Debian's `python3-aiosmtpd`, on a free port,
//! writing what it receives to a Maildir): a message arrives with its headers and its French text
//! intact, a server that is down leaves the message queued and retried rather than lost, and once it
//! is back each message arrives exactly once, on both backends. Secured as an operator's server is
//! (STARTTLS or implicit TLS, a certificate from a private authority, a password), a message arrives
//! only over TLS to a server whose certificate is trusted, and a refusal is a failed attempt that
//! keeps the message for the next.

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

use mail::{free_port, MailServer as SmtpServer, Secured};

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

/// A certificate authority of the test's own, as a ministry runs for its network, and the certificate
/// it issued to the mail server at `localhost`.
struct PrivateAuthority {
    authority_pem: String,
    cert_pem: String,
    key_pem: String,
}

fn private_authority() -> PrivateAuthority {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let mut authority = CertificateParams::new(Vec::<String>::new()).unwrap();
    authority.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    authority.distinguished_name.push(DnType::CommonName, "Autorité de certification du réseau de santé");
    let authority_key = KeyPair::generate().unwrap();
    let authority_pem = authority.self_signed(&authority_key).unwrap().pem();
    let issuer = Issuer::new(authority, authority_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["localhost".to_owned()]).unwrap().signed_by(&server_key, &issuer).unwrap();
    PrivateAuthority { authority_pem, cert_pem: server.pem(), key_pem: server_key.serialize_pem() }
}

const ACCOUNT: (&str, &str) = ("cloudmedi", "Mot-de-passe-2026");
const FROM: &str = "CloudMedi <no-reply@cloudmedi.test>";
/// The recipient the secured server refuses (550).
const GONE: &str = "ancienne.adresse@example.cm";

fn queued(recipient: &str) -> Queued {
    Queued {
        id: Uuid::now_v7(),
        claim: Uuid::now_v7(),
        channel: ChannelKind::Email,
        recipient: recipient.into(),
        subject: Some("Rappel : vaccination prévue".into()),
        body: REMINDER.into(),
        attempts: 0,
        topic: None,
    }
}

fn secured(authority: &PrivateAuthority, implicit: bool) -> SmtpServer {
    SmtpServer::start_secured(Secured {
        cert_pem: &authority.cert_pem,
        key_pem: &authority.key_pem,
        implicit,
        user: ACCOUNT.0,
        password: ACCOUNT.1,
        refused: GONE,
    })
}

#[tokio::test]
async fn over_starttls_with_a_password_a_message_arrives_only_to_a_trusted_server() {
    let authority = private_authority();
    let server = secured(&authority, false);
    let url = |password: &str| {
        SecretString::from(format!("smtp://{}:{password}@localhost:{}?tls=required", ACCOUNT.0, server.port))
    };
    let channel = EmailChannel::trusting(&url(ACCOUNT.1), FROM, &authority.authority_pem).unwrap();
    channel.deliver(&queued("maman.bello@example.cm")).await.unwrap();
    let received = server.wait_for(1);
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["to"], "maman.bello@example.cm");
    assert_eq!(received[0]["body"].as_str().map(str::trim_end), Some(REMINDER));

    // A recipient the server refuses, and a wrong password: each a failure named by its SMTP code only.
    let refused = channel.deliver(&queued(GONE)).await.unwrap_err();
    assert_eq!(refused, "the mail server refused the message (SMTP 550)");
    let wrong = EmailChannel::trusting(&url("pas-le-bon"), FROM, &authority.authority_pem).unwrap();
    let refused = wrong.deliver(&queued("maman.bello@example.cm")).await.unwrap_err();
    assert_eq!(refused, "the mail server refused the message (SMTP 535)");
    // Without the private authority the server's certificate is not trusted, and nothing is sent.
    let public_only = EmailChannel::new(&url(ACCOUNT.1), FROM).unwrap();
    let untrusted = public_only.deliver(&queued("maman.bello@example.cm")).await.unwrap_err();
    assert_eq!(untrusted, "the TLS connection to the mail server failed");
    assert_eq!(server.received().len(), 1, "nothing but the first message arrived");
}

#[tokio::test]
async fn over_implicit_tls_a_message_arrives() {
    let authority = private_authority();
    let server = secured(&authority, true);
    let url = SecretString::from(format!("smtps://{}:{}@localhost:{}", ACCOUNT.0, ACCOUNT.1, server.port));
    let channel = EmailChannel::trusting(&url, FROM, &authority.authority_pem).unwrap();
    let message = queued("papa.ndongo@example.cm");
    channel.deliver(&message).await.unwrap();
    let received = server.wait_for(1);
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0]["message_id"], format!("<{}@cloudmedi>", message.id));
    assert_eq!(received[0]["subject"], "Rappel : vaccination prévue");
}

#[tokio::test]
async fn a_refused_message_is_kept_for_another_attempt_not_lost() {
    let authority = private_authority();
    let server = secured(&authority, false);
    let url = SecretString::from(format!("smtp://{}:{}@localhost:{}?tls=required", ACCOUNT.0, ACCOUNT.1, server.port));
    let channel = EmailChannel::trusting(&url, FROM, &authority.authority_pem).unwrap();
    let (outbox, _scratch, _dir) = outbox_on(false).await;
    let dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(channel) as Arc<dyn Channel>]);
    let message = |recipient: &str| Message {
        channel: ChannelKind::Email,
        recipient: recipient.into(),
        subject: None,
        body: REMINDER.into(),
        not_before: None,
    };
    let refused = outbox.enqueue(&message(GONE)).await.unwrap();
    let accepted = outbox.enqueue(&message("maman.bello@example.cm")).await.unwrap();
    assert_eq!(dispatcher.run_once().await.unwrap(), 1);
    let (delivery, body) = outbox.status(refused).await.unwrap().unwrap();
    assert_eq!(delivery, Delivery::Pending { attempts: 1 }, "to be tried again, and given up only after the last");
    assert_eq!(body, REMINDER, "a message not delivered keeps its text");
    assert_eq!(outbox.status(accepted).await.unwrap().unwrap().0, Delivery::Sent);
    assert_eq!(server.wait_for(1).len(), 1);
}
