//! The projectors: each a pure function from a ledger entry to the row changes it implies.

mod access_log;
mod appointments;
mod care;
mod directory;
mod ledger_index;
mod patients;
mod records;
mod reminders;
mod statistics;

use crate::context::{Context, Needs};
use crate::table::Table;
use crate::write::Write;
use crate::ProjectionError;
use event_schema::{Catalog, Entry, EventPayload};
use std::sync::Arc;
use uuid::Uuid;

pub use access_log::ACCESS_LOG;
pub use appointments::APPOINTMENTS;
pub(crate) use care::NAME as CARE_PROJECTOR;
pub use care::{basis as care_basis, CARE};
pub use directory::{FACILITIES, STAFF};
pub use ledger_index::LEDGER_INDEX;
pub use patients::{search_key, PATIENTS};
pub use records::{status as entry_status, RECORD_ENTRIES};
pub use reminders::{dose_subject, REMINDER_DECISIONS, REMINDER_PATIENTS, REMINDER_SUBJECTS};
pub use statistics::{COHORT_DOSES, DEATHS, DIAGNOSES, DOSES, ENCOUNTERS, REFERRALS, REGISTRATIONS};

/// A projector: a name, the tables it owns, and what each entry changes in them.
pub trait Projector: Send + Sync + 'static {
    /// Its name in checkpoints and on the command line.
    fn name(&self) -> &'static str;
    /// The tables it alone writes (emptied when it is rebuilt).
    fn tables(&self) -> &'static [&'static Table];
    /// Names, in `needs`, the earlier entries `entry` cannot be folded without (see [`Context`]); most
    /// projectors need none.
    fn needs(&self, _entry: &Entry, _needs: &mut Needs) {}
    /// Appends to `out` the changes `entry` implies; most entries imply none. `context` holds the
    /// entries [`Projector::needs`] named for the page.
    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        context: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError>;
}

/// Every projector, in the order they are applied.
pub fn all() -> Vec<Arc<dyn Projector>> {
    vec![
        Arc::new(directory::Directory),
        Arc::new(patients::Patients),
        Arc::new(records::Records),
        Arc::new(appointments::Appointments),
        Arc::new(care::Care),
        Arc::new(ledger_index::LedgerIndex),
        Arc::new(access_log::AccessLog),
        Arc::new(statistics::Statistics),
        Arc::new(reminders::Reminders),
    ]
}

/// Decodes an entry known to be of type `T`; one that does not decode stops the projector at it.
/// An entry already at its type's current version is read straight from its text; an older one goes
/// through the catalogue's upcasters.
pub(crate) fn decode<T: EventPayload>(catalog: &Catalog, entry: &Entry) -> Result<T, ProjectionError> {
    let undecodable = |reason: String| ProjectionError::Undecodable {
        position: entry.position,
        event_type: entry.event_type.clone(),
        reason,
    };
    if entry.event_type == T::EVENT_TYPE && entry.schema_version == T::SCHEMA_VERSION {
        return serde_json::from_str(entry.payload.as_str()).map_err(|error| undecodable(error.to_string()));
    }
    catalog.decode::<T>(entry).map_err(|error| undecodable(error.to_string()))
}

pub(crate) use event_schema::names::entity_of as stream_entity;

/// The patient whose stream an entry is in, for an entry of the patient's record.
pub(crate) fn patient_of(entry: &Entry) -> Result<Uuid, ProjectionError> {
    stream_entity(&entry.stream_id, "patient").ok_or_else(|| ProjectionError::Undecodable {
        position: entry.position,
        event_type: entry.event_type.clone(),
        reason: "a record event outside a patient's stream".into(),
    })
}
