//! Reporting periods. Weeks are ISO 8601 weeks (Monday to Sunday, week 1 holding the year's first
//! Thursday), which is what IDSR systems in the African region report epidemiological weeks in.

use chrono::{Datelike, NaiveDate, Weekday};

/// How finely a period divides time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Granularity {
    Day,
    Week,
    Month,
    Year,
}

/// The ISO week of a day, as `2026-W05` (the ISO week-numbering year, which near 1 January may differ
/// from the calendar year).
pub fn iso_week(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{:04}-W{:02}", week.year(), week.week())
}

/// The label of the period holding `day`: `2026-12-07`, `2026-W50`, `2026-12` or `2026`.
pub fn label(day: NaiveDate, granularity: Granularity) -> String {
    match granularity {
        Granularity::Day => day.format("%Y-%m-%d").to_string(),
        Granularity::Week => iso_week(day),
        Granularity::Month => day.format("%Y-%m").to_string(),
        Granularity::Year => day.format("%Y").to_string(),
    }
}

/// The first day of an ISO week given as `2026-W05`, if it names one.
pub fn week_start(label: &str) -> Option<NaiveDate> {
    let (year, week) = label.split_once("-W")?;
    if year.len() != 4 || week.len() != 2 {
        return None;
    }
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_follow_iso_8601_across_the_new_year() {
        assert_eq!(iso_week(day("2026-12-07")), "2026-W50");
        assert_eq!(iso_week(day("2027-01-01")), "2026-W53");
        assert_eq!(iso_week(day("2025-12-29")), "2026-W01");
        assert_eq!(week_start("2026-W01"), Some(day("2025-12-29")));
        assert_eq!(week_start("2026-W54"), None);
        assert_eq!(week_start("2026-5"), None);
    }

    #[test]
    fn labels_name_the_period_holding_the_day() {
        let d = day("2026-03-04");
        assert_eq!(label(d, Granularity::Day), "2026-03-04");
        assert_eq!(label(d, Granularity::Week), "2026-W10");
        assert_eq!(label(d, Granularity::Month), "2026-03");
        assert_eq!(label(d, Granularity::Year), "2026");
    }
}
