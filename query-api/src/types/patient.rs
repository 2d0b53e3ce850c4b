//! A patient's record: demographics, every section (current and historical entries, corrections shown
//! as such), the death that stands, appointments and the vaccination card.

use super::card::VaccinationCard;
use super::{facility, instant, loaders, person, Facility, Person};
use crate::error::{internal, Code};
use crate::page::{self, PageSize};
use crate::policy::{self, check};
use crate::viewer::{ReadTracker, Viewer};
use async_graphql::connection::Connection;
use async_graphql::parser::types::Field;
use async_graphql::registry::{MetaType, MetaTypeId, Registry};
use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use async_graphql::{ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use domain::access::{Action, CareBasis, Section};
use event_schema::events::access::ReadBasis;
use event_schema::events::record::DeathRecorded;
use projections::read::{AppointmentRow, EntryRow, PatientRow};
use projections::{care_basis, entry_status};
use std::borrow::Cow;
use uuid::Uuid;

pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> Result<&'a Viewer, Code> {
    ctx.data::<Viewer>().map_err(|_| Code::Unauthenticated)
}

pub(crate) fn tracker<'a>(ctx: &Context<'a>) -> Result<&'a ReadTracker, Code> {
    ctx.data::<ReadTracker>().map_err(|_| Code::Internal)
}

/// A patient's record, as the viewer may see it.
pub struct Patient {
    pub(crate) id: Uuid,
    pub(crate) row: PatientRow,
    pub(crate) care: Option<CareBasis>,
    pub(crate) basis: Option<ReadBasis>,
}

impl Patient {
    /// Opens patient `id` for the viewer, if the policy lets them read the patient's demographics.
    pub(crate) async fn open(ctx: &Context<'_>, id: Uuid) -> async_graphql::Result<Patient> {
        let viewer = viewer(ctx)?;
        let loaders = loaders(ctx)?;
        // Opened by id, a record needs its care facts and row before anything else, and its entries
        // next: fetched directly rather than through batches that wait to fill. The entries only once
        // the policy has allowed the record, and only for a query that reads them.
        loaders.prefetch_patient(id).await?;
        let care = policy::care(loaders, viewer, id).await?;
        check(viewer, Action::ReadDemographics { patient: id }, care)?;
        let row = loaders.patients.load_one(id).await?.ok_or(Code::NotFound)?;
        if reads_entries(ctx) {
            loaders.prefetch_entries(id).await?;
        }
        let basis = policy::read_basis(viewer, care);
        tracker(ctx)?.note(id, basis, "demographics");
        Ok(Patient { id, row, care, basis })
    }

    /// The entries of one section the viewer may read, a page at a time, in the order recorded.
    async fn section(
        &self,
        ctx: &Context<'_>,
        section: Section,
        only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        check(viewer(ctx)?, Action::ReadSection { patient: self.id, section }, self.care)?;
        let size = page::size(first);
        let after = page::decode_position(after.as_deref())?;
        let entries = loaders(ctx)?.entries.load_one(self.id).await?.unwrap_or_default();
        tracker(ctx)?.note(self.id, self.basis, section.as_str());
        let items = entries
            .iter()
            .filter(|row| row.section == section.as_str())
            .filter(|row| !only_current || row.status == entry_status::CURRENT)
            .filter(|row| after.is_none_or(|after| row.position > after))
            .take(size + 1)
            .map(|row| (row.position.to_string(), RecordEntry { row: row.clone() }))
            .collect();
        Ok(page::connection(items, size, after.is_some()))
    }

    pub(crate) fn check_section(&self, ctx: &Context<'_>, section: Section) -> Result<(), Code> {
        check(viewer(ctx)?, Action::ReadSection { patient: self.id, section }, self.care)
    }
}

/// The fields of a patient that read the record's entries.
const ENTRY_FIELDS: [&str; 15] = [
    "medicalHistory",
    "familyHistory",
    "allergies",
    "conditions",
    "treatments",
    "prescriptions",
    "labOrders",
    "labResults",
    "vitalSigns",
    "immunizations",
    "encounters",
    "referrals",
    "death",
    "deaths",
    "vaccinationCard",
];

/// Whether the query reads any of the entries of the patient the field `ctx` resolves. A field missing
/// from [`ENTRY_FIELDS`] still gets its entries, through the loader, a little later.
fn reads_entries(ctx: &Context<'_>) -> bool {
    let selection = ctx.look_ahead();
    ENTRY_FIELDS.iter().any(|field| selection.field(field).exists())
}

#[Object]
impl Patient {
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// The national health ID (`CM` + 10 digits), as printed on the card's QR code.
    async fn health_id(&self) -> &str {
        &self.row.health_id
    }
    async fn national_id(&self) -> Option<&str> {
        self.row.national_id.as_deref()
    }
    async fn family_name(&self) -> &str {
        &self.row.family_name
    }
    async fn given_names(&self) -> &str {
        &self.row.given_names
    }
    async fn sex(&self) -> &str {
        &self.row.sex
    }
    /// `YYYY-MM-DD`.
    async fn birth_date(&self) -> &str {
        &self.row.birth_date
    }
    /// Whether the date of birth is an estimate.
    async fn birth_date_estimated(&self) -> bool {
        self.row.birth_date_estimated != 0
    }
    /// The region's code.
    async fn region(&self) -> &str {
        &self.row.region
    }
    async fn health_district(&self) -> &str {
        &self.row.health_district
    }
    async fn registered_at(&self) -> async_graphql::Result<String> {
        instant(self.row.registered_at)
    }
    /// The minor's guardians recorded at a facility's desk, each with how they are related and the
    /// last day the guardianship holds (the day before the minor turns 21); ended ones are not shown.
    /// Read with the demographics: who may act for the patient is part of who the patient is.
    async fn guardians(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Guardian>> {
        let loaders = loaders(ctx)?;
        let today = loaders.now.cameroon_date();
        let rows = loaders.care.load_one(self.id).await?.unwrap_or_default();
        let mut guardians = Vec::new();
        for row in rows.iter().filter(|row| row.basis == care_basis::GUARDIAN) {
            let (Ok(patient_id), Some(until)) = (Uuid::parse_str(&row.account_id), row.until_day.clone()) else {
                continue;
            };
            if until.as_str() < today.as_str() {
                continue;
            }
            let health_id = loaders.patients.load_one(patient_id).await?.map(|guardian| guardian.health_id);
            guardians.push(Guardian {
                patient_id: ID(patient_id.to_string()),
                health_id,
                relationship: row.reason.clone().unwrap_or_default(),
                until,
            });
        }
        Ok(guardians)
    }
    async fn registered_at_facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        facility(ctx, Some(&self.row.registered_at_facility)).await
    }
    /// The record this one was merged into, which takes every new entry.
    async fn merged_into(&self) -> Option<ID> {
        self.row.merged_into.clone().map(ID)
    }

    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn medical_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::MedicalHistory, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn family_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::FamilyHistory, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn allergies(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Allergies, only_current, first, after).await
    }
    /// Diagnoses (ICD-10).
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn conditions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Conditions, only_current, first, after).await
    }
    /// Long-term treatments.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn treatments(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Treatments, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn prescriptions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Prescriptions, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn lab_orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::LabOrders, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn lab_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::LabResults, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn vital_signs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::VitalSigns, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn immunizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Immunizations, only_current, first, after).await
    }
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn encounters(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Encounters, only_current, first, after).await
    }
    /// Referrals and transfers to other facilities.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Referrals, only_current, first, after).await
    }

    /// The patient's death, as it stands in the record (amended deaths give their place to the
    /// amendment; a death entered in error is none); null while the record holds none.
    async fn death(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Death>> {
        self.check_section(ctx, Section::Death)?;
        tracker(ctx)?.note(self.id, self.basis, Section::Death.as_str());
        let entries = loaders(ctx)?.entries.load_one(self.id).await?.unwrap_or_default();
        let standing = entries
            .iter()
            .rev()
            .find(|row| row.section == Section::Death.as_str() && row.status == entry_status::CURRENT);
        standing.map(|row| Death::of(row.clone())).transpose()
    }
    /// Every death recorded, with its corrections (an amended death, one entered in error): the
    /// history behind `death`.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn deaths(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] only_current: bool,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, RecordEntry>> {
        self.section(ctx, Section::Death, only_current, first, after).await
    }

    /// The patient's appointments, soonest first.
    #[graphql(complexity = "crate::page::size(first) * child_complexity")]
    async fn appointments(
        &self,
        ctx: &Context<'_>,
        first: Option<PageSize>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, Appointment>> {
        self.check_section(ctx, Section::Appointments)?;
        tracker(ctx)?.note(self.id, self.basis, Section::Appointments.as_str());
        let of = projections::read::AppointmentsOf::Patient(self.id);
        super::super::query::appointments_page(ctx, of, None, first, after, |_| true).await
    }

    /// Doses given, and doses due or overdue by the schedule for the patient's date of birth.
    async fn vaccination_card(&self, ctx: &Context<'_>) -> async_graphql::Result<VaccinationCard> {
        self.check_section(ctx, Section::Immunizations)?;
        tracker(ctx)?.note(self.id, self.basis, "vaccination_card");
        let loaders = loaders(ctx)?;
        let entries = loaders.entries.load_one(self.id).await?.unwrap_or_default();
        VaccinationCard::of(&self.row, &entries, loaders.now)
    }
}

/// Where an entry stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EntryStatus {
    Current,
    /// Replaced by the entry named in `amendedBy`.
    Amended,
    EnteredInError,
    /// A prescription stopped before its end.
    Cancelled,
    /// A long-term treatment that ended.
    Stopped,
}

/// Why, when and by whom an entry was corrected.
pub struct Correction {
    reason: Option<String>,
    at: Option<i64>,
    by: Option<String>,
}

/// A minor's guardian: another patient, who manages the minor's record from their own account.
#[derive(SimpleObject)]
pub struct Guardian {
    /// The guardian's own record.
    pub patient_id: ID,
    /// The guardian's health ID, as the desk reads it off their card.
    pub health_id: Option<String>,
    /// `mother`, `father` or `legal_guardian`.
    pub relationship: String,
    /// The last day the guardianship holds, `YYYY-MM-DD`.
    pub until: String,
}

#[Object]
impl Correction {
    async fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }
    async fn at(&self) -> async_graphql::Result<Option<String>> {
        self.at.map(instant).transpose()
    }
    async fn by(&self) -> Option<Person> {
        self.by.as_deref().and_then(|by| person(by, None))
    }
}

/// One entry of a record, as recorded; its current state in `status`.
pub struct RecordEntry {
    pub(crate) row: EntryRow,
}

#[Object]
impl RecordEntry {
    async fn id(&self) -> ID {
        ID(self.row.entry_id.clone())
    }
    async fn section(&self) -> &str {
        &self.row.section
    }
    /// The event that recorded it, e.g. `record.condition_diagnosed`.
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.row.event_type
    }
    async fn status(&self) -> EntryStatus {
        match self.row.status.as_str() {
            entry_status::AMENDED => EntryStatus::Amended,
            entry_status::ENTERED_IN_ERROR => EntryStatus::EnteredInError,
            entry_status::CANCELLED => EntryStatus::Cancelled,
            entry_status::STOPPED => EntryStatus::Stopped,
            _ => EntryStatus::Current,
        }
    }
    /// The entry this one replaced.
    async fn amends(&self) -> Option<ID> {
        self.row.amends.clone().map(ID)
    }
    /// The entry that replaced this one.
    async fn amended_by(&self) -> Option<ID> {
        self.row.amended_by.clone().map(ID)
    }
    async fn correction(&self) -> Option<Correction> {
        (self.row.status != entry_status::CURRENT).then(|| Correction {
            reason: self.row.correction_reason.clone(),
            at: self.row.corrected_at,
            by: self.row.corrected_by.clone(),
        })
    }
    async fn recorded_by(&self) -> Option<Person> {
        person(&self.row.author_account_id, Some(&self.row.author_role))
    }
    /// The facility it was recorded from.
    async fn facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        facility(ctx, self.row.facility_id.as_deref()).await
    }
    /// When it happened, as its author stated.
    async fn occurred_at(&self) -> async_graphql::Result<String> {
        instant(self.row.occurred_at)
    }
    /// When the ledger committed it.
    async fn recorded_at(&self) -> async_graphql::Result<String> {
        instant(self.row.recorded_at)
    }
    /// Its position in the ledger.
    async fn ledger_position(&self) -> i64 {
        self.row.position
    }
    /// What was recorded: the event's payload, whose JSON schema is published for each event type.
    async fn details(&self) -> Details<'_> {
        Details(&self.row.details)
    }
    /// The title WHO's ICD-10 (2019, in English) gives the entry's ICD-10 code, for a diagnosis or a
    /// history entry that carries one, or a death's underlying cause.
    async fn icd10_title(&self) -> Option<&'static str> {
        let details: serde_json::Value = serde_json::from_str(&self.row.details).ok()?;
        let code = details.get("icd10").or_else(|| details.get("underlying_cause"))?;
        domain::record::icd10::title(code.as_str()?)
    }
}

/// Where a patient died.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum PlaceOfDeath {
    /// In a health facility (`facility` names it).
    Facility,
    /// At home.
    Home,
    /// On the way to or between facilities.
    InTransit,
    /// Anywhere else, or not known.
    Other,
}

impl From<event_schema::events::record::PlaceOfDeath> for PlaceOfDeath {
    fn from(place: event_schema::events::record::PlaceOfDeath) -> Self {
        use event_schema::events::record::PlaceOfDeath as Stored;
        match place {
            Stored::Facility => Self::Facility,
            Stored::Home => Self::Home,
            Stored::InTransit => Self::InTransit,
            Stored::Other => Self::Other,
        }
    }
}

/// The patient's death, as the doctor who recorded it certified it.
pub struct Death {
    row: EntryRow,
    death: DeathRecorded,
}

impl Death {
    /// The death an entry of the death section records. Its details are the payload the projector
    /// stored; details that do not read as a death were not written by it: an internal error.
    fn of(row: EntryRow) -> async_graphql::Result<Death> {
        let death = serde_json::from_str(&row.details)
            .map_err(|error| internal(format!("the details of death entry {} do not read: {error}", row.entry_id)))?;
        Ok(Death { row, death })
    }
}

#[Object]
impl Death {
    /// The day of death, `YYYY-MM-DD`.
    async fn died_on(&self) -> &str {
        &self.death.died_on
    }
    async fn place(&self) -> PlaceOfDeath {
        self.death.place.into()
    }
    /// The facility where the patient died, for a death in one.
    async fn facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        let id = self.death.facility_id.map(|id| id.to_string());
        facility(ctx, id.as_deref()).await
    }
    /// The underlying cause of death, an ICD-10 code, e.g. `B50.9`.
    async fn underlying_cause(&self) -> &str {
        &self.death.underlying_cause
    }
    /// The title WHO's ICD-10 (2019, in English) gives the underlying cause.
    async fn underlying_cause_title(&self) -> Option<&'static str> {
        domain::record::icd10::title(&self.death.underlying_cause)
    }
    /// The entry that records it: who recorded it, when, and the death it corrected, if any.
    async fn entry(&self) -> RecordEntry {
        RecordEntry { row: self.row.clone() }
    }
}

/// An entry's payload, the `JSON` scalar: the stored canonical JSON parsed once, straight into the
/// answer's own value (the generic `Json` scalar builds a `serde_json::Value` first, then converts
/// it, and that doubled the cost of every entry of a full record).
pub struct Details<'a>(&'a str);

impl OutputType for Details<'_> {
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed("JSON")
    }

    fn create_type_info(registry: &mut Registry) -> String {
        registry.create_output_type::<Self, _>(MetaTypeId::Scalar, |_| MetaType::Scalar {
            name: "JSON".to_owned(),
            description: Some("A scalar that can represent any JSON value.".to_owned()),
            is_valid: None,
            visible: None,
            inaccessible: false,
            tags: Vec::new(),
            specified_by_url: None,
            directive_invocations: Vec::new(),
            requires_scopes: Vec::new(),
        })
    }

    async fn resolve(&self, _: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        serde_json::from_str(self.0).map_err(|error| internal(error).into_server_error(field.pos))
    }
}

/// An appointment and what became of it.
pub struct Appointment {
    pub(crate) row: AppointmentRow,
}

#[Object]
impl Appointment {
    async fn id(&self) -> ID {
        ID(self.row.entry_id.clone())
    }
    async fn patient_id(&self) -> ID {
        ID(self.row.patient_id.clone())
    }
    async fn facility(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Facility>> {
        facility(ctx, Some(&self.row.facility_id)).await
    }
    async fn practitioner(&self) -> Option<Person> {
        self.row.practitioner_id.as_deref().and_then(|id| person(id, None))
    }
    /// When it starts, in Cameroon time with the offset, e.g. `2026-12-07T09:30:00+01:00`.
    async fn starts_at(&self) -> async_graphql::Result<String> {
        super::cameroon_time(self.row.starts_at)
    }
    async fn reason(&self) -> &str {
        &self.row.reason
    }
    /// `booked`, `cancelled`, `attended`, `missed`, `entered_in_error`, or `cancelled_by_death` (booked for a
    /// day after the patient's death).
    async fn status(&self) -> &str {
        &self.row.status
    }
}

/// A patient as a search finds them, nothing clinical. Before a care relationship exists (the viewer
/// could not open the record), only what confirms identity at the desk: the record's id, the health
/// ID, the initials and the year of birth; the other fields are null.
#[derive(SimpleObject)]
pub struct PatientSummary {
    pub id: ID,
    pub health_id: String,
    /// The initials of the first given name and of the family name, e.g. `E. N.`.
    pub initials: String,
    pub birth_year: Option<i32>,
    /// Whether the viewer is in a care relationship with the patient, so that the fields below are
    /// given and the record can be opened.
    pub in_care: bool,
    pub family_name: Option<String>,
    pub given_names: Option<String>,
    pub sex: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub region: Option<String>,
    pub health_district: Option<String>,
    pub merged_into: Option<ID>,
}

/// The initial of a name's first word, as `X.` (nothing for a name without letters).
fn initial(name: &str) -> Option<String> {
    let first = name.split_whitespace().next()?.chars().find(|c| c.is_alphabetic())?;
    Some(format!("{}.", first.to_uppercase()))
}

impl PatientSummary {
    /// What confirms identity before a care relationship exists.
    pub(crate) fn identity_only(row: PatientRow) -> Self {
        let initials = [initial(&row.given_names), initial(&row.family_name)].into_iter().flatten().collect::<Vec<_>>();
        Self {
            id: ID(row.patient_id),
            health_id: row.health_id,
            initials: initials.join(" "),
            birth_year: row.birth_date.get(..4).and_then(|year| year.parse().ok()),
            in_care: false,
            family_name: None,
            given_names: None,
            sex: None,
            birth_date: None,
            region: None,
            health_district: None,
            merged_into: row.merged_into.map(ID),
        }
    }

    /// Everything a summary shows, for a viewer who may open the record.
    pub(crate) fn full(row: PatientRow) -> Self {
        let details = row.clone();
        Self {
            in_care: true,
            family_name: Some(details.family_name),
            given_names: Some(details.given_names),
            sex: Some(details.sex),
            birth_date: Some(details.birth_date),
            region: Some(details.region),
            health_district: Some(details.health_district),
            ..Self::identity_only(row)
        }
    }
}
