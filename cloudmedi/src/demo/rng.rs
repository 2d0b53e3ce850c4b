//! The demo's randomness: one deterministic stream per seed and purpose.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A small deterministic generator (SplitMix64). It is written out here rather than taken from a
/// crate so that a seed keeps meaning the same data across dependency upgrades, which may change a
/// library's algorithms or its ways of drawing from ranges.
pub(super) struct Rng {
    state: u64,
}

impl Rng {
    /// The generator of one independent stream of a seed: the network, or one patient.
    pub(super) fn new(seed: u64, stream: u64) -> Self {
        let mut mixer = Rng { state: seed ^ 0x6A09_E667_F3BC_C908 };
        let base = mixer.next_u64();
        let mut mixer = Rng { state: base ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) };
        Rng { state: mixer.next_u64() }
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `low..=high`.
    pub(super) fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        low + self.below((high - low) as u64 + 1) as i64
    }

    /// A number in `low..=high`, for measures.
    pub(super) fn within(&mut self, low: u32, high: u32) -> u32 {
        self.between(i64::from(low), i64::from(high)) as u32
    }

    /// A uniform fraction in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(super) fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// One item of a table. Every table here is a non-empty constant; an empty one would give `None`.
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }

    /// The index of an item drawn with the given weights (the last one if every weight is 0).
    pub(super) fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut draw = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if draw < *weight {
                return index;
            }
            draw -= weight;
        }
        weights.len().saturating_sub(1)
    }

    /// Years until the next event of a process happening `rate` times a year.
    pub(super) fn years_until(&mut self, rate: f64) -> f64 {
        -(1.0 - self.unit()).ln() / rate.max(1e-6)
    }

    /// A random (version 4) UUID, for entry ids.
    pub(super) fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A time-ordered (version 7) UUID stamped `at`, as the command API makes ids when a thing is
    /// created, but with the simulated time and random bits from the seed.
    pub(super) fn uuid_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }

    /// Lower-case hex of 32 random bytes: an attachment's digest.
    pub(super) fn sha256_hex(&mut self) -> String {
        (0..4).map(|_| format!("{:016x}", self.next_u64())).collect()
    }
}

/// Picks a word from a table, which is never empty (reading the data files checks it); the fallback only
/// keeps the code free of panics.
pub(super) fn pick<'a, S: AsRef<str>>(rng: &mut Rng, items: &'a [S]) -> &'a str {
    rng.pick(items).map_or("", AsRef::as_ref)
}
