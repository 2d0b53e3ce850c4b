//! The application's clock, and the time as people in Cameroon read it. Cameroon keeps West Africa
//! Time (UTC+01:00, Africa/Douala) all year, with no daylight saving, so the fixed offset is exact.
//!
//! Every command is stamped, and every rule that depends on the date (a dose not before its minimum
//! age, an appointment in the future) is decided, by the one clock the application was given: the
//! system's, or in tests one set by hand (`ledger::system::SetClock`).

use crate::Application;
use event_schema::{Clock, Timestamp};
use std::sync::Arc;

impl Application {
    /// The same application on `clock`, for everything it stamps and decides by the date, the messages
    /// it queues included.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        let outbox = self.outbox.clone().with_clock(clock.clone());
        Self { clock, outbox, ..self }
    }

    /// The current instant by the application's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Today's date in Cameroon by the application's clock, `YYYY-MM-DD`.
    pub fn today_in_cameroon(&self) -> String {
        self.now().cameroon_date()
    }
}

/// An instant in Cameroon time, RFC 3339 with the offset, e.g. `2026-12-07T09:30:00+01:00`.
pub fn cameroon_time(at: &Timestamp) -> Option<String> {
    let offset = chrono::FixedOffset::east_opt(3600)?;
    Some(at.as_datetime().with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
}
