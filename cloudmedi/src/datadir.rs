//! The data directory: the keys, and the embedded SQLite database unless a PostgreSQL URL is given.
//!
//! ```text
//! DIR/                 mode 0700
//!   keys/root.key      the root (trust anchor) private key, 0600; keep it offline in production
//!   keys/root.pub      the root public key: all an auditor needs besides an export
//!   keys/node.key      this node's signing key, 0600
//!   keys/node.pub
//!   ledger.sqlite      the embedded ledger (absent when the ledger is in PostgreSQL)
//! ```

use crate::Location;
use anyhow::{bail, Context};
use event_schema::{KeyPair, VerifyingKey};
use ledger::keyfile;
use ledger::{PgStorage, SqliteStorage, Storage};
use secrecy::{ExposeSecret, SecretString};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct DataDir {
    pub path: PathBuf,
}

impl DataDir {
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_owned() }
    }

    pub fn keys(&self) -> PathBuf {
        self.path.join("keys")
    }
    pub fn root_key(&self) -> PathBuf {
        self.keys().join("root.key")
    }
    pub fn root_pub(&self) -> PathBuf {
        self.keys().join("root.pub")
    }
    pub fn node_key(&self) -> PathBuf {
        self.keys().join("node.key")
    }
    pub fn node_pub(&self) -> PathBuf {
        self.keys().join("node.pub")
    }
    pub fn sqlite(&self) -> PathBuf {
        self.path.join("ledger.sqlite")
    }

    /// Fails with a pointer to `cloudmedi init` unless the directory was initialised.
    pub fn require_initialised(&self) -> anyhow::Result<()> {
        if !self.root_pub().is_file() {
            bail!(
                "{} is not an initialised CloudMedi data directory (no keys/root.pub); run `cloudmedi init --data-dir {}`",
                self.path.display(),
                self.path.display()
            );
        }
        Ok(())
    }

    pub fn root_public_key(&self) -> anyhow::Result<VerifyingKey> {
        Ok(keyfile::read_public_key(&self.root_pub())?)
    }

    pub fn node_key_pair(&self) -> anyhow::Result<KeyPair> {
        Ok(keyfile::read_private_key(&self.node_key())?)
    }

    pub fn root_key_pair(&self) -> anyhow::Result<KeyPair> {
        keyfile::read_private_key(&self.root_key())
            .context("the root private key is needed for this operation (bring it back from offline storage)")
    }
}

/// Initialises the data directory if it is not yet, on the embedded default only, so that one command
/// starts a working system; a PostgreSQL ledger is created deliberately, with `cloudmedi init`.
pub async fn initialise_embedded_default(location: &Location, dir: &DataDir) -> anyhow::Result<()> {
    if dir.require_initialised().is_ok() {
        return Ok(());
    }
    if location.database_url.is_some() {
        bail!(
            "{} is not initialised; create the PostgreSQL ledger deliberately with `cloudmedi init --database-url …`",
            dir.path.display()
        );
    }
    crate::init::run(location, crate::init::InitArgs::default()).await?;
    Ok(())
}

/// Opens the ledger's database for a node (PostgreSQL when a URL is given, else the data directory's
/// SQLite file, which must already exist unless `create`) and brings every table in it up to date
/// ([`migrate`]): every command that appends, projects or serves opens it this way.
pub async fn open_storage(location: &Location, dir: &DataDir, create: bool) -> anyhow::Result<Arc<dyn Storage>> {
    let storage = connect(location, dir, create).await?;
    migrate(storage.as_ref()).await?;
    Ok(storage)
}

/// Brings every table of the database up to date. Each owner runs its own migrations, the ledger's
/// first: its `0012_ledger_integrity` also creates the projections' `projection_alarm` (a released
/// migration cannot be split; see `ledger::storage::run_migrations`).
pub async fn migrate(storage: &dyn Storage) -> anyhow::Result<()> {
    const CONTEXT: &str = "cannot bring the database's schema up to date";
    storage.migrate().await.context(CONTEXT)?;
    let database = storage.database();
    identity::migrate(&database).await.context(CONTEXT)?;
    projections::migrate(&database).await.context(CONTEXT)?;
    application::migrate(&database).await.context(CONTEXT)?;
    Ok(())
}

/// Opens the ledger's database as it is, changing nothing in it: for the commands that only read the
/// ledger (`verify`, `export`): checking or copying a database must not change it.
pub async fn open_storage_as_found(location: &Location, dir: &DataDir) -> anyhow::Result<Arc<dyn Storage>> {
    connect(location, dir, false).await
}

async fn connect(location: &Location, dir: &DataDir, create: bool) -> anyhow::Result<Arc<dyn Storage>> {
    match &location.database_url {
        Some(url) => {
            let storage = PgStorage::connect(url.expose_secret())
                .await
                .with_context(|| format!("cannot connect to the PostgreSQL {}", describe_database(url)))?;
            Ok(Arc::new(storage))
        }
        None => {
            let path = dir.sqlite();
            if !create && !path.is_file() {
                bail!("no ledger database at {} (and no --database-url given)", path.display());
            }
            let storage = SqliteStorage::open(&path, create)
                .await
                .with_context(|| format!("cannot open the ledger database {}", path.display()))?;
            Ok(Arc::new(storage))
        }
    }
}

/// The PostgreSQL database a URL names, for messages: its name, host and port, never its password.
pub fn describe_database(url: &SecretString) -> String {
    ledger::storage::postgres::describe(url.expose_secret())
}
