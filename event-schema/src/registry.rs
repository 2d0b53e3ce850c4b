//! The key registry, folded from the ledger's `ledger:keys` stream.
//!
//! The rules, applied identically when appending and when verifying:
//! - position 1 is `ledger.genesis`, signed by the root key it names;
//! - key registry events are signed by the root key, and the root key signs nothing else;
//! - a node key signs entries strictly after the entry that registered it and strictly before the
//!   entry that revoked it.

use crate::catalog::Catalog;
use crate::envelope::Entry;
use crate::keys::{parse_public_key, public_key_hex, KeyId};
use crate::ledger_events::{is_key_registry_event, LedgerGenesis, NodeKeyRegistered, NodeKeyRevoked, KEY_STREAM};
use crate::verify::FailureReason;
use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;

#[derive(Debug, Clone)]
struct NodeKey {
    key: VerifyingKey,
    revoked_at: Option<u64>,
}

/// Which keys may sign which entries.
#[derive(Debug, Clone)]
pub struct KeyRegistry {
    root: VerifyingKey,
    root_id: KeyId,
    nodes: HashMap<KeyId, NodeKey>,
    catalog: Catalog,
}

impl KeyRegistry {
    pub fn new(root: VerifyingKey) -> Self {
        Self { root_id: KeyId::of(&root), root, nodes: HashMap::new(), catalog: Catalog::ledger() }
    }

    pub fn root_id(&self) -> &KeyId {
        &self.root_id
    }

    /// Whether `key_id` is a registered node key that has not been revoked.
    pub fn is_active_node_key(&self, key_id: &KeyId) -> bool {
        self.nodes.get(key_id).is_some_and(|node| node.revoked_at.is_none())
    }

    /// The node keys registered so far, with the position of their revocation if any.
    pub fn node_keys(&self) -> impl Iterator<Item = (&KeyId, Option<u64>)> {
        self.nodes.iter().map(|(id, node)| (id, node.revoked_at))
    }

    /// The key that must have signed `entry`, or why no key may.
    pub fn signer_for(&self, entry: &Entry) -> Result<VerifyingKey, FailureReason> {
        let registry_event = is_key_registry_event(&entry.event_type);
        if entry.position == 1 && entry.event_type != "ledger.genesis" {
            return Err(FailureReason::MissingGenesis);
        }
        if entry.position == 1 && entry.key_id != self.root_id {
            // The genesis entry is signed by the root key it names: another signer means the ledger
            // was founded on another root than the one this verifier trusts.
            return Err(FailureReason::WrongRootKey);
        }
        if entry.key_id == self.root_id {
            return if registry_event && entry.stream_id == KEY_STREAM {
                Ok(self.root)
            } else {
                Err(FailureReason::RootKeyMisuse)
            };
        }
        if registry_event {
            return Err(FailureReason::RegistryEventNotRootSigned);
        }
        match self.nodes.get(&entry.key_id) {
            None => Err(FailureReason::UnknownKey { key_id: entry.key_id.clone() }),
            Some(NodeKey { revoked_at: Some(revoked_at), .. }) => {
                Err(FailureReason::RevokedKey { key_id: entry.key_id.clone(), revoked_at: *revoked_at })
            }
            Some(node) => Ok(node.key),
        }
    }

    /// Folds a key registry event into the registry; other events leave it unchanged.
    pub fn apply(&mut self, entry: &Entry) -> Result<(), FailureReason> {
        let invalid = |reason: String| FailureReason::InvalidKeyEvent { reason };
        match entry.event_type.as_str() {
            "ledger.genesis" => {
                if entry.position != 1 {
                    return Err(invalid("a genesis entry after position 1".into()));
                }
                let genesis: LedgerGenesis = self.catalog.decode(entry).map_err(|e| invalid(e.to_string()))?;
                if genesis.root_key_id != self.root_id || genesis.root_public_key != public_key_hex(&self.root) {
                    return Err(FailureReason::WrongRootKey);
                }
            }
            "ledger.node_key_registered" => {
                let registered: NodeKeyRegistered = self.catalog.decode(entry).map_err(|e| invalid(e.to_string()))?;
                let key = parse_public_key(&registered.public_key).map_err(|e| invalid(e.to_string()))?;
                if KeyId::of(&key) != registered.key_id {
                    return Err(invalid("the key id does not match the public key".into()));
                }
                if registered.key_id == self.root_id || self.nodes.contains_key(&registered.key_id) {
                    return Err(invalid(format!("key {} is already registered", registered.key_id)));
                }
                self.nodes.insert(registered.key_id, NodeKey { key, revoked_at: None });
            }
            "ledger.node_key_revoked" => {
                let revoked: NodeKeyRevoked = self.catalog.decode(entry).map_err(|e| invalid(e.to_string()))?;
                match self.nodes.get_mut(&revoked.key_id) {
                    Some(node) if node.revoked_at.is_none() => node.revoked_at = Some(entry.position),
                    Some(_) => return Err(invalid(format!("key {} is already revoked", revoked.key_id))),
                    None => return Err(invalid(format!("key {} was never registered", revoked.key_id))),
                }
            }
            _ => {}
        }
        Ok(())
    }
}
