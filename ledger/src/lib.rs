//! The event store: a signed, hash-chained, append-only log of events.
//!
//! [`Ledger`] appends (with group commit, optimistic concurrency per stream and idempotent command
//! ids), reads a stream or the whole log, and subscribes to it. Storage is behind one trait with a
//! SQLite backend (the embedded default) and a PostgreSQL backend (production, shared by several
//! processes). The key registry is in the log itself: [`Ledger::initialise`] writes the genesis entry
//! and registers the first node key, signed by the root key.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

/// Runs the same query text against whichever backend holds the tables. Tables that use the same
/// column types on both backends (text ids, integer instants) can share one query text, since sqlx
/// accepts `$n` placeholders on SQLite too; the body is expanded once per backend and type-checked for
/// each.
#[macro_export]
macro_rules! on_database {
    ($database:expr, $pool:ident => $body:expr) => {
        match $database {
            $crate::Database::Sqlite($pool) => $body,
            $crate::Database::Postgres($pool) => $body,
        }
    };
}

pub mod append;
pub mod audit;
pub mod baseline;
pub mod error;
pub mod keyfile;
pub mod outbox;
mod seal;
pub mod storage;
pub mod subscription;
pub mod system;
pub mod testing;
mod writer;

pub use append::{AppendRequest, Appended, ExpectedVersion, NewEvent, MAX_EVENTS_PER_APPEND};
pub use error::{InvalidEvent, LedgerError};
pub use seal::Head;
pub use storage::postgres::PgStorage;
pub use storage::sqlite::SqliteStorage;
pub use storage::{Backend, Database, Storage};
pub use subscription::Subscription;

use append::{PreparedAppend, SealWith};
use event_schema::ledger_events::{LedgerGenesis, NodeKeyRegistered, KEY_STREAM};
use event_schema::{keys, Actor, Catalog, Entry, KeyId, KeyPair, KeyRegistry, StreamId, VerifyingKey};
use seal::Sealer;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch, Mutex};
use tokio::task::JoinHandle;
use uuid::Uuid;
use writer::{Message, Writer};

/// How many appends may wait for the writer before callers are made to wait.
const QUEUE_DEPTH: usize = 8_192;

/// A handle on an open ledger. Cheap to clone; all clones share one writer.
#[derive(Clone)]
pub struct Ledger {
    inner: Arc<Inner>,
}

struct Inner {
    storage: Arc<dyn Storage>,
    catalog: Catalog,
    queue: mpsc::Sender<Message>,
    head: Arc<watch::Sender<u64>>,
    node_key_id: KeyId,
    writer: Mutex<Option<JoinHandle<()>>>,
    listener: JoinHandle<()>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl Ledger {
    /// Writes the genesis entry and registers the first node key, both signed by the root key, in an
    /// empty ledger. Returns the new ledger's id.
    pub async fn initialise(
        storage: &dyn Storage,
        root: &KeyPair,
        node_key: &VerifyingKey,
        node_name: &str,
    ) -> Result<Uuid, LedgerError> {
        storage.migrate().await?;
        let ledger_id = Uuid::now_v7();
        let now = system::now();
        let genesis = LedgerGenesis {
            ledger_id,
            root_key_id: root.id().clone(),
            root_public_key: keys::public_key_hex(&root.public_key()),
        };
        let registered = NodeKeyRegistered {
            key_id: KeyId::of(node_key),
            public_key: keys::public_key_hex(node_key),
            node_name: node_name.to_owned(),
        };
        let events = vec![NewEvent::typed(&genesis, now)?, NewEvent::typed(&registered, now)?];
        match Self::append_root_signed(storage, root, ExpectedVersion::NoStream, events).await {
            Ok(_) => Ok(ledger_id),
            Err(LedgerError::Conflict { .. } | LedgerError::WrongRootKey) => Err(LedgerError::AlreadyInitialised),
            Err(error) => Err(error),
        }
    }

    /// Appends key registry events signed by the root key, straight to storage (no node key needed):
    /// registering a new node's key, revoking a compromised one. The events are checked against the
    /// registry as it stands under the head lock, so nothing verification would reject is written.
    /// Processes with the ledger open notice the change at their next append.
    pub async fn append_root_signed(
        storage: &dyn Storage,
        root: &KeyPair,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<Appended, LedgerError> {
        storage.migrate().await?;
        let request = AppendRequest::new(StreamId::parse(KEY_STREAM)?, expected, Actor::system(), events);
        let prepared = PreparedAppend::prepare(request, SealWith::Root(Arc::new(root.clone())), &Catalog::ledger())?;
        let committed = storage.append_batch(&[&prepared], &mut Sealer::root_only(root.public_key())).await?;
        committed.plan.outcomes.into_iter().next().unwrap_or(Err(LedgerError::Closed))
    }

    /// Opens an initialised ledger for appending with `node`'s key, after checking that the genesis
    /// entry names `root` and that `node` is registered and not revoked.
    pub async fn open(
        storage: Arc<dyn Storage>,
        root: VerifyingKey,
        node: KeyPair,
        catalog: Catalog,
    ) -> Result<Self, LedgerError> {
        storage.migrate().await?;
        check_chain(storage.as_ref(), root).await?;
        let (registry, registry_version) = load_registry(storage.as_ref(), root).await?;
        if !registry.is_active_node_key(node.id()) {
            let state = if registry.node_keys().any(|(id, _)| id == node.id()) { "revoked" } else { "not registered" };
            return Err(LedgerError::NodeKey { key_id: node.id().to_string(), state });
        }
        let head = Arc::new(watch::Sender::new(storage.head().await?.position));
        let (queue, receiver) = mpsc::channel(QUEUE_DEPTH);
        let node_key_id = node.id().clone();
        let writer = Writer {
            storage: storage.clone(),
            sealer: Sealer::new(node, registry, registry_version),
            queue: receiver,
            head: head.clone(),
        };
        let writer = tokio::spawn(writer.run());
        let listener = {
            let storage = storage.clone();
            let head = head.clone();
            tokio::spawn(async move { storage.follow_other_writers(head).await })
        };
        Ok(Self {
            inner: Arc::new(Inner {
                storage,
                catalog: Catalog::ledger().merge(catalog),
                queue,
                head,
                node_key_id,
                writer: Mutex::new(Some(writer)),
                listener,
            }),
        })
    }

    /// Appends one command's events to one stream, all or nothing.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, LedgerError> {
        let prepared = PreparedAppend::prepare(request, SealWith::Node, &self.inner.catalog)?;
        self.submit(prepared).await
    }

    /// Appends key registry events (rotation, revocation), signed by the root key.
    pub async fn append_key_events(&self, root: &KeyPair, events: Vec<NewEvent>) -> Result<Appended, LedgerError> {
        let request = AppendRequest::new(StreamId::parse(KEY_STREAM)?, ExpectedVersion::Any, Actor::system(), events);
        let prepared = PreparedAppend::prepare(request, SealWith::Root(Arc::new(root.clone())), &self.inner.catalog)?;
        self.submit(prepared).await
    }

    async fn submit(&self, append: PreparedAppend) -> Result<Appended, LedgerError> {
        let (reply, answer) = oneshot::channel();
        self.inner.queue.send(Message::Append { append, reply }).await.map_err(|_| LedgerError::Closed)?;
        answer.await.map_err(|_| LedgerError::Closed)?
    }

    /// Up to `limit` entries of a stream after `after_version`, in stream order.
    pub async fn read_stream(
        &self,
        stream_id: &StreamId,
        after_version: u64,
        limit: u32,
    ) -> Result<Vec<Entry>, LedgerError> {
        self.inner.storage.read_stream(stream_id.as_str(), after_version, limit).await
    }

    /// The first entry of each named stream that has one (what registered a patient or a facility),
    /// in one read.
    pub async fn read_stream_starts(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError> {
        self.inner.storage.read_stream_starts(stream_ids).await
    }

    /// Every entry of each named stream, in position order, in one read.
    pub async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError> {
        self.inner.storage.read_streams(stream_ids).await
    }

    /// Up to `limit` entries after position `after`, in position order.
    pub async fn read_all(&self, after: u64, limit: u32) -> Result<Vec<Entry>, LedgerError> {
        let entries = self.inner.storage.read_all(after, limit).await?;
        storage::check_consecutive(&entries, after)?;
        Ok(entries)
    }

    /// A feed of every entry after `after`: first those already committed, then each new one.
    pub fn subscribe(&self, after: u64) -> Subscription {
        Subscription::new(self.inner.storage.clone(), after, self.inner.head.subscribe())
    }

    /// The last committed entry.
    pub async fn head(&self) -> Result<Head, LedgerError> {
        self.inner.storage.head().await
    }

    /// The catalogue of event types this ledger accepts (the ledger's own included).
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.inner.storage
    }

    /// The id of the key this handle signs with.
    pub fn node_key_id(&self) -> &KeyId {
        &self.inner.node_key_id
    }

    /// Commits everything queued so far, then stops the writer; later appends fail with `Closed`.
    pub async fn close(&self) {
        let (done, finished) = oneshot::channel();
        if self.inner.queue.send(Message::Close { done }).await.is_ok() {
            let _ = finished.await;
        }
        if let Some(writer) = self.inner.writer.lock().await.take() {
            let _ = writer.await;
        }
    }
}

/// What opening a ledger checks of the chain it is about to build on: that the append-only guard still
/// stands, and that the entries appended since the point last verified are still what was written and
/// end at the head row. The verified point then moves to the head.
///
/// The migrations create the guard's triggers, so after they ran a missing, disabled or altered
/// trigger can only be someone's doing. When the ledger had been opened before (a verified point
/// exists), that is tampering: the verified point is withdrawn, the triggers are recreated and opening
/// is refused, saying so; the next opening verifies the whole chain before anything builds on it.
/// Without a verified point (a ledger never opened by a version that verifies, or one whose point was
/// withdrawn), the triggers are recreated and the whole chain verified now.
pub async fn check_chain(storage: &dyn Storage, root: VerifyingKey) -> Result<(), LedgerError> {
    let verified = storage.verified_point().await?;
    let lifted = storage.lifted_guards().await?;
    if !lifted.is_empty() {
        // Withdrawn first: should the process stop in between, the next opening still verifies it all.
        storage.withdraw_verified().await?;
        storage.restore_guards().await?;
        if verified.is_some() {
            tracing::error!(triggers = %lifted.join(", "), "ledger.open.guard_lifted: the append-only triggers were dropped or altered");
            return Err(LedgerError::GuardLifted { triggers: lifted });
        }
        tracing::warn!(triggers = %lifted.join(", "), "ledger.open.guard_restored: verifying the whole chain");
    }
    let head = storage.head().await?;
    if head.position == 0 {
        return Err(LedgerError::NotInitialised);
    }
    match audit::verify_since(storage, root, verified, head).await {
        Ok(head) => storage.record_verified(head).await,
        // Another root than the ledger's: the key given is wrong, not the chain.
        Err(audit::AuditError::Failed(failure)) if failure.reason == event_schema::FailureReason::WrongRootKey => {
            Err(LedgerError::WrongRootKey)
        }
        Err(audit::AuditError::Failed(failure)) => {
            tracing::error!(position = failure.position, reason = %failure.reason, "ledger.open.chain_broken");
            Err(LedgerError::ChainBroken(failure))
        }
        Err(audit::AuditError::HeadMismatch { head, chain }) => {
            tracing::error!(head = head.position, chain = chain.position, "ledger.open.head_mismatch");
            Err(LedgerError::HeadMismatch { head, last: chain })
        }
        Err(audit::AuditError::Ledger(error)) => Err(error),
    }
}

/// Reads and checks the key registry: every key event must be signed by the root key, starting with a
/// genesis entry that names it. Returns the registry and the version of `ledger:keys` it reflects.
pub async fn load_registry(storage: &dyn Storage, root: VerifyingKey) -> Result<(KeyRegistry, u64), LedgerError> {
    let entries = storage.read_stream(KEY_STREAM, 0, u32::MAX).await?;
    if entries.is_empty() {
        return Err(LedgerError::NotInitialised);
    }
    let mut registry = KeyRegistry::new(root);
    let mut version = 0;
    for entry in &entries {
        fold_key_entry(&mut registry, entry)?;
        version = entry.stream_version;
    }
    Ok((registry, version))
}

/// Folds one key registry entry read from the database into `registry`, after checking its hash and
/// its signature: a row forged in the database must not change which keys a node believes in.
pub(crate) fn fold_key_entry(registry: &mut KeyRegistry, entry: &Entry) -> Result<(), LedgerError> {
    let corrupt = |reason: String| LedgerError::Corrupt { position: entry.position, reason };
    // Every key registry entry is signed by the root key, so one signed by another key means the
    // ledger was initialised under a different root.
    if entry.key_id != *registry.root_id() {
        return Err(LedgerError::WrongRootKey);
    }
    let signer = registry.signer_for(entry).map_err(|reason| corrupt(reason.to_string()))?;
    if entry.compute_hash().ok() != Some(entry.hash) || !event_schema::verify::verify_entry_signature(&signer, entry) {
        return Err(corrupt("key registry entry fails its hash or signature check".into()));
    }
    registry.apply(entry).map_err(|reason| match reason {
        event_schema::FailureReason::WrongRootKey => LedgerError::WrongRootKey,
        other => corrupt(other.to_string()),
    })
}
