//! `cloudmedi verify`: replays the ledger, from its database or from an export, and checks every rule
//! of docs/ledger-format.md section 8.2 (each entry's form, hash, link, stream version, event id and
//! signature) against the root public key alone.

use crate::datadir::{open_storage_as_found, DataDir};
use crate::{progress, Location, Outcome};
use anyhow::Context;
use clap::Args;
use event_schema::export::{self, ExportedLine};
use event_schema::{ChainVerifier, VerifyFailure, VerifySummary, VerifyingKey};
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
            let storage = open_storage_as_found(location, &dir).await?;
            let total = storage.head().await.ok().map(|head| head.position);
            let bar = progress::entries(total, "verifying");
            let result = verify_storage(storage.as_ref(), root, |done| bar.set_position(done)).await;
            bar.finish_and_clear();
            match result {
                Ok(summary) => Ok(summary),
                Err(AuditError::Failed(failure)) => Err(Finding::Entry(failure)),
                Err(mismatch @ AuditError::HeadMismatch { .. }) => {
                    outln!("ledger verification FAILED: {mismatch}");
                    return Ok(Outcome::Finding);
                }
                Err(AuditError::Ledger(error)) => return Err(error).context("cannot read the ledger"),
            }
        }
    };
    report(result, started.elapsed())
}

/// What verification found wrong, as told to the user: the entry's position, and for an export the
/// line it is on (or should be on) as well.
enum Finding {
    Entry(VerifyFailure),
    Line { failure: VerifyFailure, line: usize },
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
        Err(Finding::Line { failure, line }) => {
            outln!(
                "ledger verification FAILED at position {}: {} (line {line} of the export)",
                failure.position,
                failure.reason
            );
            Ok(Outcome::Finding)
        }
    }
}

/// Verifies a JSON Lines export. Lines are read as bytes and split at line feeds, so that a line that
/// is not UTF-8 is a finding at that line like any other malformed entry; a carriage return before the
/// line feed and a missing final line feed are accepted, and blank lines skipped (docs/ledger-format.md
/// section 2). Each line is read and hashed on every core, then checked in order.
async fn verify_export(path: &Path, root: VerifyingKey) -> anyhow::Result<Result<VerifySummary, Finding>> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Result<VerifySummary, Finding>> {
        let mut reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            let file = std::fs::File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
            Box::new(std::io::BufReader::with_capacity(1 << 20, file))
        };
        let bar = progress::entries(None, "verifying");
        let mut verifier = ChainVerifier::new(root);
        // (line number, bytes) of the lines of one run, blank lines left out.
        let mut lines: Vec<(usize, Vec<u8>)> = Vec::with_capacity(BATCH);
        let mut line_number = 0usize;
        let mut done = 0u64;
        loop {
            lines.clear();
            while lines.len() < BATCH {
                let mut line = Vec::new();
                let read = reader
                    .read_until(b'\n', &mut line)
                    .with_context(|| format!("cannot read line {} of the export", line_number + 1))?;
                if read == 0 {
                    break;
                }
                line_number += 1;
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                if !export::is_blank(&line) {
                    lines.push((line_number, line));
                }
            }
            if lines.is_empty() {
                break;
            }
            let read: Vec<ExportedLine> = lines.par_iter().map(|(_, line)| export::read_line(line)).collect();
            let first = verifier.next_position();
            if let Err(failure) = verifier.verify_exported(&read) {
                bar.finish_and_clear();
                // Each line read stands for the next position, so the failing position names its line.
                let index = usize::try_from(failure.position.saturating_sub(first)).unwrap_or(usize::MAX);
                return Ok(Err(match lines.get(index) {
                    Some((line, _)) => Finding::Line { failure, line: *line },
                    None => Finding::Entry(failure),
                }));
            }
            done += read.len() as u64;
            bar.set_position(done);
        }
        bar.finish_and_clear();
        Ok(verifier.finish().map_err(Finding::Entry))
    })
    .await
    .context("verification stopped unexpectedly")?
}
