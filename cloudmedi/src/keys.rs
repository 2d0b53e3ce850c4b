//! `cloudmedi keys`: the node signing keys, as the ledger's key registry records them.
//!
//! Rotation writes the new key to disk first, then appends its registration and the old key's
//! revocation in one root-signed append, then swaps the files: a crash at any point leaves either the
//! old key valid and in place, or the new one registered with its file ready to be moved in.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use event_schema::keys::public_key_hex;
use event_schema::ledger_events::{NodeKeyRegistered, NodeKeyRevoked, RevocationReason, KEY_STREAM};
use event_schema::{Catalog, KeyId, KeyPair};
use ledger::{keyfile, ExpectedVersion, Ledger, NewEvent, Storage};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List the node keys in the registry and whether each is active.
    List,
    /// Replace this node's signing key: register a new one and revoke the old, signed by the root key.
    Rotate,
    /// Register another node's public key (made by `cloudmedi init --join`), signed by the root key.
    Register {
        /// The node's public key file (its keys/node.pub).
        #[arg(long)]
        public_key: PathBuf,
        /// A label for the node, such as its host name.
        #[arg(long)]
        node_name: String,
    },
    /// Revoke a node key: it signs nothing after this, signed by the root key.
    Revoke {
        /// The key id, as `cloudmedi keys list` shows it.
        key_id: String,
        /// Why the key is revoked.
        #[arg(long, value_enum)]
        reason: Reason,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Reason {
    /// Suspected or known to be in other hands.
    Compromised,
    /// Its node was taken out of service.
    Retired,
}

pub async fn run(location: &Location, command: KeysCommand) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    dir.require_initialised()?;
    match command {
        KeysCommand::List => list(location, &dir).await,
        KeysCommand::Rotate => rotate(location, &dir).await,
        KeysCommand::Register { public_key, node_name } => register(location, &dir, &public_key, &node_name).await,
        KeysCommand::Revoke { key_id, reason } => revoke(location, &dir, &key_id, reason).await,
    }
}

async fn register(location: &Location, dir: &DataDir, public_key: &Path, node_name: &str) -> anyhow::Result<Outcome> {
    let root = dir.root_key_pair()?;
    let key = keyfile::read_public_key(public_key)?;
    let storage = open_storage(location, dir, false).await?;
    let registered = NodeKeyRegistered {
        key_id: KeyId::of(&key),
        public_key: public_key_hex(&key),
        node_name: node_name.to_owned(),
    };
    let event = NewEvent::typed(&registered, ledger::system::now())?;
    Ledger::append_root_signed(storage.as_ref(), &root, ExpectedVersion::Any, vec![event])
        .await
        .context("the key was not registered")?;
    outln!("node key {} registered for {node_name}", registered.key_id);
    Ok(Outcome::Success)
}

async fn revoke(location: &Location, dir: &DataDir, key_id: &str, reason: Reason) -> anyhow::Result<Outcome> {
    let root = dir.root_key_pair()?;
    let key_id = KeyId::parse(key_id).context("not a key id")?;
    let storage = open_storage(location, dir, false).await?;
    let reason = match reason {
        Reason::Compromised => RevocationReason::Compromised,
        Reason::Retired => RevocationReason::Retired,
    };
    let event = NewEvent::typed(&NodeKeyRevoked { key_id: key_id.clone(), reason }, ledger::system::now())?;
    Ledger::append_root_signed(storage.as_ref(), &root, ExpectedVersion::Any, vec![event])
        .await
        .context("the key was not revoked")?;
    outln!("node key {key_id} revoked; it signs nothing from now on");
    Ok(Outcome::Success)
}

async fn list(location: &Location, dir: &DataDir) -> anyhow::Result<Outcome> {
    let storage = open_storage(location, dir, false).await?;
    let root = dir.root_public_key()?;
    let (registry, _) = ledger::load_registry(storage.as_ref(), root).await.context("cannot read the key registry")?;
    outln!("root key {} (trust anchor)", registry.root_id());
    let mut keys: Vec<_> = registry.node_keys().collect();
    keys.sort_by_key(|(_, revoked)| revoked.unwrap_or(u64::MAX));
    for (id, revoked) in keys {
        match revoked {
            Some(position) => outln!("node key {id} revoked at position {position}"),
            None => outln!("node key {id} active"),
        }
    }
    Ok(Outcome::Success)
}

async fn rotate(location: &Location, dir: &DataDir) -> anyhow::Result<Outcome> {
    let root = dir.root_key_pair()?;
    let old = dir.node_key_pair()?;
    let storage = open_storage(location, dir, false).await?;
    let node_name = node_name(storage.as_ref(), &old).await.unwrap_or_else(|| "cloudmedi-node".into());

    let new = ledger::system::new_key_pair();
    let staged = dir.keys().join("node.key.next");
    keyfile::write_private_key(&staged, &new)?;
    let now = ledger::system::now();
    let registered =
        NodeKeyRegistered { key_id: new.id().clone(), public_key: public_key_hex(&new.public_key()), node_name };
    let revoked = NodeKeyRevoked { key_id: old.id().clone(), reason: RevocationReason::Rotated };
    let events = vec![NewEvent::typed(&registered, now)?, NewEvent::typed(&revoked, now)?];
    if let Err(error) = Ledger::append_root_signed(storage.as_ref(), &root, ExpectedVersion::Any, events).await {
        // The append may have committed even though its answer was lost: ask the ledger before
        // throwing the new key away, or the node could be left with no valid key at all.
        let registered = ledger::load_registry(storage.as_ref(), root.public_key())
            .await
            .map(|(registry, _)| registry.is_active_node_key(new.id()));
        if !matches!(registered, Ok(true)) {
            if registered.is_ok() {
                let _ = std::fs::remove_file(&staged);
            }
            return Err(error).context("the rotation was not recorded; the old key stays in use");
        }
        tracing::warn!(%error, "the rotation's answer was lost, but the ledger shows it committed");
    }
    std::fs::rename(&staged, dir.node_key()).context("the new key is registered but could not be moved in place")?;
    keyfile::write_public_key(&dir.node_pub(), &new.public_key())?;
    outln!("node key rotated: {} replaces {} (revoked)", new.id(), old.id());
    outln!("restart every process that signed with the old key");
    Ok(Outcome::Success)
}

/// The name the old key was registered under, reused for its successor.
async fn node_name(storage: &dyn Storage, old: &KeyPair) -> Option<String> {
    let entries = storage.read_stream(KEY_STREAM, 0, u32::MAX).await.ok()?;
    let catalog = Catalog::ledger();
    entries.iter().rev().find_map(|entry| {
        let registered: NodeKeyRegistered = catalog.decode(entry).ok()?;
        (registered.key_id == *old.id()).then_some(registered.node_name)
    })
}
