//! A patient's life: who they are, what will happen to them, and the entries those happenings leave on
//! their record, planned in time order. This file holds the person and the agenda; the happenings and
//! the entries they write are in the submodules, named for the care they describe.

mod acute;
mod appointments;
mod death;
mod entries;
mod follow_up;
mod immunisation;
mod intake;
mod vitals;

use super::calendar::{cameroon_day, clinic_time, instant, weekday_from, ymd, Clock};
use super::chart::Chart;
use super::illnesses::{Chronic, Illness};
use super::laboratory::Test;
use super::mortality::Cause;
use super::network::Network;
use super::people::{email_address, mobile_number, permute, person_name};
use super::pipeline::Job;
use super::rng::Rng;
use super::tables::{words, Tables};
use super::{PATIENT_EVENTS_MAX, SHOWCASE_ENTRIES};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::health_id::HealthId;
use domain::patient::RegisterPatient;
use event_schema::events::patient::{BirthDate, NextOfKin, Sex};
use event_schema::events::record::PlaceOfDeath;
use event_schema::{Actor, Role};
use immunisation::malaria_vaccine_district;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use uuid::Uuid;

/// Something due to happen to a patient at an instant.
struct Scheduled {
    at: DateTime<Utc>,
    order: u64,
    what: Happening,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}

impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    /// Reversed, so that the agenda (a max-heap) yields the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// A laboratory order waiting for its result.
struct Order {
    entry_id: Uuid,
    test: Test,
    abnormal: bool,
}

/// What becomes of a booked appointment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Attended,
    Missed,
    Cancelled,
    Moved,
}

/// The care an appointment is for.
#[derive(Clone, Copy)]
enum Purpose {
    Review,
    Antenatal(u8),
    Control(&'static Illness),
}

enum Happening {
    Vaccination(usize),
    // An acute illness of the season; `by_season`, a moment the patient may fall ill, more likely in
    // the season of the illnesses common then, and otherwise stays well.
    Illness { by_season: bool },
    // A case of an outbreak, seen at the home facility.
    OutbreakCase(usize),
    Results { facility: usize, orders: Vec<Order> },
    CancelPrescription { entry_id: Uuid, facility: usize },
    Appointment { id: Uuid, facility: usize, starts_at: DateTime<Utc>, fate: Fate, purpose: Purpose },
    Consultation { facility: usize, illness: &'static Illness, visit: Visit },
    Confirmation { facility: usize, diagnosis: Uuid, encounter: Uuid, onset: NaiveDate },
    Review { facility: usize },
    Diagnosis(Chronic),
    Antenatal(u8),
    Tuberculosis,
    TreatmentEnds { treatment: Uuid, why: Ending },
    Campaign,
    // Death of a cause no consultation led to, or of the acute illness seen at `facility` days before.
    Death(&'static Cause),
    DiesOf { icd10: &'static str, facility: usize, place: PlaceOfDeath },
}

/// Why a long-term treatment stops.
#[derive(Clone, Copy)]
enum Ending {
    /// The course is complete.
    Completed,
    /// It did the patient harm.
    SideEffect,
}

/// Why a patient is seen for an acute illness.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// Walked in with it.
    New,
    /// Sent by another facility.
    Referred,
    /// Came back as booked, to check it is clearing.
    Control,
}

/// One contact of the immunisation schedule: the doses due at one age.
struct Contact {
    doses: Vec<(&'static str, u32)>,
    /// The day the doses are given, on time or late; `None` when the contact is missed.
    given: Option<NaiveDate>,
}

/// What the census needs to know about a planned patient.
pub(super) struct Person {
    pub(super) id: Uuid,
    pub(super) health_id: String,
    pub(super) region: usize,
    pub(super) sex: Sex,
    pub(super) birth: NaiveDate,
    pub(super) national_id: bool,
    pub(super) died: bool,
    /// Per outbreak, whether the patient was one of its cases.
    pub(super) outbreak_cases: Vec<bool>,
}

pub(super) struct Life<'n> {
    net: &'n Network,
    /// The network's tables, kept at hand: they outlive every plan.
    tables: &'static Tables,
    rng: Rng,
    chart: Chart,
    home: usize,
    /// Where the patient lives: the region, and the district among its districts.
    region: usize,
    district: usize,
    sex: Sex,
    birth: NaiveDate,
    end: DateTime<Utc>,
    agenda: BinaryHeap<Scheduled>,
    order: u64,
    contacts: Vec<Contact>,
    /// Chronic conditions with their long-term treatments' entries; a condition known before
    /// registration has none until the first consultation takes the history.
    chronic: Vec<(Chronic, Vec<Uuid>)>,
    /// Follow-up stops when a patient is lost to it.
    followed: bool,
    reviews: u32,
    /// The first consultation also takes the history.
    intake: bool,
    /// The appointment of the patient being received, closed as attended by whoever receives them.
    arriving: Option<Uuid>,
    pregnant: bool,
    /// The adult's own build; children follow the growth table scaled by it.
    build: f64,
    adult_weight: u32,
    adult_height: u32,
    showcase: bool,
    /// The soft limit of this record's events.
    budget: u64,
    /// The outbreak this patient is planted in as one of its first cases.
    planted: Option<usize>,
    /// Per outbreak, whether the patient was seen as one of its cases.
    outbreak_cases: Vec<bool>,
    /// A death is coming: nothing new is planned but the death and results already on their way.
    dying: bool,
    died: bool,
}

impl<'n> Life<'n> {
    /// Plans patient `index` of the seed: their registration and everything recorded about them up
    /// to the end of the window. Patient 0 is the showcase.
    pub(super) fn plan(net: &'n Network, clock: &Clock, seed: u64, index: u64) -> anyhow::Result<(Job, Person)> {
        let (tables, names) = (net.tables, &net.tables.names);
        let mut rng = Rng::new(seed, index);
        let showcase = index == 0;
        // Every outbreak shows even in a small run: the patients after the first of each region are
        // its index cases, children of its district first seen with the illness in its middle weeks.
        let planted = tables.outbreaks.planted(index, tables.regions.len() as u64 + 1);
        let case = planted.map(|number| {
            let outbreak = &tables.outbreaks.list[number];
            let middle = outbreak.first_day(clock.as_of) + Duration::days(outbreak.days / 2);
            let day = middle + Duration::days(rng.between(-10, 10));
            let (from, to) = outbreak.ages;
            let age_days = ((from + rng.unit() * (to - from)) * 365.25) as i64;
            (outbreak, day, day - Duration::days(age_days))
        });
        // Children are over-represented among patients, as at any clinic; the ages run to 80.
        let drawn_age = if showcase {
            rng.between(50, 56) as f64 + rng.unit()
        } else {
            let band = rng.weighted(&[17.0, 22.0, 18.0, 14.0, 11.0, 8.0, 6.0, 4.0]);
            let (low, high) = [(0, 5), (5, 15), (15, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, 80)][band];
            f64::from(low) + rng.unit() * f64::from(high - low)
        };
        let (born, age_years) = match case {
            Some((_, _, born)) => (born, (clock.as_of - born).num_days() as f64 / 365.25),
            None => (clock.as_of - Duration::days((drawn_age * 365.25) as i64 + 1), drawn_age),
        };
        let sex = if showcase || rng.chance(0.52) { Sex::Female } else { Sex::Male };
        // Every region gets patients even in a small run: the first ten patients after the showcase
        // live one in each.
        let region = if showcase {
            1
        } else if let Some((outbreak, _, _)) = case {
            outbreak.region
        } else if (1..=tables.regions.len() as u64).contains(&index) {
            (index - 1) as usize
        } else {
            let weights: Vec<f64> = tables.regions.iter().map(|region| region.population).collect();
            rng.weighted(&weights)
        };
        let candidates: Vec<usize> = match case {
            // The network has a facility in every outbreak's district.
            Some((outbreak, _, _)) => net.by_region[region]
                .iter()
                .copied()
                .filter(|&f| net.facilities[f].district == outbreak.district)
                .collect(),
            None => net.by_region[region].clone(),
        };
        let home = if showcase {
            net.referral[region]
        } else {
            let weights: Vec<f64> = candidates.iter().map(|&f| net.facilities[f].attraction).collect();
            candidates.get(rng.weighted(&weights)).copied().unwrap_or(net.referral[region])
        };
        let facility = &net.facilities[home];
        let data = &tables.regions[region];
        let district = match case {
            Some((outbreak, _, _)) => outbreak.district,
            None if rng.chance(0.85) => facility.district,
            None => rng.below(data.districts.len() as u64) as usize,
        };

        // Births in the window happen at a facility and are registered there; others register at
        // their first visit, at a time spread over the window.
        let born_in_window = born >= clock.first_patient_day;
        let registered_on = if showcase {
            clock.first_patient_day + Duration::days(rng.between(0, 20))
        } else if let Some((_, day, _)) = case {
            // An index case comes to a facility for the first time with the illness.
            day
        } else if born_in_window && rng.chance(0.8) {
            born
        } else {
            let earliest = born.max(clock.first_patient_day);
            let span = (clock.as_of - earliest).num_days() - 1;
            earliest + Duration::days(rng.between(0, span.max(0)))
        };
        let registered_at = clinic_time(&mut rng, registered_on);
        let patient_id = rng.uuid_at(registered_at);

        let (family, given) = person_name(&mut rng, names, data, sex);
        // What a person brings to the desk depends on their age then: a national ID card from 18.
        let adult = (registered_on - born).num_days() >= 18 * 365;
        let estimated = !showcase && age_years >= 40.0 && rng.chance(0.3);
        let birth = if estimated { NaiveDate::from_ymd_opt(born.year(), 1, 1).unwrap_or(born) } else { born };
        // Health IDs and national ID numbers come from a permutation of the patient's index, so no two
        // demo patients share one, as the claim index guarantees for patients registered through the API.
        let offsets = Rng::new(seed, u64::MAX - 1).next_u64();
        let health_id = HealthId::generate(permute(index, 282_475_249, offsets));
        let national_id = (adult && (showcase || rng.chance(0.65)))
            .then(|| format!("{}", 100_000_000 + permute(index, 214_358_881, offsets.rotate_left(32))));
        let phone = (adult && rng.chance(0.75)).then(|| mobile_number(&mut rng, names));
        let email = (adult && rng.chance(0.08)).then(|| email_address(&mut rng, names, &family, &given));
        let next_of_kin = if !adult {
            let (parent_family, parent_given) = person_name(&mut rng, names, data, Sex::Female);
            Some(NextOfKin {
                name: format!("{parent_given} {parent_family}"),
                relationship: words(data.english, "mère", "mother"),
                phone: rng.chance(0.85).then(|| mobile_number(&mut rng, names)),
            })
        } else if rng.chance(0.6) {
            let kin_sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let (kin_family, kin_given) = person_name(&mut rng, names, data, kin_sex);
            let relationship = match (kin_sex, rng.below(3), data.english) {
                (Sex::Female, 0, false) => "épouse",
                (Sex::Female, 0, true) => "wife",
                (Sex::Female, 1, false) => "sœur",
                (Sex::Female, 1, true) => "sister",
                (Sex::Female, _, false) => "fille",
                (Sex::Female, _, true) => "daughter",
                (_, 0, false) => "époux",
                (_, 0, true) => "husband",
                (_, 1, false) => "frère",
                (_, 1, true) => "brother",
                (_, _, false) => "fils",
                (_, _, true) => "son",
            };
            Some(NextOfKin {
                name: format!("{kin_given} {kin_family}"),
                relationship: relationship.to_owned(),
                phone: rng.chance(0.8).then(|| mobile_number(&mut rng, names)),
            })
        } else {
            None
        };
        let mut person = Person {
            id: patient_id,
            health_id: health_id.as_str().to_owned(),
            region,
            sex,
            birth,
            national_id: national_id.is_some(),
            died: false,
            outbreak_cases: Vec::new(),
        };
        let build = 0.88 + rng.unit() * 0.24;
        let (adult_weight, adult_height) = match sex {
            Sex::Female => (rng.within(52_000, 88_000), rng.within(1_500, 1_720)),
            _ => (rng.within(58_000, 95_000), rng.within(1_600, 1_880)),
        };
        let mut life = Life {
            net,
            tables,
            rng,
            chart: Chart::new(patient_id)?,
            home,
            region,
            district,
            sex,
            birth,
            end: clock.end,
            agenda: BinaryHeap::new(),
            order: 0,
            contacts: Vec::new(),
            chronic: Vec::new(),
            followed: true,
            reviews: 0,
            intake: true,
            arriving: None,
            pregnant: false,
            build,
            adult_weight: if showcase { 84_000 } else { adult_weight },
            adult_height: if showcase { 1_630 } else { adult_height },
            showcase,
            budget: if showcase { SHOWCASE_ENTRIES + 20 } else { PATIENT_EVENTS_MAX },
            planted,
            outbreak_cases: vec![false; tables.outbreaks.list.len()],
            dying: false,
            died: false,
        };

        // The registration desk: a clerk, or for a birth the maternity's nurse.
        let registrar = if registered_on == born { life.nurse(home) } else { life.clerk(home) };
        life.chart.begin(&mut life.rng, &registrar, registered_at);
        life.chart.register(RegisterPatient {
            patient_id,
            health_id,
            national_id,
            family_name: family,
            given_names: given,
            sex,
            birth_date: BirthDate { date: ymd(birth), estimated },
            region: data.code.clone(),
            health_district: data.districts[district].clone(),
            phone,
            email,
            next_of_kin,
            facility_id: net.facilities[home].id,
            today: ymd(registered_on),
        })?;
        // The registration stays open: a newborn's birth doses join it, and the next sitting closes it.
        life.plan_life(registered_at, malaria_vaccine_district(&data.code, &data.districts[district]))?;
        life.live()?;
        life.chart.commit(&mut life.rng);
        let Life { chart, died, outbreak_cases, .. } = life;
        person.died = died;
        person.outbreak_cases = outbreak_cases;
        Ok((Job { stream: chart.stream.as_str().to_owned(), appends: chart.appends }, person))
    }

    fn schedule(&mut self, at: DateTime<Utc>, what: Happening) {
        // Once a death is coming, only what leads to it still happens.
        let leads_to_death = matches!(what, Happening::Results { .. } | Happening::Death(_) | Happening::DiesOf { .. });
        if self.died || (self.dying && !leads_to_death) {
            return;
        }
        self.order += 1;
        self.agenda.push(Scheduled { at, order: self.order, what });
    }

    fn age_days(&self, day: NaiveDate) -> i64 {
        (day - self.birth).num_days()
    }

    fn age_years(&self, day: NaiveDate) -> f64 {
        self.age_days(day) as f64 / 365.25
    }

    fn english(&self, facility: usize) -> bool {
        self.net.facilities[facility].english
    }

    fn member(&mut self, facility: usize, role: Role) -> Actor {
        let team = &self.net.facilities[facility].team;
        let list = match role {
            Role::Doctor => &team.doctors,
            Role::Nurse => &team.nurses,
            Role::LabTechnician => &team.laboratory,
            _ => &team.clerks,
        };
        // Every team list has a member; the system actor is never reached, and the policy would
        // refuse it if it were.
        self.rng.pick(list).cloned().unwrap_or_else(Actor::system)
    }

    fn doctor(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::Doctor)
    }

    fn nurse(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::Nurse)
    }

    fn clerk(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::RegistrationClerk)
    }

    fn technician(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::LabTechnician)
    }

    /// Decides what will happen after registration: the immunisation schedule for children, acute
    /// illnesses at a rate that follows age and the seasons, chronic conditions and their reviews,
    /// pregnancies, an outbreak that reaches the patient, and perhaps a death.
    fn plan_life(&mut self, registered_at: DateTime<Utc>, malaria_district: bool) -> anyhow::Result<()> {
        let registered_on = cameroon_day(registered_at);
        let age = self.age_years(registered_on);
        if age < 10.0 {
            self.plan_immunisations(registered_at, malaria_district)?;
        }
        if self.showcase {
            self.chronic = vec![(Chronic::Hypertension, Vec::new()), (Chronic::Diabetes, Vec::new())];
            let at = registered_at + Duration::minutes(self.rng.between(20, 60));
            self.schedule(at, Happening::Review { facility: self.home });
            let campaign = registered_at + Duration::days(self.rng.between(300, 500));
            let at = clinic_time(&mut self.rng, weekday_from(cameroon_day(campaign)));
            self.schedule(at, Happening::Campaign);
            let onset = registered_at + Duration::days(self.rng.between(400, 700));
            self.schedule(onset, Happening::Illness { by_season: false });
            let later = registered_at + Duration::days(self.rng.between(900, 1_200));
            self.schedule(later, Happening::Illness { by_season: false });
            return Ok(());
        }
        // Conditions already known when the patient registers are reviewed from the first visit;
        // others are found later.
        let mut known = Vec::new();
        if age >= 35.0 && self.rng.chance(if age >= 50.0 { 0.35 } else { 0.18 }) {
            known.push(Chronic::Hypertension);
        }
        if age >= 40.0 && self.rng.chance(0.07) {
            known.push(Chronic::Diabetes);
        }
        if (18.0..60.0).contains(&age) && self.rng.chance(if self.sex == Sex::Female { 0.035 } else { 0.02 }) {
            known.push(Chronic::Hiv);
        }
        let end = self.end;
        let window = (end - registered_at).num_days().max(1);
        let conditions = known.clone();
        for condition in known {
            if self.rng.chance(0.5) {
                self.chronic.push((condition, Vec::new()));
            } else {
                let at = registered_at + Duration::days(self.rng.between(1, window));
                self.schedule(at, Happening::Diagnosis(condition));
            }
        }
        // The visit that brought the patient to the desk.
        let first = registered_at + Duration::minutes(self.rng.between(15, 60));
        if let Some(outbreak) = self.planted {
            self.schedule(first, Happening::OutbreakCase(outbreak));
        } else if !self.chronic.is_empty() {
            self.schedule(first, Happening::Review { facility: self.home });
        } else if age >= 1.0 / 12.0 || self.contacts.is_empty() {
            self.schedule(first, Happening::Illness { by_season: false });
        }
        // Acute illnesses, at a rate that depends on age; moments to fall ill come as often as in the
        // illnesses' highest seasons, and each is kept as often as the month's season allows.
        let mut at = first;
        loop {
            let age = self.age_years(cameroon_day(at));
            let rate = match age {
                a if a < 1.0 => 1.4,
                a if a < 5.0 => 1.0,
                a if a < 15.0 => 0.3,
                a if a < 50.0 => {
                    if self.sex == Sex::Female {
                        0.45
                    } else {
                        0.3
                    }
                }
                _ => 0.5,
            };
            let gap = self.rng.years_until(rate * self.seasonal_peak(age));
            at += Duration::minutes((gap * 365.25 * 1_440.0) as i64);
            if at >= end {
                break;
            }
            let day = cameroon_day(at);
            let at = instant(day, 420 + self.rng.between(0, 660));
            self.schedule(at, Happening::Illness { by_season: true });
        }
        if self.sex == Sex::Female && (16.0..40.0).contains(&age) && self.rng.chance(0.3) {
            let at = registered_at + Duration::days(self.rng.between(20, window));
            let day = weekday_from(cameroon_day(at));
            let at = clinic_time(&mut self.rng, day);
            self.schedule(at, Happening::Antenatal(1));
        }
        if age >= 18.0 && self.rng.chance(0.006) {
            let at = registered_at + Duration::days(self.rng.between(1, window));
            self.schedule(at, Happening::Tuberculosis);
        }
        if age >= 18.0 && self.rng.chance(0.03) {
            let at = registered_at + Duration::days(self.rng.between(1, window));
            let day = weekday_from(cameroon_day(at));
            let at = clinic_time(&mut self.rng, day);
            self.schedule(at, Happening::Campaign);
        }
        if self.planted.is_none() {
            self.plan_outbreak_cases(registered_at);
        }
        self.plan_death(registered_at, &conditions);
        Ok(())
    }

    /// Works through the agenda in time order until the window closes.
    fn live(&mut self) -> anyhow::Result<()> {
        while let Some(next) = self.agenda.pop() {
            if next.at >= self.end {
                continue;
            }
            // Close to its budget, a record only finishes what is under way, and a death is recorded.
            let finishing = matches!(
                next.what,
                Happening::Results { .. }
                    | Happening::Appointment { .. }
                    | Happening::Death(_)
                    | Happening::DiesOf { .. }
            );
            if self.chart.events() >= self.budget && !finishing {
                continue;
            }
            match next.what {
                Happening::Vaccination(contact) => self.vaccination(next.at, contact)?,
                Happening::Illness { by_season } => self.illness(next.at, by_season)?,
                Happening::OutbreakCase(outbreak) => self.outbreak_case(next.at, outbreak)?,
                Happening::Results { facility, orders } => self.results(next.at, facility, orders)?,
                Happening::CancelPrescription { entry_id, facility } => {
                    self.cancel_prescription(next.at, entry_id, facility)?
                }
                Happening::Appointment { id, facility, starts_at, fate, purpose } => {
                    self.appointment(next.at, id, facility, starts_at, fate, purpose)?
                }
                Happening::Consultation { facility, illness, visit } => {
                    self.consultation(next.at, facility, illness, visit)?
                }
                Happening::Confirmation { facility, diagnosis, encounter, onset } => {
                    self.confirmation(next.at, facility, diagnosis, encounter, onset)?
                }
                Happening::Review { facility } => self.review(next.at, facility)?,
                Happening::Diagnosis(condition) => self.diagnose_chronic(next.at, condition)?,
                Happening::Antenatal(number) => self.antenatal(next.at, number)?,
                Happening::Tuberculosis => self.tuberculosis(next.at)?,
                Happening::TreatmentEnds { treatment, why } => self.treatment_ends(next.at, treatment, why)?,
                Happening::Campaign => self.campaign(next.at)?,
                Happening::Death(cause) => self.death(next.at, cause)?,
                Happening::DiesOf { icd10, facility, place } => self.dies_of(next.at, icd10, facility, place)?,
            }
            self.chart.commit(&mut self.rng);
            if self.died {
                break;
            }
        }
        Ok(())
    }
}
