//! `cloudmedi serve`: the HTTP server, on the embedded default or on PostgreSQL.
//!
//! Configuration is layered: defaults, then a TOML file (`--config FILE`, or `cloudmedi.toml` in the
//! data directory when it exists), then `CLOUDMEDI_*` environment variables, then flags. On the
//! embedded default a missing data directory is initialised first, so one command starts a working
//! system; a PostgreSQL ledger is initialised deliberately, with `cloudmedi init --database-url`.
//!
//! Shutdown on SIGINT or SIGTERM stops accepting connections, lets requests in flight finish (for at
//! most the grace period), then closes the ledger, which commits every append already acknowledged
//! or queued.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::{bail, Context};
use clap::Args;
use event_schema::events;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use http_shell::attempts::AttemptRate;
use identity::SessionLifetimes;
use ledger::outbox::{Channel, ChannelKind, Dispatcher, FileChannel, Outbox};
use ledger::Ledger;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use server::connections::ConnectionLimits;
use server::{Limits, ServerState};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct ServeArgs {
    /// A TOML configuration file (default: cloudmedi.toml in the data directory, if present).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// What this process does: everything (the default), or, on PostgreSQL, one role of a scaled-out
    /// deployment: the command API, the query API, or the projectors (one leader at a time).
    #[arg(long, value_enum, default_value_t = Role::All)]
    role: Role,
}

/// A process's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// The command API, the query API and the projectors.
    All,
    /// The command API only.
    Command,
    /// The query API only (GraphQL and the printable card), recording reads in the ledger.
    Query,
    /// The projectors only, while this process holds the leadership; health endpoints only.
    Projector,
}

impl Role {
    fn apis(self) -> server::Apis {
        server::Apis {
            commands: matches!(self, Role::All | Role::Command),
            queries: matches!(self, Role::All | Role::Query),
        }
    }

    fn projects(self) -> bool {
        matches!(self, Role::All | Role::Projector)
    }
}

/// The server's settings, as the layers resolve them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// The largest request body accepted, in bytes.
    pub request_body_limit: usize,
    /// Seconds a request may take before it is answered with 408.
    pub request_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after a shutdown signal.
    pub shutdown_grace_secs: u64,
    /// Seconds an access token is accepted.
    pub access_token_ttl_secs: u64,
    /// Seconds a refresh token may be exchanged.
    pub refresh_token_ttl_secs: u64,
    /// Unauthenticated attempts (logins, codes, activations, refreshes) one client address may make
    /// in a burst...
    pub auth_attempts_burst: u32,
    /// ...and then one more every this many milliseconds.
    pub auth_attempts_period_ms: u64,
    /// Seconds a client has to send a request's headers, from when it connects or (on a kept-alive
    /// connection) from the end of the previous answer; then the connection is closed.
    pub header_read_timeout_secs: u64,
    /// Seconds a connection may go without a byte moving in either direction (a stalled upload, a
    /// client that stops reading); then it is closed. Longer than `request_timeout_secs`.
    pub idle_timeout_secs: u64,
    /// Connections one client address may hold at once; more are closed as they arrive. A clinic
    /// behind one NAT address shares this allowance.
    pub connections_per_address: usize,
    /// A development server (on a developer's machine, never one holding real patients): turns on
    /// conveniences that production must not have, today GraphQL introspection without a token.
    pub development: bool,
    /// Whether a caller without a token may introspect the GraphQL schema; unset, only on a
    /// development server.
    pub graphql_anonymous_introspection: Option<bool>,
    /// The GraphQL complexity points each account may spend per minute.
    pub graphql_cost_per_minute: u32,
    /// The smallest count of people a published statistic may show (`k`, at least 2): smaller counts,
    /// and any figure that would give one away, are suppressed. 5 by default; zero is always shown.
    pub statistics_threshold: u64,
    /// The DHIS2 mapping file (TOML; see docs/dhis2-mapping.example.toml), relative to the data
    /// directory unless absolute. Without one, the DHIS2 export answers that none is configured.
    pub dhis2_mapping: Option<PathBuf>,
    /// The mail server e-mails are sent through: `smtps://user:password@host:465`, or
    /// `smtp://host:587?tls=required` for STARTTLS (plain `smtp://` only to this machine). Without
    /// one, e-mails are written to `outbox/email.jsonl` in the data directory.
    pub email_smtp_url: Option<SecretSetting>,
    /// The sender of e-mails (`CloudMedi <no-reply@example.cm>`); needed with `email_smtp_url`.
    pub email_from: Option<String>,
    /// The certificate (PEM) of the private authority that issued the mail server's certificate, such
    /// as a ministry's own, trusted besides the public authorities; relative to the data directory
    /// unless absolute.
    pub email_ca_file: Option<PathBuf>,
    /// The SMS gateway's Kannel `sendsms` interface, with its account:
    /// `https://user:password@gateway/cgi-bin/sendsms` (plain `http://` only on this machine). Without
    /// one, texts are written to `outbox/sms.jsonl` in the data directory.
    pub sms_gateway_url: Option<SecretSetting>,
    /// The sender texts show: a short code or at most 11 letters and digits.
    pub sms_from: String,
    /// Texts the gateway is sent at most per minute (its contract's pace); 0 for no limit.
    pub sms_per_minute: u32,
    /// E-mails the mail server is sent at most per minute; 0 for no limit.
    pub email_per_minute: u32,
    /// Whether this process decides reminders (vaccinations due, appointments, results ready). Any
    /// number of processes may: each reminder is decided once.
    pub reminders: bool,
    /// Seconds between two rounds of the reminder scheduler.
    pub reminder_interval_secs: u64,
    /// How many records' decision states commands keep in memory, so that a command reads only
    /// what its record gained since (0: none, every command folds its record's whole stream).
    pub record_cache: usize,
    /// Cameroon time (`HH:MM-HH:MM`) in which no reminder is delivered; `00:00-00:00` for none.
    pub reminder_quiet_hours: String,
    /// Days before a dose is due that its reminder goes.
    pub reminder_vaccination_lead_days: u32,
    /// Days after a dose fell due, still not given, that the reminder that it was missed goes.
    pub reminder_overdue_after_days: u32,
    /// Hours before an appointment that its first reminder goes.
    pub reminder_appointment_ahead_hours: u32,
    /// A folder holding the reminders' texts (`fr.ftl`, `en.ftl`) in place of the shipped ones,
    /// relative to the data directory unless absolute; checked at start-up.
    pub reminder_templates: Option<PathBuf>,
}

/// A setting that holds a secret (a URL with a password): read like the others, never shown, not
/// even in the configuration's debug output.
#[derive(Clone)]
pub struct SecretSetting(SecretString);

impl std::fmt::Debug for SecretSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl Serialize for SecretSetting {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[REDACTED]")
    }
}

impl<'de> Deserialize<'de> for SecretSetting {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Self(SecretString::from(text)))
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_body_limit: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 12 * 60 * 60,
            auth_attempts_burst: AttemptRate::default().burst,
            auth_attempts_period_ms: 2000,
            header_read_timeout_secs: ConnectionLimits::default().header_read_timeout.as_secs(),
            idle_timeout_secs: ConnectionLimits::default().idle_timeout.as_secs(),
            connections_per_address: ConnectionLimits::default().per_address,
            development: false,
            graphql_anonymous_introspection: None,
            graphql_cost_per_minute: query_api::QuerySettings::DEFAULT_COST_PER_MINUTE,
            statistics_threshold: domain::statistics::disclosure::Threshold::DEFAULT.get(),
            dhis2_mapping: None,
            email_smtp_url: None,
            email_from: None,
            email_ca_file: None,
            sms_gateway_url: None,
            sms_from: "CloudMedi".to_owned(),
            sms_per_minute: 300,
            email_per_minute: 600,
            reminders: true,
            reminder_interval_secs: 60,
            record_cache: application::DEFAULT_RECORD_CACHE,
            reminder_quiet_hours: "20:00-07:00".to_owned(),
            reminder_vaccination_lead_days: domain::reminders::Timing::default().vaccination_lead_days,
            reminder_overdue_after_days: domain::reminders::Timing::default().overdue_after_days,
            reminder_appointment_ahead_hours: 48,
            reminder_templates: None,
        }
    }
}

/// The settings that `CLOUDMEDI_*` variables may set (others, such as `CLOUDMEDI_DATA_DIR`, belong to
/// the command line).
const ENV_KEYS: [&str; 31] = [
    "listen",
    "request_body_limit",
    "request_timeout_secs",
    "shutdown_grace_secs",
    "access_token_ttl_secs",
    "refresh_token_ttl_secs",
    "auth_attempts_burst",
    "auth_attempts_period_ms",
    "header_read_timeout_secs",
    "idle_timeout_secs",
    "connections_per_address",
    "development",
    "graphql_anonymous_introspection",
    "graphql_cost_per_minute",
    "statistics_threshold",
    "dhis2_mapping",
    "email_smtp_url",
    "email_from",
    "email_ca_file",
    "sms_gateway_url",
    "sms_from",
    "sms_per_minute",
    "email_per_minute",
    "reminders",
    "reminder_interval_secs",
    "reminder_quiet_hours",
    "reminder_vaccination_lead_days",
    "reminder_overdue_after_days",
    "reminder_appointment_ahead_hours",
    "reminder_templates",
    "record_cache",
];

fn load_config(dir: &DataDir, args: &ServeArgs) -> anyhow::Result<ServerConfig> {
    let mut figment = Figment::from(Serialized::defaults(ServerConfig::default()));
    match &args.config {
        Some(path) => {
            if !path.is_file() {
                bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        None => {
            let default = dir.path.join("cloudmedi.toml");
            if default.is_file() {
                figment = figment.merge(Toml::file_exact(default));
            }
        }
    }
    figment = figment.merge(Env::prefixed("CLOUDMEDI_").only(&ENV_KEYS));
    if let Some(listen) = args.listen {
        figment = figment.merge(Serialized::default("listen", listen));
    }
    let config: ServerConfig = figment.extract().context("invalid configuration")?;
    if config.auth_attempts_burst == 0 || config.auth_attempts_period_ms == 0 {
        bail!("invalid configuration: auth_attempts_burst and auth_attempts_period_ms must be positive");
    }
    if config.header_read_timeout_secs == 0 || config.connections_per_address == 0 {
        bail!("invalid configuration: header_read_timeout_secs and connections_per_address must be positive");
    }
    if config.idle_timeout_secs <= config.request_timeout_secs {
        // A request still being worked on moves no bytes; it must be answered (or time out) first.
        bail!("invalid configuration: idle_timeout_secs must be longer than request_timeout_secs");
    }
    if config.graphql_cost_per_minute < query_api::MAX_COMPLEXITY as u32 {
        bail!(
            "invalid configuration: graphql_cost_per_minute must be at least {}, the cost of the largest query accepted",
            query_api::MAX_COMPLEXITY
        );
    }
    if domain::statistics::disclosure::Threshold::new(config.statistics_threshold).is_err() {
        bail!("invalid configuration: statistics_threshold must be at least 2");
    }
    if config.email_smtp_url.is_some() && config.email_from.is_none() {
        bail!("invalid configuration: email_from (the sender of e-mails) is needed with email_smtp_url");
    }
    if domain::reminders::QuietHours::parse(&config.reminder_quiet_hours).is_none() {
        bail!(
            "invalid configuration: reminder_quiet_hours must be written HH:MM-HH:MM (Cameroon time), e.g. 20:00-07:00"
        );
    }
    if config.reminder_interval_secs == 0 || config.reminder_appointment_ahead_hours < 13 {
        bail!("invalid configuration: reminder_interval_secs must be positive and reminder_appointment_ahead_hours at least 13");
    }
    if config.access_token_ttl_secs == 0 || config.refresh_token_ttl_secs < config.access_token_ttl_secs {
        bail!("invalid configuration: token lifetimes must be positive, and a refresh token must outlive its access token");
    }
    Ok(config)
}

/// The DHIS2 mapping the configuration names, read and checked before the server starts, so that a
/// mistake in it stops the start with the entry at fault rather than surfacing at the first export.
fn load_dhis2_mapping(
    dir: &DataDir,
    config: &ServerConfig,
) -> anyhow::Result<Option<Arc<query_api::statistics::export::Dhis2Mapping>>> {
    let Some(path) = &config.dhis2_mapping else { return Ok(None) };
    let path = dir.path.join(path);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read the DHIS2 mapping {}", path.display()))?;
    let mapping = query_api::statistics::export::Dhis2Mapping::from_toml(&text)
        .with_context(|| format!("invalid DHIS2 mapping {}", path.display()))?;
    Ok(Some(Arc::new(mapping)))
}

/// The mail server's channel, trusting the configured private authority if there is one; a file that
/// cannot be read or holds no certificate stops the start.
fn email_channel(
    dir: &DataDir,
    config: &ServerConfig,
    url: &SecretString,
    from: &str,
) -> anyhow::Result<delivery::EmailChannel> {
    let channel = match &config.email_ca_file {
        Some(path) => {
            let path = dir.path.join(path);
            let authority = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the mail server's certificate authority {}", path.display()))?;
            delivery::EmailChannel::trusting(url, from, &authority)
        }
        None => delivery::EmailChannel::new(url, from),
    };
    channel.context("invalid configuration of e-mail")
}

pub async fn run(location: &Location, args: ServeArgs) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    crate::datadir::initialise_embedded_default(location, &dir).await?;
    let config = load_config(&dir, &args)?;
    let dhis2_mapping = load_dhis2_mapping(&dir, &config)?;
    if args.role != Role::All && location.database_url.is_none() {
        bail!("--role {:?} needs a shared PostgreSQL database (--database-url); the embedded default runs every role in one process", args.role);
    }
    let storage = open_storage(location, &dir, false).await?;
    let ledger = Ledger::open(storage, dir.root_public_key()?, dir.node_key_pair()?, events::catalog())
        .await
        .context("cannot open the ledger")?;

    // The notification outbox's dispatcher: e-mail through the configured mail server, texts through
    // the configured SMS gateway; for either not configured, the development channel writes each
    // message to a file in the data directory.
    let outbox_dir = dir.path.join("outbox");
    std::fs::create_dir_all(&outbox_dir).with_context(|| format!("cannot create {}", outbox_dir.display()))?;
    let email: Arc<dyn Channel> = match (&config.email_smtp_url, &config.email_from) {
        (Some(url), Some(from)) => Arc::new(email_channel(&dir, &config, &url.0, from)?),
        _ => Arc::new(FileChannel::new(ChannelKind::Email, outbox_dir.join("email.jsonl"))),
    };
    let sms: Arc<dyn Channel> = match &config.sms_gateway_url {
        Some(url) => Arc::new(
            delivery::SmsChannel::new(&url.0, &config.sms_from).context("invalid configuration of the SMS gateway")?,
        ),
        None => Arc::new(FileChannel::new(ChannelKind::Sms, outbox_dir.join("sms.jsonl"))),
    };
    let channels: Vec<Arc<dyn Channel>> = vec![sms, email];
    let quiet = domain::reminders::QuietHours::parse(&config.reminder_quiet_hours).unwrap_or_default();
    let dispatcher = Dispatcher::new(Outbox::new(ledger.storage().database()), channels)
        .with_rate_limit(ChannelKind::Sms, config.sms_per_minute)
        .with_rate_limit(ChannelKind::Email, config.email_per_minute)
        .with_quiet_hours(reminders::quiet_hours_rule(quiet));
    // The reminders' texts, every one checked now: a template naming a variable it is not given
    // stops the start here rather than a reminder at send time.
    let templates = match &config.reminder_templates {
        Some(folder) => reminders::templates::Templates::from_folder(&dir.path.join(folder)),
        None => reminders::templates::Templates::embedded(),
    }
    .context("invalid reminder templates")?;
    let reminder_settings = reminders::Settings {
        timing: domain::reminders::Timing {
            vaccination_lead_days: config.reminder_vaccination_lead_days,
            overdue_after_days: config.reminder_overdue_after_days,
            appointment_ahead: chrono::Duration::hours(i64::from(config.reminder_appointment_ahead_hours)),
            ..domain::reminders::Timing::default()
        },
        quiet,
        ..reminders::Settings::default()
    };

    let limits = Limits {
        body_bytes: config.request_body_limit,
        timeout: Duration::from_secs(config.request_timeout_secs),
        attempts: Some(AttemptRate {
            burst: config.auth_attempts_burst,
            period: Duration::from_millis(config.auth_attempts_period_ms),
        }),
    };
    let application = application::Application::new(ledger.clone())
        .with_session_lifetimes(SessionLifetimes {
            access: Duration::from_secs(config.access_token_ttl_secs),
            refresh: Duration::from_secs(config.refresh_token_ttl_secs),
        })
        .with_record_cache(config.record_cache);
    let scheduler = (config.reminders && args.role.projects()).then(|| {
        reminders::Scheduler::new(
            application.clone(),
            projections::read::ReadModels::new(ledger.storage().database()),
            Arc::new(templates),
            reminder_settings,
        )
    });
    let mut state =
        ServerState::new(ledger.clone()).with_application(application).with_query_settings(query_api::QuerySettings {
            cost_per_minute: config.graphql_cost_per_minute,
            anonymous_introspection: config.graphql_anonymous_introspection.unwrap_or(config.development),
            publication_threshold: domain::statistics::disclosure::Threshold::new(config.statistics_threshold)
                .unwrap_or_default(),
        });
    state.queries.queries = state.queries.queries.with_dhis2_mapping(dhis2_mapping);
    let app = server::router_for(state, limits, args.role.apis());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    let shutdown = shutdown_signal()?;
    tracing::info!(%address, "cloudmedi.serve.listening");
    outln!("listening on http://{address}");
    std::io::stdout().flush()?;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dispatching = tokio::spawn(dispatcher.run(Duration::from_secs(1), stopped.clone()));
    let scheduling = scheduler.map(|scheduler| {
        tokio::spawn(scheduler.run(Duration::from_secs(config.reminder_interval_secs), stopped.clone()))
    });
    // The projectors follow the ledger in the background; on PostgreSQL only the leader runs them.
    let projecting = args.role.projects().then(|| {
        let runner = projections::Runner::new(ledger.storage().database());
        let database = ledger.storage().database();
        let ledger = ledger.clone();
        let stopped = stopped.clone();
        tokio::spawn(async move {
            projections::leader::lead(&database, stopped, move |stop| {
                let runner = runner.clone();
                let ledger = ledger.clone();
                async move { runner.follow(&ledger, stop).await }
            })
            .await
        })
    });
    let connection_limits = ConnectionLimits {
        header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
        idle_timeout: Duration::from_secs(config.idle_timeout_secs),
        per_address: config.connections_per_address,
    };
    let mut server = tokio::spawn(async move {
        let mut stopped = stopped;
        server::connections::serve(listener, app, connection_limits, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .await
    });
    let outcome: anyhow::Result<()> = tokio::select! {
        signal = shutdown => {
            tracing::info!("cloudmedi.serve.stopping");
            let _ = stop.send(true);
            let grace = Duration::from_secs(config.shutdown_grace_secs);
            match tokio::time::timeout(grace, &mut server).await {
                Ok(result) => result.context("the server stopped unexpectedly").and_then(|r| Ok(r?)).and(signal),
                Err(_) => {
                    tracing::warn!(seconds = config.shutdown_grace_secs, "requests still running after the grace period");
                    server.abort();
                    signal
                }
            }
        }
        result = &mut server => result.context("the server stopped unexpectedly").and_then(|r| Ok(r?)),
    };
    // Whatever stopped the server, appends already queued are committed before the process ends.
    let _ = stop.send(true);
    // The dispatcher stops between deliveries; a channel that hangs is cut off after the grace period.
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let abort = dispatching.abort_handle();
    if tokio::time::timeout(grace, dispatching).await.is_err() {
        tracing::warn!("the notification dispatcher did not stop within the grace period");
        abort.abort();
    }
    if let Some(projecting) = projecting {
        let _ = projecting.await;
    }
    if let Some(scheduling) = scheduling {
        let _ = scheduling.await;
    }
    ledger.close().await;
    outcome?;
    tracing::info!("cloudmedi.serve.stopped");
    outln!("stopped");
    Ok(Outcome::Success)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called, not when
/// the future is first polled: call it before announcing the server, so that a signal sent as soon as
/// the server is up is handled, not fatal.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await?;
        Ok(())
    })
}
