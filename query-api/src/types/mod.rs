//! The schema's object types.

pub(crate) mod card;
mod history;
mod patient;

pub use history::{AccessLogEntry, BreakGlassAlert, EmergencyAccess, LedgerEntry};
pub use patient::{Appointment, Patient, PatientSummary};

use crate::error::Code;
use crate::loaders::Loaders;
use crate::policy::micros_to_timestamp;
use async_graphql::{Context, Object, SimpleObject, ID};
use uuid::Uuid;

/// An instant as the ledger writes it (RFC 3339, UTC, microseconds). A stored instant beyond the
/// calendar's range was not written by a projector: an internal error, not an empty answer.
pub(crate) fn instant(micros: i64) -> async_graphql::Result<String> {
    micros_to_timestamp(micros)
        .map(|at| at.to_string())
        .ok_or_else(|| crate::error::internal(format!("a stored instant ({micros} µs) is out of range")))
}

/// Cameroon's offset from UTC. The whole country keeps West Africa Time, UTC+01:00, all year round
/// (no daylight saving), so a fixed offset gives the same answer as the `Africa/Douala` zone without
/// carrying a time-zone database; it would need revisiting only if the country changed its clock.
pub(crate) const CAMEROON_OFFSET_SECS: i32 = 3600;

/// An instant as people in Cameroon read it: RFC 3339 in Africa/Douala time, with its offset, e.g.
/// `2026-12-07T09:30:00+01:00` (fractions of a second only when there are some).
pub(crate) fn cameroon_time(micros: i64) -> async_graphql::Result<String> {
    chrono::FixedOffset::east_opt(CAMEROON_OFFSET_SECS)
        .zip(chrono::DateTime::from_timestamp_micros(micros))
        .map(|(offset, at)| at.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
        .ok_or_else(|| crate::error::internal(format!("a stored instant ({micros} µs) is out of range")))
}

pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders, Code> {
    ctx.data::<Loaders>().map_err(|_| Code::Internal)
}

/// A member of staff, as the records name them.
pub struct Person {
    pub account_id: Uuid,
    /// The role they acted in, when the entry says.
    pub role: Option<String>,
}

#[Object]
impl Person {
    async fn account_id(&self) -> ID {
        ID(self.account_id.to_string())
    }

    /// The role they acted in (or hold, when the entry does not say).
    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        if let Some(role) = &self.role {
            return Ok(Some(role.clone()));
        }
        Ok(loaders(ctx)?.staff.load_one(self.account_id).await?.map(|staff| staff.role))
    }

    /// Their name, when they are staff known to the directory.
    async fn name(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let staff = loaders(ctx)?.staff.load_one(self.account_id).await?;
        Ok(staff.map(|staff| format!("{} {}", staff.given_names, staff.family_name)))
    }
}

/// A health facility.
#[derive(SimpleObject)]
pub struct Facility {
    pub id: ID,
    pub name: Option<String>,
    pub region: Option<String>,
    pub health_district: Option<String>,
}

pub(crate) async fn facility(ctx: &Context<'_>, id: Option<&str>) -> async_graphql::Result<Option<Facility>> {
    let Some(id) = id.and_then(|id| Uuid::parse_str(id).ok()) else { return Ok(None) };
    let row = loaders(ctx)?.facilities.load_one(id).await?;
    Ok(Some(Facility {
        id: ID(id.to_string()),
        name: row.as_ref().map(|row| row.name.clone()),
        region: row.as_ref().map(|row| row.region.clone()),
        health_district: row.map(|row| row.health_district),
    }))
}

pub(crate) fn person(account_id: &str, role: Option<&str>) -> Option<Person> {
    Some(Person { account_id: Uuid::parse_str(account_id).ok()?, role: role.map(str::to_owned) })
}

pub(crate) use patient::tracker as patient_tracker;
