//! The query root.

use crate::error::{bad_input, Code};
use crate::page::{self, PageSize};
use crate::policy::{self, check};
use crate::scalars::{HealthId, RegionCode};
use crate::statistics::Statistics;
use crate::types::{
    loaders, AccessLogEntry, Appointment, BreakGlassAlert, EmergencyAccess, Facility, LedgerEntry, Patient,
    PatientSummary,
};
use crate::viewer::Viewer;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, SimpleObject, ID};
use domain::access::{Action, Section};
use event_schema::events::access::ReadBasis;
use event_schema::Role;
use projections::read::{AppointmentsOf, FacilityFilter, LedgerFilter, ReadModels};
use uuid::Uuid;

pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> Result<&'a Viewer, Code> {
    ctx.data::<Viewer>().map_err(|_| Code::Unauthenticated)
}

fn read_models<'a>(ctx: &Context<'a>) -> Result<&'a ReadModels, Code> {
    ctx.data::<ReadModels>().map_err(|_| Code::Internal)
}

/// An id argument, named `argument` in the error when it is not an id at all: a malformed id is the
/// client's mistake (`BAD_USER_INPUT`) wherever it is given, while a well-formed one that names nothing
/// the viewer may see is `NOT_FOUND`.
fn uuid(id: &ID, argument: &str) -> async_graphql::Result<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| bad_input(format!("{argument} is not an id (a UUID)")))
}

/// A `YYYY-MM-DD` day in Cameroon (UTC+1) as the microsecond its midnight falls on.
fn day_start(day: &str, field: &str) -> async_graphql::Result<i64> {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .filter(|_| day.len() == 10)
        .ok_or_else(|| bad_input(format!("{field} must be a date, YYYY-MM-DD")))?;
    let midnight = date.and_hms_opt(0, 0, 0).ok_or_else(|| bad_input(format!("{field} is out of range")))?;
    Ok(midnight.and_utc().timestamp_micros() - 3_600_000_000)
}

/// An instant in RFC 3339, in UTC or with an offset (`2026-03-01T07:30:00Z` and
/// `2026-03-01T08:30:00+01:00` are the same instant).
fn instant(text: &str, field: &str) -> async_graphql::Result<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&chrono::Utc).timestamp_micros())
        .map_err(|_| {
            bad_input(format!(
                "{field} must be an RFC 3339 instant, like 2026-03-01T08:30:00+01:00 or 2026-03-01T07:30:00Z"
            ))
        })
}

/// Who the token belongs to.
#[derive(SimpleObject)]
pub struct Me {
    pub account_id: ID,
    pub role: String,
    pub facility_id: Option<ID>,
    /// For a patient's account, their record.
    pub patient_id: Option<ID>,
    /// For a patient's account, the records of the minors in their charge as guardian (a parent, or
    /// a guardian appointed by a court), until each comes of age; empty for anyone else.
    pub wards: Vec<ID>,
}

pub struct Query;

#[Object]
impl Query {
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        let principal = &viewer(ctx)?.principal;
        let wards = match (principal.role, principal.patient_id) {
            (Role::Patient, Some(own)) => {
                let today = loaders(ctx)?.now.cameroon_date();
                read_models(ctx)?.wards_of(own, &today).await.map_err(Code::from)?
            }
            _ => Vec::new(),
        };
        Ok(Me {
            wards: wards.into_iter().map(|id| ID(id.to_string())).collect(),
            account_id: ID(principal.account_id.to_string()),
            role: principal.role.as_str().to_owned(),
            facility_id: principal.facility_id.map(|id| ID(id.to_string())),
            patient_id: principal.patient_id.map(|id| ID(id.to_string())),
        })
    }

    /// A patient's record, for someone the policy lets read it: the patient, or staff with a care
    /// relationship. Anything else is `NOT_FOUND`, exactly as for an id that does not exist.
    async fn patient(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Patient> {
        viewer(ctx)?;
        Patient::open(ctx, uuid(&id, "id")?).await
    }

    /// A patient's record by health ID (as read from the card's QR code).
    async fn patient_by_health_id(&self, ctx: &Context<'_>, health_id: HealthId) -> async_graphql::Result<Patient> {
        viewer(ctx)?;
        let HealthId(health_id) = health_id;
        let row = read_models(ctx)?.patient_by_health_id(health_id.as_str()).await.map_err(Code::from)?;
        let id = row.and_then(|row| Uuid::parse_str(&row.patient_id).ok()).unwrap_or_else(Uuid::nil);
        Patient::open(ctx, id).await
    }

    /// The facility directory, in name order, optionally in one region (its code, e.g. `LT`): for
    /// anyone with a session, since it names places, not people.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn facilities(
        &self,
        ctx: &Context<'_>,
        region: Option<RegionCode>,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Facility>> {
        viewer(ctx)?;
        let region = region.map(|RegionCode(code)| code);
        let size = page::size(first);
        let cursor = page::decode(after.as_deref())?;
        // The cursor is the last facility's id; the directory pages by name after that facility's name.
        let after = match &cursor {
            None => None,
            Some(text) => Some(Uuid::parse_str(text).map_err(|_| bad_input("after is not a cursor this API issued"))?),
        };
        let limit = u32::try_from(size + 1).unwrap_or(u32::MAX);
        let filter = FacilityFilter { region, name_prefix: None };
        let rows = read_models(ctx)?.facility_directory(&filter, after, limit).await.map_err(Code::from)?;
        let items = rows
            .into_iter()
            .map(|row| {
                let cursor = row.facility_id.to_string();
                let facility = Facility {
                    id: ID(row.facility_id),
                    name: Some(row.name),
                    region: Some(row.region),
                    health_district: Some(row.health_district),
                };
                (cursor, facility)
            })
            .collect();
        Ok(page::connection(items, size, cursor.is_some()))
    }

    /// Finds patients, for staff with a reason to search: by health ID, by national ID card number, or
    /// by family name with date of birth. Each patient found is recorded in their access log.
    ///
    /// Before a care relationship exists, a result shows only what lets a clinician confirm identity at
    /// the desk: that the record exists, its id and health ID, the initials and the year of birth.
    /// Registering a visit (an encounter) at the facility then creates the care relationship, and the
    /// same search shows name, sex, date of birth and district: exactly when `patient` would.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn search_patients(
        &self,
        ctx: &Context<'_>,
        health_id: Option<HealthId>,
        national_id: Option<String>,
        family_name: Option<String>,
        birth_date: Option<String>,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, PatientSummary>> {
        let viewer = viewer(ctx)?;
        check(viewer, Action::SearchPatients, None)?;
        let size = page::size(first);
        let after = page::decode(after.as_deref())?;
        let models = read_models(ctx)?;
        let rows = match (health_id, national_id, family_name, birth_date) {
            (Some(HealthId(id)), None, None, None) => {
                models.patient_by_health_id(id.as_str()).await.map_err(Code::from)?.into_iter().collect()
            }
            (None, Some(national_id), None, None) => {
                let id = domain::health_id::normalise_national_id(&national_id)
                    .map_err(|_| bad_input("nationalId is not a valid national ID card number"))?;
                models.patient_by_national_id(&id).await.map_err(Code::from)?.into_iter().collect()
            }
            (None, None, Some(family_name), Some(birth_date)) => {
                day_start(&birth_date, "birthDate")?;
                let key = projections::search_key(&family_name);
                if key.is_empty() {
                    return Err(bad_input("familyName must contain letters"));
                }
                let limit = u32::try_from(size + 1).unwrap_or(u32::MAX);
                models.patients_by_name(&key, &birth_date, after.as_deref(), limit).await.map_err(Code::from)?
            }
            _ => return Err(bad_input("search by exactly one of: healthId, nationalId, or familyName with birthDate")),
        };
        let tracker = crate::types::patient_tracker(ctx)?;
        let loaders = loaders(ctx)?;
        let mut items: Vec<(String, PatientSummary)> = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(size + 1) {
            let Ok(patient) = Uuid::parse_str(&row.patient_id) else { continue };
            // The page's one extra row only says whether there is a next page: it is neither shown
            // nor recorded.
            if items.len() == size {
                items.push((row.patient_id.clone(), PatientSummary::identity_only(row)));
                break;
            }
            let care = policy::care(loaders, viewer, patient).await?;
            let in_care = check(viewer, Action::ReadDemographics { patient }, care).is_ok();
            tracker.note(patient, Some(ReadBasis::Search), "search_result");
            if in_care {
                tracker.note(patient, Some(ReadBasis::Search), "demographics");
            }
            let cursor = row.patient_id.clone();
            let summary = if in_care { PatientSummary::full(row) } else { PatientSummary::identity_only(row) };
            items.push((cursor, summary));
        }
        Ok(page::connection(items, size, after.is_some()))
    }

    /// Appointments at a facility or with a practitioner, between two days (inclusive, Cameroon
    /// time), soonest first; only those of patients the viewer may see. Give exactly one of
    /// `facilityId` (the viewer's own facility) and `practitionerId`; `from` and `to` are days,
    /// `YYYY-MM-DD`.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        facility_id: Option<ID>,
        practitioner_id: Option<ID>,
        from: Option<String>,
        to: Option<String>,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Appointment>> {
        let viewer = viewer(ctx)?;
        let of = match (facility_id, practitioner_id) {
            (Some(facility), None) => {
                let facility = uuid(&facility, "facilityId")?;
                if viewer.principal.facility_id != Some(facility) {
                    return Err(Code::Forbidden.into());
                }
                AppointmentsOf::Facility(facility)
            }
            (None, Some(practitioner)) => AppointmentsOf::Practitioner(uuid(&practitioner, "practitionerId")?),
            _ => return Err(bad_input("give exactly one of facilityId or practitionerId")),
        };
        let from = from.as_deref().map(|day| day_start(day, "from")).transpose()?;
        let to = to.as_deref().map(|day| day_start(day, "to").map(|start| start + 86_400_000_000)).transpose()?;
        appointments_page(ctx, of, Some((from, to)), first, after, |_| true).await
    }

    /// The ledger's entries, for auditors: by stream, type, actor, patient and time of recording
    /// (`recordedFrom` inclusive, `recordedBefore` exclusive, RFC 3339 instants with their offset).
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn ledger_entries(
        &self,
        ctx: &Context<'_>,
        stream_id: Option<String>,
        #[graphql(name = "type")] event_type: Option<String>,
        actor_id: Option<ID>,
        patient_id: Option<ID>,
        recorded_from: Option<String>,
        recorded_before: Option<String>,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, LedgerEntry>> {
        check(viewer(ctx)?, Action::BrowseLedger, None)?;
        let id = |id: Option<ID>, field: &str| id.map(|id| uuid(&id, field)).transpose();
        let filter = LedgerFilter {
            stream_id,
            event_type,
            actor_account_id: id(actor_id, "actorId")?,
            patient_id: id(patient_id, "patientId")?,
            recorded_from: recorded_from.as_deref().map(|at| instant(at, "recordedFrom")).transpose()?,
            recorded_before: recorded_before.as_deref().map(|at| instant(at, "recordedBefore")).transpose()?,
        };
        ledger_page(ctx, &filter, first, after).await
    }

    /// Who changed a patient's record (and who read it), when and from where, each entry with its
    /// ledger position and hash, for auditors.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn audit_trail(
        &self,
        ctx: &Context<'_>,
        patient_id: ID,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, LedgerEntry>> {
        let viewer = viewer(ctx)?;
        let patient = uuid(&patient_id, "patientId")?;
        check(viewer, Action::ReadAuditTrail { patient }, None)?;
        crate::types::patient_tracker(ctx)?.note(patient, Some(ReadBasis::Audit), "audit_trail");
        let filter = LedgerFilter { patient_id: Some(patient), ..LedgerFilter::default() };
        ledger_page(ctx, &filter, first, after).await
    }

    /// Who read a patient's record, newest first: for the patient, and for auditors.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        patient_id: ID,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, AccessLogEntry>> {
        let viewer = viewer(ctx)?;
        let patient = uuid(&patient_id, "patientId")?;
        // A guardian reads a minor's access log as the minor would.
        let care = policy::care(loaders(ctx)?, viewer, patient).await?;
        check(viewer, Action::ReadAccessLog { patient }, care)?;
        crate::types::patient_tracker(ctx)?.note(patient, policy::read_basis(viewer, care), "access_log");
        let size = page::size(first);
        let before = page::decode_position(after.as_deref())?;
        let limit = u32::try_from(size + 1).unwrap_or(u32::MAX);
        let rows = read_models(ctx)?.access_log(patient, before, limit).await.map_err(Code::from)?;
        let items = rows.into_iter().map(|row| (row.position.to_string(), AccessLogEntry { row })).collect();
        Ok(page::connection(items, size, before.is_some()))
    }

    /// The break-the-glass accesses to a patient's record, newest first, with the reason each
    /// practitioner gave: for the patient, and for auditors (the reason may hold clinical content, so
    /// a facility's administrators see only that an access happened, by whom and when). The latest
    /// access of each practitioner from each facility; the ledger keeps every one.
    async fn emergency_accesses(
        &self,
        ctx: &Context<'_>,
        patient_id: ID,
    ) -> async_graphql::Result<Vec<EmergencyAccess>> {
        let viewer = viewer(ctx)?;
        let patient = uuid(&patient_id, "patientId")?;
        let care = policy::care(loaders(ctx)?, viewer, patient).await?;
        check(viewer, Action::ReadAccessLog { patient }, care)?;
        crate::types::patient_tracker(ctx)?.note(patient, policy::read_basis(viewer, care), "emergency_accesses");
        let rows = loaders(ctx)?.care.load_one(patient).await?.unwrap_or_default();
        let mut accesses: Vec<EmergencyAccess> = rows
            .into_iter()
            .filter(|row| row.basis == projections::care_basis::BREAK_GLASS)
            .map(|row| EmergencyAccess { row })
            .collect();
        accesses.sort_by_key(|access| std::cmp::Reverse(access.row.opened_at));
        Ok(accesses)
    }

    /// Anonymised public-health statistics: aggregates only, small counts suppressed. For health
    /// authority analysts (nationally, or their region) and facilities' administrators (their own
    /// facility's).
    async fn statistics(&self, ctx: &Context<'_>) -> async_graphql::Result<Statistics> {
        crate::statistics::admit(viewer(ctx)?)?;
        Ok(Statistics)
    }

    /// Break-the-glass accesses opened from a facility, newest first, for its administrators: who and
    /// when, never why (see `emergencyAccesses`).
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn break_glass_alerts(
        &self,
        ctx: &Context<'_>,
        facility_id: ID,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, BreakGlassAlert>> {
        // Who is asking comes before what they asked: an anonymous caller learns nothing of the arguments.
        let viewer = viewer(ctx)?;
        let facility = uuid(&facility_id, "facilityId")?;
        check(viewer, Action::ViewBreakGlassAlerts { facility }, None)?;
        let size = page::size(first);
        let before = page::decode_position(after.as_deref())?;
        let limit = u32::try_from(size + 1).unwrap_or(u32::MAX);
        let rows = read_models(ctx)?.break_glass_at(facility, before, limit).await.map_err(Code::from)?;
        let items = rows.into_iter().map(|row| (row.opened_at.to_string(), BreakGlassAlert { row })).collect();
        Ok(page::connection(items, size, before.is_some()))
    }
}

async fn ledger_page(
    ctx: &Context<'_>,
    filter: &LedgerFilter,
    first: Option<PageSize>,
    after: Option<String>,
) -> async_graphql::Result<Connection<String, LedgerEntry>> {
    let size = page::size(first);
    let after = page::decode_position(after.as_deref())?;
    let limit = u32::try_from(size + 1).unwrap_or(u32::MAX);
    let rows = read_models(ctx)?.ledger_entries(filter, after.unwrap_or(0), limit).await.map_err(Code::from)?;
    let items = rows.into_iter().map(|row| (row.position.to_string(), LedgerEntry { row })).collect();
    Ok(page::connection(items, size, after.is_some()))
}

/// A page of appointments, keeping only those of patients whose appointments the viewer may read
/// (each such read recorded).
pub(crate) async fn appointments_page(
    ctx: &Context<'_>,
    of: AppointmentsOf,
    range: Option<(Option<i64>, Option<i64>)>,
    first: Option<PageSize>,
    after: Option<String>,
    keep: impl Fn(&projections::read::AppointmentRow) -> bool,
) -> async_graphql::Result<Connection<String, Appointment>> {
    let viewer = viewer(ctx)?;
    let size = page::size(first);
    let cursor = page::decode(after.as_deref())?;
    let after = match &cursor {
        None => None,
        Some(text) => {
            let (start, id) = text.split_once('/').ok_or_else(|| bad_input("after is not a cursor this API issued"))?;
            Some((start.parse::<i64>().map_err(|_| bad_input("after is not a cursor this API issued"))?, id.to_owned()))
        }
    };
    let (from, to) = range.unwrap_or((None, None));
    let limit = u32::try_from(size + 1).unwrap_or(u32::MAX);
    let rows = read_models(ctx)?
        .appointments(of, from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX), after, limit)
        .await
        .map_err(Code::from)?;
    let loaders = loaders(ctx)?;
    let tracker = crate::types::patient_tracker(ctx)?;
    let mut items = Vec::new();
    let fetched = rows.len();
    for row in rows.into_iter().filter(|row| keep(row)) {
        let Ok(patient) = Uuid::parse_str(&row.patient_id) else { continue };
        let care = policy::care(loaders, viewer, patient).await?;
        if check(viewer, Action::ReadSection { patient, section: Section::Appointments }, care).is_err() {
            continue;
        }
        tracker.note(patient, policy::read_basis(viewer, care), Section::Appointments.as_str());
        items.push((format!("{}/{}", row.starts_at, row.entry_id), Appointment { row }));
    }
    let mut connection = page::connection(items, size, cursor.is_some());
    connection.has_next_page = fetched > size;
    Ok(connection)
}
