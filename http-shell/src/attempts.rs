//! How many unauthenticated attempts (logins, codes, activations, refreshes, queries without a valid
//! token) one client address may make. Lockouts per identifier stop guessing one account's password;
//! this stops one address from trying a few passwords on many accounts (and from filling the ledger
//! with failed attempts).

use crate::error::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

/// A burst, then one more attempt every `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptRate {
    pub burst: u32,
    pub period: std::time::Duration,
}

impl Default for AttemptRate {
    fn default() -> Self {
        // A clinic's staff behind one address logging in at the change of shift fit in the burst.
        Self { burst: 30, period: std::time::Duration::from_secs(2) }
    }
}

/// The attempts left to each client address, for routes that count only some of their requests (a
/// GraphQL request with a valid token is limited by its account's cost budget instead).
pub struct AddressLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

impl AddressLimit {
    /// `None` for a rate that allows nothing (a zero burst or period).
    pub fn new(rate: AttemptRate) -> Option<Self> {
        let burst = std::num::NonZeroU32::new(rate.burst)?;
        let quota = Quota::with_period(rate.period)?.allow_burst(burst);
        Some(Self { limiter: DefaultKeyedRateLimiter::keyed(quota), checks: AtomicU64::new(0) })
    }

    /// Counts one attempt from `address`, or answers how many seconds it must wait.
    pub fn spend(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let address =
            address.ok_or_else(|| ApiError::Internal("the client's address is unknown to the rate limit".into()))?;
        // Forget addresses whose allowance is whole again, now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|not_until| ApiError::TooManyAttempts {
            retry_after_secs: not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1),
        })
    }
}
