//! `cloudmedi verify`: replays the ledger, from its database or from an export, and checks every
//! hash, link and signature against the root public key alone.

use crate::datadir::{open_storage, DataDir};
use crate::{progress, Location, Outcome};
use anyhow::Context;
use clap::Args;
use event_schema::{CanonicalError, ChainVerifier, Digest, Entry, VerifyFailure, VerifySummary, VerifyingKey};
use ledger::audit::{verify_storage, AuditError};
use ledger::keyfile;
use rayon::prelude::*;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Entries verified at a time when reading an export.
const BATCH: usize = 8_192;

#[derive(Args)]
pub struct VerifyArgs {
    /// Verify a JSON Lines export instead of the database (`-` reads standard input).
    #[arg(long)]
    export: Option<PathBuf>,
    /// The root public key file (defaults to keys/root.pub in the data directory).
    #[arg(long)]
    root_key: Option<PathBuf>,
}

pub async fn run(location: &Location, args: VerifyArgs) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    let root = match &args.root_key {
        Some(path) => keyfile::read_public_key(path)?,
        None => {
            dir.require_initialised()?;
            dir.root_public_key()?
        }
    };
    let started = Instant::now();
    let result = match &args.export {
        Some(path) => verify_export(path, root).await?,
        None => {
            let storage = open_storage(location, &dir, false).await?;
            let total = storage.head().await.ok().map(|head| head.position);
            let bar = progress::entries(total, "verifying");
            let result = verify_storage(storage.as_ref(), root, |done| bar.set_position(done)).await;
            bar.finish_and_clear();
            match result {
                Ok(summary) => Ok(summary),
                Err(AuditError::Failed(failure)) => Err(Finding::Entry(failure)),
                Err(mismatch @ AuditError::HeadMismatch { .. }) => {
                    println!("ledger verification FAILED: {mismatch}");
                    return Ok(Outcome::Finding);
                }
                Err(AuditError::Ledger(error)) => return Err(error).context("cannot read the ledger"),
            }
        }
    };
    report(result, started.elapsed())
}

/// What verification found wrong, as told to the user.
enum Finding {
    Entry(VerifyFailure),
    Line { line: usize, reason: String },
}

fn report(result: Result<VerifySummary, Finding>, elapsed: Duration) -> anyhow::Result<Outcome> {
    match result {
        Ok(summary) => {
            let rate = summary.entries as f64 / elapsed.as_secs_f64().max(1e-9);
            outln!("ledger verified: {} entries", summary.entries);
            outln!("  head position: {}", summary.head_position);
            outln!("  head hash:     {}", summary.head_hash);
            outln!("  node keys:     {}", summary.node_keys);
            outln!("  throughput:    {rate:.0} entries/s ({:.2} s)", elapsed.as_secs_f64());
            Ok(Outcome::Success)
        }
        Err(Finding::Entry(failure)) => {
            outln!("ledger verification FAILED at position {}: {}", failure.position, failure.reason);
            Ok(Outcome::Finding)
        }
        Err(Finding::Line { line, reason }) => {
            outln!("ledger verification FAILED at line {line} of the export: not a ledger entry ({reason})");
            Ok(Outcome::Finding)
        }
    }
}

/// Verifies a JSON Lines export. Each line is hashed exactly as written (not as re-serialised after
/// parsing), and a line that is not an entry is a finding too.
async fn verify_export(path: &Path, root: VerifyingKey) -> anyhow::Result<Result<VerifySummary, Finding>> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Result<VerifySummary, Finding>> {
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            Box::new(std::io::BufReader::with_capacity(1 << 20, file))
        };
        let bar = progress::entries(None, "verifying");
        let mut verifier = ChainVerifier::new(root);
        let mut lines: Vec<(usize, String)> = Vec::with_capacity(BATCH);
        let mut done = 0u64;
        let mut reader = reader.lines().enumerate();
        loop {
            lines.clear();
            for (index, line) in reader.by_ref() {
                let line = line.with_context(|| format!("cannot read line {}", index + 1))?;
                if !line.trim().is_empty() {
                    lines.push((index + 1, line));
                }
                if lines.len() == BATCH {
                    break;
                }
            }
            if lines.is_empty() {
                break;
            }
            let parsed: Vec<_> = lines.par_iter().map(|(number, line)| (*number, parse_line(line))).collect();
            // Entries before a malformed line may hold the first failure: check them first.
            let good = parsed.iter().position(|(_, parsed)| parsed.is_err()).unwrap_or(parsed.len());
            let mut entries = Vec::with_capacity(good);
            let mut hashes = Vec::with_capacity(good);
            let mut malformed = None;
            for (number, parsed) in parsed {
                match parsed {
                    Ok((entry, hash)) if malformed.is_none() => {
                        entries.push(entry);
                        hashes.push(hash);
                    }
                    Err(reason) if malformed.is_none() => malformed = Some(Finding::Line { line: number, reason }),
                    _ => {}
                }
            }
            if let Err(failure) = verifier.verify_hashed(&entries, hashes) {
                bar.finish_and_clear();
                return Ok(Err(Finding::Entry(failure)));
            }
            if let Some(finding) = malformed {
                bar.finish_and_clear();
                return Ok(Err(finding));
            }
            done += entries.len() as u64;
            bar.set_position(done);
        }
        bar.finish_and_clear();
        Ok(verifier.finish().map_err(Finding::Entry))
    })
    .await
    .context("verification stopped unexpectedly")?
}

/// One exported line: the entry, and its hash computed from the line's own JSON.
fn parse_line(line: &str) -> Result<(Entry, Result<Digest, CanonicalError>), String> {
    // Parsed refusing duplicate members: a first copy hidden behind a second must not pass.
    let value = event_schema::strict_json::parse_without_duplicates(line).map_err(|error| error.to_string())?;
    let hash = match &value {
        serde_json::Value::Object(object) => event_schema::verify::raw_entry_hash(object),
        _ => return Err("not a JSON object".into()),
    };
    let entry: Entry = serde_json::from_value(value).map_err(|error| error.to_string())?;
    Ok((entry, hash))
}
