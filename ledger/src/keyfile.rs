//! Key files on disk.
//!
//! Private keys are PKCS#8 PEM files created with mode 0600 and refused when anyone but their owner can
//! read them (as ssh does), so a copied or mis-permissioned key is noticed before it signs anything.
//! Public keys are one line of lower-case hex. Key material never reaches a log or an error message.

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::SigningKey;
use event_schema::keys::{parse_public_key, public_key_hex};
use event_schema::{KeyError, KeyPair, VerifyingKey};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("key file {path} does not exist")]
    Missing { path: PathBuf },
    #[error("key file {path} already exists; refusing to overwrite a key")]
    Exists { path: PathBuf },
    #[error("key file {path} is readable by others (mode {mode:o}); run `chmod 600 {path}`")]
    InsecurePermissions { path: PathBuf, mode: u32 },
    #[error("key file {path} is not a valid {kind}")]
    Malformed { path: PathBuf, kind: &'static str },
    // The cause is the error's source, which whoever prints the chain shows after the path; naming it
    // in this text as well printed every reason twice.
    #[error("key file {path}")]
    Key { path: PathBuf, source: KeyError },
    #[error("key file {path}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            KeyFileError::Missing { path: path.to_owned() }
        } else if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists { path: path.to_owned() }
        } else {
            KeyFileError::Io { path: path.to_owned(), source }
        }
    }
}

/// Writes a private key to a new file readable by its owner only.
pub fn write_private_key(path: &Path, key: &KeyPair) -> Result<(), KeyFileError> {
    let pem = key
        .signing_key()
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|_| KeyFileError::Malformed { path: path.to_owned(), kind: "PKCS#8 private key" })?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io_error(path))?;
    file.write_all(pem.as_bytes()).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))?;
    Ok(())
}

/// Reads a private key, refusing files others can read and weak keys.
pub fn read_private_key(path: &Path) -> Result<KeyPair, KeyFileError> {
    let metadata = std::fs::metadata(path).map_err(io_error(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::InsecurePermissions { path: path.to_owned(), mode });
        }
    }
    let _ = metadata;
    let pem = std::fs::read_to_string(path)
        .map_err(|_| KeyFileError::Malformed { path: path.to_owned(), kind: "PKCS#8 PEM private key" })?;
    let signing = SigningKey::from_pkcs8_pem(&pem)
        .map_err(|_| KeyFileError::Malformed { path: path.to_owned(), kind: "PKCS#8 PEM Ed25519 private key" })?;
    KeyPair::new(signing).map_err(|source| KeyFileError::Key { path: path.to_owned(), source })
}

/// Writes a public key as one line of hex.
pub fn write_public_key(path: &Path, key: &VerifyingKey) -> Result<(), KeyFileError> {
    std::fs::write(path, format!("{}\n", public_key_hex(key))).map_err(io_error(path))
}

/// Reads a public key written by [`write_public_key`], refusing weak keys.
pub fn read_public_key(path: &Path) -> Result<VerifyingKey, KeyFileError> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    parse_public_key(text.trim()).map_err(|source| KeyFileError::Key { path: path.to_owned(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_keys_round_trip_and_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        let key = crate::system::new_key_pair();
        write_private_key(&path, &key).unwrap();
        assert_eq!(read_private_key(&path).unwrap().id(), key.id());
        assert!(matches!(write_private_key(&path, &key), Err(KeyFileError::Exists { .. })));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(matches!(read_private_key(&path), Err(KeyFileError::InsecurePermissions { .. })));
        }
    }

    #[test]
    fn garbage_and_missing_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.key");
        assert!(matches!(read_private_key(&path), Err(KeyFileError::Missing { .. })));
        std::fs::write(&path, "not a key").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        assert!(matches!(read_private_key(&path), Err(KeyFileError::Malformed { .. })));
        let public = dir.path().join("root.pub");
        std::fs::write(&public, "zz").unwrap();
        assert!(matches!(read_public_key(&public), Err(KeyFileError::Key { .. })));
    }
}
