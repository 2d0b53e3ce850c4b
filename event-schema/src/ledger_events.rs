//! The ledger's own events: its genesis and its key registry, all in the stream `ledger:keys` and all
//! signed by the root key. Because the registry lives in the log, the log plus the root public key are
//! everything a verifier needs.

use crate::catalog::{Catalog, EventPayload};
use crate::keys::KeyId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stream holding genesis and every key registry event.
pub const KEY_STREAM: &str = "ledger:keys";

/// Position 1 of every ledger: names the ledger and the root key that signs its key registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerGenesis {
    pub ledger_id: Uuid,
    pub root_key_id: KeyId,
    /// The root public key, lower-case hex.
    pub root_public_key: String,
}

impl EventPayload for LedgerGenesis {
    const EVENT_TYPE: &'static str = "ledger.genesis";
    const SCHEMA_VERSION: u32 = 1;
}

/// A node signing key becomes valid for every entry after this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeKeyRegistered {
    pub key_id: KeyId,
    /// The node's public key, lower-case hex.
    pub public_key: String,
    /// A human label for the node holding the key, e.g. its host name.
    pub node_name: String,
}

impl EventPayload for NodeKeyRegistered {
    const EVENT_TYPE: &'static str = "ledger.node_key_registered";
    const SCHEMA_VERSION: u32 = 1;
}

/// Why a node key stopped being valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevocationReason {
    /// Replaced by a new key in the ordinary course.
    Rotated,
    /// Suspected or known to be in other hands.
    Compromised,
    /// Its node was taken out of service.
    Retired,
}

/// A node signing key is no longer valid for any entry after this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeKeyRevoked {
    pub key_id: KeyId,
    pub reason: RevocationReason,
}

impl EventPayload for NodeKeyRevoked {
    const EVENT_TYPE: &'static str = "ledger.node_key_revoked";
    const SCHEMA_VERSION: u32 = 1;
}

/// Whether an event type belongs to the key registry, and so must be signed by the root key (and may
/// never be signed by a node key).
pub fn is_key_registry_event(event_type: &str) -> bool {
    matches!(event_type, "ledger.genesis" | "ledger.node_key_registered" | "ledger.node_key_revoked")
}

pub(crate) fn register(catalog: Catalog) -> Catalog {
    catalog.register::<LedgerGenesis>().register::<NodeKeyRegistered>().register::<NodeKeyRevoked>()
}
