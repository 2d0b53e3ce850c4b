//! SMS delivered through a real Kannel gateway (bearerbox and smsbox from Debian's packages, on free
//! ports, with Kannel's fake SMSC standing for the operator's network): a text in the GSM alphabet
//! goes as GSM, French that needs more goes as UCS-2 and arrives intact, a long text is concatenated,
//! wrong credentials and a gateway that is down are failures that name no one, and with the outbox
//! each message arrives once after the gateway comes back. A server that answers a web page instead
//! (a proxy or captive portal in front of the gateway) has not taken the text, which is kept.

use delivery::SmsChannel;
use ledger::outbox::{Channel, ChannelKind, Delivery, Dispatcher, Message, Outbox, Queued};
use ledger::{Ledger, SqliteStorage, Storage};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

// The gateway the end-to-end tests run, shared rather than written twice.
#[path = "../../cloudmedi/tests/support/sms.rs"]
#[allow(dead_code)]
mod sms;

use sms::{joined, Gateway};

fn text(to: &str, body: &str) -> Queued {
    Queued {
        id: Uuid::now_v7(),
        claim: Uuid::now_v7(),
        channel: ChannelKind::Sms,
        recipient: to.into(),
        subject: None,
        body: body.into(),
        attempts: 0,
        topic: None,
    }
}

/// An outbox in a ledger of the test's own, on SQLite, and the folder that holds it.
async fn outbox() -> (Outbox, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.unwrap());
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "delivery-test").await.unwrap();
    (Outbox::new(storage.database()), dir)
}

fn channel(url: &str) -> SmsChannel {
    SmsChannel::new(&SecretString::from(url.to_owned()), "CloudMedi").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn texts_reach_the_network_in_the_coding_they_need() {
    let gateway = tokio::task::spawn_blocking(Gateway::start).await.unwrap();
    let sms = channel(&gateway.url);
    let code = "CloudMedi: votre code est 482913. Ne le donnez à personne.";
    let reminder =
        "Rappel : le vaccin Penta 3 d'Aïcha est prévu le 12/12 au CSI de Nkolbisson. Apportez son carnet, ça compte.";
    sms.deliver(&text("+237690000001", code)).await.unwrap();
    sms.deliver(&text("+237690000002", reminder)).await.unwrap();
    let long = "Résultats disponibles. ".repeat(9);
    sms.deliver(&text("+237690000003", &long)).await.unwrap();
    let received = tokio::task::spawn_blocking(move || {
        let received = gateway.wait_for(5);
        (received, gateway)
    })
    .await
    .unwrap()
    .0;
    let to = |number: &str| received.iter().filter(|sms| sms.to == number).cloned().collect::<Vec<_>>();
    let first = to("+237690000001");
    assert_eq!(first.len(), 1, "{received:?}");
    assert_eq!((first[0].from.as_str(), first[0].coding.as_str()), ("CloudMedi", "text"));
    assert_eq!(first[0].text, code);
    // 114 characters, ç among them: UCS-2, in two segments of at most 67, joined again by the phone.
    let second = to("+237690000002");
    assert_eq!(second.len(), 2, "{received:?}");
    assert!(second.iter().all(|part| part.coding == "udh"), "{second:?}");
    assert_eq!(joined(&second, true), reminder);
    // 207 characters of GSM text: two segments of at most 153.
    let parts = to("+237690000003");
    assert_eq!(parts.len(), 2, "{received:?}");
    assert_eq!(joined(&parts, false), long);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_outages_are_failures_that_name_no_one() {
    let gateway = tokio::task::spawn_blocking(Gateway::start).await.unwrap();
    let wrong = gateway.url.replace("gateway%20secret", "wrong");
    let error = channel(&wrong).deliver(&text("+237690000001", "Bonjour")).await.unwrap_err();
    assert!(error.starts_with("the SMS gateway refused the message (HTTP 4"), "{error}");
    assert!(!error.contains("690000001"), "{error}");
    let invalid = channel(&gateway.url).deliver(&text("690000001", "Bonjour")).await.unwrap_err();
    assert_eq!(invalid, "the recipient's number is not an E.164 number");
    let too_long = channel(&gateway.url).deliver(&text("+237690000001", &"ê".repeat(500))).await.unwrap_err();
    assert!(too_long.contains("segments"), "{too_long}");
    let url = gateway.url.clone();
    drop(gateway);
    let down = channel(&url).deliver(&text("+237690000001", "Bonjour")).await.unwrap_err();
    assert_eq!(down, "the SMS gateway could not be reached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_texts_wait_for_the_gateway_and_arrive_once() {
    let (outbox, _dir) = outbox().await;
    // A gateway started and stopped, so its address is known and nothing listens there now.
    let gateway = tokio::task::spawn_blocking(Gateway::start).await.unwrap();
    let url = gateway.url.clone();
    drop(gateway);
    let mut dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(channel(&url)) as Arc<dyn Channel>]);
    dispatcher.first_retry = Duration::from_millis(1);
    let id = outbox
        .enqueue(&Message {
            channel: ChannelKind::Sms,
            recipient: "+237690000009".into(),
            subject: None,
            body: "CloudMedi: vos résultats sont prêts.".into(),
            not_before: None,
        })
        .await
        .unwrap();
    assert_eq!(dispatcher.run_once().await.unwrap(), 0);
    assert_eq!(outbox.status(id).await.unwrap().map(|(delivery, _)| delivery), Some(Delivery::Pending { attempts: 1 }));

    // The gateway is back (as after an operator restarts the node with it): the text goes once.
    let gateway = tokio::task::spawn_blocking(Gateway::start).await.unwrap();
    let mut dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(channel(&gateway.url)) as Arc<dyn Channel>]);
    dispatcher.first_retry = Duration::from_millis(1);
    assert_eq!(dispatcher.run_once().await.unwrap(), 1);
    assert_eq!(dispatcher.run_once().await.unwrap(), 0);
    let (delivery, body) = outbox.status(id).await.unwrap().unwrap();
    assert_eq!((delivery, body.as_str()), (Delivery::Sent, ""));
    let received = tokio::task::spawn_blocking(move || gateway.wait_for(1)).await.unwrap();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(
        (received[0].to.as_str(), received[0].text.as_str()),
        ("+237690000009", "CloudMedi: vos résultats sont prêts.")
    );
}

/// A server answering any request `200 OK` with a web page, as a proxy or a captive portal in front of a
/// gateway does; its address as a `sendsms` URL.
fn gateway_answering_a_web_page() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 8192];
            let _ = std::io::Read::read(&mut stream, &mut request);
            let page = "<html><body>Bienvenue sur le réseau</body></html>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    format!("http://cloudmedi:secret@127.0.0.1:{port}/cgi-bin/sendsms")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_success_status_without_kannels_answer_is_not_a_text_taken() {
    let url = gateway_answering_a_web_page();
    let error =
        channel(&url).deliver(&text("+237690000001", "CloudMedi: vos résultats sont prêts.")).await.unwrap_err();
    assert_eq!(error, "the SMS gateway answered HTTP 200 without taking the text");

    let (outbox, _dir) = outbox().await;
    let dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(channel(&url)) as Arc<dyn Channel>]);
    let message = Message {
        channel: ChannelKind::Sms,
        recipient: "+237690000002".into(),
        subject: None,
        body: "CloudMedi: rendez-vous demain à 9 h.".into(),
        not_before: None,
    };
    let id = outbox.enqueue(&message).await.unwrap();
    assert_eq!(dispatcher.run_once().await.unwrap(), 0);
    let (delivery, body) = outbox.status(id).await.unwrap().unwrap();
    assert_eq!(delivery, Delivery::Pending { attempts: 1 }, "kept for another attempt");
    assert_eq!(body, message.body);
}
