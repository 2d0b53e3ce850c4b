//! Dates and times as people in Cameroon read them: in Africa/Douala time, written out in the page's
//! language, with the offset named for times.
//!
//! The whole country keeps West Africa Time, UTC+01:00, all year round (no daylight saving), so a
//! fixed offset gives the same answer as the `Africa/Douala` zone without a time-zone database, as
//! the query API's `cameroon_time` does.

use crate::i18n::Language;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

/// Cameroon's offset from UTC, in seconds.
const CAMEROON_OFFSET_SECS: i32 = 3600;

/// The months' message ids, January first.
const MONTHS: [&str; 12] = [
    id!("month-1"),
    id!("month-2"),
    id!("month-3"),
    id!("month-4"),
    id!("month-5"),
    id!("month-6"),
    id!("month-7"),
    id!("month-8"),
    id!("month-9"),
    id!("month-10"),
    id!("month-11"),
    id!("month-12"),
];

/// A day written out, e.g. `7 décembre 2026`.
pub fn long_date(language: Language, date: NaiveDate) -> String {
    let month = MONTHS.get(date.month0() as usize).map(|id| language.t(id)).unwrap_or_default();
    language.t_with(
        "date-long",
        // The day as a number, which French writes `1er` on the first; the year as text, which no
        // number formatting may touch.
        &[("day", date.day().into()), ("month", month.into()), ("year", date.year().to_string().into())],
    )
}

/// A `YYYY-MM-DD` day written out; text that is not such a day is shown as it is.
pub fn day(language: Language, text: &str) -> String {
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => long_date(language, date),
        Err(_) => text.to_owned(),
    }
}

/// An RFC 3339 instant as a day and time in Cameroon, e.g. `7 décembre 2026 à 10:30 (UTC+01:00)`.
pub fn instant(language: Language, text: &str) -> String {
    match in_cameroon(text) {
        Some(at) => language.t_with(
            "date-time-long",
            &[
                ("date", long_date(language, at.date_naive()).into()),
                ("time", format!("{:02}:{:02}", at.hour(), at.minute()).into()),
            ],
        ),
        None => text.to_owned(),
    }
}

/// The day an RFC 3339 instant falls on in Cameroon.
pub fn cameroon_day(text: &str) -> Option<NaiveDate> {
    in_cameroon(text).map(|at| at.date_naive())
}

/// Today in Cameroon.
pub fn today() -> NaiveDate {
    let now = chrono::Utc::now();
    match FixedOffset::east_opt(CAMEROON_OFFSET_SECS) {
        Some(offset) => now.with_timezone(&offset).date_naive(),
        None => now.date_naive(),
    }
}

fn in_cameroon(text: &str) -> Option<DateTime<FixedOffset>> {
    let offset = FixedOffset::east_opt(CAMEROON_OFFSET_SECS)?;
    DateTime::parse_from_rfc3339(text).ok().map(|at| at.with_timezone(&offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_are_shown_in_cameroon_time() {
        // 23:30 UTC on New Year's Eve is already the next year in Douala.
        assert_eq!(instant(Language::French, "2025-12-31T23:30:00Z"), "1er janvier 2026 à 00:30 (UTC+01:00)");
        assert_eq!(instant(Language::English, "2025-12-31T23:30:00Z"), "1 January 2026 at 00:30 (UTC+01:00)");
        assert_eq!(instant(Language::English, "2026-03-07T08:05:00.123456Z"), "7 March 2026 at 09:05 (UTC+01:00)");
        assert_eq!(cameroon_day("2025-12-31T23:30:00Z"), NaiveDate::from_ymd_opt(2026, 1, 1));
        assert_eq!(instant(Language::English, "not a time"), "not a time");
    }

    #[test]
    fn days_are_written_out_in_the_language() {
        assert_eq!(day(Language::French, "2026-08-15"), "15 août 2026");
        assert_eq!(day(Language::English, "2026-08-15"), "15 August 2026");
        assert_eq!(day(Language::English, "2026"), "2026");
    }
}
