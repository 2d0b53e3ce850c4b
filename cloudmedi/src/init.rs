//! `cloudmedi init`: a new data directory with a root key, a node key and an initialised ledger.
//!
//! Everything is built in a temporary sibling directory and renamed into place at the end, so a
//! failed init leaves no half-made data directory behind.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::{bail, Context};
use clap::Args;
use event_schema::KeyId;
use ledger::{keyfile, Ledger};

#[derive(Args, Default)]
pub struct InitArgs {
    /// A label for this node in the key registry (defaults to the host name).
    #[arg(long)]
    node_name: Option<String>,
    /// Join an existing PostgreSQL ledger instead of creating one: make this node's key and keep the
    /// ledger's root public key (no root private key); the root key's holder then registers the node
    /// with `cloudmedi keys register`.
    #[arg(long, requires = "root_key")]
    join: bool,
    /// The root public key file of the ledger to join.
    #[arg(long, requires = "join")]
    root_key: Option<std::path::PathBuf>,
}

pub async fn run(location: &Location, args: InitArgs) -> anyhow::Result<Outcome> {
    let target = &location.data_dir;
    if target.exists() {
        let empty = target.is_dir() && std::fs::read_dir(target)?.next().is_none();
        if !empty {
            bail!("{} already exists and is not empty; refusing to overwrite a data directory", target.display());
        }
        std::fs::remove_dir(target)?;
    }
    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".cloudmedi-init-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a directory in {}", parent.display()))?;
    let dir = DataDir::new(staging.path());
    create_private_dir(&dir.keys())?;

    let node = ledger::system::new_key_pair();
    keyfile::write_private_key(&dir.node_key(), &node)?;
    keyfile::write_public_key(&dir.node_pub(), &node.public_key())?;
    let node_name = args.node_name.unwrap_or_else(host_name);

    if let Some(root_pub) = args.root_key.as_ref().filter(|_| args.join) {
        if location.database_url.is_none() {
            bail!(
                "--join needs the shared PostgreSQL ledger's --database-url (an embedded SQLite ledger has one node)"
            );
        }
        let root = keyfile::read_public_key(root_pub)?;
        keyfile::write_public_key(&dir.root_pub(), &root)?;
        move_into_place(staging, target)?;
        outln!("Prepared data directory {} to join the ledger of root key {}", target.display(), KeyId::of(&root));
        outln!("  node key: {} ({node_name})", node.id());
        outln!("Have the root key's holder register it:");
        outln!(
            "  cloudmedi keys register --public-key {} --node-name {node_name}",
            target.join("keys/node.pub").display()
        );
        return Ok(Outcome::Success);
    }

    let root = ledger::system::new_key_pair();
    keyfile::write_private_key(&dir.root_key(), &root)?;
    keyfile::write_public_key(&dir.root_pub(), &root.public_key())?;
    let storage = open_storage(location, &dir, true).await?;
    let ledger_id = Ledger::initialise(storage.as_ref(), &root, &node.public_key(), &node_name)
        .await
        .context("cannot initialise the ledger")?;
    // Every connection closed before the directory moves, so SQLite tidies its side files in place.
    storage.close().await;
    drop(storage);
    move_into_place(staging, target)?;

    outln!("Initialised CloudMedi ledger {ledger_id}");
    outln!("  data directory: {}", target.display());
    match &location.database_url {
        Some(url) => outln!("  ledger:         the PostgreSQL {}", crate::datadir::describe_database(url)),
        None => outln!("  ledger:         {}", target.join("ledger.sqlite").display()),
    }
    outln!("  root key:       {} (keys/root.key: move it offline; verification needs only keys/root.pub)", root.id());
    outln!("  node key:       {} ({node_name})", node.id());
    Ok(Outcome::Success)
}

/// Renames the finished staging directory to the data directory, owner-only.
fn move_into_place(staging: tempfile::TempDir, target: &std::path::Path) -> anyhow::Result<()> {
    let staged = staging.keep();
    restrict(&staged)?;
    std::fs::rename(&staged, target).with_context(|| format!("cannot move the data directory to {}", target.display()))
}

fn create_private_dir(path: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("cannot create {}", path.display()))?;
    restrict(path)
}

/// Makes a directory accessible to its owner only.
fn restrict(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "cloudmedi-node".to_owned())
}
