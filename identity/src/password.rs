//! Passwords: a policy that refuses weak ones with reasons a person can act on, and Argon2id hashing.
//!
//! Parameters follow the OWASP recommendation for Argon2id (19 MiB of memory, 2 passes, 1 lane); they
//! are written into every PHC hash string, so they can be raised later without invalidating stored
//! hashes (`needs_rehash` tells when to re-hash at the next successful login).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted, in characters.
pub const MIN_LENGTH: usize = 12;
/// The longest password accepted, in characters (hashing cost must stay bounded).
pub const MAX_LENGTH: usize = 128;

const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Passwords too common to accept whatever their length (the policy also refuses any password that
/// contains the account's own identifier).
const COMMON: &[&str] = &[
    "password",
    "motdepasse",
    "123456",
    "azerty",
    "qwerty",
    "cameroun",
    "cameroon",
    "cloudmedi",
    "welcome",
    "bienvenue",
    "letmein",
    "admin",
    "hopital",
    "hospital",
    "docteur",
    "doctor",
];

/// Why a password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password must have at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password must have at most {MAX_LENGTH} characters")]
    TooLong,
    #[error("the password is too common or too simple")]
    TooCommon,
    #[error("the password must not contain the account's identifier")]
    ContainsIdentifier,
}

/// Checks a new password against the policy. `identifier` is the account's login (health ID,
/// national ID, professional ID), which must not appear in it.
pub fn check_policy(password: &str, identifier: &str) -> Result<(), PasswordProblem> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 || COMMON.iter().any(|common| lower.contains(common)) {
        return Err(PasswordProblem::TooCommon);
    }
    let identifier = identifier.trim().to_lowercase();
    if identifier.chars().count() >= 4 && lower.contains(&identifier) {
        return Err(PasswordProblem::ContainsIdentifier);
    }
    Ok(())
}

/// The hasher with today's parameters. They are constants within Argon2's documented bounds; were one
/// ever changed out of them, hashing fails rather than silently using the library's defaults.
fn hasher() -> Result<Argon2<'static>, argon2::Error> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh salt.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()?.hash_password(password.as_bytes(), &salt)?.to_string())
}

/// Whether `password` matches a stored PHC hash. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Hashes a password nobody has, so that a login for an unknown account costs as much as one for a
/// known account and the timing says nothing about which accounts exist.
pub fn burn_time(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("a password nobody will ever have").ok()) {
        let _ = verify(password, dummy);
    }
}

/// Whether a stored hash was made with weaker parameters than today's.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return true };
    let Ok(params) = Params::try_from(&parsed) else { return true };
    parsed.algorithm.as_str() != "argon2id" || params.m_cost() < MEMORY_KIB || params.t_cost() < PASSES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_weak_passwords_with_a_reason() {
        assert_eq!(check_policy("short", "CM1234"), Err(PasswordProblem::TooShort));
        assert_eq!(check_policy(&"a1b2".repeat(40), "CM1234"), Err(PasswordProblem::TooLong));
        assert_eq!(check_policy("aaaaaaaaaaaaaaaa", "CM1234"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_policy("MyPassword2026!!", "CM1234"), Err(PasswordProblem::TooCommon));
        assert_eq!(check_policy("xx-cm987654-yy-zz", "CM987654"), Err(PasswordProblem::ContainsIdentifier));
        assert_eq!(check_policy("mango tree by the Wouri river", "CM123456"), Ok(()));
        assert_eq!(check_policy("ñandú éléphant 象", "CM1"), Ok(()));
    }

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let first = hash("mango tree by the Wouri river").unwrap();
        let second = hash("mango tree by the Wouri river").unwrap();
        assert!(first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{first}");
        assert_ne!(first, second, "every hash has its own salt");
        assert!(verify("mango tree by the Wouri river", &first));
        assert!(!verify("mango tree by the Wouri River", &first));
        assert!(!verify("anything", "not a hash"));
        assert!(!needs_rehash(&first));
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap())
            .hash_password(b"x", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(needs_rehash(&weak));
    }
}
