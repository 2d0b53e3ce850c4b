//! The simulated calendar: Cameroon's days and hours, and the working hours of its clinics.

use super::rng::Rng;
use super::HISTORY_DAYS;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};

/// The simulated calendar: Cameroon's time (UTC+1, no daylight saving), the day the data leads up
/// to, and the window history falls in.
pub(super) struct Clock {
    pub(super) as_of: NaiveDate,
    /// The network's first day.
    pub(super) go_live: NaiveDate,
    /// The first day patients are registered, once facilities and staff exist.
    pub(super) first_patient_day: NaiveDate,
    /// No event at or after this instant: the start of `as_of` in Cameroon.
    pub(super) end: DateTime<Utc>,
}

impl Clock {
    pub(super) fn new(as_of: NaiveDate) -> Self {
        let go_live = as_of - Duration::days(HISTORY_DAYS);
        Clock { as_of, go_live, first_patient_day: go_live + Duration::days(75), end: instant(as_of, 0) }
    }
}

/// The instant `minutes` after midnight of `day` in Cameroon.
pub(super) fn instant(day: NaiveDate, minutes: i64) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() + Duration::minutes(minutes - 60)
}

/// The day in Cameroon at an instant, as the domain's `today`.
pub(super) fn cameroon_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(1)).date_naive()
}

/// A day as the domain writes it.
pub(super) fn ymd(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The first weekday on or after `day`: planned care (appointments, vaccinations) happens on weekdays.
pub(super) fn weekday_from(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Duration::days(2),
        Weekday::Sun => day + Duration::days(1),
        _ => day,
    }
}

/// A time during a clinic's working hours (07:30 to 15:30) on `day`.
pub(super) fn clinic_time(rng: &mut Rng, day: NaiveDate) -> DateTime<Utc> {
    instant(day, 450 + rng.between(0, 480))
}
