//! `cloudmedi keys`: the node signing keys, as the ledger's key registry records them.
//!
//! Rotation writes the new key to disk first, then appends its registration and the old key's
//! revocation in one root-signed append, then swaps the files: a crash at any point leaves either the
//! old key valid and in place, or the new one registered with its file ready to be moved in.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::Context;
use clap::Subcommand;
use event_schema::keys::public_key_hex;
use event_schema::ledger_events::{NodeKeyRegistered, NodeKeyRevoked, RevocationReason, KEY_STREAM};
use event_schema::{Catalog, KeyPair, KeyRegistry, Timestamp};
use ledger::{keyfile, Ledger, NewEvent};

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List the node keys in the registry and whether each is active.
    List,
    /// Replace this node's signing key: register a new one and revoke the old, signed by the root key.
    Rotate,
}

pub async fn run(location: &Location, command: KeysCommand) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    dir.require_initialised()?;
    match command {
        KeysCommand::List => list(location, &dir).await,
        KeysCommand::Rotate => rotate(location, &dir).await,
    }
}

async fn list(location: &Location, dir: &DataDir) -> anyhow::Result<Outcome> {
    let storage = open_storage(location, dir, false).await?;
    let root = dir.root_public_key()?;
    let entries = storage.read_stream(KEY_STREAM, 0, u32::MAX).await.context("cannot read the key registry")?;
    let mut registry = KeyRegistry::new(root);
    for entry in &entries {
        registry.apply(entry).map_err(|reason| anyhow::anyhow!("position {}: {reason}", entry.position))?;
    }
    println!("root key {} (trust anchor)", registry.root_id());
    let mut keys: Vec<_> = registry.node_keys().collect();
    keys.sort_by_key(|(_, revoked)| revoked.unwrap_or(u64::MAX));
    for (id, revoked) in keys {
        match revoked {
            Some(position) => println!("node key {id} revoked at position {position}"),
            None => println!("node key {id} active"),
        }
    }
    Ok(Outcome::Success)
}

async fn rotate(location: &Location, dir: &DataDir) -> anyhow::Result<Outcome> {
    let root = dir.root_key_pair()?;
    let old = dir.node_key_pair()?;
    let storage = open_storage(location, dir, false).await?;
    let ledger = Ledger::open(storage, root.public_key(), old.clone(), Catalog::new()).await?;

    let new = KeyPair::generate();
    let staged = dir.keys().join("node.key.next");
    keyfile::write_private_key(&staged, &new)?;
    let now = Timestamp::now();
    let registered = NodeKeyRegistered {
        key_id: new.id().clone(),
        public_key: public_key_hex(&new.public_key()),
        node_name: node_name(&ledger, &old).await.unwrap_or_else(|| "cloudmedi-node".into()),
    };
    let revoked = NodeKeyRevoked { key_id: old.id().clone(), reason: RevocationReason::Rotated };
    let appended = ledger
        .append_key_events(&root, vec![NewEvent::typed(&registered, now)?, NewEvent::typed(&revoked, now)?])
        .await;
    ledger.close().await;
    if let Err(error) = appended {
        let _ = std::fs::remove_file(&staged);
        return Err(error).context("the rotation was not recorded; the old key stays in use");
    }
    std::fs::rename(&staged, dir.node_key()).context("the new key is registered but could not be moved in place")?;
    keyfile::write_public_key(&dir.node_pub(), &new.public_key())?;
    println!("node key rotated: {} replaces {} (revoked)", new.id(), old.id());
    println!("restart every process that signed with the old key");
    Ok(Outcome::Success)
}

/// The name the old key was registered under, reused for its successor.
async fn node_name(ledger: &Ledger, old: &KeyPair) -> Option<String> {
    let stream = event_schema::StreamId::parse(KEY_STREAM).ok()?;
    let entries = ledger.read_stream(&stream, 0, u32::MAX).await.ok()?;
    entries.iter().rev().find_map(|entry| {
        let registered: NodeKeyRegistered = ledger.catalog().decode(entry).ok()?;
        (registered.key_id == *old.id()).then_some(registered.node_name)
    })
}
