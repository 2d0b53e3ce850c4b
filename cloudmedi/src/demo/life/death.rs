//! Death: when it comes (an acute illness that proves fatal, a newborn's first weeks, or a cause of
//! `deaths.toml` at the rate of the patient's age, sex and conditions), the admission that may come
//! before it, and the doctor's certificate. Nothing is recorded in the patient's life after it.

use super::acute::illness_band;
use super::{Happening, Life};
use crate::demo::calendar::{cameroon_day, clinic_time, weekday_from, ymd};
use crate::demo::illnesses::{Chronic, Illness};
use crate::demo::mortality::{Cause, PLACES};
use crate::demo::tables::words;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::access::Section;
use domain::record::appointments;
use domain::record::clinical::{self, ReferPatient};
use domain::record::death::{self, RecordDeath};
use event_schema::events::record::{
    AppointmentOutcome, ConditionStatus, EncounterClass, PlaceOfDeath, ReferralKind, Urgency,
};
use uuid::Uuid;

/// How long after a consultation a fatal illness ends in death, in hours: within days at a facility,
/// up to a week elsewhere. The laboratory reports the consultation's tests before either.
const IN_FACILITY_HOURS: (i64, i64) = (6, 96);
const ELSEWHERE_HOURS: (i64, i64) = (12, 168);

impl Life<'_> {
    /// Plans a death of a cause no consultation leads to, if one comes before the window closes: a baby
    /// born at a facility may die in its first four weeks; then each cause of `deaths.toml` strikes at
    /// its rate for the patient's age, sex and chronic conditions, month by month.
    pub(super) fn plan_death(&mut self, registered_at: DateTime<Utc>, conditions: &[Chronic]) {
        let tables = self.tables;
        let mortality = &tables.mortality;
        if cameroon_day(registered_at) == self.birth {
            let risks: Vec<f64> = mortality.neonatal.iter().map(|neonatal| neonatal.risk).collect();
            if self.rng.chance(risks.iter().sum()) {
                let Some(neonatal) = mortality.neonatal.get(self.rng.weighted(&risks)) else { return };
                // Most newborns who die do so in their first week.
                let days = match self.rng.weighted(&[35.0, 40.0, 25.0]) {
                    0 => 0,
                    1 => self.rng.between(1, 6),
                    _ => self.rng.between(7, 27),
                };
                let at = registered_at + Duration::days(days) + Duration::hours(self.rng.between(4, 20));
                self.schedule(at, Happening::Death(&neonatal.cause));
                return;
            }
        }
        // The month at which the causes' accumulated hazard reaches an exponential draw is the month of
        // death, which is the exact way to draw a time from rates that change with age.
        let threshold = self.rng.years_until(1.0);
        let step = Duration::days(30);
        let years = 30.0 / 365.25;
        let mut hazard = 0.0;
        let mut from = registered_at + Duration::days(1);
        while from < self.end {
            let rates = mortality.rates(self.age_years(cameroon_day(from)), self.sex, conditions);
            let month: f64 = rates.iter().sum::<f64>() * years;
            if hazard + month >= threshold && month > 0.0 {
                let share = (threshold - hazard) / month;
                let at = from + Duration::minutes((share * 30.0 * 1_440.0) as i64);
                if let Some(cause) = mortality.causes.get(self.rng.weighted(&rates)) {
                    self.schedule(at, Happening::Death(&cause.cause));
                }
                return;
            }
            hazard += month;
            from += step;
        }
    }

    /// After a consultation for `illness` at `facility`, the patient may die of it within days: at the
    /// facility (more often at a hospital, which keeps patients in), at home, or on the way.
    pub(super) fn perhaps_fatal(&mut self, facility: usize, illness: &'static Illness) -> anyhow::Result<()> {
        let band = illness_band(self.age_years(cameroon_day(self.chart.at)));
        if !self.rng.chance(illness.fatality[band]) {
            return Ok(());
        }
        let weights =
            if self.net.facilities[facility].hospital() { [85.0, 15.0, 0.0, 0.0] } else { [20.0, 60.0, 20.0, 0.0] };
        let place = PLACES[self.rng.weighted(&weights)];
        let hours = if place == PlaceOfDeath::Facility { IN_FACILITY_HOURS } else { ELSEWHERE_HOURS };
        let at = self.chart.at + Duration::hours(self.rng.between(hours.0, hours.1));
        self.dying();
        let cause = illness.fatal_cause.as_deref().unwrap_or(illness.icd10.as_str());
        self.schedule(at, Happening::DiesOf { icd10: cause, facility, place });
        Ok(())
    }

    /// Nothing more is planned: the death, the results already on their way, and the appointments
    /// booked, which the patient no longer comes to, are all that is left.
    fn dying(&mut self) {
        self.dying = true;
        self.agenda.retain(|next| matches!(next.what, Happening::Results { .. } | Happening::Appointment { .. }));
    }

    /// At the death, the appointments still open up to its day are closed at the desk: missed if their
    /// time has passed, cancelled otherwise. Those of later days are cancelled by the death itself.
    fn close_appointments(&mut self, at: DateTime<Utc>, died_on: NaiveDate) -> anyhow::Result<()> {
        self.agenda.clear();
        if at >= self.end {
            return Ok(());
        }
        let open: Vec<(Uuid, Uuid, DateTime<Utc>)> = self.chart.record.as_ref().map_or_else(Vec::new, |record| {
            record
                .appointments
                .iter()
                .filter(|(_, appointment)| appointment.is_booked())
                .map(|(id, appointment)| (*id, appointment.facility_id, appointment.starts_at.as_datetime()))
                .filter(|(_, _, starts_at)| cameroon_day(*starts_at) <= died_on)
                .collect()
        });
        for (id, facility_id, starts_at) in open {
            let facility = self.net.facilities.iter().position(|f| f.id == facility_id).unwrap_or(self.home);
            let clerk = self.clerk(facility);
            self.chart.begin(&mut self.rng, &clerk, at);
            let now = self.chart.now();
            let (outcome, reason) = if starts_at < at {
                (AppointmentOutcome::Missed, None)
            } else {
                let english = self.english(facility);
                (
                    AppointmentOutcome::Cancelled,
                    Some(words(english, "Patient trop malade pour venir", "The patient is too ill to come")),
                )
            };
            self.chart
                .write(Section::Appointments, |record| appointments::decide_close(record, id, outcome, reason, now))?;
        }
        Ok(())
    }

    /// Death of the illness seen at `facility`, certified by one of its doctors: at once when the
    /// patient dies there or is brought in dead, in the days after when the family reports a death at
    /// home.
    pub(super) fn dies_of(
        &mut self,
        at: DateTime<Utc>,
        icd10: &str,
        facility: usize,
        place: PlaceOfDeath,
    ) -> anyhow::Result<()> {
        let died_on = cameroon_day(at);
        self.close_appointments(at, died_on)?;
        let certified_at = match place {
            PlaceOfDeath::Facility => at + Duration::minutes(self.rng.between(20, 90)),
            PlaceOfDeath::InTransit => at + Duration::minutes(self.rng.between(30, 180)),
            _ => self.reported(at),
        };
        let facility_id = (place == PlaceOfDeath::Facility).then(|| self.net.facilities[facility].id);
        self.certify(facility, certified_at, died_on, place, facility_id, icd10)
    }

    /// Death of a cause no consultation led to. Where it happens is drawn from the cause's places: at a
    /// facility, after an admission at the patient's hospital (from a health centre, a transfer to the
    /// region's hospital first); elsewhere, certified by a doctor of the patient's own facility.
    pub(super) fn death(&mut self, at: DateTime<Utc>, cause: &'static Cause) -> anyhow::Result<()> {
        self.agenda.clear();
        self.dying = true;
        let place = PLACES[self.rng.weighted(&cause.place)];
        if place != PlaceOfDeath::Facility {
            let died_on = cameroon_day(at);
            self.close_appointments(at, died_on)?;
            let certified_at = match place {
                PlaceOfDeath::InTransit => at + Duration::minutes(self.rng.between(30, 180)),
                _ => self.reported(at),
            };
            return self.certify(self.home, certified_at, died_on, place, None, &cause.icd10);
        }
        let mut hospital = self.home;
        let mut at = at;
        let day = cameroon_day(at);
        if !self.net.facilities[hospital].hospital() {
            let to = self.net.referral[self.net.facilities[hospital].region];
            let encounter = self.admit(hospital, at, cause, false)?;
            let english = self.english(hospital);
            let entry_id = self.rng.uuid();
            let (from_facility_id, to_facility_id) = (self.net.facilities[hospital].id, self.net.facilities[to].id);
            let reason = words(
                english,
                &format!("{}: prise en charge hospitalière urgente", cause.name.fr),
                &format!("{}: needs urgent hospital care", cause.name.en),
            );
            self.chart.write(Section::Referrals, |record| {
                clinical::decide_referral(
                    record,
                    ReferPatient {
                        entry_id,
                        kind: ReferralKind::Transfer,
                        from_facility_id,
                        to_facility_id,
                        reason,
                        urgency: Urgency::Emergency,
                        encounter_id: Some(encounter),
                        amends: None,
                    },
                )
            })?;
            hospital = to;
            at = self.chart.at + Duration::minutes(self.rng.between(60, 240));
        }
        if at >= self.end {
            return Ok(());
        }
        self.admit(hospital, at, cause, hospital != self.home)?;
        // Deaths after admission come within hours or days; a newborn's within its day more often.
        let hours = if self.age_days(day) < 28 { (2, 30) } else { (3, 120) };
        let died_at = self.chart.at + Duration::hours(self.rng.between(hours.0, hours.1));
        self.close_appointments(died_at, cameroon_day(died_at))?;
        let certified_at = died_at + Duration::minutes(self.rng.between(20, 90));
        let facility_id = Some(self.net.facilities[hospital].id);
        self.certify(hospital, certified_at, cameroon_day(died_at), PlaceOfDeath::Facility, facility_id, &cause.icd10)
    }

    /// A doctor of `facility` receives the patient: an encounter with the reason for admission (or the
    /// transfer), and the diagnosis of the cause. Returns the encounter.
    fn admit(&mut self, facility: usize, at: DateTime<Utc>, cause: &Cause, transferred: bool) -> anyhow::Result<Uuid> {
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let reason = if transferred {
            words(
                english,
                &format!("Transfert en urgence: {}", cause.name.fr.to_lowercase()),
                &format!("Emergency transfer: {}", cause.name.en.to_lowercase()),
            )
        } else {
            cause.admission.in_language(english)
        };
        // A transfer comes in as an emergency; otherwise the patient is admitted.
        let class = if transferred { EncounterClass::Emergency } else { EncounterClass::Inpatient };
        let encounter = self.encounter(facility, class, reason, None)?;
        let day = cameroon_day(at);
        let description = cause.name.in_language(english);
        self.diagnose(&cause.icd10, description, Some(day), ConditionStatus::Active, Some(encounter), None)?;
        Ok(encounter)
    }

    /// When the family reports a death away from a facility: in working hours within the days after it.
    fn reported(&mut self, died_at: DateTime<Utc>) -> DateTime<Utc> {
        let day = weekday_from(cameroon_day(died_at) + Duration::days(self.rng.between(0, 2)));
        clinic_time(&mut self.rng, day).max(died_at + Duration::hours(1))
    }

    /// A doctor of `facility` certifies the death, unless the window closes first (the death then is
    /// not yet reported, and the record ends where it was).
    fn certify(
        &mut self,
        facility: usize,
        at: DateTime<Utc>,
        died_on: NaiveDate,
        place: PlaceOfDeath,
        facility_id: Option<Uuid>,
        cause: &str,
    ) -> anyhow::Result<()> {
        if at >= self.end {
            return Ok(());
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let entry_id = self.rng.uuid();
        let today = self.chart.today();
        let underlying_cause = cause.to_owned();
        self.chart.write(Section::Death, |record| {
            death::decide_death(
                record,
                RecordDeath {
                    entry_id,
                    died_on: ymd(died_on),
                    place,
                    facility_id,
                    underlying_cause,
                    amends: None,
                    today,
                },
            )
        })?;
        self.died = true;
        Ok(())
    }
}
