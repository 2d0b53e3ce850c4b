//! `cloudmedi bench --pages`: the web pages as a clinician's browser meets them, on each backend.
//!
//! A ledger of realistic synthetic data (`cloudmedi demo`'s generator) is projected, then served on a
//! free port of this machine by the router `cloudmedi serve` builds (every API and page, the same
//! middleware and page policies, the same connection handling, the projectors following the ledger).
//! A doctor of the showcase patient's facility is issued an account, activates it and signs in through
//! the sign-in pages, the code of the second factor read from the outbox, so the session cookie is the
//! one a browser would hold. A load generator in this process then keeps a number of kept-alive
//! HTTP/1 connections busy for a fixed time, each sending its next request as soon as the answer has
//! been read whole, and times every request from sending it to its last byte:
//!
//! - **record page**: `/care/patients/{id}` for the showcase patient (about 200 entries), as the
//!   doctor; every page is the session looked up, one GraphQL query for the record, its read recorded
//!   in the ledger before the page leaves, and the page drawn;
//! - **baseline**: `GET /health` on the same server through the same client, measured in the same run:
//!   what serving any answer costs, so the ratio is what the record page itself costs.
//!
//! The load generator runs on a thread and runtime of its own, as an outside client would, but on the
//! same machine: its work is part of every figure, the baseline's included.

use crate::bench_read::Scratch;
use crate::demo;
use crate::serve::ServerConfig;
use anyhow::{bail, Context};
use domain::staff::{ActivationDelivery, RegisterStaff};
use event_schema::{events, Actor, Role};
use http_shell::attempts::AttemptRate;
use ledger::outbox::Outbox;
use ledger::Ledger;
use projections::read::ReadModels;
use projections::Runner;
use secrecy::SecretString;
use server::connections::ConnectionLimits;
use server::{Limits, ServerState};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The settings of a pages run.
pub struct PagesBench {
    /// The server scratch databases are created on (its URL may hold a password).
    pub admin_url: SecretString,
    pub events: u64,
    /// The numbers of concurrent connections to measure with.
    pub connections: Vec<usize>,
    /// How long each measurement lasts.
    pub duration: Duration,
    pub scratch_dir: Option<PathBuf>,
}

/// The largest record page that is acceptable on a slow line.
const PAGE_BUDGET_BYTES: usize = 60 * 1024;

/// Requests each connection sends before the measurement starts: the connection is open and the
/// server's caches are warm when timing begins.
const WARM_UP_REQUESTS: usize = 5;

/// The session cookie's name (`web::cookies::SESSION`) and the form cookie's, as a browser sends them.
const SESSION_COOKIE: &str = "__Host-cloudmedi-session";
const FORM_COOKIE: &str = "__Host-cloudmedi-form";

/// Measures the pages on `backend` (`"sqlite"` or `"postgres"`).
pub async fn run(settings: &PagesBench, backend: &str) -> anyhow::Result<()> {
    let scratch =
        Scratch::create(&settings.admin_url, settings.scratch_dir.as_ref(), backend, "cloudmedi_bench_pages").await?;
    let result = measure(settings, backend, &scratch).await;
    scratch.remove().await?;
    result
}

async fn measure(settings: &PagesBench, backend: &str, scratch: &Scratch) -> anyhow::Result<()> {
    let storage = scratch.storage.clone();
    let (ledger, showcase) = demo_ledger(&storage, backend, settings.events).await?;

    let application = application::Application::new(ledger.clone());
    let served = Served::start(&storage, &ledger, application.clone(), Some(Runner::new(storage.database()))).await?;
    let result = measure_pages(settings, backend, &served.base, &application, &ledger, &showcase).await;
    served.stop().await?;
    ledger.close().await;
    result
}

/// A new ledger in `storage` filled with about `events` events of synthetic data (`cloudmedi demo`'s
/// generator) and projected: the ledger, open, and its showcase patient (about 200 entries).
pub(crate) async fn demo_ledger(
    storage: &std::sync::Arc<dyn ledger::Storage>,
    backend: &str,
    events: u64,
) -> anyhow::Result<(Ledger, Showcase)> {
    crate::datadir::migrate(storage.as_ref()).await?;
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "bench").await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let as_of = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let generated = demo::generate(&ledger, events, 1, as_of).await?;
    let generating = started.elapsed();
    let head = ledger.head().await?.position;
    let started = Instant::now();
    Runner::new(storage.database()).catch_up(&ledger, head, |_| {}).await?;
    outln!(
        "{backend}: {} events of synthetic data generated in {:.1} s and projected in {:.1} s (ledger head {head}); \
         showcase record {} entries",
        generated.events,
        generating.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        generated.showcase_entries
    );
    let patient = generated.showcase_id;
    let row = ReadModels::new(storage.database())
        .patients(&[patient])
        .await?
        .into_iter()
        .next()
        .context("the showcase patient is projected")?;
    let facility = Uuid::parse_str(&row.registered_at_facility)?;
    Ok((ledger, Showcase { id: patient, family_name: row.family_name.clone(), facility }))
}

/// A server on a free port of this machine, as `cloudmedi serve --role all` builds it, with the
/// projectors following the ledger (or, for a second server over the same database, without: one
/// set of projectors serves both).
pub(crate) struct Served {
    pub base: String,
    stop: tokio::sync::watch::Sender<bool>,
    serving: tokio::task::JoinHandle<anyhow::Result<()>>,
    projecting: Option<tokio::task::JoinHandle<()>>,
}

/// Projectors following `ledger` under `runner` until `stopped` turns true.
fn project(
    storage: &std::sync::Arc<dyn ledger::Storage>,
    ledger: &Ledger,
    runner: Runner,
    stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let database = storage.database();
    let ledger = ledger.clone();
    tokio::spawn(async move {
        projections::leader::lead(&database, stopped, move |stop| {
            let runner = runner.clone();
            let ledger = ledger.clone();
            async move { runner.follow(&ledger, stop).await }
        })
        .await;
    })
}

impl Served {
    /// Serves `application` over `ledger`, with `projectors` following it (none: another server's
    /// keep the read models).
    pub(crate) async fn start(
        storage: &std::sync::Arc<dyn ledger::Storage>,
        ledger: &Ledger,
        application: application::Application,
        projectors: Option<Runner>,
    ) -> anyhow::Result<Served> {
        serve_application(storage, ledger, application, projectors).await
    }

    /// Stops serving and projecting.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        let served = self.serving.await;
        if let Some(projecting) = self.projecting {
            let _ = projecting.await;
        }
        served.context("the server stopped unexpectedly")??;
        Ok(())
    }
}

async fn serve_application(
    storage: &std::sync::Arc<dyn ledger::Storage>,
    ledger: &Ledger,
    application: application::Application,
    projectors: Option<Runner>,
) -> anyhow::Result<Served> {
    // The server as `cloudmedi serve --role all` builds it from its default configuration, but for
    // one setting: one doctor here opens the record far more often than a minute's GraphQL budget
    // allows a clinician, and the bench measures the page, not the budget. The reminder scheduler and
    // the outbox's dispatcher, which wake once a minute and once a second, are left out.
    let config = ServerConfig::default();
    let limits = Limits {
        body_bytes: config.request_body_limit,
        timeout: Duration::from_secs(config.request_timeout_secs),
        attempts: Some(AttemptRate {
            burst: config.auth_attempts_burst,
            period: Duration::from_millis(config.auth_attempts_period_ms),
        }),
    };
    let state =
        ServerState::new(ledger.clone()).with_application(application).with_query_settings(query_api::QuerySettings {
            cost_per_minute: u32::MAX,
            ..query_api::QuerySettings::default()
        });
    let app = server::router_for(state, limits, server::Apis::ALL);
    let connection_limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
        idle_timeout: Duration::from_secs(config.idle_timeout_secs),
        per_address: config.connections_per_address,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.context("cannot listen on 127.0.0.1")?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let serving = {
        let stopped = stopped.clone();
        let serving = server::connections::serve(listener, app, connection_limits, async move {
            let mut stopped = stopped;
            let _ = stopped.wait_for(|stop| *stop).await;
        });
        tokio::spawn(async move { Ok(serving.await?) })
    };
    // The projectors follow the ledger as in `cloudmedi serve`: every read recorded is projected
    // into the patient's access log while the pages are served.
    let projecting = projectors.map(|runner| project(storage, ledger, runner, stopped));
    Ok(Served { base, stop, serving, projecting })
}

async fn measure_pages(
    settings: &PagesBench,
    backend: &str,
    base: &str,
    application: &application::Application,
    ledger: &Ledger,
    showcase: &Showcase,
) -> anyhow::Result<()> {
    let cookies = sign_in_doctor(base, application, ledger, showcase.facility).await?;
    let record = format!("/care/patients/{}", showcase.id);

    // One page first, to check that it is the record (not the sign-in page, not an error) and size it.
    let client = client()?;
    let answer = client.get(format!("{base}{record}")).header(reqwest::header::COOKIE, &cookies).send().await?;
    let status = answer.status();
    let page = answer.text().await?;
    if status != reqwest::StatusCode::OK || !page.contains(&showcase.family_name) {
        bail!("the record page answered {status} rather than the record");
    }
    outln!(
        "{backend}: record page {} bytes ({:.1} KB; at most {} KB), served as a doctor of the patient's facility",
        page.len(),
        page.len() as f64 / 1024.0,
        PAGE_BUDGET_BYTES / 1024
    );
    if page.len() > PAGE_BUDGET_BYTES {
        outln!("{backend}: the record page is over its {} KB budget", PAGE_BUDGET_BYTES / 1024);
    }

    outln!(
        "{:<9} {:<8} {:>5} {:>9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "backend",
        "page",
        "conns",
        "requests",
        "errors",
        "pages/s",
        "p50",
        "p99",
        "rate ×",
        "p99 ×"
    );
    let mut recorded_pages = 0u64;
    let mut appended = 0u64;
    for &connections in &settings.connections {
        let before = ledger.head().await?.position;
        let pages = load(base, &record, Some(&cookies), connections, settings.duration).await?;
        appended += ledger.head().await?.position.saturating_sub(before);
        recorded_pages += pages.answered as u64;
        let health = load(base, "/health", None, connections, settings.duration).await?;
        for (name, run) in [("record", &pages), ("/health", &health)] {
            outln!(
                "{:<9} {:<8} {:>5} {:>9} {:>6} {:>9.1} {:>7.2}ms {:>7.2}ms {:>9.3} {:>9.1}",
                backend,
                name,
                connections,
                run.latencies.len(),
                run.errors,
                run.rate(),
                millis(run.percentile(0.50)),
                millis(run.percentile(0.99)),
                run.rate() / health.rate().max(1e-9),
                millis(run.percentile(0.99)) / millis(health.percentile(0.99)).max(1e-9)
            );
        }
        if pages.errors > 0 || health.errors > 0 {
            bail!("{} record pages and {} health checks were not answered 200", pages.errors, health.errors);
        }
    }
    // Every record page served is a read recorded in the ledger before it left: the ledger grew by at
    // least one entry per page.
    outln!("{backend}: {recorded_pages} record pages served, {appended} entries appended to the ledger meanwhile");
    if appended < recorded_pages {
        bail!("fewer reads were recorded ({appended}) than record pages were served ({recorded_pages})");
    }
    Ok(())
}

/// The patient whose record is read.
pub(crate) struct Showcase {
    id: Uuid,
    family_name: String,
    /// Where the patient is registered: the doctor works there.
    pub facility: Uuid,
}

/// Issues an account to a new doctor of `facility` (professional ID, family and given names), as the
/// facility's administrator does through the staff pages or the API, and activates it: answers the
/// login and password. Their login codes go by SMS.
pub(crate) async fn active_doctor(
    application: &application::Application,
    facility: Uuid,
    (professional_id, family_name, given_names): (&str, &str, &str),
) -> anyhow::Result<(String, String)> {
    let administrator =
        Actor { account_id: Uuid::now_v7(), role: Role::FacilityAdministrator, facility_id: Some(facility) };
    let command = RegisterStaff {
        account_id: Uuid::now_v7(),
        professional_id: professional_id.into(),
        role: Role::Doctor,
        facility_id: Some(facility),
        region: None,
        family_name: family_name.into(),
        given_names: given_names.into(),
        phone: Some("+237690000001".into()),
        email: None,
        registered_by: Role::FacilityAdministrator,
        delivery: ActivationDelivery::Printed,
    };
    let (registered, code) = application.issue_staff(administrator, command).await?;
    let code = code.context("a printed activation returns its code")?;
    let password = format!("bench-{}", Uuid::new_v4().simple());
    application.activate(&registered.login, &code, password.clone()).await?;
    Ok((registered.login, password))
}

/// Issues an account to a new doctor of `facility`, activates it, and signs in through the sign-in
/// pages as a browser does; answers the `Cookie` header the browser then sends with every page.
async fn sign_in_doctor(
    base: &str,
    application: &application::Application,
    ledger: &Ledger,
    facility: Uuid,
) -> anyhow::Result<String> {
    let (login, password) = active_doctor(application, facility, ("BENCH-PAGES-1", "Mbarga", "Estelle")).await?;

    let client = client()?;
    let form = client.get(format!("{base}/sign-in")).send().await?;
    let form_cookie = set_cookie(form.headers(), FORM_COOKIE).context("the sign-in page sets no form cookie")?;
    let token = hidden(&form.text().await?, "form_token").context("the sign-in page has no form token")?;
    let cookie = format!("{FORM_COOKIE}={form_cookie}");
    let answer = client
        .post(format!("{base}/sign-in"))
        .header(reqwest::header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("form_token", token.as_str()),
            ("login", login.as_str()),
            ("password", password.as_str()),
            ("next", "/care/patients"),
        ])
        .send()
        .await?;
    let status = answer.status();
    let second_factor = answer.text().await?;
    let challenge = hidden(&second_factor, "challenge_id")
        .with_context(|| format!("signing in answered {status} without asking for the second factor"))?;
    let sms = sms_code(ledger).await?;
    let answer = client
        .post(format!("{base}/sign-in/second-factor"))
        .header(reqwest::header::COOKIE, &cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&[
            ("form_token", token.as_str()),
            ("challenge_id", challenge.as_str()),
            ("method", "sms"),
            ("methods", "sms"),
            ("code", sms.as_str()),
            ("next", "/care/patients"),
        ])
        .send()
        .await?;
    let session = set_cookie(answer.headers(), SESSION_COOKIE)
        .with_context(|| format!("the second factor answered {} without a session", answer.status()))?;
    Ok(format!("{cookie}; {SESSION_COOKIE}={session}"))
}

/// The login code just sent by SMS, taken from the outbox as the SMS gateway would take it.
pub(crate) async fn sms_code(ledger: &Ledger) -> anyhow::Result<String> {
    let outbox = Outbox::new(ledger.storage().database());
    let queued = outbox.claim_due(ledger::system::now(), Duration::from_secs(60), 100).await?;
    queued
        .iter()
        .filter_map(|message| message.body.split_once("your login code is "))
        .find_map(|(_, rest)| rest.split('.').next().map(str::to_owned))
        .context("no login code was sent")
}

/// The value of cookie `name` that an answer sets.
fn set_cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next()?.split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The value of the hidden field `name` in a page.
fn hidden(page: &str, name: &str) -> Option<String> {
    let (_, rest) = page.split_once(&format!("name=\"{name}\" value=\""))?;
    rest.split('"').next().map(str::to_owned)
}

/// An HTTP/1 client holding one kept-alive connection, following no redirection (a page that sends
/// the doctor to sign in again must show as an error, not as the sign-in page).
pub(crate) fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(1)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// What one run of the load generator saw.
pub(crate) struct Run {
    /// Every request's latency, from sending it to its last byte read.
    pub latencies: Vec<Duration>,
    /// Requests answered with another status than the one expected.
    pub errors: usize,
    /// Requests answered with the status expected, warm-up included.
    pub answered: usize,
    /// From the start of the measurement to the last answer.
    pub elapsed: Duration,
}

impl Run {
    pub(crate) fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency under which `fraction` of the requests were answered (the latencies are sorted).
    pub(crate) fn percentile(&self, fraction: f64) -> Duration {
        let index = ((self.latencies.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
        self.latencies.get(index.min(self.latencies.len().saturating_sub(1))).copied().unwrap_or_default()
    }
}

/// What a connection of the load generator sends, again and again, and the status it expects.
#[derive(Clone)]
pub(crate) struct Target {
    pub url: String,
    /// `None` for a GET; the JSON body of a POST otherwise.
    pub json: Option<String>,
    pub headers: Vec<(&'static str, String)>,
    pub expect: reqwest::StatusCode,
}

impl Target {
    fn request(&self, client: &reqwest::Client) -> reqwest::RequestBuilder {
        let mut request = match &self.json {
            None => client.get(&self.url),
            Some(body) => {
                client.post(&self.url).header(reqwest::header::CONTENT_TYPE, "application/json").body(body.clone())
            }
        };
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        request
    }
}

/// `connections` clients, each on its own kept-alive connection, requesting `path` one request after
/// the other for `duration`, on a thread and runtime of their own.
async fn load(
    base: &str,
    path: &str,
    cookies: Option<&str>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Run> {
    let headers = cookies.map(|cookies| vec![("cookie", cookies.to_owned())]).unwrap_or_default();
    let target = Target { url: format!("{base}{path}"), json: None, headers, expect: reqwest::StatusCode::OK };
    load_targets(vec![target], connections, duration).await
}

/// `connections` clients, each on its own kept-alive connection, the `i`-th sending `targets[i %
/// targets.len()]` one request after the other for `duration`, on a thread and runtime of their own.
pub(crate) async fn load_targets(targets: Vec<Target>, connections: usize, duration: Duration) -> anyhow::Result<Run> {
    let connections = connections.max(1);
    anyhow::ensure!(!targets.is_empty(), "nothing to request");
    tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(async move {
            let ready = std::sync::Arc::new(tokio::sync::Barrier::new(connections + 1));
            let mut tasks = Vec::with_capacity(connections);
            for i in 0..connections {
                let (target, ready) = (targets[i % targets.len()].clone(), ready.clone());
                tasks.push(tokio::spawn(async move { connection(&target, &ready, duration).await }));
            }
            ready.wait().await;
            let started = Instant::now();
            let mut run = Run { latencies: Vec::new(), errors: 0, answered: 0, elapsed: Duration::ZERO };
            for task in tasks {
                let (latencies, errors, answered) = task.await??;
                run.latencies.extend(latencies);
                run.errors += errors;
                run.answered += answered;
            }
            run.elapsed = started.elapsed();
            run.latencies.sort_unstable();
            Ok(run)
        })
    })
    .await?
}

/// One connection's requests: the warm-up, then as many as `duration` allows; its latencies, the
/// requests not answered as expected, and those that were.
async fn connection(
    target: &Target,
    ready: &tokio::sync::Barrier,
    duration: Duration,
) -> anyhow::Result<(Vec<Duration>, usize, usize)> {
    let client = client()?;
    let (mut errors, mut answered) = (0, 0);
    for _ in 0..WARM_UP_REQUESTS {
        let answer = target.request(&client).send().await?;
        let ok = answer.status() == target.expect;
        answer.bytes().await?;
        if ok {
            answered += 1;
        } else {
            errors += 1;
        }
    }
    ready.wait().await;
    let deadline = Instant::now() + duration;
    let mut latencies = Vec::new();
    while Instant::now() < deadline {
        let started = Instant::now();
        let answer = target.request(&client).send().await?;
        let ok = answer.status() == target.expect;
        answer.bytes().await?;
        latencies.push(started.elapsed());
        if ok {
            answered += 1;
        } else {
            errors += 1;
        }
    }
    Ok((latencies, errors, answered))
}

pub(crate) fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
