//! Statistics over HTTP for the health authority's analysts: a published table as CSV
//! (`GET /api/v1/statistics/export.csv`), the same table as a DHIS2 `dataValueSets` document
//! (`GET /api/v1/statistics/dhis2/dataValueSets`), and the dashboard page (`GET /statistics`).
//!
//! Each is refused in the same order as every route: no live session 401, a role that never reads
//! statistics 403 (before the query string is read), then the query string: a value outside what the
//! document states 400 naming the field, a rule beyond it 422. Each table answered is first recorded in
//! the ledger as a statistics read; if it cannot be, nothing is answered (503).
//!
//! The dashboard is a page people open in a browser: it takes the web session's cookie as well as the
//! bearer token (`http_shell::authn::PageCaller`), so an analyst signed in on the web pages opens it
//! from their workspace. The exports take the bearer token alone, as every API route does.

use super::QueryState;
use crate::statistics::dashboard::{DashboardArguments, DashboardRequest, Language};
use crate::statistics::export::{
    DataValueSet, Refusal, TableArguments, TableRequest, AGE_BANDS, DHIS2_DIMENSIONS, DIMENSIONS, INDICATORS, SEXES,
};
use crate::{Code, Viewer};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use http_shell::authn::{Caller, PageCaller};
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use serde::Deserialize;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{IntoParams, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The statistics tag of the document.
#[derive(OpenApi)]
#[openapi(tags((name = "statistics", description = "Anonymised public-health statistics for the health \
    authority's analysts: tables as CSV and as DHIS2 data value sets, and the dashboard page. Every figure \
    has passed disclosure control (no shown figure counts 1 to k − 1 people, nor gives such a count away), \
    and every table read is recorded in the ledger before it is answered.")))]
struct StatisticsDoc;

pub fn router() -> OpenApiRouter<QueryState> {
    OpenApiRouter::with_openapi(StatisticsDoc::openapi())
        .routes(routes!(export_csv))
        .routes(routes!(export_dhis2))
        .routes(routes!(dashboard))
}

/// How many suppressed figures a DHIS2 export left out.
const SUPPRESSED_OMITTED: &str = "statistics-suppressed-omitted";
/// How many shown figures a DHIS2 export left out because the mapping does not place them.
const UNMAPPED_OMITTED: &str = "statistics-unmapped-omitted";

fn strings(values: impl IntoIterator<Item = String>) -> Vec<String> {
    values.into_iter().collect()
}

fn enumeration(values: Vec<String>) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values)).into()
}

/// One of `values`, or empty (what a form sends for "all"). Without a type, so that the document's
/// common step that lists region and antigen codes leaves the empty value in.
fn enumeration_or_empty(mut values: Vec<String>) -> RefOr<Schema> {
    values.push(String::new());
    ObjectBuilder::new().schema_type(SchemaType::AnyValue).enum_values(Some(values)).into()
}

/// A string matching `pattern`, or empty.
fn optional_pattern(pattern: &str) -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).pattern(Some(format!("^({pattern})?$"))).into()
}

fn disease_codes() -> Vec<String> {
    strings(domain::statistics::surveillance::diseases().iter().map(|disease| disease.code.clone()))
}

fn antigen_codes() -> Vec<String> {
    let mut codes: Vec<String> = domain::record::schedule::versions()
        .iter()
        .flat_map(|version| version.antigens.iter().map(|antigen| antigen.code.clone()))
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

/// Declares a parameter's schema, built when the document is, from the codes the server checks
/// against, so that the two cannot disagree. Parameters inline it (`value_type = …, inline`), which,
/// unlike a schema function, keeps the parameter's description and whether it is required.
macro_rules! parameter_schema {
    ($(#[$doc:meta])* $name:ident => $schema:expr) => {
        $(#[$doc])*
        struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

parameter_schema!(
    /// An indicator's code.
    IndicatorCode => enumeration(strings(INDICATORS.iter().map(|indicator| indicator.code().to_owned())))
);
parameter_schema!(
    /// A breakdown's code.
    BreakdownCode => enumeration(strings(DIMENSIONS.iter().map(|dimension| dimension.code().to_owned())))
);
parameter_schema!(
    /// A breakdown DHIS2 can place values by.
    Dhis2BreakdownCode =>
        enumeration(strings(DHIS2_DIMENSIONS.iter().map(|dimension| dimension.code().to_owned())))
);
parameter_schema!(
    /// A sex, as counted.
    SexCode => enumeration(strings(SEXES.iter().map(|sex| (*sex).to_owned())))
);
parameter_schema!(
    /// An age band, as requests name them.
    AgeBandCode => enumeration(strings(AGE_BANDS.iter().map(|(name, _)| (*name).to_owned())))
);
parameter_schema!(
    /// A notifiable disease's code.
    DiseaseCode => enumeration(disease_codes())
);
parameter_schema!(
    /// A notifiable disease's code, or empty.
    OptionalDiseaseCode => enumeration_or_empty(disease_codes())
);
parameter_schema!(
    /// A region's code, or empty.
    OptionalRegionCode => enumeration_or_empty(strings(
        domain::reference::regions().iter().map(|region| region.code.clone())
    ))
);
parameter_schema!(
    /// An antigen's code, or empty.
    OptionalAntigenCode => enumeration_or_empty(antigen_codes())
);
parameter_schema!(
    /// A year from 1900 to 2100, or empty.
    OptionalYear => optional_pattern("19[0-9]{2}|20[0-9]{2}|2100")
);
parameter_schema!(
    /// A dose number from 0 to 10, or empty.
    OptionalDoseNumber => optional_pattern("[0-9]|10")
);
parameter_schema!(
    /// A day, `YYYY-MM-DD`, or empty.
    OptionalDay => OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))))
        .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some([""])))
        .into()
);
parameter_schema!(
    /// A page's language.
    LanguageCode => enumeration(vec!["fr".into(), "en".into()])
);

/// A table to export as CSV.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct CsvQuery {
    /// What is counted: doses of vaccine given, visits, new diagnoses, deaths, referrals and transfers,
    /// patients registered (by where they live).
    #[param(required = true, value_type = IndicatorCode, inline)]
    indicator: Option<String>,
    /// What the rows are.
    #[param(required = true, value_type = BreakdownCode, inline)]
    rows: Option<String>,
    /// What the columns are, if any (another breakdown than the rows).
    #[param(value_type = Option<BreakdownCode>, inline)]
    columns: Option<String>,
    /// The first day counted, `YYYY-MM-DD`.
    #[param(required = true, value_type = String, format = Date)]
    from: Option<String>,
    /// The last day counted, `YYYY-MM-DD`: not before `from`, at most five years after it.
    #[param(required = true, value_type = String, format = Date)]
    to: Option<String>,
    /// Only this region (a code, e.g. `LT` for Littoral).
    #[param(nullable = false)]
    region: Option<String>,
    /// Only this health district, by name as the record spells it (`Deido`); in `region` if both are
    /// given. A name the reference data does not know is a 422.
    #[param(nullable = false, min_length = 1, max_length = 120)]
    district: Option<String>,
    /// Only this facility.
    #[param(value_type = Option<uuid::Uuid>, nullable = false)]
    facility_id: Option<String>,
    /// Only people of this sex.
    #[param(value_type = Option<SexCode>, inline)]
    sex: Option<String>,
    /// Only people of this age band.
    #[param(value_type = Option<AgeBandCode>, inline)]
    age_band: Option<String>,
    /// Only doses of this antigen (its code in the immunisation schedule).
    #[param(nullable = false)]
    antigen: Option<String>,
    /// Only this dose of the series (0, a birth dose, to 10).
    #[param(value_type = Option<u8>, nullable = false, minimum = 0, maximum = 10)]
    dose_number: Option<String>,
    /// Only diagnoses of this notifiable disease.
    #[param(value_type = Option<DiseaseCode>, inline)]
    disease: Option<String>,
    /// Only diagnoses of this three-character ICD-10 category (`B50`). A category the ICD-10 list does
    /// not have is a 422.
    #[param(nullable = false, pattern = "^[A-Z][0-9]{2}$")]
    icd10_category: Option<String>,
}

impl CsvQuery {
    fn arguments(&self) -> TableArguments<'_> {
        TableArguments {
            indicator: self.indicator.as_deref(),
            rows: self.rows.as_deref(),
            columns: self.columns.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            region: self.region.as_deref(),
            district: self.district.as_deref(),
            facility_id: self.facility_id.as_deref(),
            sex: self.sex.as_deref(),
            age_band: self.age_band.as_deref(),
            antigen: self.antigen.as_deref(),
            dose_number: self.dose_number.as_deref(),
            disease: self.disease.as_deref(),
            icd10_category: self.icd10_category.as_deref(),
        }
    }
}

/// A table to export to DHIS2.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Dhis2Query {
    /// What is counted; the mapping says which data element it is.
    #[param(required = true, value_type = IndicatorCode, inline)]
    indicator: Option<String>,
    /// What the rows are: a place (an organisation unit), a period, or a data element's or category
    /// option's breakdown.
    #[param(required = true, value_type = Dhis2BreakdownCode, inline)]
    rows: Option<String>,
    /// What the columns are, if any (another breakdown than the rows).
    #[param(value_type = Option<Dhis2BreakdownCode>, inline)]
    columns: Option<String>,
    /// The first day counted, `YYYY-MM-DD`: the first day of a period of the breakdown by time (a
    /// Monday by week, the 1st by month, 1 January by year).
    #[param(required = true, value_type = String, format = Date)]
    from: Option<String>,
    /// The last day counted, `YYYY-MM-DD`: the last day of a period of the breakdown by time. Without a
    /// breakdown by time, `from` to `to` must be exactly one day, ISO week, month or year, the period
    /// of every value.
    #[param(required = true, value_type = String, format = Date)]
    to: Option<String>,
    /// Only this region (a code, e.g. `LT` for Littoral).
    #[param(nullable = false)]
    region: Option<String>,
    /// Only this health district, by name as the record spells it; in `region` if both are given.
    #[param(nullable = false, min_length = 1, max_length = 120)]
    district: Option<String>,
    /// Only this facility.
    #[param(value_type = Option<uuid::Uuid>, nullable = false)]
    facility_id: Option<String>,
    /// Only people of this sex.
    #[param(value_type = Option<SexCode>, inline)]
    sex: Option<String>,
    /// Only people of this age band.
    #[param(value_type = Option<AgeBandCode>, inline)]
    age_band: Option<String>,
    /// Only doses of this antigen.
    #[param(nullable = false)]
    antigen: Option<String>,
    /// Only this dose of the series (0 to 10).
    #[param(value_type = Option<u8>, nullable = false, minimum = 0, maximum = 10)]
    dose_number: Option<String>,
    /// Only diagnoses of this notifiable disease.
    #[param(value_type = Option<DiseaseCode>, inline)]
    disease: Option<String>,
}

impl Dhis2Query {
    fn arguments(&self) -> TableArguments<'_> {
        TableArguments {
            indicator: self.indicator.as_deref(),
            rows: self.rows.as_deref(),
            columns: self.columns.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            region: self.region.as_deref(),
            district: self.district.as_deref(),
            facility_id: self.facility_id.as_deref(),
            sex: self.sex.as_deref(),
            age_band: self.age_band.as_deref(),
            antigen: self.antigen.as_deref(),
            dose_number: self.dose_number.as_deref(),
            disease: self.disease.as_deref(),
            icd10_category: None,
        }
    }
}

/// What the dashboard shows. Every parameter is optional; an empty one (as a form sends for "all") is
/// the same as none.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DashboardQuery {
    /// The page's language; otherwise the one `Accept-Language` prefers, French by default.
    #[param(value_type = Option<LanguageCode>, inline)]
    lang: Option<String>,
    /// The birth cohort whose coverage is shown, and the year of the attendance; this year by default.
    #[param(value_type = Option<OptionalYear>, inline)]
    year: Option<String>,
    /// The antigen whose coverage is shown; `PENTA` by default.
    #[param(value_type = Option<OptionalAntigenCode>, inline)]
    antigen: Option<String>,
    /// Its dose; 1 by default.
    #[param(value_type = Option<OptionalDoseNumber>, inline)]
    dose_number: Option<String>,
    /// The disease whose epidemic curve is shown by area; every notifiable disease when absent.
    #[param(value_type = Option<OptionalDiseaseCode>, inline)]
    disease: Option<String>,
    /// Only this region: coverage by district, the curve by district. The whole country when absent.
    #[param(value_type = Option<OptionalRegionCode>, inline)]
    region: Option<String>,
    /// Only this health district, by name as the record spells it (a name the reference data does not
    /// know is a 422).
    #[param(nullable = false, max_length = 120)]
    district: Option<String>,
    /// The first day of the epidemic curve and the alerts; twelve weeks back by default.
    #[param(value_type = Option<OptionalDay>, inline)]
    from: Option<String>,
    /// Their last day; today by default.
    #[param(value_type = Option<OptionalDay>, inline)]
    to: Option<String>,
}

fn malformed_query(rejection: QueryRejection) -> ApiError {
    ApiError::bad_request(format!("the query string is invalid: {}", rejection.body_text()))
}

/// A refusal of the query API as the HTTP answer.
fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Rule(errors) => ApiError::from(errors),
        Refusal::NoMapping => no_mapping(),
        Refusal::OutOfScope(detail) => ApiError::OutOfScope { detail },
        Refusal::Code(code) => code_error(code),
    }
}

fn code_error(code: Code) -> ApiError {
    match code {
        Code::Forbidden => ApiError::Forbidden,
        Code::Unauthenticated => ApiError::Unauthorized,
        // Nothing left the server: the read could not be recorded in the ledger, or the statistics
        // are being brought up to date.
        Code::Unavailable => ApiError::Unavailable {
            detail: "nothing was answered: the statistics cannot be read right now; try again shortly".into(),
        },
        Code::BadUserInput => ApiError::bad_request("the request is invalid"),
        _ => ApiError::Internal(format!("statistics: {}", code.as_str())),
    }
}

fn no_mapping() -> ApiError {
    ApiError::Conflict {
        detail: "no DHIS2 mapping is configured on this server: the operator gives one with the `dhis2_mapping` \
                 setting (see docs/dhis2-mapping.example.toml)"
            .into(),
    }
}

/// The caller as a viewer allowed to read statistics, or the 403 every other role gets.
fn analyst(caller: Caller) -> Result<Viewer, ApiError> {
    let viewer = Viewer { principal: caller.principal };
    crate::statistics::admit(&viewer).map_err(code_error)?;
    Ok(viewer)
}

#[utoipa::path(
    get,
    path = "/api/v1/statistics/export.csv",
    operation_id = "export_statistics_csv",
    tag = "statistics",
    summary = "A statistics table as CSV",
    description = "The crosstab `statistics.table` publishes in GraphQL, as a CSV file (RFC 4180, UTF-8, a header \
        row, `\\r\\n` line ends), one line per figure: the body row by row, each row's total after its cells, then \
        the column totals and the grand total. Columns: `indicator` (its code), `period_from` and `period_to` \
        (`YYYY-MM-DD`), `filters` (what the table is narrowed to, `name=value` joined by `;`, empty when \
        nothing), `row_dimension` (the rows' breakdown), `row_code`, `row_name_en`, `row_name_fr`, \
        `column_dimension` (the columns' breakdown, empty for a table without columns), `column_code`, \
        `column_name_en`, `column_name_fr`, `value` (the count; empty when suppressed), `suppressed` (`true` \
        or `false`) and `threshold` (k: no shown value counts 1 to k − 1 people). A margin's code is \
        `_total`, named `Total`; a table without columns has one line per row (column fields empty) and \
        then its total. Codes are those GraphQL answers with (region codes, district names, facility ids, \
        `YYYY-MM-DD` days, `2026-W05` ISO weeks, `2026-01` months, age bands as stored, `0` to `65+`). \
        Analysts read statistics (an analyst of a regional delegation their region's: a table that names no \
        region is their region's) and a facility's administrators their own facility's tables; the export \
        is recorded in the ledger as a \
        statistics read (`export.csv:<indicator>`) before it is answered.",
    params(CsvQuery),
    responses(
        (status = 200, description = "The table as CSV.", content_type = "text/csv; charset=utf-8", body = String,
            headers(("Content-Disposition" = String, description = "`attachment`, with a file name naming the indicator and the period."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "A parameter is missing or outside what is documented; each is named (`/problems/invalid-request`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not read statistics, or not of the place asked for (another region, another facility); the detail says what the account reads."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The parameters break a rule, each named (`/problems/rule-violated`): `to` before `from` or more than five years after it, a district not in the reference data or not in the region, an ICD-10 category the list lacks, a breakdown or filter the indicator does not have, a table too large."),
        (status = 503, body = Problem, content_type = PROBLEM_JSON, description = "Nothing was answered: the read could not be recorded in the ledger, or the statistics are being brought up to date. Try again.")
    ),
    security(("bearer" = []))
)]
async fn export_csv(
    State(state): State<QueryState>,
    caller: Caller,
    query: Result<Query<CsvQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let viewer = analyst(caller)?;
    let Query(query) = query.map_err(malformed_query)?;
    let request = TableRequest::parse(&query.arguments()).map_err(ApiError::from)?;
    let export = state.queries.statistics_csv(&viewer, &request).await.map_err(refused)?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.file_name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ];
    Ok((headers, export.body).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/statistics/dhis2/dataValueSets",
    operation_id = "export_statistics_dhis2",
    tag = "statistics",
    summary = "A statistics table as a DHIS2 data value set",
    description = "The same table as the CSV export, as a DHIS2 `dataValueSets` JSON document, ready for DHIS2's \
        `POST /api/dataValueSets`. The operator's mapping file (the `dhis2_mapping` setting; see \
        docs/dhis2-mapping.example.toml) says which data element an indicator is (for an antigen and dose, \
        or a disease), which category option combo a sex and age band are, and which organisation unit a \
        region, district or facility is. Every value names its `dataElement`, `period` (DHIS2 syntax: a day \
        `20260105`, an ISO week `2026W2`, a month `202601`, a year `2026`), `orgUnit` and \
        `categoryOptionCombo` by UID, and its `value`. Only the table's body is exported: DHIS2 adds values \
        up itself, so the margins would be counted twice. DHIS2 has no suppressed values: a suppressed figure \
        is left out, and so is a shown one the mapping does not place; the headers \
        `Statistics-Suppressed-Omitted` and `Statistics-Unmapped-Omitted` count them. No value names a \
        person. Recorded in the ledger as a statistics read (`export.dhis2:<indicator>`) before it is answered.",
    params(Dhis2Query),
    responses(
        (status = 200, description = "The data value set.", body = DataValueSet,
            headers(
                ("Statistics-Suppressed-Omitted" = u32, description = "Figures of the table left out because disclosure control suppressed them."),
                ("Statistics-Unmapped-Omitted" = u32, description = "Figures shown in the table that the mapping does not place in DHIS2, left out.")
            )),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "A parameter is missing or outside what is documented; each is named (`/problems/invalid-request`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not read statistics, or not of the place asked for (another region, another facility); the detail says what the account reads."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON, description = "No DHIS2 mapping is configured on this server (`/problems/conflict`)."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The parameters break a rule, each named (`/problems/rule-violated`): those of the CSV export, and a period that is not made of whole DHIS2 periods."),
        (status = 503, body = Problem, content_type = PROBLEM_JSON, description = "Nothing was answered: the read could not be recorded in the ledger, or the statistics are being brought up to date. Try again.")
    ),
    security(("bearer" = []))
)]
async fn export_dhis2(
    State(state): State<QueryState>,
    caller: Caller,
    query: Result<Query<Dhis2Query>, QueryRejection>,
) -> Result<Response, ApiError> {
    let viewer = analyst(caller)?;
    if !state.queries.exports_to_dhis2() {
        return Err(no_mapping());
    }
    let Query(query) = query.map_err(malformed_query)?;
    let request = TableRequest::parse(&query.arguments()).map_err(ApiError::from)?;
    let export = state.queries.statistics_dhis2(&viewer, &request).await.map_err(refused)?;
    let mut response =
        ([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], axum::Json::<DataValueSet>(export.set))
            .into_response();
    let headers = response.headers_mut();
    headers.insert(HeaderName::from_static(SUPPRESSED_OMITTED), HeaderValue::from(export.suppressed_omitted));
    headers.insert(HeaderName::from_static(UNMAPPED_OMITTED), HeaderValue::from(export.unmapped_omitted));
    Ok(response)
}

#[utoipa::path(
    get,
    path = "/statistics",
    operation_id = "statistics_dashboard",
    tag = "statistics",
    summary = "The statistics dashboard",
    description = "An HTML page for analysts, in French or English, that needs no script and loads nothing from \
        anywhere: immunisation coverage of a dose in a birth cohort by region (by district within a region), \
        with bars; the epidemic curve of the notifiable diseases by week (of one disease by area); the \
        epidemic alerts; and the visits by month. A suppressed figure is drawn as a hatched band, the same \
        whatever it hides. Each of its four tables is recorded in the ledger as a statistics read \
        (`dashboard:coverage`, `dashboard:epidemic_curve`, `dashboard:alerts`, `dashboard:attendance`) before \
        the page is answered. An analyst of a regional delegation sees their region, by district. It takes \
        the API's bearer token or, opened in a browser signed in on the web pages, their session cookie.",
    params(DashboardQuery),
    responses(
        (status = 200, description = "The page.", content_type = "text/html", body = String),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "A parameter is outside what is documented; each is named (`/problems/invalid-request`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not read statistics, or not of the place asked for (another region, another facility); the detail says what the account reads."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The parameters break a rule, each named (`/problems/rule-violated`): a period inverted or longer than five years, a district not in the reference data or not in the region."),
        (status = 503, body = Problem, content_type = PROBLEM_JSON, description = "Nothing was answered: a read could not be recorded in the ledger, or the statistics are being brought up to date. Try again.")
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn dashboard(
    State(state): State<QueryState>,
    PageCaller(caller): PageCaller,
    headers: HeaderMap,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let viewer = analyst(caller)?;
    let Query(query) = query.map_err(malformed_query)?;
    let language = match query.lang.as_deref().filter(|code| !code.is_empty()) {
        Some(code) => Language::from_code(code).ok_or_else(|| ApiError::invalid_field("/lang", "must be fr or en"))?,
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(Language::preferred)
            .unwrap_or_default(),
    };
    let arguments = DashboardArguments {
        year: query.year.as_deref(),
        antigen: query.antigen.as_deref(),
        dose_number: query.dose_number.as_deref(),
        disease: query.disease.as_deref(),
        region: query.region.as_deref(),
        district: query.district.as_deref(),
        from: query.from.as_deref(),
        to: query.to.as_deref(),
    };
    let request = DashboardRequest::parse(&arguments, language).map_err(ApiError::from)?;
    let html = state.queries.statistics_dashboard(&viewer, &request).await.map_err(refused)?;
    let headers = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::CONTENT_LANGUAGE, HeaderValue::from_static(language.code())),
    ];
    Ok((headers, Html(html)).into_response())
}
