//! Instants in the ledger: UTC, microsecond precision, one textual form.
//!
//! Every timestamp is written `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fractional digits, always `Z`),
//! so the canonical bytes of an entry do not depend on how a database or a language prints time, and
//! the text sorts in time order. PostgreSQL's `timestamptz` keeps exactly microseconds, so a stored
//! timestamp reads back identical.

use chrono::{DateTime, SecondsFormat, SubsecRound, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A UTC instant truncated to whole microseconds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

/// Where the current instant comes from. This crate never reads the system clock: whoever stamps an
/// event is handed a clock (the system's in production, one set by hand in tests of what depends on
/// the date), so everything here stays a function of its inputs.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

impl Timestamp {
    /// Truncates any UTC instant to microseconds (a leap second counts as the last microsecond of
    /// its minute, since the ledger has no spelling for it).
    pub fn from_datetime(at: DateTime<Utc>) -> Self {
        let at = if at.timestamp_subsec_nanos() >= 1_000_000_000 {
            at.with_nanosecond(999_999_000).unwrap_or(at)
        } else {
            at
        };
        Self(at.trunc_subsecs(6))
    }

    /// Parses the ledger's textual form, and only that form, so that two spellings of one instant can
    /// never both appear in stored entries.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let invalid = || TimestampError(text.chars().take(40).collect());
        // The exact shape first (cheap, and it rules out every other spelling); then the calendar.
        if !has_ledger_shape(text.as_bytes()) {
            return Err(invalid());
        }
        let parsed = DateTime::parse_from_rfc3339(text).map_err(|_| invalid())?.with_timezone(&Utc);
        // chrono accepts second 60 as a leap second; databases do not (PostgreSQL would store the
        // next minute), and one instant must have one spelling, so it is refused.
        if parsed.timestamp_subsec_nanos() >= 1_000_000_000 {
            return Err(invalid());
        }
        Ok(Self(parsed))
    }

    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// The calendar date of this instant in Cameroon (West Africa Time, UTC+1, no daylight saving),
    /// `YYYY-MM-DD`: the "today" that dates of care are checked against.
    pub fn cameroon_date(&self) -> String {
        (self.0 + chrono::Duration::hours(1)).date_naive().format("%Y-%m-%d").to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Micros, true))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Whether `text` is `DDDD-DD-DDTDD:DD:DD.DDDDDDZ` (D a digit).
fn has_ledger_shape(text: &[u8]) -> bool {
    const SHAPE: &[u8; 27] = b"DDDD-DD-DDTDD:DD:DD.DDDDDDZ";
    text.len() == SHAPE.len()
        && text.iter().zip(SHAPE).all(|(&c, &s)| if s == b'D' { c.is_ascii_digit() } else { c == s })
}

/// A timestamp that is not in the form `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a timestamp of the form YYYY-MM-DDTHH:MM:SS.ffffffZ")]
pub struct TimestampError(String);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A UTC instant with exactly six fractional digits: YYYY-MM-DDTHH:MM:SS.ffffffZ",
            "type": "string",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_six_fractional_digits_and_z() {
        let stamp = Timestamp::parse("2026-03-01T08:30:00.000000Z").unwrap();
        assert_eq!(stamp.to_string(), "2026-03-01T08:30:00.000000Z");
    }

    #[test]
    fn refuses_other_spellings_of_an_instant() {
        for text in [
            "2026-02-30T08:30:00.000000Z",
            "2026-03-01T08:30:00.0000000Z",
            "2026-03-01T08:30:00Z",
            "2026-03-01T09:30:00.000000+01:00",
            "2026-03-01 08:30:00",
            "yesterday",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text} was accepted");
        }
    }
}
