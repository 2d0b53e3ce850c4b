//! The reminder scheduler: reads from the read models the subjects whose reminders may be due
//! (`ReadModels::reminder_candidates`), decides each one by the domain's rules
//! (`domain::reminders`: when, to whom, by which channel, in which language, quiet hours), writes it
//! from the templates (`templates.rs`) and hands it to the application, which records the decision in
//! the ledger and queues the message under the reminder's id (`Application::decide_reminder`).
//!
//! Nothing is decided twice: a reminder's id is derived from its patient, occasion, subject and
//! moment, and the ledger keeps one decision per id however many schedulers run, on however many
//! machines, and whether or not one crashed half-way. A restart reads again what is due and finds the
//! decisions made. The scheduler also records in the ledger what became of each reminder's delivery
//! (`Application::record_reminder_outcomes`).

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod templates;

use application::{Application, ApplicationError};
use chrono::{DateTime, Utc};
use domain::reminders::{
    about_window, default_language, destination, local_day, plan, reminder_id, Contacts, QuietHours, Subject, Timing,
};
use event_schema::events::reminder::{Occasion, ReminderChannel, ReminderDecided, ReminderLanguage};
use event_schema::Timestamp;
use ledger::outbox::{ChannelKind, Message};
use projections::read::reminders::{CandidateQuery, ReminderCandidate};
use projections::read::ReadModels;
use projections::ProjectionError;
use std::sync::Arc;
use std::time::Duration;
use templates::{Templates, Variables};
use uuid::Uuid;

pub use templates::TemplateError;

/// Why a round of scheduling stopped.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Application(#[from] ApplicationError),
    #[error(transparent)]
    ReadModels(#[from] ProjectionError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error("the reminders' read model is at position {checkpoint}, behind the ledger's {head}; waiting for it")]
    Behind { checkpoint: u64, head: u64 },
}

/// How the scheduler works, as the operator configured it.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub timing: Timing,
    pub quiet: QuietHours,
    /// How many candidates one read fetches.
    pub page: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self { timing: Timing::default(), quiet: QuietHours::default(), page: 500 }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Reminders decided (and queued) by this round.
    pub decided: usize,
    /// Outcomes of deliveries recorded in the ledger.
    pub outcomes: usize,
}

/// The scheduler.
#[derive(Clone)]
pub struct Scheduler {
    application: Application,
    reads: ReadModels,
    /// The projectors' checkpoints, to tell whether the read model is behind.
    runner: projections::Runner,
    templates: Arc<Templates>,
    settings: Settings,
}

/// Subjects that make one reminder: doses due the same day to the same patient.
struct Group {
    first: ReminderCandidate,
    subjects: Vec<String>,
}

impl Group {
    fn takes(&self, occasion: Occasion, candidate: &ReminderCandidate) -> bool {
        subject_kind(occasion) == "dose"
            && candidate.patient_id == self.first.patient_id
            && candidate.about == self.first.about
    }
}

/// The quiet hours as the outbox's dispatcher asks about them.
pub fn quiet_hours_rule(quiet: QuietHours) -> ledger::outbox::QuietHoursRule {
    Arc::new(move |now: Timestamp| {
        let release = quiet.release(now.as_datetime());
        (release != now.as_datetime()).then(|| Timestamp::from_datetime(release))
    })
}

/// How many reminders are decided at once: their appends wait for the same commits.
const CONCURRENT_DECISIONS: usize = 32;

/// The projector whose read model the scheduler reads.
const PROJECTOR: &str = "reminders";

/// The read model's kind of subject each occasion is about.
fn subject_kind(occasion: Occasion) -> &'static str {
    match occasion {
        Occasion::VaccinationDue | Occasion::VaccinationOverdue => "dose",
        Occasion::AppointmentAhead | Occasion::AppointmentToday => "appointment",
        Occasion::AppointmentMissed => "missed",
        Occasion::LabResultReady => "result",
    }
}

/// The name of the antigen coded `code` in `language`, as the newest schedule version that has it
/// words it; the code itself for one no version has.
fn vaccine_name(code: &str, language: ReminderLanguage) -> String {
    let antigen =
        domain::record::schedule::versions().iter().rev().find_map(|version| version.antigen(code)).map(|antigen| {
            match language {
                ReminderLanguage::French => antigen.name_fr.clone(),
                ReminderLanguage::English => antigen.name.clone(),
            }
        });
    antigen.unwrap_or_else(|| code.to_owned())
}

fn stored_language(text: Option<&str>) -> Option<ReminderLanguage> {
    match text {
        Some("fr") => Some(ReminderLanguage::French),
        Some("en") => Some(ReminderLanguage::English),
        _ => None,
    }
}

fn stored_channel(text: Option<&str>) -> Option<ReminderChannel> {
    match text {
        Some("sms") => Some(ReminderChannel::Sms),
        Some("email") => Some(ReminderChannel::Email),
        Some("none") => Some(ReminderChannel::None),
        _ => None,
    }
}

impl Scheduler {
    pub fn new(application: Application, reads: ReadModels, templates: Arc<Templates>, settings: Settings) -> Self {
        let runner = projections::Runner::new(application.ledger().storage().database());
        Self { application, reads, runner, templates, settings }
    }

    /// Waits (a few seconds at most) until the reminders' read model holds everything the ledger
    /// held when the round began: a read model still being rebuilt, or behind, would show doses given
    /// or appointments cancelled as still to come, and the round would remind of them.
    async fn caught_up(&self) -> Result<(), SchedulerError> {
        let head = self.application.ledger().head().await.map_err(ApplicationError::from)?.position;
        let mut checkpoint = 0;
        for _ in 0..50 {
            checkpoint = self.runner.checkpoints().await?.get(PROJECTOR).copied().unwrap_or(0);
            if checkpoint >= head {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(SchedulerError::Behind { checkpoint, head })
    }

    /// Decides every reminder due now, then records the deliveries' outcomes.
    pub async fn run_once(&self) -> Result<Round, SchedulerError> {
        self.caught_up().await?;
        let now = self.application.now().as_datetime();
        let mut round = Round::default();
        for occasion in Occasion::ALL {
            let (from, to) = about_window(occasion, &self.settings.timing, now);
            let mut after: Option<(i64, String)> = None;
            // Doses due the same day to the same child make one message: candidates come in order of
            // moment and then patient, so a group's members are read one after the other (a group cut
            // by the end of a page goes on in the next).
            let mut group: Option<Group> = None;
            let mut ready: Vec<Group> = Vec::new();
            loop {
                let query = CandidateQuery {
                    kind: subject_kind(occasion),
                    occasion: occasion.as_str(),
                    from: from.timestamp_micros(),
                    to: to.timestamp_micros(),
                    after: after.as_ref().map(|(about, key)| (*about, key.as_str())),
                    limit: self.settings.page,
                };
                let page = self.reads.reminder_candidates(&query).await?;
                for candidate in &page {
                    match &mut group {
                        Some(open) if open.takes(occasion, candidate) => open.subjects.push(candidate.subject.clone()),
                        _ => {
                            ready.extend(group.take());
                            group = Some(Group { subjects: vec![candidate.subject.clone()], first: candidate.clone() });
                        }
                    }
                }
                round.decided += self.decide_all(occasion, std::mem::take(&mut ready), now).await?;
                match page.last() {
                    Some(last) if page.len() >= self.settings.page as usize => {
                        after = Some((last.about, last.subject_key.clone()))
                    }
                    _ => break,
                }
            }
            round.decided += self.decide_all(occasion, group.take().into_iter().collect(), now).await?;
        }
        round.outcomes = self.application.record_reminder_outcomes(500).await?;
        Ok(round)
    }

    /// Decides `groups`, several at a time so that their appends share the ledger's commits; returns
    /// how many this call decided.
    async fn decide_all(
        &self,
        occasion: Occasion,
        groups: Vec<Group>,
        now: DateTime<Utc>,
    ) -> Result<usize, SchedulerError> {
        use futures::stream::{self, StreamExt, TryStreamExt};
        stream::iter(groups)
            .map(|group| self.decide(occasion, group, now))
            .buffer_unordered(CONCURRENT_DECISIONS)
            .try_fold(0, |decided, this| async move { Ok(decided + usize::from(this)) })
            .await
    }

    /// Decides `group`'s reminder for `occasion`, if it is due now and can go somewhere; returns
    /// whether this call decided it.
    async fn decide(&self, occasion: Occasion, group: Group, now: DateTime<Utc>) -> Result<bool, SchedulerError> {
        let candidate = &group.first;
        let (Some(about), Ok(patient_id)) =
            (DateTime::from_timestamp_micros(candidate.about), Uuid::parse_str(&candidate.patient_id))
        else {
            tracing::warn!("reminders: skipping a subject with an unreadable moment or patient");
            return Ok(false);
        };
        let subject = match occasion {
            Occasion::VaccinationDue | Occasion::VaccinationOverdue => Subject::Dose { due_on: local_day(about) },
            Occasion::AppointmentAhead | Occasion::AppointmentToday => Subject::Appointment { starts_at: about },
            Occasion::AppointmentMissed => Subject::MissedAppointment { recorded_at: about },
            Occasion::LabResultReady => Subject::LabResult { recorded_at: about },
        };
        let Some(planned) = plan(subject, &self.settings.timing).into_iter().find(|p| p.occasion == occasion) else {
            return Ok(false);
        };
        if !planned.is_due(now) {
            return Ok(false);
        }
        let kind = serde_name(occasion.kind());
        if candidate.opted_out.split(',').any(|opted_out| opted_out == kind) {
            return Ok(false);
        }
        let Ok(birth) = chrono::NaiveDate::parse_from_str(&candidate.birth_date, "%Y-%m-%d") else {
            return Ok(false);
        };
        let contacts = Contacts {
            phone: candidate.phone.as_deref(),
            email: candidate.email.as_deref(),
            guardian_phone: candidate.guardian_phone.as_deref(),
        };
        let chosen = stored_channel(candidate.channel.as_deref());
        let Some(destination) = destination(&contacts, chosen, birth, local_day(now)) else {
            return Ok(false);
        };
        let language = stored_language(candidate.language.as_deref())
            .unwrap_or_else(|| default_language(candidate.home_region.as_deref().unwrap_or_default()));
        let vaccines = group
            .subjects
            .iter()
            .map(|subject| match subject.split_once('/') {
                Some((antigen, dose)) => format!("{} {dose}", vaccine_name(antigen, language)),
                None => subject.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        // Cameroon time, an hour ahead of UTC all year.
        let local = (about + chrono::Duration::hours(1)).naive_utc();
        let date = local.format("%d/%m/%Y").to_string();
        let time = local.format("%H:%M").to_string();
        let variables = Variables {
            addressee: destination.addressee,
            name: &candidate.given_names,
            vaccines: &vaccines,
            count: group.subjects.len(),
            date: &date,
            time: &time,
            facility: candidate.facility_name.as_deref().unwrap_or("CloudMedi"),
        };
        let text = self.templates.render(language, occasion, &variables)?;
        let not_before = Timestamp::from_datetime(self.settings.quiet.release(now));
        let channel = match destination.channel {
            ReminderChannel::Email => ChannelKind::Email,
            _ => ChannelKind::Sms,
        };
        let decided = ReminderDecided {
            reminder_id: reminder_id(patient_id, occasion, &group.subjects.join("+"), about),
            patient_id,
            occasion,
            subjects: group.subjects,
            about: Timestamp::from_datetime(about),
            channel: destination.channel,
            language,
            addressee: destination.addressee,
            not_before,
        };
        let message = Message {
            channel,
            recipient: destination.address.to_owned(),
            subject: (channel == ChannelKind::Email).then_some(text.subject),
            body: text.body,
            not_before: Some(not_before),
        };
        Ok(self.application.decide_reminder(&decided, &message).await?)
    }

    /// Runs a round every `interval` until `stop` turns true; a failed round is logged and tried again.
    pub async fn run(self, interval: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            match self.run_once().await {
                Ok(round) if round.decided + round.outcomes > 0 => {
                    tracing::info!(decided = round.decided, outcomes = round.outcomes, "reminders: round done")
                }
                Ok(_) => {}
                Err(error @ SchedulerError::Behind { .. }) => tracing::info!(%error, "reminders: round put off"),
                Err(error) => tracing::warn!(%error, "reminders: round failed; will try again"),
            }
            if *stop.borrow() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stop.wait_for(|stop| *stop) => return,
            }
        }
    }
}

/// A reminder kind's stored name (`lab_result`).
fn serde_name(kind: event_schema::events::reminder::ReminderKind) -> &'static str {
    use event_schema::events::reminder::ReminderKind;
    match kind {
        ReminderKind::Vaccination => "vaccination",
        ReminderKind::Appointment => "appointment",
        ReminderKind::LabResult => "lab_result",
    }
}
