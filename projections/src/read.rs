//! The queries the query API runs on the read models. Every function answers in rows; deciding who may
//! see them is the caller's business (the query API asks the access policy first).
//!
//! Lists page by keyset (`after` an opaque position, `limit` rows), never by offset, so a page costs
//! the same however deep it is.

pub mod reminders;
pub mod statistics;

use crate::write::{bind_values, Value};
use crate::ProjectionError;
use ledger::Database;
use serde_json::value::RawValue;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A patient's demographics as projected.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientRow {
    pub patient_id: String,
    pub health_id: String,
    pub national_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_date_estimated: i64,
    pub region: String,
    pub health_district: String,
    pub registered_at_facility: String,
    pub registered_at: i64,
    pub merged_into: Option<String>,
    pub position: i64,
}

/// One entry of a record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    pub entry_id: String,
    pub patient_id: String,
    pub section: String,
    pub event_type: String,
    pub status: String,
    pub amends: Option<String>,
    pub amended_by: Option<String>,
    pub correction_reason: Option<String>,
    pub corrected_at: Option<i64>,
    pub corrected_by: Option<String>,
    pub author_account_id: String,
    pub author_role: String,
    pub facility_id: Option<String>,
    pub occurred_at: i64,
    pub recorded_at: i64,
    pub position: i64,
    pub details: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRow {
    pub entry_id: String,
    pub patient_id: String,
    pub facility_id: String,
    pub practitioner_id: Option<String>,
    pub starts_at: i64,
    pub reason: String,
    pub status: String,
    pub position: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CareRow {
    pub patient_id: String,
    pub facility_id: String,
    pub basis: String,
    pub account_id: String,
    pub until_day: Option<String>,
    pub expires_at: Option<i64>,
    pub reason: Option<String>,
    pub opened_at: i64,
    pub position: i64,
}

/// A ledger entry as auditors browse it: its metadata, and of its payload only what may be shown.
#[derive(Debug, Clone)]
pub struct LedgerIndexRow {
    pub position: i64,
    pub stream_id: String,
    pub stream_version: i64,
    pub event_type: String,
    pub actor_account_id: String,
    pub actor_role: String,
    pub actor_facility_id: Option<String>,
    pub occurred_at: i64,
    pub recorded_at: i64,
    /// The entry's hash (SHA-256, hex), as the ledger holds it.
    pub hash: String,
    /// SHA-256 (hex) of the payload's canonical JSON.
    pub payload_digest: String,
    /// The names of the payload's fields, in order; never their values.
    pub payload_fields: Vec<String>,
    pub patient_id: Option<String>,
    /// The record entry the payload names, if any.
    pub entry_id: Option<String>,
}

/// An index row with the ledger columns a listing derives the rest from.
#[derive(sqlx::FromRow)]
struct IndexedEntry {
    position: i64,
    stream_id: String,
    stream_version: i64,
    event_type: String,
    actor_account_id: String,
    actor_role: String,
    actor_facility_id: Option<String>,
    occurred_at: i64,
    recorded_at: i64,
    patient_id: Option<String>,
    hash: Vec<u8>,
    payload: String,
}

impl TryFrom<IndexedEntry> for LedgerIndexRow {
    type Error = ProjectionError;

    fn try_from(row: IndexedEntry) -> Result<Self, ProjectionError> {
        // Canonical JSON lists an object's fields in order. Every payload the ledger accepts is an
        // object: one that is not was changed in the database, and the page says so rather than
        // showing the entry with no fields.
        let fields: BTreeMap<&str, &RawValue> = serde_json::from_str(&row.payload).map_err(|error| {
            ProjectionError::Corrupt(format!(
                "the payload of ledger entry {} is not a JSON object: {error}",
                row.position
            ))
        })?;
        let entry_id = fields.get("entry_id").and_then(|raw| serde_json::from_str::<Uuid>(raw.get()).ok());
        Ok(LedgerIndexRow {
            payload_fields: fields.keys().map(|field| (*field).to_owned()).collect(),
            entry_id: entry_id.map(|id| id.to_string()),
            payload_digest: hex::encode(Sha256::digest(row.payload.as_bytes())),
            hash: hex::encode(&row.hash),
            position: row.position,
            stream_id: row.stream_id,
            stream_version: row.stream_version,
            event_type: row.event_type,
            actor_account_id: row.actor_account_id,
            actor_role: row.actor_role,
            actor_facility_id: row.actor_facility_id,
            occurred_at: row.occurred_at,
            recorded_at: row.recorded_at,
            patient_id: row.patient_id,
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccessLogRow {
    pub position: i64,
    pub patient_id: String,
    pub reader_account_id: String,
    pub reader_role: String,
    pub facility_id: Option<String>,
    pub read_at: i64,
    pub basis: String,
    pub parts: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub account_id: String,
    pub role: String,
    pub facility_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub suspended: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FacilityRow {
    pub facility_id: String,
    pub name: String,
    pub region: String,
    pub health_district: String,
}

/// Runs `sql` with `params` and maps the rows to `T`, on either backend.
macro_rules! fetch {
    ($self:expr, $row:ty, $sql:expr, $params:expr) => {{
        let params: Vec<Value> = $params;
        $self.queries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let rows: Vec<$row> = on_database!(&$self.database, pool => {
            bind_values!(sqlx::query_as::<_, $row>($sql), params.iter()).fetch_all(pool).await?
        });
        Ok::<Vec<$row>, ProjectionError>(rows)
    }};
}

/// `$first, $first+1, …` for `count` parameters.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

fn ids(ids: &[Uuid]) -> Vec<Value> {
    ids.iter().map(|id| Value::from(*id)).collect()
}

/// The read models, for queries.
#[derive(Clone)]
pub struct ReadModels {
    database: Database,
    /// Queries run through this handle (and its clones): how batching is measured.
    queries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Filters for browsing the ledger; each given one narrows the result.
#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    pub stream_id: Option<String>,
    pub event_type: Option<String>,
    pub actor_account_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    /// Recorded at or after, microseconds.
    pub recorded_from: Option<i64>,
    /// Recorded before, microseconds.
    pub recorded_before: Option<i64>,
}

/// Narrows the facility directory; each given filter narrows it further.
#[derive(Debug, Clone, Default)]
pub struct FacilityFilter {
    /// A region code, e.g. `LT`.
    pub region: Option<String>,
    /// The start of the name, compared without regard to the case of ASCII letters.
    pub name_prefix: Option<String>,
}

/// Whose appointments.
#[derive(Debug, Clone, Copy)]
pub enum AppointmentsOf {
    Patient(Uuid),
    Facility(Uuid),
    Practitioner(Uuid),
}

impl ReadModels {
    pub fn new(database: Database) -> Self {
        Self { database, queries: Default::default() }
    }

    /// How many queries this handle and its clones have run.
    pub fn queries_run(&self) -> u64 {
        self.queries.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub async fn patients(&self, patient_ids: &[Uuid]) -> Result<Vec<PatientRow>, ProjectionError> {
        if patient_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT * FROM rm_patients WHERE patient_id IN ({})", placeholders(1, patient_ids.len()));
        fetch!(self, PatientRow, &sql, ids(patient_ids))
    }

    pub async fn patient_by_health_id(&self, health_id: &str) -> Result<Option<PatientRow>, ProjectionError> {
        let rows = fetch!(self, PatientRow, "SELECT * FROM rm_patients WHERE health_id = $1", vec![health_id.into()])?;
        Ok(rows.into_iter().next())
    }

    pub async fn patient_by_national_id(&self, national_id: &str) -> Result<Option<PatientRow>, ProjectionError> {
        let rows =
            fetch!(self, PatientRow, "SELECT * FROM rm_patients WHERE national_id = $1", vec![national_id.into()])?;
        Ok(rows.into_iter().next())
    }

    /// Patients with this folded family name and date of birth, after `after` (a patient id), at most
    /// `limit`, in patient id order.
    pub async fn patients_by_name(
        &self,
        family_key: &str,
        birth_date: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<PatientRow>, ProjectionError> {
        fetch!(
            self,
            PatientRow,
            "SELECT * FROM rm_patients WHERE family_key = $1 AND birth_date = $2 AND patient_id > $3 \
             ORDER BY patient_id LIMIT $4",
            vec![family_key.into(), birth_date.into(), after.unwrap_or("").into(), i64::from(limit).into()]
        )
    }

    /// Every entry of the records of `patient_ids`, in ledger order, each with its status and, if it
    /// was corrected, how: one query however many entries and sections there are.
    pub async fn entries(&self, patient_ids: &[Uuid]) -> Result<Vec<EntryRow>, ProjectionError> {
        if patient_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT entry.entry_id, entry.patient_id, entry.section, entry.event_type, \
             COALESCE(correction.status, '{current}') AS status, entry.amends, correction.amended_by, \
             correction.correction_reason, correction.corrected_at, correction.corrected_by, \
             entry.author_account_id, entry.author_role, entry.facility_id, entry.occurred_at, entry.recorded_at, \
             entry.position, entry.details \
             FROM rm_record_entries entry LEFT JOIN rm_record_corrections correction \
             ON correction.patient_id = entry.patient_id AND correction.entry_id = entry.entry_id \
             WHERE entry.patient_id IN ({}) ORDER BY entry.position",
            placeholders(1, patient_ids.len()),
            current = crate::entry_status::CURRENT,
        );
        fetch!(self, EntryRow, &sql, ids(patient_ids))
    }

    /// The care relationships of `patient_ids`.
    pub async fn care(&self, patient_ids: &[Uuid]) -> Result<Vec<CareRow>, ProjectionError> {
        if patient_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Reads are authorised on these facts: never on facts older than a change of access already
        // acknowledged (see `progress`).
        crate::progress::wait_for_patients(
            &self.database,
            crate::projectors::CARE_PROJECTOR,
            patient_ids,
            crate::progress::READ_WAIT,
        )
        .await?;
        let sql = format!("SELECT * FROM rm_care WHERE patient_id IN ({})", placeholders(1, patient_ids.len()));
        fetch!(self, CareRow, &sql, ids(patient_ids))
    }

    /// The minors `guardian` (a patient's record) is guardian of on `today` (`YYYY-MM-DD`), in id
    /// order, as of every entry committed before the call (a guardianship lives in the minor's stream,
    /// so no stream of the guardian's bounds it). Only a list of whom to offer: reading any of their
    /// records is authorised on that record's own care facts (see [`ReadModels::care`]).
    pub async fn wards_of(&self, guardian: Uuid, today: &str) -> Result<Vec<Uuid>, ProjectionError> {
        crate::progress::wait_for_head(&self.database, crate::projectors::CARE_PROJECTOR, crate::progress::READ_WAIT)
            .await?;
        let rows = fetch!(
            self,
            CareRow,
            "SELECT * FROM rm_care WHERE account_id = $1 AND basis = 'guardian' AND until_day >= $2 \
             ORDER BY patient_id",
            vec![guardian.into(), today.into()]
        )?;
        Ok(rows.iter().filter_map(|row| Uuid::parse_str(&row.patient_id).ok()).collect())
    }

    /// Break-the-glass accesses opened from `facility`, newest first, before `before` (opened_at).
    pub async fn break_glass_at(
        &self,
        facility: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<CareRow>, ProjectionError> {
        fetch!(
            self,
            CareRow,
            "SELECT * FROM rm_care WHERE facility_id = $1 AND basis = 'break_glass' AND opened_at < $2 \
             ORDER BY opened_at DESC LIMIT $3",
            vec![facility.into(), before.unwrap_or(i64::MAX).into(), i64::from(limit).into()]
        )
    }

    /// Appointments starting in `[from, to)`, in time order, after the cursor `(starts_at, entry_id)`.
    pub async fn appointments(
        &self,
        of: AppointmentsOf,
        from: i64,
        to: i64,
        after: Option<(i64, String)>,
        limit: u32,
    ) -> Result<Vec<AppointmentRow>, ProjectionError> {
        let (column, id) = match of {
            AppointmentsOf::Patient(id) => ("patient_id", id),
            AppointmentsOf::Facility(id) => ("facility_id", id),
            AppointmentsOf::Practitioner(id) => ("practitioner_id", id),
        };
        let (after_start, after_id) = after.unwrap_or((i64::MIN, String::new()));
        let sql = format!(
            "SELECT * FROM rm_appointments WHERE {column} = $1 AND starts_at >= $2 AND starts_at < $3 \
             AND (starts_at > $4 OR (starts_at = $4 AND entry_id > $5)) ORDER BY starts_at, entry_id LIMIT $6"
        );
        fetch!(
            self,
            AppointmentRow,
            &sql,
            vec![id.into(), from.into(), to.into(), after_start.into(), after_id.into(), i64::from(limit).into()]
        )
    }

    /// Ledger entries matching `filter`, after position `after`, in position order: the index picks
    /// the positions, and each entry's hash and payload come from its ledger row.
    pub async fn ledger_entries(
        &self,
        filter: &LedgerFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<LedgerIndexRow>, ProjectionError> {
        let mut conditions = vec!["i.position > $1".to_owned()];
        let mut params: Vec<Value> = vec![after.into()];
        let mut condition = |clause: &str, value: Value| {
            params.push(value);
            conditions.push(format!("{clause} ${}", params.len()));
        };
        if let Some(stream) = &filter.stream_id {
            condition("i.stream_id =", stream.as_str().into());
        }
        if let Some(event_type) = &filter.event_type {
            condition("i.event_type =", event_type.as_str().into());
        }
        if let Some(actor) = filter.actor_account_id {
            condition("i.actor_account_id =", actor.into());
        }
        if let Some(patient) = filter.patient_id {
            condition("i.patient_id =", patient.into());
        }
        if let Some(from) = filter.recorded_from {
            condition("i.recorded_at >=", from.into());
        }
        if let Some(before) = filter.recorded_before {
            condition("i.recorded_at <", before.into());
        }
        params.push(i64::from(limit).into());
        let sql = format!(
            "SELECT i.position, i.stream_id, i.stream_version, i.event_type, i.actor_account_id, i.actor_role, \
             i.actor_facility_id, i.occurred_at, i.recorded_at, i.patient_id, l.hash, l.payload \
             FROM rm_ledger_index i JOIN ledger_entries l ON l.position = i.position \
             WHERE {} ORDER BY i.position LIMIT ${}",
            conditions.join(" AND "),
            params.len()
        );
        let rows = fetch!(self, IndexedEntry, &sql, params)?;
        rows.into_iter().map(LedgerIndexRow::try_from).collect()
    }

    /// Reads of a patient's record, newest first, before position `before`.
    pub async fn access_log(
        &self,
        patient: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AccessLogRow>, ProjectionError> {
        fetch!(
            self,
            AccessLogRow,
            "SELECT * FROM rm_access_log WHERE patient_id = $1 AND position < $2 ORDER BY position DESC LIMIT $3",
            vec![patient.into(), before.unwrap_or(i64::MAX).into(), i64::from(limit).into()]
        )
    }

    pub async fn staff(&self, account_ids: &[Uuid]) -> Result<Vec<StaffRow>, ProjectionError> {
        if account_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT account_id, role, facility_id, family_name, given_names, suspended FROM rm_staff \
             WHERE account_id IN ({})",
            placeholders(1, account_ids.len())
        );
        fetch!(self, StaffRow, &sql, ids(account_ids))
    }

    /// The facility directory in name order (then id, for facilities of the same name), after the
    /// facility `after` (the last of the previous page), at most `limit`.
    pub async fn facility_directory(
        &self,
        filter: &FacilityFilter,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<FacilityRow>, ProjectionError> {
        let mut conditions: Vec<String> = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(after) = after {
            params.push(after.into());
            conditions
                .push("(name, facility_id) > ((SELECT name FROM rm_facilities WHERE facility_id = $1), $1)".to_owned());
        }
        if let Some(region) = &filter.region {
            params.push(region.as_str().into());
            conditions.push(format!("region = ${}", params.len()));
        }
        if let Some(prefix) = &filter.name_prefix {
            // A prefix compared by length rather than with LIKE, so `%` and `_` in it are plain text.
            params.push(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX).into());
            params.push(prefix.as_str().into());
            conditions.push(format!(
                "substr(lower(name), 1, CAST(${} AS INTEGER)) = lower(${})",
                params.len() - 1,
                params.len()
            ));
        }
        params.push(i64::from(limit).into());
        let filter = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
        let sql = format!(
            "SELECT facility_id, name, region, health_district FROM rm_facilities {filter} \
             ORDER BY name, facility_id LIMIT ${}",
            params.len()
        );
        fetch!(self, FacilityRow, &sql, params)
    }

    pub async fn facilities(&self, facility_ids: &[Uuid]) -> Result<Vec<FacilityRow>, ProjectionError> {
        if facility_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT facility_id, name, region, health_district FROM rm_facilities WHERE facility_id IN ({})",
            placeholders(1, facility_ids.len())
        );
        fetch!(self, FacilityRow, &sql, ids(facility_ids))
    }
}
