//! The vaccination card: every dose of the routine schedule with its due date and where it stands
//! (given, overdue, due or upcoming) on a given day, as a pure function of the birth date, the doses
//! recorded and today's date.
//!
//! # Which schedule version
//!
//! The card follows the version of the schedule in force on the child's birth date, because the
//! schedule file declares that each version applies to children born on or after its `effective_from`:
//! a child born in 2022 finishes the two-dose rotavirus series of its cohort and is not shown a third
//! dose that only children born from 2023 are planned to receive.
//!
//! The command side checks a recorded dose against the version in force on the day the dose was given
//! (`clinical::decide_immunization`), so it can accept a dose that the child's cohort version does not
//! list, such as a third rotavirus dose given in 2023 to a child born in 2022. The card never loses
//! such a dose: every recorded dose that the cohort version does not plan is shown as given, after the
//! planned doses of its antigen, with no due date. Birth dates before the oldest version fall back to
//! it, exactly as they do when a dose is recorded.
//!
//! # Selected districts
//!
//! An antigen offered only in selected districts (the malaria vaccine) is shown only once a dose of it
//! has been recorded: which districts are selected is not data yet, so listing it for every child
//! would mark doses overdue for children who were never meant to receive them. Once one dose is
//! recorded the child is evidently in such a district, and the rest of the series is planned.

use super::schedule::{self, Antigen};
use crate::patient::calendar_date;
use chrono::{Days, NaiveDate};
use event_schema::events::record::ImmunizationRecorded;

/// How many days after its due date a dose not yet given is still only due rather than overdue.
///
/// Four weeks is the minimum interval between the doses of the infant primary series (polio,
/// pentavalent, pneumococcal, rotavirus): once a dose is more than four weeks late the next dose of the
/// series can no longer be given on time, so the child has fallen behind and needs catching up. Four
/// weeks is also the rhythm of the monthly outreach vaccination sessions, so a child whose dose fell
/// due since the last session is due, not a defaulter.
pub const GRACE_DAYS: u32 = 28;

/// A dose recorded as given: only current entries, without those amended or entered in error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenDose {
    /// The antigen's schedule code, e.g. `PENTA`.
    pub antigen: String,
    pub dose_number: u32,
    /// `YYYY-MM-DD`.
    pub given_on: String,
}

impl From<&ImmunizationRecorded> for GivenDose {
    fn from(recorded: &ImmunizationRecorded) -> Self {
        Self {
            antigen: recorded.antigen.clone(),
            dose_number: recorded.dose_number,
            given_on: recorded.given_on.clone(),
        }
    }
}

/// Where one dose of the card stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseStatus {
    /// Recorded as given, whenever it was given.
    Given,
    /// Not given, and more than [`GRACE_DAYS`] past its due date.
    Overdue,
    /// Not given, due date reached, and at most [`GRACE_DAYS`] past it.
    Due,
    /// Not given, and its due date is still to come.
    Upcoming,
}

/// One dose on the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLine {
    /// The antigen's schedule code, e.g. `OPV`.
    pub antigen: String,
    /// The antigen's name as the schedule words it.
    pub antigen_name: String,
    pub dose_number: u32,
    /// The birth date plus the dose's age in the schedule, `YYYY-MM-DD`; `None` for a recorded dose that
    /// the child's schedule version does not plan.
    pub due_on: Option<String>,
    pub status: DoseStatus,
    /// When the dose was given, `YYYY-MM-DD`, for a given dose.
    pub given_on: Option<String>,
}

/// The card: the schedule version it follows and its doses in schedule order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaccinationPlan {
    /// The `effective_from` of the schedule version the card follows, `YYYY-MM-DD`.
    pub schedule_effective_from: String,
    pub lines: Vec<CardLine>,
}

/// Why no card can be drawn up. The messages name no patient data, since errors may be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the birth date is not a calendar date written YYYY-MM-DD")]
    BirthDate,
    #[error("today's date is not a calendar date written YYYY-MM-DD")]
    Today,
    #[error("the birth date is after today")]
    BornAfterToday,
    #[error("no immunisation schedule is available")]
    NoSchedule,
}

/// The card of a child born on `birth_date`, with the doses `given`, as it stands on `today`.
///
/// Every dose of every antigen of the child's schedule version gets one line, in schedule order, due on
/// the birth date plus the dose's age; a dose recorded twice gets a second given line beside the first,
/// and a recorded dose outside the version follows its antigen's planned doses (or, for an antigen the
/// version does not have, comes at the end), so that no recorded dose is ever left off the card.
pub fn vaccination_plan(birth_date: &str, given: &[GivenDose], today: &str) -> Result<VaccinationPlan, PlanError> {
    // Exactly `YYYY-MM-DD`: the schedule lookup compares dates as text, so `2024-1-5` must be refused.
    let birth = calendar_date(birth_date).ok_or(PlanError::BirthDate)?;
    let today = calendar_date(today).ok_or(PlanError::Today)?;
    if birth > today {
        return Err(PlanError::BornAfterToday);
    }
    let version = schedule::in_force_on(&format_date(birth)).ok_or(PlanError::NoSchedule)?;

    // Codes are compared as the command side stores them, trimmed and in capitals; the earliest record
    // of a dose fills its line and any later record of the same dose follows it.
    let mut recorded: Vec<(String, &GivenDose)> =
        given.iter().map(|dose| (dose.antigen.trim().to_uppercase(), dose)).collect();
    recorded.sort_by(|(_, a), (_, b)| a.given_on.cmp(&b.given_on));
    let mut shown = vec![false; recorded.len()];

    let mut lines = Vec::new();
    for antigen in &version.antigens {
        let of_antigen: Vec<usize> = (0..recorded.len()).filter(|&i| recorded[i].0 == antigen.code).collect();
        if antigen.selected_districts && of_antigen.is_empty() {
            continue;
        }
        for dose in &antigen.doses {
            // Only a birth date at the far end of the calendar could overflow; a four-digit year never does.
            let due = birth.checked_add_days(Days::new(dose.age_days.into())).ok_or(PlanError::BirthDate)?;
            let due_on = Some(format_date(due));
            let mut records = of_antigen.iter().copied().filter(|&i| recorded[i].1.dose_number == dose.number);
            match records.next() {
                None => lines.push(CardLine {
                    antigen: antigen.code.clone(),
                    antigen_name: antigen.name.clone(),
                    dose_number: dose.number,
                    due_on,
                    status: status(due, today),
                    given_on: None,
                }),
                Some(first) => {
                    for i in std::iter::once(first).chain(records) {
                        shown[i] = true;
                        lines.push(given_line(antigen, recorded[i].1, due_on.clone()));
                    }
                }
            }
        }
        let mut outside: Vec<usize> = of_antigen.into_iter().filter(|&i| !shown[i]).collect();
        outside.sort_by_key(|&i| recorded[i].1.dose_number);
        for i in outside {
            shown[i] = true;
            lines.push(given_line(antigen, recorded[i].1, None));
        }
    }

    let mut unknown: Vec<usize> = (0..recorded.len()).filter(|&i| !shown[i]).collect();
    unknown.sort_by(|&a, &b| {
        (&recorded[a].0, recorded[a].1.dose_number).cmp(&(&recorded[b].0, recorded[b].1.dose_number))
    });
    for i in unknown {
        let (code, dose) = &recorded[i];
        lines.push(CardLine {
            antigen: code.clone(),
            antigen_name: name_in_any_version(code).unwrap_or(code).to_owned(),
            dose_number: dose.dose_number,
            due_on: None,
            status: DoseStatus::Given,
            given_on: Some(dose.given_on.clone()),
        });
    }

    Ok(VaccinationPlan { schedule_effective_from: version.effective_from.clone(), lines })
}

fn given_line(antigen: &Antigen, dose: &GivenDose, due_on: Option<String>) -> CardLine {
    CardLine {
        antigen: antigen.code.clone(),
        antigen_name: antigen.name.clone(),
        dose_number: dose.dose_number,
        due_on,
        status: DoseStatus::Given,
        given_on: Some(dose.given_on.clone()),
    }
}

/// Where a dose not given stands on `today`.
fn status(due: NaiveDate, today: NaiveDate) -> DoseStatus {
    if today < due {
        DoseStatus::Upcoming
    } else if (today - due).num_days() <= i64::from(GRACE_DAYS) {
        DoseStatus::Due
    } else {
        DoseStatus::Overdue
    }
}

/// The name the newest version that knows the antigen gives it, so that a dose recorded under another
/// version still reads as a vaccine rather than a bare code.
fn name_in_any_version(code: &str) -> Option<&'static str> {
    schedule::versions().iter().rev().find_map(|version| version.antigen(code)).map(|antigen| antigen.name.as_str())
}

fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
