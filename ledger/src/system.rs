//! What the ledger takes from the operating system: the time and fresh keys. The crates below it
//! (`event-schema`, `domain`) read neither; everything above is handed a [`Clock`], so a test of what
//! depends on the date sets the time instead of waiting for it.

use event_schema::{Clock, KeyPair, Timestamp};
use std::sync::{Arc, Mutex};

/// The system's clock, truncated to microseconds as the ledger stores time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(chrono::Utc::now())
    }
}

/// The system's clock, shared.
pub fn clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// The current instant by the system's clock, for the ledger's own stamps (when an entry was
/// recorded) and the console's.
pub fn now() -> Timestamp {
    SystemClock.now()
}

/// A clock that stands where it is set until moved: for tests of what depends on the date (a dose
/// falling due, an appointment passing), on any process that shares it.
#[derive(Debug, Clone)]
pub struct SetClock(Arc<Mutex<Timestamp>>);

impl SetClock {
    pub fn at(at: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        // A poisoned lock only means a holder panicked mid-set; the instant is still one value.
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
    }
}

impl Clock for SetClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A fresh Ed25519 key pair from the operating system's random source.
pub fn new_key_pair() -> KeyPair {
    KeyPair::generate(&mut rand_core::OsRng)
}
