//! One-time codes: login codes sent by SMS or e-mail, and account activation codes.
//!
//! Both are random from the operating system's generator and stored only as SHA-256 hashes. A login
//! code is six digits, easy to type from a phone, and lives for minutes behind an attempt limit; an
//! activation code lives for days, so it is longer: twelve characters of Crockford's base-32 alphabet
//! (60 bits), grouped in fours.

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A fresh six-digit login code.
pub fn new_login_code() -> String {
    // Rejection sampling keeps every code equally likely.
    loop {
        let value = OsRng.next_u32();
        if value < u32::MAX - (u32::MAX % 1_000_000) {
            return format!("{:06}", value % 1_000_000);
        }
    }
}

/// A fresh activation code, `xxxx-xxxx-xxxx`.
pub fn new_activation_code() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut raw = [0u8; 12];
    OsRng.fill_bytes(&mut raw);
    // 256 is a multiple of 32, so taking each byte modulo 32 favours no character.
    let chars: Vec<char> = raw.iter().map(|b| ALPHABET[usize::from(*b) % 32] as char).collect();
    chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The stored form of a code, forgiving case, spaces and hyphens as people type them.
pub fn hash_code(code: &str) -> String {
    let normalised: String = code.trim().to_lowercase().chars().filter(|c| !matches!(c, '-' | ' ')).take(64).collect();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(crate::tokens::hash_token(token))
}

/// The key under which failures for a login identifier are counted.
pub fn identifier_key(identifier: &str) -> String {
    hex::encode(Sha256::digest(identifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_their_shapes_and_hash_forgivingly() {
        let code = new_login_code();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        let activation = new_activation_code();
        assert_eq!(activation.len(), 14, "{activation}");
        assert_eq!(hash_code(&activation.to_uppercase().replace('-', " ")), hash_code(&activation));
        assert_ne!(new_activation_code(), activation);
    }
}
