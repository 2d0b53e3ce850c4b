//! Messages for real: `cloudmedi serve` configured with a mail server sends the outbox's e-mails to it
//! over SMTP, and configured with an SMS gateway sends texts through Kannel's `sendsms` interface
//! (here real servers on free ports) instead of writing them to files; a configuration that would
//! send patients' mail unencrypted across the network is refused at start, without printing the
//! password it holds. `cloudmedi outbox status` shows an operator where messages stand and the ones
//! given up, naming no one.

mod support;

use serde_json::{json, Value};
use support::mail::MailServer;
use support::{bootstrap, code_in, path};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activation_code_reaches_a_real_mail_server() {
    let (_temp, mut api, admin) = bootstrap(None).await;
    let mail = MailServer::start();
    let url = format!("smtp://127.0.0.1:{}", mail.port);
    api.restart(&[("CLOUDMEDI_EMAIL_SMTP_URL", &url), ("CLOUDMEDI_EMAIL_FROM", "CloudMedi <no-reply@cloudmedi.test>")]);

    let body = json!({"professional_id": "MINSANTE-AUD-7", "role": "auditor", "family_name": "Ngo Bassa",
                      "given_names": "Esther", "email": "esther.ngobassa@minsante.example.cm"});
    let response = api.post("/api/v1/staff", Some(&admin), body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let registered: Value = response.json().await.unwrap();
    assert_eq!(registered["activation_sent_by"], "email");

    let received = mail.wait_for(1);
    assert_eq!(received.len(), 1, "{received:?}");
    let message = &received[0];
    assert_eq!(message["from"], "CloudMedi <no-reply@cloudmedi.test>");
    assert_eq!(message["to"], "esther.ngobassa@minsante.example.cm");
    assert_eq!(message["subject"], "Your CloudMedi account");
    assert_eq!((message["type"].as_str(), message["charset"].as_str()), (Some("text/plain"), Some("utf-8")));
    // The code in the e-mail is the one that activates the account.
    let code = code_in(message["body"].as_str().unwrap(), "activation code is ");
    let activated = api.activate("MINSANTE-AUD-7", &code, "steady hands on the night rota").await;
    assert!(activated.is_object(), "{activated}");
    // Nothing of it went to the development file instead.
    let file = std::fs::read_to_string(api.data.join("outbox/email.jsonl")).unwrap_or_default();
    assert!(!file.contains("esther.ngobassa"), "{file}");
}

#[tokio::test]
async fn unencrypted_mail_across_the_network_is_refused_at_start() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["serve", "--data-dir", path(&data), "--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .env("CLOUDMEDI_EMAIL_SMTP_URL", "smtp://relay:hunter2-secret@mail.example.cm:25")
        .env("CLOUDMEDI_EMAIL_FROM", "no-reply@example.cm")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("must be reached over TLS"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the password is never printed: {stderr}");

    let missing_sender = std::process::Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["serve", "--data-dir", path(&data), "--listen", "127.0.0.1:0"])
        .env_remove("DATABASE_URL")
        .env("CLOUDMEDI_EMAIL_SMTP_URL", "smtps://relay:hunter2-secret@mail.example.cm")
        .env_remove("CLOUDMEDI_EMAIL_FROM")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&missing_sender.stderr);
    assert_eq!(missing_sender.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("email_from"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");

    // A private authority's certificate that cannot be read, or is not one, stops the start too.
    std::fs::write(temp.path().join("authority.pem"), "not a certificate").unwrap();
    for (file, said) in [
        ("missing.pem", "cannot read the mail server's certificate authority"),
        ("authority.pem", "certificate authority is not a PEM certificate"),
    ] {
        let refused = std::process::Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
            .args(["serve", "--data-dir", path(&data), "--listen", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .env("CLOUDMEDI_EMAIL_SMTP_URL", "smtps://relay:hunter2-secret@mail.example.cm")
            .env("CLOUDMEDI_EMAIL_FROM", "no-reply@example.cm")
            .env("CLOUDMEDI_EMAIL_CA_FILE", temp.path().join(file))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(said), "{said}: {stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activation_code_reaches_a_phone_through_a_real_sms_gateway() {
    let (_temp, mut api, admin) = bootstrap(None).await;
    let gateway = tokio::task::spawn_blocking(support::sms::Gateway::start).await.unwrap();
    api.restart(&[("CLOUDMEDI_SMS_GATEWAY_URL", &gateway.url), ("CLOUDMEDI_SMS_FROM", "MINSANTE")]);

    let body = json!({"professional_id": "MINSANTE-AUD-8", "role": "auditor", "family_name": "Abega",
                      "given_names": "Théophile", "phone": "6 99 12 34 56"});
    let response = api.post("/api/v1/staff", Some(&admin), body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

    let (received, gateway) = tokio::task::spawn_blocking(move || (gateway.wait_for(1), gateway)).await.unwrap();
    let texts: Vec<_> = received.iter().filter(|sms| sms.to == "+237699123456").collect();
    assert!(!texts.is_empty(), "{received:?}");
    assert!(texts.iter().all(|sms| sms.from == "MINSANTE"), "{received:?}");
    // The code in the text (whole, or joined from its parts) is the one that activates the account.
    let text = match texts[0].coding.as_str() {
        "udh" => support::sms::joined(&texts.iter().map(|sms| (*sms).clone()).collect::<Vec<_>>(), false),
        _ => texts[0].text.clone(),
    };
    let code = code_in(&text, "activation code is ");
    let activated = api.activate("MINSANTE-AUD-8", &code, "steady hands on the night rota").await;
    assert!(activated.is_object(), "{activated}");
    drop(gateway);
}

/// `cloudmedi outbox status` tells an operator how many messages wait, were sent or were given up, and
/// lists those given up with their last error: never a recipient or a text.
async fn operators_see_where_messages_stand(database_url: Option<&str>) {
    use ledger::outbox::{Channel, ChannelKind, Dispatcher, FileChannel, Message, Outbox};
    use ledger::{PgStorage, SqliteStorage, Storage};
    use std::sync::Arc;

    let (_temp, api, _admin) = bootstrap(database_url).await;
    api.server.stop();
    let storage: Arc<dyn Storage> = match database_url {
        Some(url) => Arc::new(PgStorage::connect(url).await.unwrap()),
        None => Arc::new(SqliteStorage::open(&api.data.join("ledger.sqlite"), false).await.unwrap()),
    };
    let outbox = Outbox::new(storage.database());
    let message = |recipient: &str, body: &str| Message {
        channel: ChannelKind::Email,
        recipient: recipient.into(),
        subject: None,
        body: body.into(),
        not_before: None,
    };
    let doomed =
        outbox.enqueue(&message("maman.bello@example.cm", "Le vaccin Penta 3 d'Aïcha est prévu")).await.unwrap();
    // A channel that cannot deliver (its file is a directory), given one attempt: the message is given up.
    let broken = FileChannel::new(ChannelKind::Email, api.data.clone());
    let mut dispatcher = Dispatcher::new(outbox.clone(), vec![Arc::new(broken) as Arc<dyn Channel>]);
    dispatcher.max_attempts = 1;
    assert_eq!(dispatcher.run_once().await.unwrap(), 0);
    let tomorrow = event_schema::Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::days(1));
    let later =
        Message { not_before: Some(tomorrow), ..message("papa.ndongo@example.cm", "Rendez-vous demain à 9 h") };
    outbox.enqueue(&later).await.unwrap();
    drop(outbox);
    drop(storage);

    let status = support::cloudmedi(&["outbox", "status", "--data-dir", path(&api.data)], database_url);
    assert_eq!(status.code, 0, "{}{}", status.stdout, status.stderr);
    let email: Vec<&str> =
        status.stdout.lines().find(|line| line.starts_with("email")).unwrap().split_whitespace().collect();
    assert_eq!((email[1], email[3]), ("1", "1"), "one pending, one given up: {}", status.stdout);
    let letter = status.stdout.lines().find(|line| line.contains(&doomed.to_string())).unwrap();
    assert!(
        letter.contains("email") && letter.contains("1 attempts") && letter.contains("cannot open the channel file"),
        "{letter}"
    );
    for private in ["maman.bello", "papa.ndongo", "Penta", "Rendez-vous"] {
        assert!(!status.stdout.contains(private) && !status.stderr.contains(private), "{private}: {}", status.stdout);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_see_where_messages_stand_on_sqlite() {
    operators_see_where_messages_stand(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_see_where_messages_stand_on_postgres() {
    let database =
        ledger::testing::ScratchDatabase::create("cloudmedi_outbox_status").await.expect("PostgreSQL must be running");
    operators_see_where_messages_stand(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
