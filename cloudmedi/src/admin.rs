//! `cloudmedi admin`: operator's actions at the console, on the ledger of this data directory.
//!
//! The first system administrator comes to exist here, never through a default password: the
//! operator issues the account and is shown a one-time activation code, once; the administrator then
//! activates the account (choosing their password) through the API, and logs in with a second factor
//! sent to the phone or e-mail address given here.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::Context;
use clap::{Args, Subcommand};
use command_api::AppState;
use event_schema::events;
use ledger::Ledger;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Issue a system administrator's account and print its one-time activation code.
    CreateSystemAdministrator(CreateSystemAdministrator),
}

#[derive(Args)]
pub struct CreateSystemAdministrator {
    /// The login (a professional ID, e.g. MINSANTE-ADM-001).
    #[arg(long)]
    login: String,
    #[arg(long)]
    family_name: String,
    #[arg(long)]
    given_names: String,
    /// Where login codes are sent by SMS.
    #[arg(long, required_unless_present = "email")]
    phone: Option<String>,
    /// Where login codes are sent by e-mail.
    #[arg(long)]
    email: Option<String>,
}

pub async fn run(location: &Location, command: AdminCommand) -> anyhow::Result<Outcome> {
    let AdminCommand::CreateSystemAdministrator(args) = command;
    let dir = DataDir::new(&location.data_dir);
    dir.require_initialised()?;
    let storage = open_storage(location, &dir, false).await?;
    let ledger = Ledger::open(storage, dir.root_public_key()?, dir.node_key_pair()?, events::catalog())
        .await
        .context("cannot open the ledger")?;
    let state = AppState::new(ledger.clone());
    let issued = command_api::routes::staff::issue_system_administrator(
        &state,
        args.login,
        args.family_name,
        args.given_names,
        args.phone,
        args.email,
    )
    .await;
    ledger.close().await;
    let (registered, code) = issued.map_err(|error| anyhow::anyhow!(describe(&error)))?;
    outln!("Issued system administrator account {}", registered.account_id);
    outln!("  login:           {}", registered.login);
    outln!("  activation code: {code}");
    outln!("The code is shown only this once and expires in 7 days. Hand it to the administrator, who activates");
    outln!("the account with POST /api/v1/auth/activate and chooses a password.");
    Ok(Outcome::Success)
}

/// An API error as the operator needs to read it, with its field-level detail.
fn describe(error: &command_api::error::ApiError) -> String {
    let problem = error.problem();
    let mut text = problem.detail.clone().unwrap_or_else(|| problem.title.to_owned());
    for field in &problem.errors {
        text.push_str(&format!("\n  {}: {}", field.field, field.message));
    }
    text
}
