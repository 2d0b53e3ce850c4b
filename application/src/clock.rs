//! The time as people in Cameroon read it. Cameroon keeps West Africa Time (UTC+01:00, Africa/Douala)
//! all year, with no daylight saving, so the fixed offset is exact.

use event_schema::Timestamp;

/// Today's date in Cameroon, `YYYY-MM-DD`.
pub fn today_in_cameroon() -> String {
    Timestamp::now().cameroon_date()
}

/// An instant in Cameroon time, RFC 3339 with the offset, e.g. `2026-12-07T09:30:00+01:00`.
pub fn cameroon_time(at: &Timestamp) -> Option<String> {
    let offset = chrono::FixedOffset::east_opt(3600)?;
    Some(at.as_datetime().with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
}
