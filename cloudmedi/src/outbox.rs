//! `cloudmedi outbox status`: where the messages to people stand, for operators. Counts by channel
//! and state, how long the oldest pending message has waited, the reminders by outcome, and the
//! messages given up (the dead letters) with the last error: never a recipient or a text.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::Context;
use clap::Subcommand;
use event_schema::events;
use ledger::outbox::Outbox;
use ledger::Ledger;
use projections::read::ReadModels;

#[derive(Subcommand)]
pub enum OutboxCommand {
    /// Messages by channel and state, reminders by outcome, and the latest messages given up.
    Status {
        /// How many of the latest messages given up to list.
        #[arg(long, default_value_t = 20)]
        dead_letters: u32,
    },
}

pub async fn run(location: &Location, command: OutboxCommand) -> anyhow::Result<Outcome> {
    let dir = DataDir::new(&location.data_dir);
    dir.require_initialised()?;
    let storage = open_storage(location, &dir, false).await?;
    // Opening the ledger brings its tables (the outbox's among them) up to this version.
    let ledger = Ledger::open(storage.clone(), dir.root_public_key()?, dir.node_key_pair()?, events::catalog())
        .await
        .context("cannot open the ledger")?;
    let OutboxCommand::Status { dead_letters } = command;
    let outbox = Outbox::new(storage.database());
    outln!("{:<8} {:>10} {:>10} {:>10}  oldest pending since", "channel", "pending", "sent", "given up");
    for channel in outbox.summary().await? {
        outln!(
            "{:<8} {:>10} {:>10} {:>10}  {}",
            channel.channel,
            channel.pending,
            channel.sent,
            channel.given_up,
            channel.oldest_pending.as_deref().unwrap_or("-")
        );
    }
    // The reminders' read model exists once a server (or a rebuild) has created the read models.
    if projections::migrate(&storage.database()).await.is_ok() {
        let outcomes = ReadModels::new(storage.database()).reminder_outcomes().await?;
        let line: Vec<String> = outcomes.iter().map(|(outcome, n)| format!("{outcome} {n}")).collect();
        outln!("reminders: {}", if line.is_empty() { "none decided".to_owned() } else { line.join(", ") });
    }
    let letters = outbox.dead_letters(dead_letters).await?;
    if letters.is_empty() {
        outln!("no message given up");
    } else {
        outln!("given up (latest first):");
        for letter in letters {
            outln!(
                "  {} {:<5} {} attempts, {}: {}",
                letter.id,
                letter.channel,
                letter.attempts,
                letter.failed_at,
                letter.last_error.as_deref().unwrap_or("no error recorded")
            );
        }
    }
    ledger.close().await;
    Ok(Outcome::Success)
}
