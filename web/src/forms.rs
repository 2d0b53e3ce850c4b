//! What protects every form: a token only this server can make, and a refusal of any post another
//! site's page sent.
//!
//! Each browser gets a random form cookie (`cookies::FORM`) the first time a page with a form is
//! served to it. A form carries `HMAC-SHA256(secret, form cookie, session token)` in a hidden field:
//! a page of another site can neither read the cookie nor compute the HMAC without the server's
//! secret, and a token made for one session does not work in another (signing in or out changes
//! it). The secret is drawn when the process starts, so a restart asks open forms to be reloaded.
//!
//! A post must also come from this site: `Sec-Fetch-Site`, when the browser sends it, must say
//! `same-origin`; otherwise `Origin`, when sent, must name this host. Both checks come before anything
//! else is done with the request, so a refused post writes nothing.

use crate::cookies;
use axum::http::{header, HeaderMap};
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;

/// The name of the hidden field that carries a form's token.
pub const TOKEN_FIELD: &str = "form_token";

/// Why a post was refused before it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Sent by another site's page.
    CrossOrigin,
    /// Without a token, or with one this server did not make for this browser and session.
    BadToken,
}

/// The server's form secret.
pub struct FormKeys {
    secret: [u8; 32],
}

impl std::fmt::Debug for FormKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FormKeys([REDACTED])")
    }
}

impl Default for FormKeys {
    fn default() -> Self {
        Self::random()
    }
}

impl FormKeys {
    /// A secret drawn from the operating system's random source.
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        Self { secret }
    }

    fn mac(&self, form_cookie: &str, session: Option<&str>) -> Option<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).ok()?;
        // Lengths first, so that no two (cookie, session) pairs feed the same bytes.
        for part in [form_cookie, session.unwrap_or("")] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        Some(mac)
    }

    /// The token of forms served to the browser holding `form_cookie`, in `session` if signed in.
    pub fn token(&self, form_cookie: &str, session: Option<&str>) -> String {
        self.mac(form_cookie, session).map(|mac| hex::encode(mac.finalize().into_bytes())).unwrap_or_default()
    }

    /// Whether `token` is the one this server made for this browser and session (compared in constant
    /// time).
    pub fn verify(&self, token: &str, form_cookie: &str, session: Option<&str>) -> bool {
        let Ok(bytes) = hex::decode(token) else { return false };
        self.mac(form_cookie, session).is_some_and(|mac| mac.verify_slice(&bytes).is_ok())
    }

    /// Checks a post: from this site, with a token made for its browser and session.
    pub fn check(&self, headers: &HeaderMap, token: Option<&str>) -> Result<(), Refusal> {
        if !same_origin(headers) {
            return Err(Refusal::CrossOrigin);
        }
        let cookie = cookies::get(headers, cookies::FORM).ok_or(Refusal::BadToken)?;
        let session = cookies::get(headers, cookies::SESSION);
        match token {
            Some(token) if self.verify(token, cookie, session) => Ok(()),
            _ => Err(Refusal::BadToken),
        }
    }
}

/// A fresh random form cookie value.
pub fn new_form_cookie() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Whether a post comes from this site, as far as the browser says. `Sec-Fetch-Site`, which the
/// browser computes itself and no page can set, decides when it is sent; otherwise `Origin`, which a
/// browser sends as `null` for a post from an opaque origin (a sandboxed frame, another site under a
/// `no-referrer` policy). A browser that sends neither (an old one) is left to the token.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site.as_bytes() == b"same-origin";
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|host| host.to_str().ok());
            let origin = origin.to_str().ok().and_then(|origin| origin.split_once("://")).map(|(_, rest)| rest);
            matches!((origin, host), (Some(origin), Some(host)) if origin.eq_ignore_ascii_case(host))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn a_token_works_only_for_its_browser_and_session() {
        let keys = FormKeys::random();
        let token = keys.token("browser", None);
        assert!(keys.verify(&token, "browser", None));
        assert!(!keys.verify(&token, "another browser", None));
        assert!(!keys.verify(&token, "browser", Some("session")));
        assert!(!FormKeys::random().verify(&token, "browser", None), "another server's secret");
        assert!(!keys.verify("", "browser", None));
        assert!(!keys.verify("not hex", "browser", None));
        let signed_in = keys.token("browser", Some("session"));
        assert!(keys.verify(&signed_in, "browser", Some("session")));
        assert_ne!(keys.token("ab", Some("c")), keys.token("a", Some("bc")));
    }

    #[test]
    fn a_post_needs_its_cookie_and_token() {
        let keys = FormKeys::random();
        let token = keys.token("abc", None);
        let with_cookie = headers(&[("cookie", "__Host-cloudmedi-form=abc")]);
        assert_eq!(keys.check(&with_cookie, Some(&token)), Ok(()));
        assert_eq!(keys.check(&with_cookie, None), Err(Refusal::BadToken));
        assert_eq!(keys.check(&with_cookie, Some("00")), Err(Refusal::BadToken));
        assert_eq!(keys.check(&HeaderMap::new(), Some(&token)), Err(Refusal::BadToken));
    }

    #[test]
    fn a_post_from_another_site_is_refused() {
        assert!(same_origin(&headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")])));
        assert!(same_origin(&headers(&[("host", "clinic.cm"), ("origin", "https://clinic.cm")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin"), ("origin", "null")])));
        assert!(!same_origin(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("host", "a.cm"),
            ("origin", "http://a.cm")
        ])));
        assert!(same_origin(&headers(&[("host", "clinic.cm")])));
        assert!(!same_origin(&headers(&[("host", "clinic.cm"), ("origin", "https://evil.example")])));
        assert!(!same_origin(&headers(&[("host", "clinic.cm"), ("origin", "null")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!same_origin(&headers(&[("origin", "https://clinic.cm")])), "no host to compare with");
    }
}
