//! Reminders as rules: when each occasion's reminder goes, until when it is still worth sending,
//! whom it is addressed to and by which channel, in which language, and the quiet hours in which
//! nothing is delivered. Pure functions of the facts and the clock's instant; the scheduler that
//! applies them lives elsewhere.
//!
//! Times of day are Cameroon's (Africa/Douala, UTC+01:00 all year, no summer time).

use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use event_schema::events::reminder::{Addressee, Occasion, ReminderChannel, ReminderLanguage};
use uuid::Uuid;

/// Cameroon's offset from UTC.
const CAMEROON: FixedOffset = match FixedOffset::east_opt(3600) {
    Some(offset) => offset,
    None => panic!("one hour east is a valid offset"),
};

fn cameroon() -> FixedOffset {
    CAMEROON
}

/// The instant `time` on `day` in Cameroon.
pub fn at_local(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    (local - Duration::hours(1)).and_utc()
}

/// The calendar day `instant` falls on in Cameroon.
pub fn local_day(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&cameroon()).date_naive()
}

/// When reminders go, as the operator configured them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// How many days before a dose is due its reminder goes.
    pub vaccination_lead_days: u32,
    /// How many days after a dose fell due, still not given, the reminder that it was missed goes.
    pub overdue_after_days: u32,
    /// How long before an appointment the first reminder goes.
    pub appointment_ahead: Duration,
    /// The time of day reminders about a day go: a dose due, the appointment of the day, the
    /// follow-up the morning after one missed.
    pub morning: NaiveTime,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            vaccination_lead_days: 2,
            overdue_after_days: 7,
            appointment_ahead: Duration::hours(48),
            morning: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// What a reminder is about, with the moment that decides when it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A dose of the schedule not given, due on this day.
    Dose { due_on: NaiveDate },
    /// A booked appointment starting at this instant.
    Appointment { starts_at: DateTime<Utc> },
    /// An appointment recorded missed at this instant.
    MissedAppointment { recorded_at: DateTime<Utc> },
    /// Laboratory results recorded at this instant.
    LabResult { recorded_at: DateTime<Utc> },
}

/// One reminder a subject calls for: from when it goes, and the instant after which it is no longer
/// worth sending (a reminder for an appointment already started, a dose due a month ago).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub occasion: Occasion,
    /// The moment the reminder is about (stored with it, and part of its identity: an appointment
    /// moved to another time gets reminders of its own).
    pub about: DateTime<Utc>,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Planned {
    /// Whether the reminder is to be decided at `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.from <= now && now < self.until
    }
}

/// The reminders `subject` calls for under `timing`.
pub fn plan(subject: Subject, timing: &Timing) -> Vec<Planned> {
    let days = |n: u32| Days::new(u64::from(n));
    match subject {
        Subject::Dose { due_on } => {
            let about = at_local(due_on, NaiveTime::MIN);
            let mut planned = Vec::with_capacity(2);
            if let Some(lead) = due_on.checked_sub_days(days(timing.vaccination_lead_days)) {
                // Until the end of the day it is due: after that, the overdue reminder speaks.
                let until = at_local(due_on, NaiveTime::MIN) + Duration::days(1);
                planned.push(Planned {
                    occasion: Occasion::VaccinationDue,
                    about,
                    from: at_local(lead, timing.morning),
                    until,
                });
            }
            if let Some(late) = due_on.checked_add_days(days(timing.overdue_after_days)) {
                // A week to reach the family; later than that the clinic's own follow-up takes over.
                let from = at_local(late, timing.morning);
                planned.push(Planned {
                    occasion: Occasion::VaccinationOverdue,
                    about,
                    from,
                    until: from + Duration::days(7),
                });
            }
            planned
        }
        Subject::Appointment { starts_at } => {
            let ahead = Planned {
                occasion: Occasion::AppointmentAhead,
                about: starts_at,
                from: starts_at - timing.appointment_ahead,
                // Within half a day of the start, the reminder of the day is enough.
                until: starts_at - Duration::hours(12),
            };
            // The morning of the day, or two hours before for an appointment earlier than that.
            let morning = at_local(local_day(starts_at), timing.morning);
            let today = Planned {
                occasion: Occasion::AppointmentToday,
                about: starts_at,
                from: morning.min(starts_at - Duration::hours(2)),
                until: starts_at,
            };
            vec![ahead, today]
        }
        Subject::MissedAppointment { recorded_at } => {
            let next_morning =
                local_day(recorded_at).checked_add_days(Days::new(1)).map(|day| at_local(day, timing.morning));
            next_morning
                .map(|from| Planned {
                    occasion: Occasion::AppointmentMissed,
                    about: recorded_at,
                    from,
                    until: from + Duration::days(3),
                })
                .into_iter()
                .collect()
        }
        Subject::LabResult { recorded_at } => vec![Planned {
            occasion: Occasion::LabResultReady,
            about: recorded_at,
            from: recorded_at,
            until: recorded_at + Duration::days(3),
        }],
    }
}

/// The subjects whose `occasion` reminder may be due at `now` have their moment (`Planned::about`) in
/// `(from, to]`: a window a little wider than exact, for the scheduler to narrow its reading of the
/// read models with; [`Planned::is_due`] then decides each one.
pub fn about_window(occasion: Occasion, timing: &Timing, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = Duration::days(1);
    match occasion {
        // from = about - lead days + morning <= now < about + 1 day
        Occasion::VaccinationDue => {
            (now - day * 2, now + Duration::days(i64::from(timing.vaccination_lead_days)) + day)
        }
        // from = about + overdue days + morning <= now < from + 7 days
        Occasion::VaccinationOverdue => {
            let late = Duration::days(i64::from(timing.overdue_after_days));
            (now - late - day * 9, now - late + day)
        }
        // from = about - ahead <= now < about - 12 hours
        Occasion::AppointmentAhead => (now, now + timing.appointment_ahead + day),
        // from = min(morning of the day, about - 2 hours) <= now < about
        Occasion::AppointmentToday => (now, now + day * 2),
        // from = the morning after about <= now < from + 3 days
        Occasion::AppointmentMissed => (now - day * 5, now),
        // from = about <= now < about + 3 days
        Occasion::LabResultReady => (now - day * 4, now),
    }
}

/// The hours of the night in which no reminder is delivered, Cameroon time: from `start` to `end`,
/// across midnight when `start` is later than `end`. Equal times mean no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Default for QuietHours {
    fn default() -> Self {
        Self {
            start: NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN),
            end: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

impl QuietHours {
    /// Reads `HH:MM-HH:MM`, e.g. `20:00-07:00`.
    pub fn parse(text: &str) -> Option<Self> {
        let (start, end) = text.split_once('-')?;
        let time = |part: &str| NaiveTime::parse_from_str(part.trim(), "%H:%M").ok();
        Some(Self { start: time(start)?, end: time(end)? })
    }

    /// Whether `instant` falls in the quiet hours.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        let time = instant.with_timezone(&cameroon()).time();
        if self.start <= self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }

    /// The first instant from `instant` on at which a reminder may be delivered: `instant` itself
    /// outside the quiet hours, their end inside them.
    pub fn release(&self, instant: DateTime<Utc>) -> DateTime<Utc> {
        if !self.contains(instant) {
            return instant;
        }
        let day = local_day(instant);
        let time = instant.with_timezone(&cameroon()).time();
        // Inside a window across midnight and before midnight, the end is tomorrow's.
        let end_day = if self.start > self.end && time >= self.start { day.succ_opt().unwrap_or(day) } else { day };
        at_local(end_day, self.end)
    }
}

/// The language of reminders for a patient who chose none: English for those registered in the
/// North-West and South-West regions, French elsewhere (by the region's code, e.g. `NW`).
pub fn default_language(region: &str) -> ReminderLanguage {
    match region {
        "NW" | "SW" => ReminderLanguage::English,
        _ => ReminderLanguage::French,
    }
}

/// Up to this age (in whole years), a patient's reminders go to the guardian when one's phone is
/// known: a child does not keep a phone, and the mother or father brings them to the clinic.
pub const GUARDIAN_UNTIL_YEARS: u32 = 15;

/// How the patient can be reached, as recorded at registration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contacts<'a> {
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    /// The next of kin's phone, who is a child's guardian.
    pub guardian_phone: Option<&'a str>,
}

/// Where a reminder goes: to whom, by which channel, at which address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Destination<'a> {
    pub addressee: Addressee,
    pub channel: ReminderChannel,
    pub address: &'a str,
}

/// Where a reminder for a patient born on `birth_date` goes on `today`, given their contacts and the
/// channel they chose (`None`: no choice made). `None` when it cannot go anywhere: no reminders
/// chosen, or no address for the channel.
pub fn destination<'a>(
    contacts: &Contacts<'a>,
    chosen: Option<ReminderChannel>,
    birth_date: NaiveDate,
    today: NaiveDate,
) -> Option<Destination<'a>> {
    let child = today.years_since(birth_date).is_some_and(|age| age < GUARDIAN_UNTIL_YEARS) || birth_date > today;
    let by_sms = || {
        let guardian = contacts.guardian_phone.filter(|_| child).map(|address| Destination {
            addressee: Addressee::Guardian,
            channel: ReminderChannel::Sms,
            address,
        });
        guardian.or_else(|| {
            contacts.phone.map(|address| Destination {
                addressee: Addressee::Patient,
                channel: ReminderChannel::Sms,
                address,
            })
        })
    };
    let by_email = || {
        contacts.email.map(|address| Destination {
            addressee: Addressee::Patient,
            channel: ReminderChannel::Email,
            address,
        })
    };
    match chosen {
        Some(ReminderChannel::None) => None,
        Some(ReminderChannel::Sms) => by_sms(),
        Some(ReminderChannel::Email) => by_email(),
        None => by_sms().or_else(by_email),
    }
}

/// The namespace of reminder ids (a version 5 UUID of its own, fixed for ever: changing it would let
/// every reminder already sent be decided again).
const REMINDER_NAMESPACE: Uuid = Uuid::from_u128(0x6c3b_6a0e_2f4d_5e8a_9d1c_0b7e_4a2f_3c51);

/// A reminder's id: the same for the same patient, occasion, subject and moment, whoever computes it,
/// so that every scheduler decides a reminder under the same id and the ledger keeps one.
pub fn reminder_id(patient_id: Uuid, occasion: Occasion, subject: &str, about: DateTime<Utc>) -> Uuid {
    let name = format!("{patient_id}/{}/{subject}/{}", occasion.as_str(), about.timestamp_micros());
    Uuid::new_v5(&REMINDER_NAMESPACE, name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_dose_is_announced_two_mornings_ahead_and_chased_a_week_late() {
        let planned = plan(Subject::Dose { due_on: day("2026-03-10") }, &Timing::default());
        assert_eq!(planned.len(), 2);
        assert_eq!(planned[0].occasion, Occasion::VaccinationDue);
        assert_eq!(planned[0].from, instant("2026-03-08T08:00:00+01:00"));
        assert_eq!(planned[0].until, instant("2026-03-11T00:00:00+01:00"));
        assert_eq!(planned[1].occasion, Occasion::VaccinationOverdue);
        assert_eq!(planned[1].from, instant("2026-03-17T08:00:00+01:00"));
        assert!(!planned[1].is_due(instant("2026-03-24T08:00:00+01:00")), "a week later it is no longer sent");
        assert_eq!(planned[0].about, planned[1].about);
    }

    #[test]
    fn an_appointment_is_recalled_two_days_ahead_and_on_its_morning() {
        let starts_at = instant("2026-05-20T10:30:00+01:00");
        let planned = plan(Subject::Appointment { starts_at }, &Timing::default());
        assert_eq!(planned[0].from, instant("2026-05-18T10:30:00+01:00"));
        assert_eq!(planned[0].until, instant("2026-05-19T22:30:00+01:00"));
        assert_eq!(planned[1].from, instant("2026-05-20T08:00:00+01:00"));
        assert_eq!(planned[1].until, starts_at);
        let early = plan(Subject::Appointment { starts_at: instant("2026-05-20T07:30:00+01:00") }, &Timing::default());
        assert_eq!(early[1].from, instant("2026-05-20T05:30:00+01:00"), "two hours before an early start");
    }

    #[test]
    fn a_missed_appointment_is_followed_up_the_next_morning() {
        let planned =
            plan(Subject::MissedAppointment { recorded_at: instant("2026-05-20T23:30:00+01:00") }, &Timing::default());
        assert_eq!(planned[0].from, instant("2026-05-21T08:00:00+01:00"));
    }

    #[test]
    fn quiet_hours_across_midnight_hold_a_message_until_the_morning() {
        let quiet = QuietHours::default();
        assert!(quiet.contains(instant("2026-05-20T21:00:00+01:00")));
        assert!(quiet.contains(instant("2026-05-21T06:59:00+01:00")));
        assert!(!quiet.contains(instant("2026-05-21T07:00:00+01:00")));
        assert!(!quiet.contains(instant("2026-05-20T19:59:00+01:00")));
        assert_eq!(quiet.release(instant("2026-05-20T21:00:00+01:00")), instant("2026-05-21T07:00:00+01:00"));
        assert_eq!(quiet.release(instant("2026-05-21T03:00:00+01:00")), instant("2026-05-21T07:00:00+01:00"));
        let noon = instant("2026-05-21T12:00:00+01:00");
        assert_eq!(quiet.release(noon), noon);
        let afternoon = QuietHours::parse("13:00-15:00").unwrap();
        assert_eq!(afternoon.release(noon + Duration::hours(2)), instant("2026-05-21T15:00:00+01:00"));
        assert_eq!(QuietHours::parse("25:00-07:00"), None);
        let none = QuietHours::parse("00:00-00:00").unwrap();
        assert!(!none.contains(noon));
    }

    #[test]
    fn a_childs_reminders_go_to_the_guardian_and_an_adults_to_themselves() {
        let contacts = Contacts {
            phone: Some("+237690000001"),
            email: Some("a@example.cm"),
            guardian_phone: Some("+237690000002"),
        };
        let today = day("2026-06-01");
        let child = destination(&contacts, None, day("2025-12-01"), today).unwrap();
        assert_eq!((child.addressee, child.address), (Addressee::Guardian, "+237690000002"));
        let adult = destination(&contacts, None, day("1990-01-01"), today).unwrap();
        assert_eq!(
            (adult.addressee, adult.channel, adult.address),
            (Addressee::Patient, ReminderChannel::Sms, "+237690000001")
        );
        let by_mail = destination(&contacts, Some(ReminderChannel::Email), day("1990-01-01"), today).unwrap();
        assert_eq!(by_mail.address, "a@example.cm");
        assert_eq!(destination(&contacts, Some(ReminderChannel::None), day("1990-01-01"), today), None);
        let mail_only = Contacts { email: Some("a@example.cm"), ..Contacts::default() };
        assert_eq!(destination(&mail_only, None, day("1990-01-01"), today).unwrap().channel, ReminderChannel::Email);
        assert_eq!(destination(&mail_only, Some(ReminderChannel::Sms), day("1990-01-01"), today), None);
    }

    #[test]
    fn the_same_reminder_always_has_the_same_id_and_a_moved_one_another() {
        let patient = Uuid::from_u128(7);
        let about = instant("2026-05-20T10:30:00+01:00");
        let id = reminder_id(patient, Occasion::AppointmentAhead, "x", about);
        assert_eq!(id, reminder_id(patient, Occasion::AppointmentAhead, "x", about));
        assert_ne!(id, reminder_id(patient, Occasion::AppointmentAhead, "x", about + Duration::hours(1)));
        assert_ne!(id, reminder_id(patient, Occasion::AppointmentToday, "x", about));
    }

    #[test]
    fn every_reminder_due_falls_in_its_window() {
        let timing = Timing::default();
        let start = instant("2026-01-01T00:00:00+01:00");
        // Subjects every seven hours over two months, checked every five hours.
        let subjects: Vec<Subject> = (0..200)
            .flat_map(|i| {
                let at = start + Duration::hours(7 * i);
                [
                    Subject::Dose { due_on: local_day(at) },
                    Subject::Appointment { starts_at: at },
                    Subject::MissedAppointment { recorded_at: at },
                    Subject::LabResult { recorded_at: at },
                ]
            })
            .collect();
        let mut seen = 0;
        for step in 0..300 {
            let now = start + Duration::hours(5 * step);
            for subject in &subjects {
                for planned in plan(*subject, &timing).into_iter().filter(|planned| planned.is_due(now)) {
                    let (from, to) = about_window(planned.occasion, &timing, now);
                    assert!(from < planned.about && planned.about <= to, "{planned:?} at {now}");
                    seen += 1;
                }
            }
        }
        assert!(seen > 1000, "the walk saw reminders due: {seen}");
    }

    #[test]
    fn english_in_the_anglophone_regions_french_elsewhere() {
        assert_eq!(default_language("NW"), ReminderLanguage::English);
        assert_eq!(default_language("SW"), ReminderLanguage::English);
        assert_eq!(default_language("CE"), ReminderLanguage::French);
    }
}
