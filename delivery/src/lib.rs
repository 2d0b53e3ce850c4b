//! Delivering the outbox's messages to real servers (e-mail over SMTP, SMS through a Kannel gateway): the [`ledger::outbox::Channel`]s a running node
//! uses when the operator configures them, in place of the development channels that write each
//! message to a file.
//!
//! A channel sends one message and says why it could not, in words that hold no address and no text
//! of the message (the outbox stores them and the dispatcher logs them); retries, backoff, the lease
//! that keeps two dispatchers off one message and giving up are the dispatcher's
//! ([`ledger::outbox::Dispatcher`]).

pub mod email;
pub mod sms;

pub use email::EmailChannel;
pub use sms::SmsChannel;

/// Why a channel cannot be set up from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The server's URL is unusable; never shown, as it may hold a password.
    #[error("the mail server's URL is not usable: {0}")]
    ServerUrl(&'static str),
    #[error("the sender's address is not a valid e-mail address")]
    Sender,
    #[error("the mail server's certificate authority is not a PEM certificate")]
    Authority,
    /// The SMS gateway's URL is unusable; never shown, as it holds a password.
    #[error("the SMS gateway's URL is not usable: {0}")]
    GatewayUrl(&'static str),
    #[error("the SMS sender must be an E.164 number or at most 11 letters, digits and spaces")]
    SmsSender,
    #[error("the HTTP client for the SMS gateway could not be set up")]
    Client,
}
