//! Authentication building blocks: password hashing and policy, TOTP second factors with recovery
//! codes, and opaque session tokens. Secrets never leave this module in a form that can be logged:
//! passwords and codes are taken by reference and dropped, and only hashes are returned for storage.

pub mod password;
pub mod tokens;
pub mod totp;
