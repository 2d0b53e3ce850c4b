//! `cloudmedi`: one binary for every role of the system.
//!
//! This file only parses the command line and dispatches; each subcommand lives in its own module.

/// `println!` for the commands: a closed pipe stops the printing instead of panicking (see `output`).
macro_rules! outln {
    () => {
        $crate::output::line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

/// `eprintln!` that cannot panic when standard error is closed.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::error_line(format_args!($($arg)*))
    };
}

mod admin;
mod bench;
mod bench_http;
mod bench_pages;
mod bench_read;
mod bench_reminders;
mod datadir;
mod demo;
mod demo_accounts;
mod export;
mod init;
mod keys;
mod outbox;
mod output;
mod progress;
mod projections;
mod serve;
mod verify;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

/// mimalloc rather than the system allocator: a server and a projector allocate and free many small
/// strings and rows from several threads at once, and glibc's allocator spends a tenth of a rebuild
/// consolidating freed chunks. The workspace builds it with `override`, so that SQLite's own
/// allocations (its page caches, the values it copies for every column read) go to mimalloc too:
/// through glibc they were a sixth of a rebuild's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cloudmedi", version, about = "CloudMedi: the national electronic medical record ledger")]
struct Cli {
    #[command(flatten)]
    location: Location,
    #[command(subcommand)]
    command: Command,
}

/// Where the ledger lives: a data directory (keys, and the SQLite database by default) and,
/// optionally, a PostgreSQL database.
#[derive(Args, Clone, Debug)]
pub struct Location {
    /// The data directory holding the keys (and the embedded SQLite database).
    #[arg(long, global = true, env = "CLOUDMEDI_DATA_DIR", default_value = "cloudmedi-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host/db); without it the ledger is the SQLite file in the data
    /// directory.
    // The URL may carry a password: kept secret, so that `Debug` shows `[REDACTED]`; it is exposed only
    // where a connection is made, and messages name the database with `describe_database`.
    #[arg(long, global = true, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<SecretString>,
}

#[derive(Subcommand)]
enum Command {
    /// Create a data directory: root key, node key, and an initialised ledger.
    Init(init::InitArgs),
    /// Run the HTTP server (initialising the embedded data directory if it does not exist yet).
    Serve(serve::ServeArgs),
    /// Replay the whole ledger and check every hash, link and signature.
    Verify(verify::VerifyArgs),
    /// Write the ledger as JSON Lines, one entry per line, exactly as stored.
    Export(export::ExportArgs),
    /// Manage node signing keys (registered and revoked by the root key, in the ledger).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Operator's actions: issue the first system administrator's account.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Inspect and rebuild the read models.
    #[command(subcommand)]
    Projections(projections::ProjectionsCommand),
    /// Where the messages to people (codes, reminders) stand: by channel and state, and those given up.
    #[command(subcommand)]
    Outbox(outbox::OutboxCommand),
    /// Measure append and verify throughput on both backends.
    Bench(bench::BenchArgs),
    /// Fill a new ledger with realistic synthetic facilities, staff and patients.
    Demo(demo::DemoArgs),
}

/// A command's outcome: success, a finding the user must act on (exit 1), or an error (exit 2).
pub enum Outcome {
    Success,
    Finding,
}

/// Logs go to standard error: `CLOUDMEDI_LOG` filters them (default `info` for the server, `warn`
/// for one-off commands) and `CLOUDMEDI_LOG_FORMAT=json` makes them structured.
fn init_logging(server: bool) {
    let default = if server { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLOUDMEDI_LOG").unwrap_or_else(|_| default.into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if std::env::var("CLOUDMEDI_LOG_FORMAT").is_ok_and(|format| format == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(matches!(cli.command, Command::Serve(_)));
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            errln!("error: cannot start the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            Command::Init(args) => init::run(&cli.location, args).await,
            Command::Serve(args) => serve::run(&cli.location, args).await,
            Command::Verify(args) => verify::run(&cli.location, args).await,
            Command::Export(args) => export::run(&cli.location, args).await,
            Command::Keys(command) => keys::run(&cli.location, command).await,
            Command::Admin(command) => admin::run(&cli.location, command).await,
            Command::Projections(command) => projections::run(&cli.location, command).await,
            Command::Outbox(command) => outbox::run(&cli.location, command).await,
            Command::Bench(args) => bench::run(&cli.location, args).await,
            Command::Demo(args) => demo::run(&cli.location, args).await,
        }
    });
    let unwritten = output::finish();
    match (result, unwritten) {
        (Err(error), _) => {
            errln!("error: {error:#}");
            ExitCode::from(2)
        }
        (Ok(_), Some(error)) => {
            errln!("error: cannot write to standard output: {error}");
            ExitCode::from(2)
        }
        (Ok(Outcome::Success), None) => ExitCode::SUCCESS,
        (Ok(Outcome::Finding), None) => ExitCode::from(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_database_password() {
        let url = "postgres://cloudmedi:hunter2-secret@db.example.cm:5432/ledger";
        let cli = Cli::try_parse_from(["cloudmedi", "--database-url", url, "verify"]).expect("parses");
        let shown = format!("{:?}", cli.location);
        assert!(!shown.contains("hunter2-secret"), "{shown}");
        assert!(shown.contains("REDACTED"), "{shown}");
    }
}
