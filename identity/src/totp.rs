//! Time-based one-time passwords (RFC 6238, as every authenticator app speaks them: SHA-1, 6 digits,
//! 30-second steps) and recovery codes.
//!
//! A code is accepted one step either side of now, to forgive clock drift, and each step at most once:
//! [`verify`] returns the step that matched, the caller stores it, and any code of that step or an
//! earlier one is refused afterwards, so an observed code cannot be replayed.

use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

const DIGITS: usize = 6;
const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the current one.
const SKEW: u64 = 1;
/// A TOTP secret's length: 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// How many recovery codes an account gets.
pub const RECOVERY_CODES: usize = 10;

/// Why a TOTP secret is unusable.
#[derive(Debug, thiserror::Error)]
#[error("invalid TOTP secret: {0}")]
pub struct TotpError(String);

/// A fresh random TOTP secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    secret
}

fn totp(secret: &[u8], account: &str) -> Result<TOTP, TotpError> {
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        secret.to_vec(),
        Some("CloudMedi".to_owned()),
        account.to_owned(),
    )
    .map_err(|error| TotpError(error.to_string()))
}

/// The `otpauth://` URI an authenticator app scans (as a QR code) to enrol.
pub fn enrolment_uri(secret: &[u8], account: &str) -> Result<String, TotpError> {
    Ok(totp(secret, account)?.get_url())
}

/// The code for the step containing `unix_time` (for tests and for showing enrolment works).
pub fn code_at(secret: &[u8], unix_time: u64) -> Result<String, TotpError> {
    Ok(totp(secret, "")?.generate(unix_time))
}

/// Checks `code` at `unix_time`. Returns the matching step if the code is right and its step is later
/// than `last_used_step`; `None` otherwise (wrong, expired, or already used). The caller must record
/// the step with a conditional update (`… SET last_step = $step WHERE last_step < $step`) and accept the
/// login only if that update changed a row, or two requests racing with one code could both pass.
pub fn verify(secret: &[u8], code: &str, unix_time: u64, last_used_step: Option<u64>) -> Option<u64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret, "").ok()?;
    let now = unix_time / STEP_SECONDS;
    let mut matched = None;
    // Every candidate is compared, in constant time, whatever matches: timing says nothing.
    for step in now.saturating_sub(SKEW)..=now + SKEW {
        let expected = totp.generate(step * STEP_SECONDS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && last_used_step.is_none_or(|last| step > last) {
            matched = Some(step);
        }
    }
    matched
}

/// Fresh recovery codes to show the person once, with the hashes to store. Each code is 16 characters
/// of Crockford's base-32 alphabet (no I, L, O or U to misread), 80 random bits, grouped
/// `xxxx-xxxx-xxxx-xxxx`: far beyond what a stolen table of unsalted hashes could be searched for.
pub fn new_recovery_codes() -> Vec<(String, String)> {
    const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut raw = [0u8; 16];
            OsRng.fill_bytes(&mut raw);
            // 256 is a multiple of 32, so taking each byte modulo 32 favours no character.
            let chars: Vec<char> = raw.iter().map(|b| ALPHABET[usize::from(*b) % 32] as char).collect();
            let code = chars.chunks(4).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-");
            let hash = hash_recovery_code(&code);
            (code, hash)
        })
        .collect()
}

/// The stored form of a recovery code (codes are random enough that a fast hash suffices).
pub fn hash_recovery_code(code: &str) -> String {
    let normalised: String = code.trim().to_lowercase().chars().filter(|c| *c != '-' && *c != ' ').collect();
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1, truncated to six digits.
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")]
        {
            assert_eq!(code_at(secret, time).unwrap(), expected);
        }
    }

    #[test]
    fn a_code_is_accepted_once_within_one_step_of_now() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        let step = verify(&secret, &code, now, None).expect("the current code is accepted");
        assert_eq!(verify(&secret, &code, now, Some(step)), None, "a used code cannot be replayed");
        assert!(verify(&secret, &code, now + 30, None).is_some(), "one step of drift is forgiven");
        assert_eq!(verify(&secret, &code, now + 90, None), None, "an old code expires");
        assert_eq!(verify(&secret, "12345", now, None), None);
        assert_eq!(verify(&secret, "abcdef", now, None), None);
        let uri = enrolment_uri(&secret, "CM-00042").unwrap();
        assert!(uri.starts_with("otpauth://totp/CloudMedi:CM-00042?secret="), "{uri}");
    }

    #[test]
    fn recovery_codes_are_distinct_and_stored_only_as_hashes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().map(|(code, _)| code.clone()).collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        for (code, hash) in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert_ne!(code, hash);
            assert_eq!(&hash_recovery_code(&code.to_uppercase().replace('-', " ")), hash, "typing is forgiven");
        }
    }
}
