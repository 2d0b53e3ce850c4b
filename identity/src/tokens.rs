//! Opaque session tokens.
//!
//! A token is 32 random bytes, base64url without padding, given to the client once; the server keeps
//! only its SHA-256. Every request looks its token up, so revoking a session (logout, suspension of
//! the account) takes effect at the very next request, and a stolen database yields no usable token.

use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

const TOKEN_BYTES: usize = 32;

/// A fresh token (to hand to the client) and its hash (to store).
pub fn new_token() -> (String, [u8; 32]) {
    let mut raw = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut raw);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token. Malformed input hashes like any other and simply matches nothing.
pub fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_url_safe_and_stored_as_hashes() {
        let (first, first_hash) = new_token();
        let (second, _) = new_token();
        assert_ne!(first, second);
        assert_eq!(first.len(), 43);
        assert!(first.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(hash_token(&first), first_hash);
        assert_ne!(hash_token(&second), first_hash);
    }
}
