//! `cloudmedi projections status | rebuild [NAME] | digest`: the read models, for operators.
//!
//! A rebuild empties the read models (one projector's or all) and replays the ledger from position 0
//! in this process, showing progress. A server running at the same time notices that the checkpoints
//! moved and takes its turn; neither ever applies an entry twice.

use crate::datadir::{open_storage, DataDir};
use crate::{progress, Location, Outcome};
use anyhow::Context;
use clap::Subcommand;
use event_schema::events;
use ledger::Ledger;
use projections::Runner;
use std::time::Instant;

#[derive(Subcommand)]
pub enum ProjectionsCommand {
    /// Each projector's position and how far it lags behind the ledger's head, and the alarm if the
    /// projectors stopped at a broken entry (exit status 1).
    Status,
    /// Rebuild the read models from position 0: every projector, or the one named.
    Rebuild {
        /// The projector to rebuild (see `status` for the names).
        name: Option<String>,
    },
    /// A SHA-256 of every read-model table, to compare two builds of the read models.
    Digest,
}

pub async fn run(location: &Location, command: ProjectionsCommand) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    dir.require_initialised()?;
    let storage = open_storage(location, &dir, false).await?;
    let runner = Runner::new(storage.database());
    match command {
        ProjectionsCommand::Status => {
            let head = storage.head().await.context("cannot read the ledger's head")?.position;
            outln!("ledger head: {head}");
            outln!("{:<14} {:>12} {:>12}", "projector", "position", "lag");
            for status in runner.status(head).await? {
                outln!("{:<14} {:>12} {:>12}", status.name, status.position, status.lag);
            }
            if let Some(alarm) = runner.alarm().await? {
                outln!("ALARM: the projectors stopped at ledger position {}: {}", alarm.position, alarm.reason);
                outln!("  they fold nothing past it; run `cloudmedi verify`, then restore the database from a backup");
                storage.close().await;
                return Ok(Outcome::Finding);
            }
        }
        ProjectionsCommand::Rebuild { name } => {
            let ledger = Ledger::open(storage.clone(), dir.root_public_key()?, dir.node_key_pair()?, events::catalog())
                .await
                .context("cannot open the ledger")?;
            let reset = runner.reset(name.as_deref()).await?;
            let head = storage.head().await.context("cannot read the ledger's head")?.position;
            let bar = progress::entries(Some(head), "rebuilding");
            let started = Instant::now();
            let read = runner.catch_up(&ledger, head, |position| bar.set_position(position)).await;
            bar.finish_and_clear();
            ledger.close().await;
            let read = read?;
            let seconds = started.elapsed().as_secs_f64();
            outln!(
                "rebuilt {}: {read} entries in {seconds:.2} s ({:.0} entries/s)",
                reset.join(", "),
                read as f64 / seconds.max(1e-9)
            );
        }
        ProjectionsCommand::Digest => {
            for (table, digest) in runner.digest().await? {
                outln!("{table:<18} {digest}");
            }
        }
    }
    storage.close().await;
    Ok(Outcome::Success)
}
