//! The query API: the GraphQL schema and its resolvers over the read models, each resolver authorised
//! by the domain's access policy — the same function that authorises commands — and the read side's
//! HTTP routes ([`http`]: `/graphql`, the printable card, the facility directory). The schema itself
//! knows nothing of HTTP: a route hands it an authenticated [`Viewer`], runs [`QueryApi::execute`],
//! and serves the response; the [`ReadRecorder`] it was built with records the reads first.
//!
//! Every read of a patient's medical data by anyone but the patient is noted while the query runs and
//! handed to the recorder once the answer is computed; the answer is returned only once the recorder
//! says the reads are durable, and replaced by an `UNAVAILABLE` error if they could not be recorded.
//!
//! Errors carry `extensions.code`: `UNAUTHENTICATED`, `FORBIDDEN` (the caller's role may never do
//! this), `NOT_FOUND` (no such record, or one the caller may not see: the two are answered alike so that
//! existence does not leak), `BAD_USER_INPUT`, `GRAPHQL_VALIDATION_FAILED` (malformed, too deep or too
//! complex), `RATE_LIMITED` (the account's cost budget for the minute is spent; `extensions.retryAfter`
//! says how many seconds to wait), `UNAVAILABLE` (nothing answered: the read could not be recorded, or
//! could not be checked against current access rules; try again) and `INTERNAL_SERVER_ERROR` (details
//! only in the server's log, under a correlation id). A response carries at most [`MAX_ERRORS`] errors
//! and then one that counts the rest.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod card;
mod depth;
mod error;
pub mod http;
mod limits;
mod loaders;
mod page;
mod policy;
mod query;
pub mod scalars;
pub mod statistics;
mod types;
mod viewer;

pub use error::Code;
pub use limits::{QuerySettings, MAX_ERRORS};
pub use query::Query;
pub use types::Patient;
pub use viewer::{NotRecorded, Read, ReadRecorder, Recording, TableRead, Viewer};

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use event_schema::Clock;
use projections::read::ReadModels;
use std::sync::Arc;

/// The schema's type.
pub type CloudMediSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// How deep a data query may nest (introspection is bounded by its own shape: `depth.rs`).
pub const MAX_DEPTH: usize = 12;
/// How much a query may cost: each field 1, a list field its page size times its children.
pub const MAX_COMPLEXITY: usize = 50_000;
/// The largest page a list returns.
pub const MAX_PAGE: usize = 100;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: usize = 20;

/// The schema with the read models and the recorder of reads: what the server holds.
#[derive(Clone)]
pub struct QueryApi {
    schema: CloudMediSchema,
    read_models: ReadModels,
    recorder: Arc<dyn ReadRecorder>,
    settings: QuerySettings,
    /// The instant each request is answered at, and its reads recorded at.
    clock: Arc<dyn Clock>,
    /// Where DHIS2 places the statistics exported to it; `None`: the DHIS2 export is refused.
    dhis2: Option<Arc<statistics::export::Dhis2Mapping>>,
}

/// The schema, built once: its limits are the ones requests run under.
fn build(settings: QuerySettings) -> CloudMediSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        .extension(limits::Limits {
            budget: Arc::new(limits::CostBudget::new(settings.cost_per_minute)),
            anonymous_introspection: settings.anonymous_introspection,
        })
        .finish()
}

/// The schema in SDL, as committed in `query-api/schema.graphql`.
pub fn sdl() -> String {
    build(QuerySettings::default()).sdl()
}

impl QueryApi {
    /// The query API with the default [`QuerySettings`].
    pub fn new(read_models: ReadModels, recorder: Arc<dyn ReadRecorder>) -> Self {
        Self::with_settings(read_models, recorder, QuerySettings::default())
    }

    pub fn with_settings(read_models: ReadModels, recorder: Arc<dyn ReadRecorder>, settings: QuerySettings) -> Self {
        Self { schema: build(settings), read_models, recorder, settings, clock: ledger::system::clock(), dhis2: None }
    }

    /// The read models the schema reads, for the read side's REST routes.
    pub fn read_models(&self) -> &ReadModels {
        &self.read_models
    }

    /// The same API under other settings (the accounts' budgets start afresh).
    pub fn configured(self, settings: QuerySettings) -> Self {
        Self {
            clock: self.clock.clone(),
            dhis2: self.dhis2.clone(),
            ..Self::with_settings(self.read_models, self.recorder, settings)
        }
    }

    /// The same API on `clock` (the system's by default).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// The same API exporting statistics to DHIS2 through `mapping` (`None`: the DHIS2 export is
    /// refused, saying that no mapping is configured).
    pub fn with_dhis2_mapping(self, mapping: Option<Arc<statistics::export::Dhis2Mapping>>) -> Self {
        Self { dhis2: mapping, ..self }
    }

    /// Whether a DHIS2 mapping is configured.
    pub fn exports_to_dhis2(&self) -> bool {
        self.dhis2.is_some()
    }

    /// Runs one request for `viewer` (`None`: no valid token), then hands every read of medical data
    /// it made to the recorder and waits until they are recorded. If they cannot be, the answer is
    /// withheld: the response is a single `UNAVAILABLE` error and no data.
    pub async fn execute(&self, request: async_graphql::Request, viewer: Option<Viewer>) -> async_graphql::Response {
        if let Err(refused) = depth::admit(&request.query, MAX_DEPTH) {
            let mut response = async_graphql::Response::from_errors(vec![refused]);
            error::label(&mut response);
            return response;
        }
        let reads = viewer::ReadTracker::default();
        // Loaders are per request: what one request loaded is never served to another.
        let mut request = request
            .data(self.read_models.clone())
            .data(loaders::Loaders::new(self.read_models.clone(), self.clock.now()))
            .data(reads.clone())
            .data(statistics::PublicationThreshold(self.settings.publication_threshold));
        match viewer.clone() {
            Some(viewer) => request = request.data(viewer),
            // Refused with a clear error while parsing (`limits`); disabled here as well, so that no
            // way of spelling the query gets around it.
            None if !self.settings.anonymous_introspection => request = request.disable_introspection(),
            None => {}
        }
        let mut response = self.schema.execute(request).await;
        error::label(&mut response);
        limits::cap_errors(&mut response);
        if let Some(viewer) = viewer {
            if self.record(&reads, &viewer).await.is_err() {
                return error::withheld();
            }
        }
        response
    }

    /// Records the reads a request made, if any, and resolves once they are durable.
    async fn record(&self, reads: &viewer::ReadTracker, viewer: &Viewer) -> Result<(), Code> {
        let now = self.clock.now();
        let (records, tables) = (reads.drain(viewer, now), reads.drain_tables(viewer, now));
        let records = async {
            if records.is_empty() {
                return Ok(());
            }
            self.recorder.record(records).await
        };
        let tables = async {
            if tables.is_empty() {
                return Ok(());
            }
            self.recorder.record_statistics(tables).await
        };
        // Both reach the ledger's writer together, and share its commit.
        let (records, tables) = futures::join!(records, tables);
        records.and(tables).map_err(|error| {
            tracing::error!(%error, "query_api.read_not_recorded: the answer is withheld");
            Code::Unavailable
        })
    }

    /// The printable vaccination card of `patient_id` as an HTML page, for a viewer allowed to read
    /// the patient's immunizations; recorded as a read like any other, and returned only once recorded
    /// (`Code::Unavailable` if it could not be).
    pub async fn printable_vaccination_card(&self, viewer: Viewer, patient_id: uuid::Uuid) -> Result<String, Code> {
        let reads = viewer::ReadTracker::default();
        let loaders = loaders::Loaders::new(self.read_models.clone(), self.clock.now());
        let html = types::card::printable(&loaders, &reads, &viewer, patient_id).await?;
        self.record(&reads, &viewer).await?;
        Ok(html)
    }

    /// A statistics table as CSV, for a viewer allowed to read statistics; recorded as a statistics
    /// read, and returned only once recorded.
    pub async fn statistics_csv(
        &self,
        viewer: &Viewer,
        request: &statistics::export::TableRequest,
    ) -> Result<statistics::export::CsvExport, statistics::export::Refusal> {
        let mut request = request.clone();
        statistics::scope::confine(viewer, &mut request.narrowing)?;
        let reads = viewer::ReadTracker::default();
        let k = self.settings.publication_threshold;
        let export = statistics::export::csv_export(&self.read_models, &request, k, &reads).await?;
        self.record(&reads, viewer).await?;
        Ok(export)
    }

    /// A statistics table as a DHIS2 data value set, placed by the configured mapping; recorded as a
    /// statistics read, and returned only once recorded.
    pub async fn statistics_dhis2(
        &self,
        viewer: &Viewer,
        request: &statistics::export::TableRequest,
    ) -> Result<statistics::export::Dhis2Export, statistics::export::Refusal> {
        let mut request = request.clone();
        statistics::scope::confine(viewer, &mut request.narrowing)?;
        let mapping = self.dhis2.as_deref().ok_or(statistics::export::Refusal::NoMapping)?;
        let reads = viewer::ReadTracker::default();
        let k = self.settings.publication_threshold;
        let export = statistics::export::dhis2_export(&self.read_models, &request, mapping, k, &reads).await?;
        self.record(&reads, viewer).await?;
        Ok(export)
    }

    /// The statistics dashboard as an HTML page; each of its tables recorded as a statistics read, and
    /// the page returned only once they are.
    pub async fn statistics_dashboard(
        &self,
        viewer: &Viewer,
        request: &statistics::dashboard::DashboardRequest,
    ) -> Result<String, statistics::export::Refusal> {
        let mut request = request.clone();
        request.region = statistics::scope::confine_area(viewer, request.region, request.district.as_deref())?;
        let today = chrono::NaiveDate::parse_from_str(&self.clock.now().cameroon_date(), "%Y-%m-%d")
            .map_err(|_| statistics::export::Refusal::Code(Code::Internal))?;
        let reads = viewer::ReadTracker::default();
        let k = self.settings.publication_threshold;
        let html = statistics::dashboard::dashboard(&self.read_models, &request, today, k, &reads).await?;
        self.record(&reads, viewer).await?;
        Ok(html)
    }
}
