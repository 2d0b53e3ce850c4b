//! The accounts `cloudmedi demo` issues, so that a first try can log in and read the demo records.
//!
//! Demo staff are registered in the ledger like real staff, but only a few of them get an account: the
//! system administrator, an auditor, an analyst, and at a few facilities their administrator and one
//! member of each clinical role. Each account is issued exactly as the API issues one (a login claimed
//! in the identity tables, waiting for activation) and its one-time activation code is printed, as
//! `cloudmedi admin create-system-administrator` prints its own: the person trying the demo activates
//! the account with a password of their choice, then logs in with the code sent to the account's phone
//! (the development outbox writes it to `outbox/sms.jsonl`). No password is ever printed or chosen
//! here, so demo data carries no credential that would work anywhere else.

use anyhow::anyhow;
use domain::staff::{self, RegisterStaff, StaffEvent};
use event_schema::Role;
use ledger::Ledger;

/// A member of the demo's staff who gets an account.
pub struct DemoLogin {
    pub command: RegisterStaff,
    /// The facility's name, for the printed list.
    pub facility: Option<String>,
}

/// An account issued, with the code that activates it.
pub struct Issued {
    pub role: Role,
    pub facility: Option<String>,
    pub login: String,
    pub code: String,
    /// Where the second-factor codes go: `sms` or `email`.
    pub channel: &'static str,
}

/// Issues an account to each of `logins`, whose registrations are already in the ledger.
pub async fn issue(ledger: &Ledger, logins: &[DemoLogin]) -> anyhow::Result<Vec<Issued>> {
    let application = application::Application::new(ledger.clone());
    let mut issued = Vec::with_capacity(logins.len());
    for login in logins {
        let contact = staff::contact(&login.command)
            .map_err(|errors| anyhow!("a demo account has an invalid contact: {errors:?}"))?;
        // The registration the ledger holds, decided again (it is pure) for the fields an account keeps.
        let registered = staff::decide_register(None, login.command.clone())
            .map_err(|error| anyhow!("the domain refused a demo account: {error:?}"))?
            .into_iter()
            .find_map(|event| match event {
                StaffEvent::Registered(registered) => Some(registered),
                _ => None,
            })
            .ok_or_else(|| anyhow!("a staff registration without its event"))?;
        let code = application
            .claim_login(&registered, &contact)
            .await
            .map_err(|error| anyhow!("cannot issue the account {}: {error}", registered.login))?;
        let channel = if contact.phone.is_some() { "sms" } else { "email" };
        issued.push(Issued {
            role: registered.role,
            facility: login.facility.clone(),
            login: registered.login,
            code,
            channel,
        });
    }
    Ok(issued)
}

/// Prints the accounts and how to use one.
pub fn print(issued: &[Issued], data_dir: &std::path::Path) {
    if issued.is_empty() {
        return;
    }
    outln!("development accounts (demo data only; activation codes valid 7 days):");
    for account in issued {
        outln!(
            "  {:<26} {:<18} {:<19} {}",
            account.role.as_str(),
            account.login,
            account.code,
            account.facility.as_deref().unwrap_or("(national)")
        );
    }
    let example = issued.iter().find(|account| account.role == Role::Doctor).unwrap_or(&issued[0]);
    outln!("  activate one with its code and a password of your choice, then log in with the code sent to its");
    outln!(
        "  phone (written to {} while no SMS gateway is configured):",
        data_dir.join("outbox").join(format!("{}.jsonl", example.channel)).display()
    );
    outln!(
        "    curl -s localhost:8080/api/v1/auth/activate -H 'content-type: application/json' \\\n      -d '{{\"login\":\"{}\",\"activation_code\":\"{}\",\"password\":\"…\"}}'",
        example.login,
        example.code
    );
    outln!(
        "    curl -s localhost:8080/api/v1/auth/login -H 'content-type: application/json' \\\n      -d '{{\"login\":\"{}\",\"password\":\"…\"}}'",
        example.login
    );
}
