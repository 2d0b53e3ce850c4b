//! What the reminder scheduler reads: the subjects whose reminders for one occasion may be due, with
//! what writing and addressing them takes, leaving out those already decided.

use super::ReadModels;
use crate::write::{bind_values, Value};
use crate::ProjectionError;

/// A subject whose reminder for an occasion may be due, with its patient's contacts and choices.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderCandidate {
    pub subject_key: String,
    pub patient_id: String,
    /// `<antigen>/<dose number>` for a dose, the entry id otherwise.
    pub subject: String,
    /// Microseconds.
    pub about: i64,
    pub given_names: String,
    pub birth_date: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub guardian_phone: Option<String>,
    /// The patient's choices (`fr`/`en`, `sms`/`email`/`none`), `None` for the defaults.
    pub language: Option<String>,
    pub channel: Option<String>,
    /// Kinds opted out of, comma-separated.
    pub opted_out: String,
    /// The region of the facility where the patient registered (the default language's).
    pub home_region: Option<String>,
    /// The appointment's facility, by name.
    pub facility_name: Option<String>,
}

/// One page of candidates, in `(about, subject_key)` order: the next page starts after the last.
#[derive(Debug, Clone, Copy)]
pub struct CandidateQuery<'a> {
    /// The subjects' kind: `dose`, `appointment`, `missed`, `result`.
    pub kind: &'a str,
    /// The occasion whose decisions rule a subject out (`vaccination_due`…).
    pub occasion: &'a str,
    /// Moments in `(from, to]`, microseconds.
    pub from: i64,
    pub to: i64,
    pub after: Option<(i64, &'a str)>,
    pub limit: u32,
}

impl ReadModels {
    /// Open subjects of `query.kind` about a moment in the window, of active patients, whose reminder
    /// for `query.occasion` at that moment was not decided yet.
    pub async fn reminder_candidates(
        &self,
        query: &CandidateQuery<'_>,
    ) -> Result<Vec<ReminderCandidate>, ProjectionError> {
        let (after_about, after_key) = query.after.unwrap_or((i64::MIN, ""));
        let params: Vec<Value> = vec![
            query.kind.into(),
            query.from.into(),
            query.to.into(),
            after_about.into(),
            after_key.into(),
            query.occasion.into(),
            i64::from(query.limit).into(),
        ];
        let sql = "SELECT s.subject_key, s.patient_id, s.subject, s.about, p.given_names, p.birth_date, p.phone, \
                   p.email, p.guardian_phone, p.language, p.channel, p.opted_out, home.region AS home_region, \
                   place.name AS facility_name \
                   FROM rm_reminder_subjects s \
                   JOIN rm_reminder_patients p ON p.patient_id = s.patient_id \
                   LEFT JOIN rm_facilities home ON home.facility_id = p.facility_id \
                   LEFT JOIN rm_facilities place ON place.facility_id = s.facility_id \
                   WHERE s.kind = $1 AND s.about > $2 AND s.about <= $3 \
                   AND (s.about > $4 OR (s.about = $4 AND s.subject_key > $5)) \
                   AND s.open = 1 AND s.given <= 0 AND p.state = 'active' \
                   AND NOT EXISTS (SELECT 1 FROM rm_reminder_decisions d WHERE d.patient_id = s.patient_id \
                       AND d.subject = s.subject AND d.occasion = $6 AND d.about = s.about) \
                   ORDER BY s.about, s.subject_key LIMIT $7";
        self.queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rows = on_database!(&self.database, pool => {
            bind_values!(sqlx::query_as::<_, ReminderCandidate>(sql), params.iter()).fetch_all(pool).await?
        });
        Ok(rows)
    }

    /// How many reminders were decided, by outcome (`queued`, `delivered`, `undeliverable`).
    pub async fn reminder_outcomes(&self) -> Result<Vec<(String, i64)>, ProjectionError> {
        self.queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let sql = "SELECT outcome, COUNT(*) FROM rm_reminder_decisions GROUP BY outcome ORDER BY outcome";
        let rows = on_database!(&self.database, pool => {
            sqlx::query_as::<_, (String, i64)>(sql).fetch_all(pool).await?
        });
        Ok(rows)
    }
}
