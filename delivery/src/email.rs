//! E-mail over SMTP: each message of the outbox's e-mail channel, sent through the operator's mail
//! server.
//!
//! The server is named by one URL, as mail software commonly takes it: `smtps://host:465` (TLS from
//! the first byte), `smtp://host:587?tls=required` (STARTTLS, refused if the server does not offer
//! it), with `user:password@` for authentication. A server reached without TLS (`smtp://host:25`) is
//! accepted only on this machine (a local relay), since messages carry login codes and patients'
//! names. Messages are plain UTF-8 text; each carries a `Message-ID` made from its outbox id, so a
//! message sent again after an answer was lost is the same message to every mail program.

use crate::DeliveryError;
use async_trait::async_trait;
use ledger::outbox::{Channel, ChannelKind, Queued};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// The subject of a message queued without one.
const DEFAULT_SUBJECT: &str = "CloudMedi";

/// How long one exchange with the mail server may take before the attempt counts as failed.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The outbox's e-mail channel, sending through an SMTP server.
pub struct EmailChannel {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for EmailChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the server's credentials.
        f.debug_struct("EmailChannel").finish_non_exhaustive()
    }
}

impl EmailChannel {
    /// A channel sending through the server `url` names, from `from` (`CloudMedi
    /// <no-reply@example.cm>` or a bare address).
    pub fn new(url: &SecretString, from: &str) -> Result<Self, DeliveryError> {
        let url = url.expose_secret();
        check_encrypted(url)?;
        let from = from.parse::<Mailbox>().map_err(|_| DeliveryError::Sender)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| DeliveryError::ServerUrl("it does not read as smtp:// or smtps:// with a host"))?
            .timeout(Some(TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }
}

/// Refuses a server that would be reached without TLS, unless it is on this machine.
fn check_encrypted(url: &str) -> Result<(), DeliveryError> {
    let (scheme, rest) = url.split_once("://").ok_or(DeliveryError::ServerUrl("it names no scheme"))?;
    let (authority, query) = match rest.split_once('?') {
        Some((authority, query)) => (authority, query),
        None => (rest, ""),
    };
    let authority = authority.split('/').next().unwrap_or_default();
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = match host_and_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host_and_port.split(':').next().unwrap_or_default(),
    };
    let tls_required = query.split('&').any(|pair| pair == "tls=required");
    let local = matches!(host, "localhost" | "127.0.0.1" | "::1");
    match scheme {
        "smtps" => Ok(()),
        "smtp" if tls_required || local => Ok(()),
        "smtp" => Err(DeliveryError::ServerUrl(
            "a server on another machine must be reached over TLS: smtps://, or smtp:// with ?tls=required",
        )),
        _ => Err(DeliveryError::ServerUrl("the scheme is neither smtp nor smtps")),
    }
}

/// Why a send failed, in words that hold no address and no text of the message (they are stored with
/// the message and logged).
fn failure(error: &SmtpError) -> String {
    let code = error.status().map(|code| format!(" (SMTP {code})")).unwrap_or_default();
    if error.is_permanent() {
        format!("the mail server refused the message{code}")
    } else if error.is_transient() {
        format!("the mail server deferred the message{code}")
    } else if error.is_timeout() {
        "the mail server did not answer in time".to_owned()
    } else if error.is_tls() {
        "the TLS connection to the mail server failed".to_owned()
    } else {
        "the mail server could not be reached".to_owned()
    }
}

#[async_trait]
impl Channel for EmailChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Email
    }

    async fn deliver(&self, message: &Queued) -> Result<(), String> {
        let to = message.recipient.parse::<Mailbox>().map_err(|_| "the recipient's address is not valid".to_owned())?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.as_deref().unwrap_or(DEFAULT_SUBJECT))
            .message_id(Some(format!("<{}@cloudmedi>", message.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone())
            .map_err(|_| "the message could not be composed".to_owned())?;
        self.transport.send(email).await.map(|_| ()).map_err(|error| failure(&error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_elsewhere_must_be_reached_over_tls() {
        for url in [
            "smtps://mail.example.cm:465",
            "smtps://user:secret@mail.example.cm",
            "smtp://mail.example.cm:587?tls=required",
            "smtp://127.0.0.1:2525",
            "smtp://localhost",
            "smtp://relay:pw@[::1]:25",
        ] {
            assert!(check_encrypted(url).is_ok(), "{url}");
        }
        for url in [
            "smtp://mail.example.cm:25",
            "smtp://mail.example.cm:587?tls=opportunistic",
            "smtp://localhost.example.cm",
            "http://127.0.0.1",
            "mail.example.cm",
        ] {
            assert!(check_encrypted(url).is_err(), "{url}");
        }
    }

    #[test]
    fn a_bad_sender_or_url_is_refused_before_anything_is_sent() {
        let url = SecretString::from("smtp://127.0.0.1:2525");
        assert!(matches!(EmailChannel::new(&url, "not an address"), Err(DeliveryError::Sender)));
        let bad = SecretString::from("smtps://");
        assert!(matches!(EmailChannel::new(&bad, "no-reply@example.cm"), Err(DeliveryError::ServerUrl(_))));
        assert!(EmailChannel::new(&url, "CloudMedi <no-reply@example.cm>").is_ok());
    }
}
