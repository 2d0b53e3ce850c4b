//! Issuing staff accounts: the domain decides the registration, the identity store claims the login,
//! the ledger records it, and the one-time activation code goes to the person (or, printed, back to
//! the caller).

use crate::error::ApplicationError;
use crate::streams::record;
use crate::Application;
use domain::staff::{self, ActivationDelivery, Contact, RegisterStaff, StaffError, StaffEvent};
use event_schema::events::staff::{ContactChannel, StaffRegistered};
use event_schema::{Actor, Role, StreamId};
use identity::codes::{hash_code, new_activation_code};
use identity::store::NewAccount;
use identity::{micros_after, now_micros, IdentityError};
use ledger::outbox::{ChannelKind, Message};
use ledger::ExpectedVersion;
use uuid::Uuid;

impl From<StaffError> for ApplicationError {
    fn from(error: StaffError) -> Self {
        match error {
            StaffError::Invalid(errors) => Self::Invalid(errors),
            StaffError::Unknown => Self::NotFound,
            StaffError::AlreadyRegistered | StaffError::AlreadySuspended | StaffError::NotSuspended => {
                Self::Conflict(error.to_string())
            }
            StaffError::SuspendedByHigherAuthority => Self::Forbidden,
        }
    }
}

/// The first system administrator, issued at the console: who they are and where their login codes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemAdministrator {
    pub professional_id: String,
    pub family_name: String,
    pub given_names: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Application {
    /// Registers a member of staff: decides, claims the login, records the registration, and sends (or,
    /// for [`ActivationDelivery::Printed`], returns) the one-time activation code. The caller has been
    /// authorised for the registration already.
    #[tracing::instrument(name = "application.staff.issue", skip_all, fields(role = command.role.as_str()))]
    pub async fn issue_staff(
        &self,
        actor: Actor,
        command: RegisterStaff,
    ) -> Result<(StaffRegistered, Option<String>), ApplicationError> {
        let contact = staff::contact(&command).map_err(ApplicationError::Invalid);
        let events = staff::decide_register(None, command)?;
        let contact = contact?;
        let Some(StaffEvent::Registered(registered)) = events.into_iter().next() else {
            return Err(ApplicationError::internal("a staff registration", "the decision recorded no registration"));
        };
        // The login is claimed first (the row grants nothing until activated); if the registration
        // cannot be recorded, the claim is withdrawn.
        let code = self.claim_login(&registered, &contact).await?;
        let stream = StreamId::staff(registered.account_id);
        if let Err(error) = record(&self.ledger, stream, ExpectedVersion::NoStream, actor, &registered).await {
            if let Err(cleanup) = self.identity.forget_issued(registered.account_id).await {
                tracing::error!(%cleanup, "an issued account could not be withdrawn after its registration failed");
            }
            return Err(error);
        }
        let channel = match registered.activation_sent_by {
            ContactChannel::Printed => return Ok((registered, Some(code))),
            ContactChannel::Sms => ChannelKind::Sms,
            ContactChannel::Email => ChannelKind::Email,
        };
        self.send_activation(channel, contact.phone.or(contact.email), &registered.login, &code).await?;
        Ok((registered, None))
    }

    /// Issues a system administrator's account, with the activation code returned to be handed over in
    /// person (the operator at the console is the only one who can).
    pub async fn issue_system_administrator(
        &self,
        administrator: SystemAdministrator,
    ) -> Result<(StaffRegistered, String), ApplicationError> {
        let command = RegisterStaff {
            account_id: Uuid::now_v7(),
            professional_id: administrator.professional_id,
            role: Role::SystemAdministrator,
            facility_id: None,
            family_name: administrator.family_name,
            given_names: administrator.given_names,
            phone: administrator.phone,
            email: administrator.email,
            registered_by: Role::System,
            delivery: ActivationDelivery::Printed,
        };
        let (registered, code) = self.issue_staff(Actor::system(), command).await?;
        let code = code.ok_or_else(|| {
            ApplicationError::internal("a printed activation", "the registration returned no code to print")
        })?;
        Ok((registered, code))
    }

    /// Claims a registered member of staff's login in the identity tables: an issued account, which
    /// grants nothing until it is activated with the one-time code returned.
    pub async fn claim_login(
        &self,
        registered: &StaffRegistered,
        contact: &Contact,
    ) -> Result<String, ApplicationError> {
        let code = new_activation_code();
        let now = now_micros();
        let otp_channel = if contact.phone.is_some() { "sms" } else { "email" };
        let account = NewAccount {
            id: registered.account_id,
            login: &registered.login,
            national_id: None,
            role: registered.role.as_str(),
            facility_id: registered.facility_id,
            patient_id: None,
            family_name: &registered.family_name,
            given_names: &registered.given_names,
            phone: contact.phone.as_deref(),
            email: contact.email.as_deref(),
            otp_channel: Some(otp_channel),
            activation_code_hash: &hash_code(&code),
            activation_expires_at: micros_after(now, identity::ACTIVATION_TTL),
        };
        self.identity.insert_issued(&account, now).await.map_err(|error| match error {
            IdentityError::Taken(_) => ApplicationError::invalid_field(
                "/professional_id",
                "this professional ID already has an account; give another",
            ),
            other => other.into(),
        })?;
        Ok(code)
    }

    /// Queues an account's activation code in the notification outbox.
    pub async fn send_activation(
        &self,
        channel: ChannelKind,
        recipient: Option<String>,
        login: &str,
        code: &str,
    ) -> Result<(), ApplicationError> {
        let recipient = recipient.ok_or_else(|| {
            ApplicationError::internal("an activation code", "the account has no address to send it to")
        })?;
        let days = identity::ACTIVATION_TTL.as_secs() / 86_400;
        let body = format!(
            "CloudMedi: an account was opened for you. Your login is {login} and your activation code is {code} \
             (valid {days} days). Activate it and choose your password in the CloudMedi app."
        );
        let subject = (channel == ChannelKind::Email).then(|| "Your CloudMedi account".to_owned());
        self.outbox.enqueue(&Message { channel, recipient, subject, body, not_before: None }).await?;
        Ok(())
    }
}
