//! Ed25519 keys as the ledger names and uses them.
//!
//! A key id is the lower-case hex of the first 16 bytes of SHA-256 over the 32-byte public key: short
//! enough to store on every entry, derived so that no registry is needed to check that an id and a key
//! belong together. Weak public keys (small-order points, for which signatures prove nothing) are
//! refused wherever a key enters the system.

use crate::digest::Digest;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::fmt;

/// The identity of a signing key, derived from its public key.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    pub fn of(key: &VerifyingKey) -> Self {
        let digest = Sha256::digest(key.as_bytes());
        Self(hex::encode(&digest[..16]))
    }

    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let valid = text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(KeyError::MalformedKeyId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl schemars::JsonSchema for KeyId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "KeyId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[0-9a-f]{32}$" })
    }
}

impl TryFrom<String> for KeyId {
    type Error = KeyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<KeyId> for String {
    fn from(value: KeyId) -> Self {
        value.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

/// Problems with a key or a signature's encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a key id must be 32 lower-case hex characters")]
    MalformedKeyId,
    #[error("a public key must be 64 lower-case hex characters (32 bytes) encoding a valid Ed25519 point")]
    MalformedPublicKey,
    #[error("the public key is a weak (small-order) Ed25519 key and cannot be trusted")]
    WeakKey,
    #[error("a signature must be 128 lower-case hex characters (64 bytes)")]
    MalformedSignature,
}

/// Parses a public key from lower-case hex and refuses weak keys.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let mut bytes = [0u8; 32];
    if text.len() != 64 || text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(KeyError::MalformedPublicKey);
    }
    hex::decode_to_slice(text, &mut bytes).map_err(|_| KeyError::MalformedPublicKey)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::MalformedPublicKey)?;
    if key.is_weak() {
        return Err(KeyError::WeakKey);
    }
    // A point has one canonical encoding; the decoder also accepts a few others (a y coordinate of
    // p or more). Signatures hash the key's bytes, so a second spelling of one key would be a second
    // key for every signature check: only the canonical one is accepted.
    if key.to_edwards().compress().to_bytes() != bytes {
        return Err(KeyError::MalformedPublicKey);
    }
    Ok(key)
}

/// A public key's lower-case hex form.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// A signing key together with its id. Its `Debug` output never shows the secret.
#[derive(Clone)]
pub struct KeyPair {
    signing: SigningKey,
    id: KeyId,
}

impl KeyPair {
    /// A fresh key from `random`, a cryptographically secure source (the operating system's, which
    /// the caller hands in: this crate reads no randomness of its own).
    pub fn generate<R: rand_core::CryptoRngCore + ?Sized>(random: &mut R) -> Self {
        Self::from_signing_key(SigningKey::generate(random))
    }

    /// Wraps a loaded signing key, refusing it if its public half is weak.
    pub fn new(signing: SigningKey) -> Result<Self, KeyError> {
        if signing.verifying_key().is_weak() {
            return Err(KeyError::WeakKey);
        }
        Ok(Self::from_signing_key(signing))
    }

    fn from_signing_key(signing: SigningKey) -> Self {
        let id = KeyId::of(&signing.verifying_key());
        Self { signing, id }
    }

    pub fn id(&self) -> &KeyId {
        &self.id
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// Signs an entry hash: the signed message is the 32 raw bytes of the hash.
    pub fn sign_hash(&self, hash: &Digest) -> SignatureBytes {
        SignatureBytes(self.signing.sign(hash.as_bytes()))
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair").field("id", &self.id).field("secret", &"<redacted>").finish()
    }
}

/// An Ed25519 signature, written as 128 lower-case hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SignatureBytes(pub Signature);

impl SignatureBytes {
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut bytes = [0u8; 64];
        if text.len() != 128 || text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(KeyError::MalformedSignature);
        }
        hex::decode_to_slice(text, &mut bytes).map_err(|_| KeyError::MalformedSignature)?;
        Ok(Self(Signature::from_bytes(&bytes)))
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        Signature::from_slice(bytes).map(Self).map_err(|_| KeyError::MalformedSignature)
    }

    pub fn to_bytes(&self) -> [u8; 64] {
        self.0.to_bytes()
    }
}

impl TryFrom<String> for SignatureBytes {
    type Error = KeyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SignatureBytes> for String {
    fn from(value: SignatureBytes) -> Self {
        hex::encode(value.0.to_bytes())
    }
}

impl fmt::Debug for SignatureBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0.to_bytes()))
    }
}

/// Checks one signature strictly, as docs/ledger-format.md section 5 requires: `S` below the group
/// order, `R` a point that is not of small order, and `[S]B - [k]A` encoding to exactly the bytes of
/// `R` (so a non-canonical `R`, or one with a small torsion component, never verifies). The key was
/// checked when it was parsed ([`parse_public_key`]): canonical and not of small order.
///
/// This is the only signature check the ledger uses. Batch verification (`ed25519_dalek::verify_batch`)
/// is faster but checks a random combination of the cofactorless equations, which a signature with a
/// torsion component in `R` can satisfy when the equation for that signature alone fails: a key holder
/// could then make a second signature for an entry that one verifier accepts and another refuses.
pub fn verify_strict(key: &VerifyingKey, hash: &Digest, signature: &SignatureBytes) -> bool {
    key.verify_strict(hash.as_bytes(), &signature.0).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_public_keys_are_refused() {
        // The identity point (a small-order point) encoded as a public key.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(parse_public_key(&hex::encode(identity)), Err(KeyError::WeakKey));
    }

    #[test]
    fn non_canonical_public_keys_are_refused() {
        // The encodings with y from p to 2^255 - 1 (p = 2^255 - 19) are second spellings of y - p; the
        // decoder accepts those that are on the curve. None may be taken for a key, and at least one of
        // them is not of small order, so it is the canonical-encoding check that refuses it.
        let mut strong_but_non_canonical = 0;
        for excess in 0u8..19 {
            for sign in [0u8, 0x80] {
                let mut bytes = [0xffu8; 32];
                bytes[0] = 0xed + excess;
                bytes[31] = 0x7f | sign;
                let Ok(decoded) = VerifyingKey::from_bytes(&bytes) else { continue };
                assert!(parse_public_key(&hex::encode(bytes)).is_err(), "{}", hex::encode(bytes));
                if !decoded.is_weak() {
                    strong_but_non_canonical += 1;
                    assert_eq!(parse_public_key(&hex::encode(bytes)), Err(KeyError::MalformedPublicKey));
                }
            }
        }
        assert!(strong_but_non_canonical > 0);
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let pair = KeyPair::generate(&mut rand_core::OsRng);
        let shown = format!("{pair:?}");
        assert!(!shown.contains(&hex::encode(pair.signing_key().to_bytes())));
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn key_ids_are_derived_from_the_public_key() {
        let pair = KeyPair::generate(&mut rand_core::OsRng);
        assert_eq!(pair.id(), &KeyId::of(&pair.public_key()));
        assert_eq!(KeyId::parse(pair.id().as_str()).unwrap(), *pair.id());
        assert!(KeyId::parse("ABC").is_err());
    }
}
