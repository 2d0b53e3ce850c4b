//! The pages' cookies. Each is `__Host-` prefixed, so a browser accepts it only from this host, over a
//! secure origin, for the whole site (`Path=/`) and never for a sibling domain; each is `HttpOnly`
//! (no script reads it) and `SameSite=Strict` (no other site's page sends it along).

use axum::http::HeaderValue;

/// The session's opaque access token, exactly what the JSON API takes as a bearer token (and the
/// statistics dashboard as well, from this cookie).
pub const SESSION: &str = http_shell::authn::SESSION_COOKIE;
/// A random value per browser that form tokens are bound to (see `forms.rs`).
pub const FORM: &str = "__Host-cloudmedi-form";
/// For a guardian, the record of the minor in their charge they are viewing (its id; checked on
/// every request against the guardianships that hold).
pub const RECORD: &str = "__Host-cloudmedi-record";
/// The language the visitor chose.
pub const LANGUAGE: &str = "__Host-cloudmedi-lang";

/// The value of cookie `name` in the request, if it has one that is not empty.
pub use http_shell::authn::cookie as get;

/// A `Set-Cookie` value for `name`, kept `max_age` seconds.
pub fn set(name: &str, value: &str, max_age: u64) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("{name}={value}; Max-Age={max_age}; Path=/; Secure; HttpOnly; SameSite=Strict")).ok()
}

/// A `Set-Cookie` value that removes `name`.
pub fn clear(name: &str) -> HeaderValue {
    // The name is one of this module's constants: the value is always a valid header.
    HeaderValue::from_str(&format!("{name}=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderMap};

    #[test]
    fn a_cookie_is_found_among_others_and_an_empty_one_is_none() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("a=1; __Host-cloudmedi-lang=en"));
        headers
            .append(header::COOKIE, HeaderValue::from_static("__Host-cloudmedi-form=abc; __Host-cloudmedi-session="));
        assert_eq!(get(&headers, LANGUAGE), Some("en"));
        assert_eq!(get(&headers, FORM), Some("abc"));
        assert_eq!(get(&headers, SESSION), None);
        assert_eq!(get(&headers, "b"), None);
    }

    #[test]
    fn cookies_are_host_only_secure_http_only_and_strict() {
        let cookie = set(SESSION, "token", 900).unwrap();
        let text = cookie.to_str().unwrap();
        assert!(text.starts_with("__Host-cloudmedi-session=token; "), "{text}");
        for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict", "Max-Age=900"] {
            assert!(text.contains(attribute), "{text}");
        }
        assert!(!text.contains("Domain"), "{text}");
        assert!(clear(SESSION).to_str().unwrap().contains("Max-Age=0"));
    }
}
