//! E-mail over SMTP: each message of the outbox's e-mail channel, sent through the operator's mail
//! server.
//!
//! The server is named by one URL, as mail software commonly takes it: `smtps://host:465` (TLS from
//! the first byte), `smtp://host:587?tls=required` (STARTTLS, refused if the server does not offer
//! it), with `user:password@` for authentication. A server reached without TLS (`smtp://host:25`) is
//! accepted only on this machine (a local relay), since messages carry login codes and patients'
//! names. Messages are plain UTF-8 text; each carries a `Message-ID` made from its outbox id, so a
//! message sent again after an answer was lost is the same message to every mail program.
//!
//! The server's certificate is checked against the public authorities (the webpki list) and, for a
//! server whose certificate a private authority issued (a ministry's own network), that authority's
//! certificate as well ([`EmailChannel::trusting`]).

use crate::DeliveryError;
use async_trait::async_trait;
use ledger::outbox::{Channel, ChannelKind, Queued};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
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
        Self::build(url, from, None)
    }

    /// [`new`](Self::new) for a server whose certificate a private authority issued: `authority` is
    /// that authority's certificate (PEM, one or more), trusted besides the public authorities.
    pub fn trusting(url: &SecretString, from: &str, authority: &str) -> Result<Self, DeliveryError> {
        Self::build(url, from, Some(authority))
    }

    fn build(url: &SecretString, from: &str, authority: Option<&str>) -> Result<Self, DeliveryError> {
        let url = url.expose_secret();
        let server = server_of(url)?;
        let from = from.parse::<Mailbox>().map_err(|_| DeliveryError::Sender)?;
        let mut transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| DeliveryError::ServerUrl("it does not read as smtp:// or smtps:// with a host"))?
            .timeout(Some(TIMEOUT));
        if let Some(authority) = authority {
            let parameters = trusting(server.host, authority)?;
            // The same encryption the URL asks for, with the authority among those trusted.
            transport = match server.encryption {
                Encryption::Implicit => transport.tls(Tls::Wrapper(parameters)),
                Encryption::StartTls => transport.tls(Tls::Required(parameters)),
                Encryption::Opportunistic => transport.tls(Tls::Opportunistic(parameters)),
                Encryption::None => transport,
            };
        }
        Ok(Self { transport: transport.build(), from })
    }
}

/// TLS parameters for `host` that trust the authorities of `pem` besides the public ones.
fn trusting(host: &str, pem: &str) -> Result<TlsParameters, DeliveryError> {
    if !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(DeliveryError::Authority);
    }
    let authority = Certificate::from_pem(pem.as_bytes()).map_err(|_| DeliveryError::Authority)?;
    TlsParameters::builder(host.to_owned())
        .add_root_certificate(authority)
        .build_rustls()
        .map_err(|_| DeliveryError::Authority)
}

/// How the mail server is reached, as its URL says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encryption {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://…?tls=required`: STARTTLS, or no message.
    StartTls,
    /// `smtp://…?tls=opportunistic` (only to this machine): STARTTLS when offered.
    Opportunistic,
    /// Plain `smtp://` (only to this machine).
    None,
}

/// The mail server a URL names: its host, and how it is reached.
#[derive(Debug)]
struct Server<'a> {
    host: &'a str,
    encryption: Encryption,
}

/// Reads the server from its URL, refusing one that would be reached without TLS unless it is on this
/// machine.
fn server_of(url: &str) -> Result<Server<'_>, DeliveryError> {
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
    let tls = |mode: &str| query.split('&').any(|pair| pair == format!("tls={mode}"));
    let local = matches!(host, "localhost" | "127.0.0.1" | "::1");
    let server = |encryption| Ok(Server { host, encryption });
    match scheme {
        "smtps" => server(Encryption::Implicit),
        "smtp" if tls("required") => server(Encryption::StartTls),
        "smtp" if local && tls("opportunistic") => server(Encryption::Opportunistic),
        "smtp" if local => server(Encryption::None),
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
    } else if error.is_tls() || failed_handshake(error) {
        "the TLS connection to the mail server failed".to_owned()
    } else {
        "the mail server could not be reached".to_owned()
    }
}

/// Whether a connection failed in its TLS handshake (a certificate not trusted, for one): the TLS
/// library reports it as invalid data on the connection, which lettre passes on as a connection error.
fn failed_handshake(error: &SmtpError) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::InvalidData) {
            return true;
        }
        source = cause.source();
    }
    false
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
            assert!(server_of(url).is_ok(), "{url}");
        }
        for url in [
            "smtp://mail.example.cm:25",
            "smtp://mail.example.cm:587?tls=opportunistic",
            "smtp://localhost.example.cm",
            "http://127.0.0.1",
            "mail.example.cm",
        ] {
            assert!(server_of(url).is_err(), "{url}");
        }
    }

    #[test]
    fn a_bad_sender_or_url_is_refused_before_anything_is_sent() {
        let url = SecretString::from("smtp://127.0.0.1:2525");
        assert!(matches!(EmailChannel::new(&url, "not an address"), Err(DeliveryError::Sender)));
        let bad = SecretString::from("smtps://");
        assert!(matches!(EmailChannel::new(&bad, "no-reply@example.cm"), Err(DeliveryError::ServerUrl(_))));
        assert!(EmailChannel::new(&url, "CloudMedi <no-reply@example.cm>").is_ok());
        let secured = SecretString::from("smtps://mail.example.cm");
        for authority in
            ["", "not a certificate", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"]
        {
            let refused = EmailChannel::trusting(&secured, "no-reply@example.cm", authority);
            assert!(matches!(refused, Err(DeliveryError::Authority)), "{authority:?}");
        }
    }

    #[test]
    fn the_url_says_how_the_server_is_reached() {
        let encryption = |url: &str| server_of(url).map(|server| (server.host.to_owned(), server.encryption)).ok();
        assert_eq!(
            encryption("smtps://u:p@mail.example.cm:465"),
            Some(("mail.example.cm".into(), Encryption::Implicit))
        );
        assert_eq!(
            encryption("smtp://mail.example.cm:587?tls=required"),
            Some(("mail.example.cm".into(), Encryption::StartTls))
        );
        assert_eq!(
            encryption("smtp://localhost:25?tls=opportunistic"),
            Some(("localhost".into(), Encryption::Opportunistic))
        );
        assert_eq!(encryption("smtp://[::1]:25"), Some(("::1".into(), Encryption::None)));
    }
}
