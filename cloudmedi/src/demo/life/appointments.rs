//! Appointments: booked at a visit, with their fate decided then, and kept, missed, cancelled or moved
//! when their day comes.

use super::{Fate, Happening, Life, Purpose, Visit};
use crate::demo::calendar::{cameroon_day, clinic_time, instant, weekday_from};
use crate::demo::tables::words;
use chrono::{DateTime, Duration, Utc};
use domain::access::Section;
use domain::record::appointments::{self, BookAppointment};
use event_schema::events::record::AppointmentOutcome;
use event_schema::Timestamp;
use uuid::Uuid;

impl Life<'_> {
    /// Books an appointment and decides now what will become of it.
    pub(super) fn book(&mut self, facility: usize, after_days: (i64, i64), purpose: Purpose) -> anyhow::Result<()> {
        let day =
            weekday_from(cameroon_day(self.chart.at) + Duration::days(self.rng.between(after_days.0, after_days.1)));
        let starts_at = instant(day, 480 + 30 * self.rng.between(0, 14));
        let entry_id = self.rng.uuid();
        let english = self.english(facility);
        let reason = match purpose {
            Purpose::Review => words(english, "Consultation de suivi", "Follow-up consultation"),
            Purpose::Antenatal(number) => {
                words(english, &format!("Consultation prénatale n° {number}"), &format!("Antenatal visit {number}"))
            }
            Purpose::Control(_) => words(english, "Visite de contrôle", "Control visit"),
        };
        let practitioner_id = self.chart.actor.as_ref().map(|actor| actor.account_id);
        let (now, facility_id) = (self.chart.now(), self.net.facilities[facility].id);
        self.chart.write(Section::Appointments, |record| {
            appointments::decide_book(
                record,
                BookAppointment {
                    appointment_id: entry_id,
                    facility_id,
                    practitioner_id,
                    starts_at: Timestamp::from_datetime(starts_at),
                    reason,
                    now,
                },
            )
        })?;
        let fate =
            [Fate::Attended, Fate::Missed, Fate::Cancelled, Fate::Moved][self.rng.weighted(&[72.0, 16.0, 5.0, 7.0])];
        let at = match fate {
            Fate::Attended => starts_at - Duration::minutes(self.rng.between(0, 20)),
            Fate::Missed => instant(day + Duration::days(1), 960),
            Fate::Cancelled | Fate::Moved => instant(day - Duration::days(self.rng.between(1, 4)), 600),
        };
        self.schedule(at, Happening::Appointment { id: entry_id, facility, starts_at, fate, purpose });
        Ok(())
    }

    /// A booked appointment's time comes: the patient is received for the visit, whose first sitting
    /// marks it attended; or the clerk records it missed, cancelled or moved, and a missed review is
    /// made up by a later walk-in for those still followed.
    pub(super) fn appointment(
        &mut self,
        at: DateTime<Utc>,
        id: Uuid,
        facility: usize,
        starts_at: DateTime<Utc>,
        fate: Fate,
        purpose: Purpose,
    ) -> anyhow::Result<()> {
        // A patient about to die comes to no appointment: the family calls to cancel it.
        let fate = if self.dying && matches!(fate, Fate::Attended | Fate::Moved) { Fate::Cancelled } else { fate };
        if fate == Fate::Attended {
            let visit = starts_at + Duration::minutes(self.rng.between(10, 60));
            self.arriving = Some(id);
            // A record at its budget keeps the appointment but no longer grows with the visit.
            if self.chart.events() < self.budget && visit < self.end {
                match purpose {
                    Purpose::Review => self.review(visit, facility)?,
                    Purpose::Antenatal(number) => self.antenatal(visit, number)?,
                    Purpose::Control(illness) => self.consultation(visit, facility, illness, Visit::Control)?,
                }
            }
            // A visit that had nothing left to record still leaves the appointment closed, at the desk.
            if self.arriving.is_some() {
                let clerk = self.clerk(facility);
                self.chart.begin(&mut self.rng, &clerk, at);
                self.check_in()?;
            }
            return Ok(());
        }
        let clerk = self.clerk(facility);
        self.chart.begin(&mut self.rng, &clerk, at);
        let english = self.english(facility);
        let now = self.chart.now();
        match fate {
            Fate::Moved => {
                let moved = weekday_from(cameroon_day(starts_at) + Duration::days(self.rng.between(5, 14)));
                let new_start = instant(moved, 480 + 30 * self.rng.between(0, 14));
                let new_at = Timestamp::from_datetime(new_start);
                self.chart
                    .write(Section::Appointments, |record| appointments::decide_reschedule(record, id, new_at, now))?;
                let fate = if self.rng.chance(0.8) { Fate::Attended } else { Fate::Missed };
                let at = match fate {
                    Fate::Missed => instant(moved + Duration::days(1), 960),
                    _ => new_start - Duration::minutes(self.rng.between(0, 20)),
                };
                self.schedule(at, Happening::Appointment { id, facility, starts_at: new_start, fate, purpose });
                return Ok(());
            }
            Fate::Cancelled => {
                let reason = Some(if self.dying {
                    words(english, "Patient trop malade pour venir", "The patient is too ill to come")
                } else {
                    words(english, "Le patient est en voyage", "The patient is travelling")
                });
                self.chart.write(Section::Appointments, |record| {
                    appointments::decide_close(record, id, AppointmentOutcome::Cancelled, reason, now)
                })?;
            }
            Fate::Missed => {
                self.chart.write(Section::Appointments, |record| {
                    appointments::decide_close(record, id, AppointmentOutcome::Missed, None, now)
                })?;
            }
            Fate::Attended => {}
        }
        // A missed or cancelled review is made up by a walk-in, unless the patient is lost to follow-up.
        if let Purpose::Review = purpose {
            if self.rng.chance(if self.showcase { 1.0 } else { 0.75 }) {
                let later = starts_at + Duration::days(self.rng.between(7, 45));
                let day = weekday_from(cameroon_day(later));
                let at = clinic_time(&mut self.rng, day);
                self.schedule(at, Happening::Review { facility });
            } else {
                self.followed = false;
            }
        }
        Ok(())
    }
}
