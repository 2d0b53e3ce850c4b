//! Immunisation: a child's schedule planned from the version in force at birth, each contact kept,
//! late or missed; the doses recorded, with the card's earlier doses copied at registration; and the
//! campaigns that reach adults.

use super::{Contact, Happening, Life};
use crate::demo::calendar::{cameroon_day, clinic_time, weekday_from, ymd};
use crate::demo::rng::Rng;
use crate::demo::tables::words;
use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::access::Section;
use domain::record::clinical::{self, Correction, RecordImmunization};
use domain::record::schedule;
use uuid::Uuid;

/// The malaria vaccine is given only in the districts the schedule selects for it.
pub(super) fn malaria_vaccine_district(region: &str, district: &str) -> bool {
    schedule::versions()
        .iter()
        .rev()
        .find_map(|version| version.antigen("MALARIA"))
        .is_some_and(|malaria| malaria.offered_in(region, district))
}

/// The antigen's prefix on a vial's lot number.
fn lot_number(rng: &mut Rng, antigen: &str, given: NaiveDate) -> String {
    let prefix = match antigen {
        "OPV" => "BOPV",
        "PENTA" => "PENT",
        "PCV13" => "PCV",
        "ROTA" => "RV",
        "MALARIA" => "RTS",
        other => other,
    };
    let letter = char::from(b'A' + rng.below(6) as u8);
    format!("{prefix}{:02}{letter}{:03}", given.year() % 100, rng.below(1_000))
}

impl Life<'_> {
    /// The child's schedule, from the version in force at birth: each contact kept on time, late, or
    /// missed, with some children dropping out and some never reached after the birth doses, as often
    /// as in the region (`regions.toml`); an outbreak's index case is never reached. Doses before
    /// registration are copied from the child's card when it is registered; the rest happen at visits.
    pub(super) fn plan_immunisations(
        &mut self,
        registered_at: DateTime<Utc>,
        malaria_district: bool,
    ) -> anyhow::Result<()> {
        let version = schedule::in_force_on(&ymd(self.birth)).context("no immunisation schedule is available")?;
        let mut by_age: Vec<(u32, Vec<(&'static str, u32)>)> = Vec::new();
        for antigen in &version.antigens {
            let code: &'static str = match antigen.code.as_str() {
                "BCG" => "BCG",
                "OPV" => "OPV",
                "PENTA" => "PENTA",
                "PCV13" => "PCV13",
                "ROTA" => "ROTA",
                "IPV" => "IPV",
                "MR" => "MR",
                "YF" => "YF",
                "HPV" => "HPV",
                "MALARIA" => "MALARIA",
                // An antigen added to the schedule later is not simulated until it is listed here.
                _ => continue,
            };
            if antigen.selected_districts() && !malaria_district {
                continue;
            }
            for dose in &antigen.doses {
                match by_age.iter_mut().find(|(age, _)| *age == dose.age_days) {
                    Some((_, doses)) => doses.push((code, dose.number)),
                    None => by_age.push((dose.age_days, vec![(code, dose.number)])),
                }
            }
        }
        by_age.sort_by_key(|(age, _)| *age);
        let registered_on = cameroon_day(registered_at);
        let born_here = registered_on == self.birth;
        let tables = self.tables;
        let region = &tables.regions[self.region];
        let unreached = self.rng.chance(region.zero_dose) || self.planted.is_some();
        let mut dropped = false;
        let mut last: Option<NaiveDate> = None;
        // Per antigen, the last dose of its series planned as given and when.
        let mut series: Vec<(&'static str, u32, NaiveDate)> = Vec::new();
        for (age, mut doses) in by_age {
            let due = self.birth + Duration::days(i64::from(age));
            let hpv = doses.iter().any(|(code, _)| *code == "HPV");
            // One contact in eight is kept late; after the first year, contacts are missed more often.
            let missed = region.missed_contact + if age >= 450 { 0.25 } else { 0.0 };
            let on_time = if hpv { 0.4 } else { 1.0 - 0.12 - missed };
            let draw = self.rng.unit();
            let given = if dropped || (unreached && age > 0) || (hpv && draw > on_time + 0.1) {
                None
            } else if draw < on_time || (age == 0 && born_here) {
                Some(due + Duration::days(if age == 0 { 0 } else { self.rng.between(0, 7) }))
            } else if draw < on_time + 0.12 {
                Some(due + Duration::days(self.rng.between(14, 70)))
            } else {
                dropped = self.rng.chance(0.4);
                None
            };
            // Doses of one series are at least four weeks apart, so a late contact pushes the next.
            let mut given = given.map(|day| match last {
                Some(previous) if age > 0 => day.max(previous + Duration::days(28)),
                _ => day,
            });
            // A contact gives each antigen's next dose of its series (a missed dose is caught up first),
            // no earlier than the schedule's minimum age and interval allow, and only to whom it is offered.
            if let Some(mut day) = given {
                let mut next = Vec::new();
                for (code, number) in doses {
                    let Some(antigen) = version.antigen(code) else { continue };
                    let done = series.iter().find(|(c, _, _)| *c == code).map(|&(_, n, on)| (n, on));
                    let mut numbers = antigen.doses.iter().map(|dose| dose.number);
                    let number = match done {
                        _ if number == 0 => 0,
                        Some((n, _)) => numbers.find(|&k| k > n).unwrap_or(number),
                        None => numbers.find(|&k| k >= 1).unwrap_or(number),
                    };
                    let preceding_on = done.map(|(_, on)| on).filter(|_| antigen.preceding(number).is_some());
                    if let Some(earliest) = antigen.earliest_on(number, self.birth, preceding_on) {
                        day = day.max(earliest);
                    }
                    next.push((code, number, antigen));
                }
                let day = weekday_from(day);
                doses = Vec::new();
                for (code, number, antigen) in next {
                    if !antigen.offered_to(self.sex, &ymd(day)) {
                        continue;
                    }
                    if number > 0 {
                        series.retain(|(c, _, _)| *c != code);
                        series.push((code, number, day));
                    }
                    doses.push((code, number));
                }
                given = (!doses.is_empty()).then_some(day);
            }
            if let Some(day) = given {
                last = Some(day);
            }
            doses.sort();
            self.contacts.push(Contact { doses, given: given.map(weekday_from) });
        }
        // The card's doses, copied at registration; a child born here gets the birth doses there and then.
        // They are always copied: a later dose of a series is refused until the doses before it are on
        // the record, so the nurse transcribes the card before vaccinating.
        let before: Vec<usize> = (0..self.contacts.len())
            .filter(|&c| self.contacts[c].given.is_some_and(|day| day < registered_on))
            .collect();
        if !before.is_empty() {
            let nurse = self.nurse(self.home);
            let at = registered_at + Duration::minutes(self.rng.between(5, 20));
            self.chart.begin(&mut self.rng, &nurse, at);
            for contact in before {
                self.immunise(contact)?;
            }
            self.chart.commit(&mut self.rng);
        }
        for contact in 0..self.contacts.len() {
            match self.contacts[contact].given {
                // The maternity's nurse who registers a newborn gives the birth doses at the same sitting.
                Some(day) if day == registered_on && born_here => self.vaccinate(contact)?,
                Some(day) if day == registered_on => {
                    let at = registered_at + Duration::minutes(self.rng.between(20, 90));
                    self.schedule(at, Happening::Vaccination(contact));
                }
                Some(day) if day > registered_on => {
                    let at = clinic_time(&mut self.rng, day);
                    self.schedule(at, Happening::Vaccination(contact));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Records a contact's doses; now and then a lot number is copied wrongly and put right at once.
    pub(super) fn immunise(&mut self, contact: usize) -> anyhow::Result<()> {
        let Some(given) = self.contacts[contact].given else { return Ok(()) };
        let doses = self.contacts[contact].doses.clone();
        let amended = self.rng.chance(if self.showcase { 0.3 } else { 0.005 });
        let mut first = None;
        for (antigen, dose_number) in doses {
            let entry_id = self.record_dose(antigen, dose_number, given, None)?;
            first.get_or_insert((entry_id, antigen, dose_number));
        }
        if let (true, Some((original, antigen, dose_number))) = (amended, first) {
            let reason = words(self.english(self.home), "Numéro de lot corrigé", "Lot number corrected");
            self.record_dose(antigen, dose_number, given, Some(Correction { entry_id: original, reason }))?;
        }
        Ok(())
    }

    /// Records one dose given at the home facility on `given`, with its vial's lot number.
    fn record_dose(
        &mut self,
        antigen: &str,
        dose_number: u32,
        given: NaiveDate,
        amends: Option<Correction>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let lot = lot_number(&mut self.rng, antigen, given);
        let today = self.chart.today();
        let facility_id = self.net.facilities[self.home].id;
        self.chart.write(Section::Immunizations, |record| {
            clinical::decide_immunization(
                record,
                RecordImmunization {
                    entry_id,
                    antigen: antigen.to_owned(),
                    dose_number,
                    lot,
                    given_on: ymd(given),
                    facility_id,
                    amends,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }

    /// A vaccination session: the nurse weighs the child and gives the doses due.
    pub(super) fn vaccination(&mut self, at: DateTime<Utc>, contact: usize) -> anyhow::Result<()> {
        let nurse = self.nurse(self.home);
        self.chart.begin(&mut self.rng, &nurse, at);
        self.vaccinate(contact)
    }

    /// The doses of a contact, after weighing the child, in the current sitting.
    pub(super) fn vaccinate(&mut self, contact: usize) -> anyhow::Result<()> {
        let mut vitals = self.measure(cameroon_day(self.chart.at), false, false, false);
        vitals.pulse = None;
        vitals.respiration = None;
        vitals.spo2 = None;
        self.vital_signs(vitals, None)?;
        self.immunise(contact)
    }

    /// A yellow fever vaccination campaign reaches an adult.
    pub(super) fn campaign(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let facility = self.home;
        let nurse = self.nurse(facility);
        self.chart.begin(&mut self.rng, &nurse, at);
        let given = cameroon_day(at);
        self.contacts.push(Contact { doses: vec![("YF", 1)], given: Some(given) });
        self.immunise(self.contacts.len() - 1)
    }
}
