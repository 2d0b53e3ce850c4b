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
//! # Who the card plans doses for
//!
//! A card plans only the doses the patient was eligible for by birth date, so that nobody is shown a
//! dose overdue that the programme never meant them to receive:
//! - someone born before the oldest version of the schedule held here follows that version, but is
//!   planned a dose of an antigen only if they were still young enough to catch it up (its
//!   `catch_up_until` age) when that version came into force; an adult born in 1975 sees the doses
//!   actually given and nothing invented overdue;
//! - an antigen offered to one sex from a date (HPV: girls from 2020, boys from 2023) is planned only
//!   for a patient of that sex who was still within its catch-up age on that date;
//! - an antigen offered only in selected districts (the malaria vaccine) is planned for a patient
//!   registered in one of them, or once a dose of it has been recorded (the child was evidently
//!   vaccinated in such a district).
//!
//! Every recorded dose is always shown.

use super::schedule::{self, Antigen};
use crate::patient::calendar_date;
use chrono::{Days, NaiveDate};
use event_schema::events::patient::Sex;
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
    /// The antigen's name as the schedule words it, in English.
    pub antigen_name: String,
    /// The antigen's name in French.
    pub antigen_name_fr: String,
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

impl VaccinationPlan {
    /// The card of a patient who has died: the doses given stay on it as the history they are, and no
    /// dose is due, overdue or to come any more.
    pub fn closed_by_death(mut self) -> Self {
        self.lines.retain(|line| line.status == DoseStatus::Given);
        self
    }
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

/// Whom a card is for: what decides which doses they were eligible for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vaccinee<'a> {
    /// `YYYY-MM-DD`.
    pub birth_date: &'a str,
    pub sex: Sex,
    /// The region's code, e.g. `CE`.
    pub region: &'a str,
    pub health_district: &'a str,
}

impl<'a> Vaccinee<'a> {
    /// From the patient as stored in the read models, where the sex is its code (`female`, `male`,
    /// `unknown`); an unreadable code counts as not recorded.
    pub fn from_stored(birth_date: &'a str, sex: &str, region: &'a str, health_district: &'a str) -> Self {
        let sex = match sex {
            "female" => Sex::Female,
            "male" => Sex::Male,
            _ => Sex::Unknown,
        };
        Self { birth_date, sex, region, health_district }
    }
}

/// The card of `patient`, with the doses `given`, as it stands on `today`.
///
/// Every dose the patient is eligible for (see the module's documentation) of every antigen of the
/// schedule version of their birth gets one line, in schedule order, due on
/// the birth date plus the dose's age; a dose recorded twice gets a second given line beside the first,
/// and a recorded dose outside the version follows its antigen's planned doses (or, for an antigen the
/// version does not have, comes at the end), so that no recorded dose is ever left off the card.
pub fn vaccination_plan(patient: &Vaccinee, given: &[GivenDose], today: &str) -> Result<VaccinationPlan, PlanError> {
    // Exactly `YYYY-MM-DD`: the schedule lookup compares dates as text, so `2024-1-5` must be refused.
    let birth = calendar_date(patient.birth_date).ok_or(PlanError::BirthDate)?;
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
        let planned = eligible(patient, birth, antigen, &version.effective_from)
            && (antigen.offered_in(patient.region, patient.health_district) || !of_antigen.is_empty());
        for dose in &antigen.doses {
            // Only a birth date at the far end of the calendar could overflow; a four-digit year never does.
            let due = birth.checked_add_days(Days::new(dose.age_days.into())).ok_or(PlanError::BirthDate)?;
            // A dose the patient was not planned is shown, once given, outside the schedule.
            let due_on = planned.then(|| format_date(due));
            let mut records = of_antigen.iter().copied().filter(|&i| recorded[i].1.dose_number == dose.number);
            match records.next() {
                None if !planned => {}
                None => lines.push(CardLine {
                    antigen: antigen.code.clone(),
                    antigen_name: antigen.name.clone(),
                    antigen_name_fr: antigen.name_fr.clone(),
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
        let known = antigen_in_any_version(code);
        lines.push(CardLine {
            antigen: code.clone(),
            antigen_name: known.map_or(code.as_str(), |antigen| antigen.name.as_str()).to_owned(),
            antigen_name_fr: known.map_or(code.as_str(), |antigen| antigen.name_fr.as_str()).to_owned(),
            dose_number: dose.dose_number,
            due_on: None,
            status: DoseStatus::Given,
            given_on: Some(dose.given_on.clone()),
        });
    }

    Ok(VaccinationPlan { schedule_effective_from: version.effective_from.clone(), lines })
}

/// Whether the programme meant `antigen` for `patient`, born on `birth`, whose schedule version came
/// into force on `version_from`: offered to their sex while they were within its catch-up age, and, for
/// someone born before the version, still within that age when it came into force.
fn eligible(patient: &Vaccinee, birth: NaiveDate, antigen: &Antigen, version_from: &str) -> bool {
    let Some(last_day) = antigen.catch_up_until.after(birth) else { return false };
    let last_day = format_date(last_day);
    let offered_in_time = antigen.offered_to_from(patient.sex).is_some_and(|from| from <= last_day.as_str());
    let born_before_version = format_date(birth).as_str() < version_from;
    offered_in_time && (!born_before_version || version_from <= last_day.as_str())
}

fn given_line(antigen: &Antigen, dose: &GivenDose, due_on: Option<String>) -> CardLine {
    CardLine {
        antigen: antigen.code.clone(),
        antigen_name: antigen.name.clone(),
        antigen_name_fr: antigen.name_fr.clone(),
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

/// The antigen as the newest version that knows it has it, so that a dose recorded under another
/// version still reads as a vaccine rather than a bare code.
fn antigen_in_any_version(code: &str) -> Option<&'static Antigen> {
    schedule::versions().iter().rev().find_map(|version| version.antigen(code))
}

fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
