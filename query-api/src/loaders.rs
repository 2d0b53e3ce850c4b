//! DataLoaders: every patient, record, care relationship, staff member and facility a request needs is
//! fetched in batches, one query per kind per batch, so a record of hundreds of entries costs a
//! bounded number of queries.

use crate::error::Code;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use event_schema::Timestamp;
use projections::read::{CareRow, EntryRow, FacilityRow, PatientRow, ReadModels, StaffRow};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// The loaders of one request. They cache what they loaded for the request's life (and no longer), so a
/// record's sections, read by separate resolvers, share one fetch of its entries.
pub(crate) struct Loaders {
    pub patients: DataLoader<Patients, HashMapCache>,
    pub entries: DataLoader<Entries, HashMapCache>,
    pub care: DataLoader<Care, HashMapCache>,
    pub staff: DataLoader<Staff, HashMapCache>,
    pub facilities: DataLoader<Facilities, HashMapCache>,
    /// The instant the request is answered at: every rule that depends on the time (a care
    /// relationship still open, a dose due today) is decided at this one instant.
    pub now: Timestamp,
}

impl Loaders {
    pub fn new(read_models: ReadModels, now: Timestamp) -> Self {
        Self {
            now,
            patients: DataLoader::with_cache(Patients(read_models.clone()), tokio::spawn, HashMapCache::default()),
            entries: DataLoader::with_cache(Entries(read_models.clone()), tokio::spawn, HashMapCache::default()),
            care: DataLoader::with_cache(Care(read_models.clone()), tokio::spawn, HashMapCache::default()),
            staff: DataLoader::with_cache(Staff(read_models.clone()), tokio::spawn, HashMapCache::default()),
            facilities: DataLoader::with_cache(Facilities(read_models), tokio::spawn, HashMapCache::default()),
        }
    }

    /// Fetches one patient's care facts and row at once, straight away, into the caches.
    ///
    /// A batched load first waits a millisecond or two (the loader's delay, to the timer's tick) for
    /// other resolvers to join its batch, and a full record opened by id would wait for four such
    /// rounds one after another: care facts, row, entries, then authors and facilities. Nothing else in
    /// the request would join the first three, so they are fetched directly.
    pub async fn prefetch_patient(&self, patient: Uuid) -> Result<(), Code> {
        let keys = [patient];
        let (care, row) = tokio::join!(self.care.loader().load(&keys), self.patients.loader().load(&keys));
        let mut care = care?;
        // No care facts is an answer too: cached, so that the policy does not ask again.
        care.entry(patient).or_default();
        self.care.feed_many(care).await;
        self.patients.feed_many(row?).await;
        Ok(())
    }

    /// Fetches one patient's record entries straight away into the cache (see
    /// [`Loaders::prefetch_patient`]).
    pub async fn prefetch_entries(&self, patient: Uuid) -> Result<(), Code> {
        let mut entries = self.entries.loader().load(&[patient]).await?;
        entries.entry(patient).or_insert_with(|| Arc::from(Vec::new()));
        self.entries.feed_many(entries).await;
        Ok(())
    }
}

fn id(text: &str) -> Option<Uuid> {
    Uuid::parse_str(text).ok()
}

/// Groups rows by the patient they belong to.
fn by_patient<T>(rows: Vec<T>, patient: impl Fn(&T) -> &str) -> HashMap<Uuid, Vec<T>> {
    let mut grouped: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        if let Some(key) = id(patient(&row)) {
            grouped.entry(key).or_default().push(row);
        }
    }
    grouped
}

pub(crate) struct Patients(ReadModels);

impl Loader<Uuid> for Patients {
    type Value = PatientRow;
    type Error = Code;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, PatientRow>, Code> {
        let rows = self.0.patients(keys).await?;
        Ok(rows.into_iter().filter_map(|row| Some((id(&row.patient_id)?, row))).collect())
    }
}

/// Every entry of a patient's record, in ledger order. Shared, not copied: each of a record's twelve
/// sections reads the whole list from the cache, and copying hundreds of rows for each was a large
/// share of a full record's allocations.
pub(crate) struct Entries(ReadModels);

impl Loader<Uuid> for Entries {
    type Value = Arc<[EntryRow]>;
    type Error = Code;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Arc<[EntryRow]>>, Code> {
        let grouped = by_patient(self.0.entries(keys).await?, |row| &row.patient_id);
        Ok(grouped.into_iter().map(|(patient, rows)| (patient, Arc::from(rows))).collect())
    }
}

pub(crate) struct Care(ReadModels);

impl Loader<Uuid> for Care {
    type Value = Vec<CareRow>;
    type Error = Code;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<CareRow>>, Code> {
        Ok(by_patient(self.0.care(keys).await?, |row| &row.patient_id))
    }
}

pub(crate) struct Staff(ReadModels);

impl Loader<Uuid> for Staff {
    type Value = StaffRow;
    type Error = Code;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, StaffRow>, Code> {
        let rows = self.0.staff(keys).await?;
        Ok(rows.into_iter().filter_map(|row| Some((id(&row.account_id)?, row))).collect())
    }
}

pub(crate) struct Facilities(ReadModels);

impl Loader<Uuid> for Facilities {
    type Value = FacilityRow;
    type Error = Code;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, FacilityRow>, Code> {
        let rows = self.0.facilities(keys).await?;
        Ok(rows.into_iter().filter_map(|row| Some((id(&row.facility_id)?, row))).collect())
    }
}
