//! `cloudmedi admin`: operator's actions at the console, on the ledger of this data directory.
//!
//! The first system administrator comes to exist here, never through a default password: the
//! operator issues the account and is shown a one-time activation code, once; the administrator then
//! activates the account (choosing their password) through the API, and logs in with a second factor
//! sent to the phone or e-mail address given here.

use crate::datadir::{open_storage, DataDir};
use crate::{Location, Outcome};
use anyhow::Context;
use application::staff::SystemAdministrator;
use application::{Application, ApplicationError};
use clap::{Args, Subcommand};
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
    let administrator = SystemAdministrator {
        professional_id: args.login,
        family_name: args.family_name,
        given_names: args.given_names,
        phone: args.phone,
        email: args.email,
    };
    let issued = Application::new(ledger.clone()).issue_system_administrator(administrator).await;
    ledger.close().await;
    let (registered, code) = issued.map_err(|error| anyhow::anyhow!(describe(&error)))?;
    outln!("Issued system administrator account {}", registered.account_id);
    outln!("  login:           {}", registered.login);
    outln!("  activation code: {code}");
    outln!("The code is shown only this once and expires in 7 days. Hand it to the administrator, who activates");
    outln!("the account with POST /api/v1/auth/activate and chooses a password.");
    Ok(Outcome::Success)
}

/// Why the account was not issued, as the operator needs to read it: each invalid field named (a field
/// is named by its API path, e.g. `/phone`, which maps onto the option of the same name).
fn describe(error: &ApplicationError) -> String {
    match error {
        ApplicationError::Invalid(fields) => {
            let mut text = String::from("some fields are invalid");
            for field in fields {
                text.push_str(&format!("\n  {}: {}", field.field, field.message));
            }
            text
        }
        other => application::error::cause_chain(other),
    }
}
