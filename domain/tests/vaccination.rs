//! The vaccination card as a clinician reads it: which doses are given, due, overdue or still to come,
//! on which dates, for children of different birth cohorts.

use domain::record::vaccination::{
    vaccination_plan, DoseStatus, GivenDose, PlanError, VaccinationPlan, Vaccinee, GRACE_DAYS,
};
use event_schema::events::patient::Sex;

/// Doses recorded as given, written `(antigen, dose number, given on)`.
fn given(doses: &[(&str, u32, &str)]) -> Vec<GivenDose> {
    doses
        .iter()
        .map(|(antigen, dose_number, given_on)| GivenDose {
            antigen: (*antigen).to_owned(),
            dose_number: *dose_number,
            given_on: (*given_on).to_owned(),
        })
        .collect()
}

/// The card drawn up for a girl of Deido (Douala), outside the malaria vaccine's districts, which
/// every test goes through so the function's shape can change without rewriting them.
fn card(birth_date: &str, doses: &[(&str, u32, &str)], today: &str) -> VaccinationPlan {
    card_of(Vaccinee { birth_date, sex: Sex::Female, region: "LT", health_district: "Deido" }, doses, today)
}

fn card_of(patient: Vaccinee, doses: &[(&str, u32, &str)], today: &str) -> VaccinationPlan {
    vaccination_plan(&patient, &given(doses), today).expect("a card for valid dates")
}

/// The card as text, one dose a line, the way a clinician reads it down the page.
fn text(plan: &VaccinationPlan) -> String {
    plan.lines
        .iter()
        .map(|line| {
            let due_on = line.due_on.as_deref().unwrap_or("(not in schedule)");
            let given_on = line.given_on.as_deref().map(|date| format!(" on {date}")).unwrap_or_default();
            format!("{} {} due {}: {:?}{}\n", line.antigen, line.dose_number, due_on, line.status, given_on)
        })
        .collect()
}

/// Only the lines of one antigen.
fn antigen_text(plan: &VaccinationPlan, antigen: &str) -> String {
    text(plan).lines().filter(|line| line.starts_with(&format!("{antigen} "))).map(|line| format!("{line}\n")).collect()
}

#[test]
fn a_newborn_is_due_only_the_birth_doses() {
    let plan = card("2025-03-01", &[], "2025-03-01");
    assert_eq!(plan.schedule_effective_from, "2024-01-22");
    assert_eq!(
        text(&plan),
        "\
BCG 1 due 2025-03-01: Due
OPV 0 due 2025-03-01: Due
OPV 1 due 2025-04-12: Upcoming
OPV 2 due 2025-05-10: Upcoming
OPV 3 due 2025-06-07: Upcoming
PENTA 1 due 2025-04-12: Upcoming
PENTA 2 due 2025-05-10: Upcoming
PENTA 3 due 2025-06-07: Upcoming
PCV13 1 due 2025-04-12: Upcoming
PCV13 2 due 2025-05-10: Upcoming
PCV13 3 due 2025-06-07: Upcoming
ROTA 1 due 2025-04-12: Upcoming
ROTA 2 due 2025-05-10: Upcoming
ROTA 3 due 2025-06-07: Upcoming
IPV 1 due 2025-06-07: Upcoming
IPV 2 due 2025-11-30: Upcoming
MR 1 due 2025-11-30: Upcoming
MR 2 due 2026-05-31: Upcoming
YF 1 due 2025-11-30: Upcoming
HPV 1 due 2034-03-02: Upcoming
",
        "the malaria vaccine is left off: no district selection is known and none was given"
    );
    assert_eq!(plan.lines[0].antigen_name, "BCG (tuberculosis)");
}

#[test]
fn a_four_month_old_with_a_missed_pneumococcal_dose() {
    let plan = card(
        "2025-01-10",
        &[
            ("BCG", 1, "2025-01-10"),
            ("OPV", 0, "2025-01-10"),
            ("OPV", 1, "2025-02-21"),
            ("PENTA", 1, "2025-02-21"),
            ("PCV13", 1, "2025-02-21"),
            ("ROTA", 1, "2025-02-21"),
            ("OPV", 2, "2025-03-24"),
            ("PENTA", 2, "2025-03-24"),
            ("ROTA", 2, "2025-03-24"),
        ],
        "2025-05-10",
    );
    assert_eq!(
        text(&plan),
        "\
BCG 1 due 2025-01-10: Given on 2025-01-10
OPV 0 due 2025-01-10: Given on 2025-01-10
OPV 1 due 2025-02-21: Given on 2025-02-21
OPV 2 due 2025-03-21: Given on 2025-03-24
OPV 3 due 2025-04-18: Due
PENTA 1 due 2025-02-21: Given on 2025-02-21
PENTA 2 due 2025-03-21: Given on 2025-03-24
PENTA 3 due 2025-04-18: Due
PCV13 1 due 2025-02-21: Given on 2025-02-21
PCV13 2 due 2025-03-21: Overdue
PCV13 3 due 2025-04-18: Due
ROTA 1 due 2025-02-21: Given on 2025-02-21
ROTA 2 due 2025-03-21: Given on 2025-03-24
ROTA 3 due 2025-04-18: Due
IPV 1 due 2025-04-18: Due
IPV 2 due 2025-10-11: Upcoming
MR 1 due 2025-10-11: Upcoming
MR 2 due 2026-04-11: Upcoming
YF 1 due 2025-10-11: Upcoming
HPV 1 due 2034-01-11: Upcoming
"
    );
}

#[test]
fn a_dose_is_due_for_the_grace_period_then_overdue() {
    assert_eq!(GRACE_DAYS, 28);
    let status_on = |today: &str| {
        let plan = card("2025-01-10", &[], today);
        plan.lines.iter().find(|line| line.antigen == "PENTA" && line.dose_number == 1).map(|line| line.status)
    };
    // Pentavalent 1 falls due at six weeks, on 2025-02-21.
    assert_eq!(status_on("2025-02-20"), Some(DoseStatus::Upcoming));
    assert_eq!(status_on("2025-02-21"), Some(DoseStatus::Due));
    assert_eq!(status_on("2025-03-21"), Some(DoseStatus::Due), "28 days late is still due");
    assert_eq!(status_on("2025-03-22"), Some(DoseStatus::Overdue));
}

#[test]
fn a_dose_given_early_or_late_is_given() {
    let plan = card("2025-01-10", &[("PENTA", 1, "2025-02-01"), ("PENTA", 2, "2025-09-30")], "2025-10-01");
    assert_eq!(
        antigen_text(&plan, "PENTA"),
        "\
PENTA 1 due 2025-02-21: Given on 2025-02-01
PENTA 2 due 2025-03-21: Given on 2025-09-30
PENTA 3 due 2025-04-18: Overdue
"
    );
}

#[test]
fn children_born_before_2023_get_two_rotavirus_doses_and_after_three() {
    let born_2022 = card("2022-06-15", &[], "2022-12-15");
    assert_eq!(born_2022.schedule_effective_from, "2020-01-01");
    assert_eq!(
        antigen_text(&born_2022, "ROTA"),
        "\
ROTA 1 due 2022-07-27: Overdue
ROTA 2 due 2022-08-24: Overdue
"
    );

    let born_2024 = card("2024-06-15", &[], "2024-12-15");
    assert_eq!(born_2024.schedule_effective_from, "2024-01-22");
    assert_eq!(
        antigen_text(&born_2024, "ROTA"),
        "\
ROTA 1 due 2024-07-27: Overdue
ROTA 2 due 2024-08-24: Overdue
ROTA 3 due 2024-09-21: Overdue
"
    );
}

#[test]
fn the_malaria_series_appears_once_a_dose_is_given() {
    let plan = card("2024-06-15", &[("MALARIA", 1, "2024-12-16")], "2025-03-01");
    assert_eq!(
        antigen_text(&plan, "MALARIA"),
        "\
MALARIA 1 due 2024-12-15: Given on 2024-12-16
MALARIA 2 due 2025-01-14: Overdue
MALARIA 3 due 2025-03-16: Upcoming
MALARIA 4 due 2026-06-15: Upcoming
"
    );
    // The series sits where the schedule puts it, between polio and measles-rubella.
    let position = |antigen: &str| plan.lines.iter().position(|line| line.antigen == antigen);
    assert!(position("IPV") < position("MALARIA") && position("MALARIA") < position("MR"));
}

#[test]
fn doses_outside_the_childs_schedule_are_kept_as_given() {
    // Born in 2022, under the two-dose rotavirus schedule: the third dose was given in 2023, when the
    // command side checks doses against the three-dose schedule then in force; a meningitis campaign
    // dose is in no routine schedule; the first polio dose was recorded twice.
    let plan = card(
        "2022-11-20",
        &[
            ("ROTA", 1, "2023-01-01"),
            ("ROTA", 2, "2023-01-29"),
            ("ROTA", 3, "2023-02-26"),
            ("MENA", 1, "2023-02-10"),
            ("OPV", 1, "2023-01-01"),
            (" opv ", 1, "2023-01-05"),
        ],
        "2023-03-01",
    );
    assert_eq!(plan.schedule_effective_from, "2020-01-01");
    assert_eq!(
        antigen_text(&plan, "ROTA"),
        "\
ROTA 1 due 2023-01-01: Given on 2023-01-01
ROTA 2 due 2023-01-29: Given on 2023-01-29
ROTA 3 due (not in schedule): Given on 2023-02-26
"
    );
    assert_eq!(
        antigen_text(&plan, "OPV"),
        "\
OPV 0 due 2022-11-20: Overdue
OPV 1 due 2023-01-01: Given on 2023-01-01
OPV 1 due 2023-01-01: Given on 2023-01-05
OPV 2 due 2023-01-29: Overdue
OPV 3 due 2023-02-26: Due
"
    );
    assert!(
        text(&plan).ends_with("MENA 1 due (not in schedule): Given on 2023-02-10\n"),
        "an unknown antigen comes last"
    );
    assert_eq!(plan.lines.last().map(|line| line.antigen_name.as_str()), Some("MENA"), "named by its code");
    let given_lines = plan.lines.iter().filter(|line| line.status == DoseStatus::Given).count();
    assert_eq!(given_lines, 6, "every recorded dose is on the card");
}

#[test]
fn an_older_dose_outside_the_schedule_keeps_its_vaccine_name() {
    // Born just before the malaria vaccine was introduced, under the 2023 schedule, yet vaccinated in a
    // selected district under the 2024 one.
    let plan = card("2024-01-10", &[("MALARIA", 1, "2024-07-11")], "2024-07-20");
    assert_eq!(plan.schedule_effective_from, "2023-01-01");
    let malaria = plan.lines.iter().find(|line| line.antigen == "MALARIA").expect("the malaria dose is kept");
    assert_eq!(malaria.antigen_name, "Malaria vaccine (RTS,S)");
    assert_eq!(malaria.antigen_name_fr, "Vaccin antipaludique (RTS,S)");
    assert_eq!((malaria.due_on.as_deref(), malaria.given_on.as_deref()), (None, Some("2024-07-11")));
}

#[test]
fn unreadable_dates_are_refused() {
    let plan = |birth_date: &str, today: &str| {
        let patient = Vaccinee { birth_date, sex: Sex::Male, region: "CE", health_district: "Soa" };
        vaccination_plan(&patient, &[], today).map(|_| ())
    };
    assert_eq!(plan("2024-02-30", "2025-01-01"), Err(PlanError::BirthDate));
    assert_eq!(plan("2024-2-3", "2025-01-01"), Err(PlanError::BirthDate));
    assert_eq!(plan("15/06/2024", "2025-01-01"), Err(PlanError::BirthDate));
    assert_eq!(plan("", "2025-01-01"), Err(PlanError::BirthDate));
    assert_eq!(plan("2024-06-15", "2025-13-01"), Err(PlanError::Today));
    assert_eq!(plan("2024-06-15", "tomorrow"), Err(PlanError::Today));
    assert_eq!(plan("2025-06-15", "2025-06-14"), Err(PlanError::BornAfterToday));
    assert_eq!(plan("2024-02-29", "2025-01-01"), Ok(()), "a leap day is a birth date");
}

#[test]
fn an_adult_sees_the_doses_given_and_nothing_invented_overdue() {
    // Born in 1975, long before any schedule held here: no infant dose is planned, let alone overdue;
    // the yellow fever dose of a campaign is shown as given.
    let adult = Vaccinee { birth_date: "1975-06-01", sex: Sex::Male, region: "LT", health_district: "Deido" };
    let plan = card_of(adult, &[("YF", 1, "2024-03-12")], "2026-12-06");
    assert_eq!(text(&plan), "YF 1 due (not in schedule): Given on 2024-03-12\n");
    assert!(plan.lines.iter().all(|line| line.status != DoseStatus::Overdue));
    let woman = Vaccinee { birth_date: "1990-02-14", sex: Sex::Female, region: "CE", health_district: "Soa" };
    assert_eq!(text(&card_of(woman, &[], "2026-12-06")), "", "nothing planned for a woman born in 1990");
}

#[test]
fn a_child_born_before_the_schedule_is_planned_only_what_it_could_still_catch_up() {
    // Born in mid-2016: at 3 and a half in January 2020, still within five years for the infant
    // antigens but past two years for rotavirus; HPV at nine, in 2025, offered to girls since 2020.
    let girl = Vaccinee { birth_date: "2016-06-01", sex: Sex::Female, region: "LT", health_district: "Deido" };
    let plan = card_of(girl, &[], "2026-12-06");
    assert_eq!(antigen_text(&plan, "ROTA"), "");
    assert_eq!(antigen_text(&plan, "PENTA").lines().count(), 3);
    assert_eq!(antigen_text(&plan, "HPV"), "HPV 1 due 2025-06-02: Overdue\n");
    // A boy born in 2005 was past the HPV age (15) when it was offered to boys in 2023.
    let boy = Vaccinee { birth_date: "2005-03-01", sex: Sex::Male, region: "LT", health_district: "Deido" };
    assert_eq!(text(&card_of(boy, &[], "2026-12-06")), "");
    // A boy born in 2012 was 11 in 2023: his HPV dose is planned.
    let boy = Vaccinee { birth_date: "2012-03-01", sex: Sex::Male, region: "LT", health_district: "Deido" };
    assert_eq!(antigen_text(&card_of(boy, &[], "2026-12-06"), "HPV"), "HPV 1 due 2021-03-02: Overdue\n");
}

#[test]
fn the_malaria_series_is_planned_in_its_districts() {
    let soa = Vaccinee { birth_date: "2024-06-15", sex: Sex::Male, region: "CE", health_district: "Soa" };
    assert_eq!(
        antigen_text(&card_of(soa, &[], "2025-03-01"), "MALARIA"),
        "\
MALARIA 1 due 2024-12-15: Overdue
MALARIA 2 due 2025-01-14: Overdue
MALARIA 3 due 2025-03-16: Upcoming
MALARIA 4 due 2026-06-15: Upcoming
"
    );
    assert_eq!(antigen_text(&card("2024-06-15", &[], "2025-03-01"), "MALARIA"), "", "not in Deido");
}
