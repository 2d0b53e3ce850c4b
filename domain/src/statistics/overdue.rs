//! Which children are overdue for a dose at the end of a month: the defaulters a vaccination team
//! goes looking for.
//!
//! The statistics count children by month of birth, so the question is asked of whole birth months:
//! a birth month's children are *due* for dose `n` of an antigen at the end of month `M` when even the
//! youngest of them (born on the month's last day) passed the dose's due age plus the grace the
//! vaccination card allows ([`GRACE_DAYS`]) by then, and the oldest (born on its first day) is still
//! within the age the programme catches a missed dose up to. Those of them without the dose by the
//! end of `M` are overdue: exactly the children the card of each shows the dose overdue for, save
//! those born in a month only partly due, who are left out rather than guessed at.
//!
//! Each birth month is judged by the schedule version in force for it, so a dose added to the
//! schedule is overdue only for children born after it was.

use crate::record::schedule::{self, Antigen};
use crate::record::vaccination::GRACE_DAYS;
use chrono::{Datelike, Days, Months, NaiveDate};

/// Why a dose's overdue children cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotCounted {
    #[error("the schedule has no dose {dose} of {antigen}")]
    UnknownDose { antigen: String, dose: u32 },
    /// Offered only to some (by sex, or in selected districts): the registered children of an area
    /// are not all meant to receive it, so they are no denominator.
    #[error("{0} is not offered to every child, so overdue children are not counted for it")]
    NotForEveryChild(String),
}

/// The birth months (`YYYY-MM`, oldest first) whose children are all due for dose `dose` of
/// `antigen` at the end of `month` (any day of it).
pub fn due_birth_months(antigen: &str, dose: u32, month: NaiveDate) -> Result<Vec<String>, NotCounted> {
    let end = last_day(month);
    let mut known = false;
    let mut months = Vec::new();
    // Catch-up ends by five years for every infant antigen; a decade covers any the schedule adds.
    let mut born = first_day(end).checked_sub_months(Months::new(120)).unwrap_or(end);
    while born <= end {
        let version = schedule::in_force_on(&born.format("%Y-%m-%d").to_string());
        if let Some((antigen_of_month, due_age)) = version.and_then(|version| dose_of(version.antigen(antigen)?, dose))
        {
            known = true;
            if !offered_to_every_child(antigen_of_month) {
                return Err(NotCounted::NotForEveryChild(antigen.to_owned()));
            }
            let youngest_overdue = last_day(born)
                .checked_add_days(Days::new(u64::from(due_age) + u64::from(GRACE_DAYS)))
                .is_some_and(|day| day < end);
            let oldest_catchable = antigen_of_month.catch_up_until.after(born).is_some_and(|day| day > end);
            if youngest_overdue && oldest_catchable {
                months.push(born.format("%Y-%m").to_string());
            }
        }
        let Some(next) = born.checked_add_months(Months::new(1)) else { break };
        born = next;
    }
    if known {
        Ok(months)
    } else {
        Err(NotCounted::UnknownDose { antigen: antigen.to_owned(), dose })
    }
}

fn dose_of(antigen: &Antigen, number: u32) -> Option<(&Antigen, u32)> {
    antigen.dose(number).map(|dose| (antigen, dose.age_days))
}

fn offered_to_every_child(antigen: &Antigen) -> bool {
    antigen.offered_to.is_none() && !antigen.selected_districts()
}

fn first_day(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn last_day(day: NaiveDate) -> NaiveDate {
    first_day(day).checked_add_months(Months::new(1)).and_then(|next| next.pred_opt()).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn penta1_is_overdue_for_months_whose_youngest_child_is_past_ten_weeks() {
        // Penta 1 is due at 42 days; overdue 28 days later, at 70 days. At the end of October 2026,
        // a child born on 31 July is 92 days old, one born on 31 August 61 days.
        let months = due_birth_months("PENTA", 1, day("2026-10-15")).expect("counted");
        assert_eq!(months.last().map(String::as_str), Some("2026-07"));
        // Catch-up ends at five years: the oldest month whose first-born is under five at the end of
        // October 2026 is November 2021.
        assert_eq!(months.first().map(String::as_str), Some("2021-11"));
        assert_eq!(months.len(), 57);
    }

    #[test]
    fn measles_counts_from_nine_months_and_a_grace() {
        let months = due_birth_months("MR", 1, day("2026-10-01")).expect("counted");
        let youngest = months.last().expect("some month is due");
        // MR1 is due at about nine months (274 days), overdue 28 days later: a child born on
        // 31 December 2025 is 304 days old on 31 October 2026, one born on 31 January 2026 only 273.
        assert_eq!(youngest, "2025-12");
    }

    #[test]
    fn a_dose_the_schedule_lacks_or_an_antigen_for_some_is_refused() {
        assert!(matches!(due_birth_months("PENTA", 7, day("2026-10-01")), Err(NotCounted::UnknownDose { .. })));
        assert!(matches!(due_birth_months("NOPE", 1, day("2026-10-01")), Err(NotCounted::UnknownDose { .. })));
        assert!(matches!(due_birth_months("HPV", 1, day("2026-10-01")), Err(NotCounted::NotForEveryChild(_))));
    }
}
