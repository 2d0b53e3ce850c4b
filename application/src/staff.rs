//! Staff accounts: issuing them (the domain decides the registration, the identity store claims the
//! login, the ledger records it, and the one-time activation code goes to the person, or printed back
//! to the caller), suspending and reinstating them, and sending a fresh activation code.

use crate::error::ApplicationError;
use crate::record::actor_of;
use crate::streams::{decode, read_stream};
use crate::Application;
use domain::access::{Action, Facts, Principal};
use domain::staff::{
    self, ActivationDelivery, Contact, RegisterStaff, StaffError, StaffEvent, StaffMember, SuspendStaff,
};
use event_schema::events::staff::{
    ActivationReissued, ContactChannel, StaffRegistered, StaffReinstated, StaffSuspended,
};
use event_schema::{Actor, EventPayload, Role, StreamId};
use identity::codes::{hash_code, new_activation_code};
use identity::store::{AccountRow, AccountStatus, NewAccount, StaffRow};
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
        if let Err(error) = self.record(stream, ExpectedVersion::NoStream, actor, &registered).await {
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
            region: None,
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
        let otp_channel = if contact.phone.is_some() { ChannelKind::Sms } else { ChannelKind::Email };
        let account = NewAccount {
            id: registered.account_id,
            login: &registered.login,
            national_id: None,
            role: registered.role,
            facility_id: registered.facility_id,
            region: registered.region.as_deref(),
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

/// How many times a decision is retaken when another administrator's decision about the same person
/// lands in between.
const DECISION_ATTEMPTS: usize = 3;

fn version_of(version: u64) -> i64 {
    i64::try_from(version).unwrap_or(i64::MAX)
}

/// A member of staff's account after a suspension or reinstatement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffStatus {
    pub account_id: Uuid,
    /// Active, issued (reinstated before ever activating) or suspended.
    pub status: AccountStatus,
    pub sessions_revoked: u32,
}

impl Application {
    /// The staff of `facility`, for a principal who may see them (its administrators, the system
    /// administrator); `None` lists the national staff, who belong to no facility (the system
    /// administrator only).
    #[tracing::instrument(name = "application.staff.list", skip_all)]
    pub async fn staff_of(
        &self,
        principal: &Principal,
        facility: Option<Uuid>,
    ) -> Result<Vec<StaffRow>, ApplicationError> {
        let action = match facility {
            Some(facility) => Action::ViewStaff { facility },
            None => Action::ManageNationalStaff,
        };
        crate::access::authorize(principal, &action, &Facts::default())?;
        Ok(self.identity.staff(facility).await?)
    }

    /// The account of a member of staff `principal` manages. Someone they may not manage is answered
    /// as not found; a facility administrator manages practitioners, not their fellow administrators;
    /// nobody acts on their own account.
    pub async fn managed_account(
        &self,
        principal: &Principal,
        account_id: Uuid,
    ) -> Result<AccountRow, ApplicationError> {
        let account = self.identity.get(account_id).await?.ok_or(ApplicationError::NotFound)?;
        let action = match account.facility_id {
            Some(facility) => Action::SuspendStaff { facility },
            None => Action::ManageNationalStaff,
        };
        let patient = account.role == Role::Patient;
        if patient || !domain::access::authorize(principal, &action, &Facts::default()).is_allowed() {
            return Err(ApplicationError::NotFound);
        }
        if principal.role == Role::FacilityAdministrator && account.role == Role::FacilityAdministrator {
            return Err(ApplicationError::Forbidden);
        }
        if account_id == principal.account_id {
            return Err(ApplicationError::Conflict("you cannot act on your own account".into()));
        }
        Ok(account)
    }

    /// The member of staff as their staff stream describes them, with the stream's version.
    async fn load_member(&self, account_id: Uuid) -> Result<(StaffMember, u64), ApplicationError> {
        let (entries, version) = read_stream(&self.ledger, &StreamId::staff(account_id)).await?;
        let mut member = None;
        for entry in &entries {
            let event = match entry.event_type.as_str() {
                StaffRegistered::EVENT_TYPE => StaffEvent::Registered(decode(&self.ledger, entry)?),
                StaffSuspended::EVENT_TYPE => StaffEvent::Suspended(decode(&self.ledger, entry)?),
                StaffReinstated::EVENT_TYPE => StaffEvent::Reinstated(decode(&self.ledger, entry)?),
                _ => continue,
            };
            member = staff::apply(member, &event);
        }
        Ok((member.ok_or(ApplicationError::NotFound)?, version))
    }

    /// Suspends a member of staff at once: the account is shut and every session it holds revoked
    /// before the suspension is recorded, so the person's next request already fails.
    #[tracing::instrument(name = "application.staff.suspend", skip_all)]
    pub async fn suspend_staff(
        &self,
        principal: &Principal,
        account_id: Uuid,
        reason: String,
    ) -> Result<StaffStatus, ApplicationError> {
        let account = self.managed_account(principal, account_id).await?;
        for _ in 0..DECISION_ATTEMPTS {
            let (member, version) = self.load_member(account_id).await?;
            let command =
                |sessions_revoked| SuspendStaff { reason: reason.clone(), by: principal.role, sessions_revoked };
            match staff::decide_suspend(Some(&member), command(0)) {
                Err(StaffError::AlreadySuspended) => {
                    // Already decided; make sure it is in force (an earlier attempt may have stopped
                    // halfway).
                    self.identity.suspend_at(account.id, version_of(version)).await?;
                    self.identity.revoke_all(account.id, now_micros()).await?;
                    return Err(StaffError::AlreadySuspended.into());
                }
                Err(error) => return Err(error.into()),
                Ok(_) => {}
            }
            // Access is withdrawn first: from here the person's live tokens fail.
            self.identity.suspend_at(account.id, version_of(version)).await?;
            let revoked = self.identity.revoke_all(account.id, now_micros()).await?;
            let events = staff::decide_suspend(Some(&member), command(revoked))?;
            let Some(StaffEvent::Suspended(suspended)) = events.first() else {
                return Err(ApplicationError::internal("a suspension", "the decision recorded nothing"));
            };
            let stream = StreamId::staff(account_id);
            match self.record(stream, ExpectedVersion::Exactly(version), actor_of(principal), suspended).await {
                Ok(appended) => {
                    self.identity.suspend_at(account.id, version_of(appended.stream_version)).await?;
                    let status = AccountStatus::Suspended;
                    return Ok(StaffStatus { account_id, status, sessions_revoked: revoked });
                }
                Err(ApplicationError::Conflict(_)) => continue,
                Err(error) => return Err(error),
            }
        }
        Err(ApplicationError::Conflict("the account kept changing; try again".into()))
    }

    /// Reinstates a suspended member of staff. Access comes back only once the reinstatement is
    /// recorded, and only if no later decision (a new suspension) has been recorded since.
    #[tracing::instrument(name = "application.staff.reinstate", skip_all)]
    pub async fn reinstate_staff(
        &self,
        principal: &Principal,
        account_id: Uuid,
    ) -> Result<StaffStatus, ApplicationError> {
        let account = self.managed_account(principal, account_id).await?;
        for _ in 0..DECISION_ATTEMPTS {
            let (member, version) = self.load_member(account_id).await?;
            let events = staff::decide_reinstate(Some(&member), principal.role)?;
            let Some(StaffEvent::Reinstated(reinstated)) = events.first() else {
                return Err(ApplicationError::internal("a reinstatement", "the decision recorded nothing"));
            };
            let stream = StreamId::staff(account_id);
            match self.record(stream, ExpectedVersion::Exactly(version), actor_of(principal), reinstated).await {
                Ok(appended) => {
                    self.identity.reinstate_at(account.id, version_of(appended.stream_version)).await?;
                    let status =
                        if account.password_hash.is_some() { AccountStatus::Active } else { AccountStatus::Issued };
                    return Ok(StaffStatus { account_id, status, sessions_revoked: 0 });
                }
                Err(ApplicationError::Conflict(_)) => continue,
                Err(error) => return Err(error),
            }
        }
        Err(ApplicationError::Conflict("the account kept changing; try again".into()))
    }

    /// Sends a fresh activation code to a member of staff who has not activated their account yet (the
    /// first was lost or expired); the earlier code stops working. Returns where the code went.
    #[tracing::instrument(name = "application.staff.reissue_activation", skip_all)]
    pub async fn reissue_activation(
        &self,
        principal: &Principal,
        account_id: Uuid,
    ) -> Result<ContactChannel, ApplicationError> {
        let account = self.managed_account(principal, account_id).await?;
        if account.status != AccountStatus::Issued {
            return Err(ApplicationError::Conflict("this account is not waiting for activation".into()));
        }
        let (channel, sent_by, recipient) = match (&account.phone, &account.email) {
            (Some(phone), _) => (ChannelKind::Sms, ContactChannel::Sms, phone.clone()),
            (None, Some(email)) => (ChannelKind::Email, ContactChannel::Email, email.clone()),
            (None, None) => {
                return Err(ApplicationError::Conflict("no contact is on file to send a code to".into()));
            }
        };
        let reissued = ActivationReissued { account_id, sent_by };
        self.record(StreamId::staff(account_id), ExpectedVersion::Any, actor_of(principal), &reissued).await?;
        let code = new_activation_code();
        let expires = micros_after(now_micros(), identity::ACTIVATION_TTL);
        if !self.identity.reissue_activation(account.id, &hash_code(&code), expires).await? {
            return Err(ApplicationError::Conflict("this account is not waiting for activation".into()));
        }
        self.send_activation(channel, Some(recipient), &account.login, &code).await?;
        Ok(sent_by)
    }
}
