//! History: the ledger's entries as auditors browse them, a patient's access log, and the
//! break-the-glass accesses a facility's administrators review.

use super::{facility, instant, person, Facility, Person};
use async_graphql::{Context, Enum, Object, ID};
use projections::read::{AccessLogRow, CareRow, LedgerIndexRow};

/// A ledger entry without its payload: who did what, when and from where, with the position and hash
/// to match against a verified export. The payload itself is represented only by its SHA-256 and its
/// field names, so browsing history shows no clinical content.
pub struct LedgerEntry {
    pub(crate) row: LedgerIndexRow,
}

#[Object]
impl LedgerEntry {
    async fn position(&self) -> i64 {
        self.row.position
    }
    /// The entry's hash (SHA-256, hex), as in an export.
    async fn hash(&self) -> &str {
        &self.row.hash
    }
    async fn stream_id(&self) -> &str {
        &self.row.stream_id
    }
    async fn stream_version(&self) -> i64 {
        self.row.stream_version
    }
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.row.event_type
    }
    async fn actor(&self) -> Option<Person> {
        person(&self.row.actor_account_id, Some(&self.row.actor_role))
    }
    /// The facility the actor acted from.
    async fn facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        facility(ctx, self.row.actor_facility_id.as_deref()).await
    }
    async fn occurred_at(&self) -> async_graphql::Result<String> {
        instant(self.row.occurred_at)
    }
    async fn recorded_at(&self) -> async_graphql::Result<String> {
        instant(self.row.recorded_at)
    }
    /// SHA-256 (hex) of the payload's canonical JSON.
    async fn payload_digest(&self) -> &str {
        &self.row.payload_digest
    }
    /// The names of the payload's fields (never their values).
    async fn payload_fields(&self) -> Vec<&str> {
        self.row.payload_fields.iter().map(String::as_str).collect()
    }
    /// The patient the entry concerns, if any.
    async fn patient_id(&self) -> Option<ID> {
        self.row.patient_id.clone().map(ID)
    }
    /// The record entry it added or changed, if any.
    async fn entry_id(&self) -> Option<ID> {
        self.row.entry_id.clone().map(ID)
    }
}

/// What entitled a reader to read.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AccessBasis {
    Facility,
    Referral,
    Consent,
    BreakGlass,
    Audit,
    Search,
    /// The minor's guardian, from their own account.
    Guardian,
}

/// Someone read part of a patient's record.
pub struct AccessLogEntry {
    pub(crate) row: AccessLogRow,
}

#[Object]
impl AccessLogEntry {
    async fn read_at(&self) -> async_graphql::Result<String> {
        instant(self.row.read_at)
    }
    async fn reader(&self) -> Option<Person> {
        person(&self.row.reader_account_id, Some(&self.row.reader_role))
    }
    /// The facility they read from.
    async fn facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        facility(ctx, self.row.facility_id.as_deref()).await
    }
    async fn basis(&self) -> AccessBasis {
        match self.row.basis.as_str() {
            "referral" => AccessBasis::Referral,
            "consent" => AccessBasis::Consent,
            "break_glass" => AccessBasis::BreakGlass,
            "audit" => AccessBasis::Audit,
            "search" => AccessBasis::Search,
            "guardian" => AccessBasis::Guardian,
            _ => AccessBasis::Facility,
        }
    }
    /// Whether it was an emergency access.
    async fn break_glass(&self) -> bool {
        self.row.basis == "break_glass"
    }
    /// What was read: `demographics`, sections, `vaccination_card`, `audit_trail`…
    async fn parts(&self) -> Vec<&str> {
        self.row.parts.split(',').filter(|part| !part.is_empty()).collect()
    }
    /// The position of the `access.record_read` event in the ledger.
    async fn ledger_position(&self) -> i64 {
        self.row.position
    }
}

/// A practitioner broke the glass from the facility: who, when and until when. It names no patient
/// and gives no reason (which may hold clinical content): administrators review the practice, not the
/// record.
pub struct BreakGlassAlert {
    pub(crate) row: CareRow,
}

#[Object]
impl BreakGlassAlert {
    async fn practitioner(&self) -> Option<Person> {
        person(&self.row.account_id, None)
    }
    async fn opened_at(&self) -> async_graphql::Result<String> {
        instant(self.row.opened_at)
    }
    async fn expires_at(&self) -> async_graphql::Result<Option<String>> {
        self.row.expires_at.map(instant).transpose()
    }
}

/// A break-the-glass access to a patient's record, as the patient and auditors see it: who, from
/// where, when, until when, and why.
pub struct EmergencyAccess {
    pub(crate) row: CareRow,
}

#[Object]
impl EmergencyAccess {
    async fn practitioner(&self) -> Option<Person> {
        person(&self.row.account_id, None)
    }
    /// The facility they acted from.
    async fn facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        facility(ctx, Some(&self.row.facility_id)).await
    }
    async fn opened_at(&self) -> async_graphql::Result<String> {
        instant(self.row.opened_at)
    }
    async fn expires_at(&self) -> async_graphql::Result<Option<String>> {
        self.row.expires_at.map(instant).transpose()
    }
    /// The reason the practitioner stated.
    async fn reason(&self) -> Option<&str> {
        self.row.reason.as_deref()
    }
}
