//! SMS through a gateway speaking Kannel's HTTP `sendsms` interface (Kannel is the open-source SMS
//! gateway operators run in front of their SMSC connections; several commercial gateways speak the
//! same interface).
//!
//! The gateway is one URL, `https://user:password@gateway/cgi-bin/sendsms` (plain `http://` only on
//! this machine, where Kannel's smsbox usually runs beside the node): the credentials are sent as the
//! interface's `username` and `password` parameters. Numbers are E.164 (`+237…`, as registration
//! stores them). A text is sent in the GSM 03.38 alphabet when every character is in it (160
//! characters a segment, 153 when concatenated; `€` and the like take two), and as UCS-2 otherwise (70,
//! 67 concatenated), which French letters outside the alphabet (`ç`, `â`, `ê`, `î`, `ô`, `û`, `ë`,
//! `ï`, and capitals with accents but `É`) require; a text longer than [`MAX_SEGMENTS`] segments is refused rather than cut.

use crate::DeliveryError;
use async_trait::async_trait;
use ledger::outbox::{Channel, ChannelKind, Queued};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;

/// The most segments one message may take (a reminder is one or two).
pub const MAX_SEGMENTS: usize = 6;

/// How long the gateway may take to accept a message.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The characters of the GSM 03.38 default alphabet.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The characters of its extension table, each sent as two.
const GSM_EXTENDED: &str = "\u{c}^{}\\[~]|€";

/// How a text is sent, and in how many segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    /// GSM 03.38 (7-bit) when true, UCS-2 otherwise.
    pub gsm7: bool,
    pub segments: usize,
}

/// The encoding and segment count of `text`.
pub fn encoding(text: &str) -> Encoding {
    let mut units = 0;
    let mut gsm7 = true;
    for c in text.chars() {
        if GSM_BASIC.contains(c) {
            units += 1;
        } else if GSM_EXTENDED.contains(c) {
            units += 2;
        } else {
            gsm7 = false;
            break;
        }
    }
    let (length, single, part) = if gsm7 {
        (units, 160, 153)
    } else {
        // UCS-2 counts UTF-16 code units: a character outside the basic plane takes two.
        (text.encode_utf16().count(), 70, 67)
    };
    let segments = if length <= single { 1 } else { length.div_ceil(part) };
    Encoding { gsm7, segments }
}

/// Whether `number` is E.164: `+`, then 8 to 15 digits, the first not 0.
pub fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|byte| byte.is_ascii_digit()) && !digits.starts_with('0')
    })
}

/// The outbox's SMS channel, sending through a Kannel `sendsms` interface.
pub struct SmsChannel {
    client: reqwest::Client,
    endpoint: reqwest::Url,
    username: String,
    password: SecretString,
    from: String,
}

impl std::fmt::Debug for SmsChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsChannel").finish_non_exhaustive()
    }
}

impl SmsChannel {
    /// A channel sending through the gateway `url` names, as the sender `from` (a short code or an
    /// alphanumeric sender id of at most 11 characters, such as `CloudMedi`).
    pub fn new(url: &SecretString, from: &str) -> Result<Self, DeliveryError> {
        let mut endpoint = reqwest::Url::parse(url.expose_secret())
            .map_err(|_| DeliveryError::GatewayUrl("it does not read as an http:// or https:// URL"))?;
        let local = matches!(endpoint.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        match endpoint.scheme() {
            "https" => {}
            "http" if local => {}
            "http" => {
                return Err(DeliveryError::GatewayUrl("a gateway on another machine must be reached over https://"))
            }
            _ => return Err(DeliveryError::GatewayUrl("the scheme is neither http nor https")),
        }
        if endpoint.username().is_empty() {
            return Err(DeliveryError::GatewayUrl("it names no user (https://user:password@gateway/…)"));
        }
        let username = percent_decoded(endpoint.username());
        let password = SecretString::from(percent_decoded(endpoint.password().unwrap_or_default()));
        // The credentials travel as the interface's parameters, not as the URL's user information.
        let _ = endpoint.set_username("");
        let _ = endpoint.set_password(None);
        let sender_ok = !from.is_empty()
            && ((from.len() <= 11 && from.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')) || is_e164(from));
        if !sender_ok {
            return Err(DeliveryError::SmsSender);
        }
        let client = reqwest::Client::builder().timeout(TIMEOUT).build().map_err(|_| DeliveryError::Client)?;
        Ok(Self { client, endpoint, username, password, from: from.to_owned() })
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[i], hex.and_then(|hex| u8::from_str_radix(hex, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[async_trait]
impl Channel for SmsChannel {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Sms
    }

    async fn deliver(&self, message: &Queued) -> Result<(), String> {
        if !is_e164(&message.recipient) {
            return Err("the recipient's number is not an E.164 number".to_owned());
        }
        let encoding = encoding(&message.body);
        if encoding.segments > MAX_SEGMENTS {
            return Err(format!("the text takes {} segments, more than {MAX_SEGMENTS}", encoding.segments));
        }
        // Kannel reads the text in `charset` and sends it as GSM 03.38 (coding 0) or UCS-2 (coding 2).
        let coding = if encoding.gsm7 { "0" } else { "2" };
        let query = [
            ("username", self.username.as_str()),
            ("password", self.password.expose_secret()),
            ("from", self.from.as_str()),
            ("to", message.recipient.as_str()),
            ("text", message.body.as_str()),
            ("charset", "UTF-8"),
            ("coding", coding),
        ];
        let response = self.client.get(self.endpoint.clone()).query(&query).send().await.map_err(|error| {
            if error.is_timeout() {
                "the SMS gateway did not answer in time".to_owned()
            } else {
                "the SMS gateway could not be reached".to_owned()
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            // The gateway's words may echo the number; only the status is kept.
            return Err(format!("the SMS gateway refused the message (HTTP {})", status.as_u16()));
        }
        // Kannel says what it did with the text. Any other answer, even with a success status (a web
        // page from a proxy or a captive portal in front of it), is not a text taken: tried again.
        let answer = response.text().await.map_err(|_| "the SMS gateway's answer could not be read".to_owned())?;
        if KANNEL_TOOK.iter().any(|took| answer.trim_start().starts_with(took)) {
            Ok(())
        } else {
            Err(format!("the SMS gateway answered HTTP {} without taking the text", status.as_u16()))
        }
    }
}

/// How Kannel's `sendsms` answers a text it took: handed on to the operator's network, or kept in its
/// store while the network is not connected (which it delivers later itself).
const KANNEL_TOOK: [&str; 2] = ["0: Accepted for delivery", "3: Queued for later delivery"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_goes_as_gsm_7_when_it_can_and_as_ucs_2_when_french_needs_it() {
        assert_eq!(encoding("Votre code CloudMedi est 482913."), Encoding { gsm7: true, segments: 1 });
        // é, è, à and Ç are in the GSM alphabet; ç, ê and ô are not.
        assert!(encoding("Le vaccin de votre enfant est prévu à 9h, Ça marche.").gsm7);
        assert!(!encoding("Merci, ça marche.").gsm7);
        assert!(!encoding("Rappel : la fête du vaccin, côté santé.").gsm7);
        assert_eq!(encoding(&"a".repeat(160)).segments, 1);
        assert_eq!(encoding(&"a".repeat(161)).segments, 2);
        assert_eq!(encoding(&"€".repeat(80)).segments, 1, "an extension character counts twice");
        assert_eq!(encoding(&"€".repeat(81)).segments, 2);
        assert_eq!(encoding(&"ê".repeat(70)), Encoding { gsm7: false, segments: 1 });
        assert_eq!(encoding(&"ê".repeat(71)).segments, 2);
        assert_eq!(encoding(&"ê".repeat(135)).segments, 3);
    }

    #[test]
    fn numbers_are_e164() {
        assert!(is_e164("+237690000001"));
        assert!(is_e164("+33612345678"));
        for number in
            ["237690000001", "+237 690000001", "+0123456789", "+1234567", "+1234567890123456", "+23769000000a"]
        {
            assert!(!is_e164(number), "{number}");
        }
    }

    #[test]
    fn a_gateway_elsewhere_must_be_reached_over_https_and_credentials_are_needed() {
        let channel = |url: &str, from: &str| SmsChannel::new(&SecretString::from(url.to_owned()), from);
        assert!(channel("https://cloudmedi:pw@sms.example.cm/cgi-bin/sendsms", "CloudMedi").is_ok());
        assert!(channel("http://cloudmedi:pw@127.0.0.1:13013/cgi-bin/sendsms", "CloudMedi").is_ok());
        assert!(channel("http://cloudmedi:pw@sms.example.cm/cgi-bin/sendsms", "CloudMedi").is_err());
        assert!(channel("https://sms.example.cm/cgi-bin/sendsms", "CloudMedi").is_err());
        assert!(channel("ftp://cloudmedi:pw@sms.example.cm/", "CloudMedi").is_err());
        assert!(matches!(
            channel("https://cloudmedi:pw@sms.example.cm/", "CloudMedi Health Service"),
            Err(DeliveryError::SmsSender)
        ));
        assert!(channel("https://cloudmedi:pw@sms.example.cm/", "+237222000000").is_ok());
        let decoded = channel("https://cloud%20medi:p%40ss@sms.example.cm/", "CloudMedi").unwrap();
        assert_eq!((decoded.username.as_str(), decoded.password.expose_secret()), ("cloud medi", "p@ss"));
        assert_eq!(decoded.endpoint.as_str(), "https://sms.example.cm/");
    }
}
