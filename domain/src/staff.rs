//! Staff: the people an administrator registers and may suspend.
//!
//! A facility administrator registers the practitioners and clerks of their own facility (doctor,
//! nurse, lab technician, registration clerk) under the professional ID the facility assigns; a system
//! administrator registers facility administrators and the national roles (analyst, auditor, system
//! administrator). Who may issue the command at all is the access policy's question; which roles the
//! issuer may hand out is decided here, because it follows from the issuer's role, not from facts.

use crate::contact::{normalise_email, normalise_phone};
use crate::{tidy, FieldError};
use event_schema::events::staff::{ContactChannel, StaffRegistered, StaffReinstated, StaffSuspended};
use event_schema::Role;
use uuid::Uuid;

/// A member of staff as their events describe them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub account_id: Uuid,
    pub login: String,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    /// Who suspended them, while they are suspended.
    pub suspended_by: Option<Role>,
}

/// How the one-time activation code reaches the new member of staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivationDelivery {
    /// By SMS when a phone number is given, by e-mail otherwise.
    ToContact,
    /// Shown once to the operator who issued the account (the first system administrator).
    Printed,
}

/// Register a member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterStaff {
    pub account_id: Uuid,
    /// The professional ID the facility assigned, used as the login.
    pub professional_id: String,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    /// For a health authority analyst of a regional delegation, the region (its code) their
    /// statistics are limited to; `None` for a national analyst and every other role.
    pub region: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The role of whoever issues the command (`System` for the operator at the console).
    pub registered_by: Role,
    pub delivery: ActivationDelivery,
}

/// The normalised contact details of a member of staff, where second-factor codes are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// Suspend a member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspendStaff {
    pub reason: String,
    /// The role of whoever suspends.
    pub by: Role,
    /// How many live sessions the suspension ends (the caller revokes them and reports the count).
    pub sessions_revoked: u32,
}

/// The events of a staff account's stream that staff decisions produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffEvent {
    Registered(StaffRegistered),
    Suspended(StaffSuspended),
    Reinstated(StaffReinstated),
}

/// Why a staff command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StaffError {
    #[error("this account is already registered")]
    AlreadyRegistered,
    #[error("no such member of staff")]
    Unknown,
    #[error("the member of staff is already suspended")]
    AlreadySuspended,
    #[error("the member of staff is not suspended")]
    NotSuspended,
    #[error("a suspension by a system administrator is lifted only by a system administrator")]
    SuspendedByHigherAuthority,
    #[error("the registration is invalid")]
    Invalid(Vec<FieldError>),
}

/// The longest professional ID, in characters.
const PROFESSIONAL_ID_MAX: usize = 32;
const NAME_MAX: usize = 80;
const REASON_LENGTH: std::ops::RangeInclusive<usize> = 3..=500;

/// The roles `issuer` may hand out, and whether they belong to a facility.
fn may_register(issuer: Role, role: Role) -> Option<bool> {
    match (issuer, role) {
        (Role::FacilityAdministrator, Role::Doctor | Role::Nurse | Role::LabTechnician | Role::RegistrationClerk) => {
            Some(true)
        }
        (Role::SystemAdministrator, Role::FacilityAdministrator) => Some(true),
        (Role::SystemAdministrator | Role::System, Role::HealthAuthorityAnalyst | Role::Auditor) => Some(false),
        // System administrators are created only at the console, so that one compromised
        // administrator account cannot make more.
        (Role::System, Role::SystemAdministrator) => Some(false),
        _ => None,
    }
}

/// The canonical form of a professional ID: trimmed and upper-cased, since people type logins in any
/// case. `None` if it is not one.
pub fn normalise_professional_id(text: &str) -> Option<String> {
    let id = text.trim().to_uppercase();
    let valid = (2..=PROFESSIONAL_ID_MAX).contains(&id.chars().count())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    // A professional ID shaped like a health ID would shadow a patient's login.
    let like_health_id = crate::health_id::HealthId::parse(&id).is_ok();
    (valid && !like_health_id).then_some(id)
}

/// The contact details of a registration, normalised, or what is wrong with them.
pub fn contact(command: &RegisterStaff) -> Result<Contact, Vec<FieldError>> {
    let mut errors = Vec::new();
    let phone = match command.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(phone) => normalise_phone(phone).map_err(|message| errors.push(FieldError::rule("/phone", message))).ok(),
    };
    let email = match command.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(email) => normalise_email(email).map_err(|message| errors.push(FieldError::rule("/email", message))).ok(),
    };
    if errors.is_empty() && phone.is_none() && email.is_none() {
        errors.push(FieldError::rule("/phone", "a phone number or an e-mail address is needed to send login codes"));
    }
    if errors.is_empty() {
        Ok(Contact { phone, email })
    } else {
        Err(errors)
    }
}

/// Decides what registering a member of staff records.
pub fn decide_register(state: Option<&StaffMember>, command: RegisterStaff) -> Result<Vec<StaffEvent>, StaffError> {
    if state.is_some() {
        return Err(StaffError::AlreadyRegistered);
    }
    let mut errors = Vec::new();
    let login = normalise_professional_id(&command.professional_id);
    if login.is_none() {
        errors.push(FieldError::rule(
            "/professional_id",
            "must be 2 to 32 letters, digits or - _ . /, starting with a letter or digit, and not shaped like a health ID",
        ));
    }
    match may_register(command.registered_by, command.role) {
        None => errors.push(FieldError::rule("/role", format!("you cannot register a {}", command.role.as_str()))),
        Some(true) if command.facility_id.is_none() => {
            errors.push(FieldError::rule("/facility_id", "this role works at a facility"))
        }
        Some(false) if command.facility_id.is_some() => {
            errors.push(FieldError::rule("/facility_id", "this role is national and belongs to no facility"))
        }
        Some(_) => {}
    }
    // A region is one of the document's codes exactly as listed: anything else, blank included, is
    // outside its enumeration.
    let region = command.region.as_deref();
    match region {
        Some(code) if crate::reference::region(code).is_none() => {
            errors.push(FieldError::new("/region", "is not one of the regions' codes"))
        }
        Some(_) if command.role != Role::HealthAuthorityAnalyst => {
            errors.push(FieldError::rule("/region", "only a health authority analyst is limited to a region"))
        }
        _ => {}
    }
    let region = region.map(str::to_owned);
    let family_name = person_name(&command.family_name, "/family_name", &mut errors);
    let given_names = person_name(&command.given_names, "/given_names", &mut errors);
    let contact = contact(&command);
    if let Err(contact_errors) = &contact {
        errors.extend(contact_errors.iter().cloned());
    }
    let (Some(login), Ok(contact), true) = (login, contact, errors.is_empty()) else {
        return Err(StaffError::Invalid(errors));
    };
    let activation_sent_by = match command.delivery {
        ActivationDelivery::Printed => ContactChannel::Printed,
        ActivationDelivery::ToContact if contact.phone.is_some() => ContactChannel::Sms,
        ActivationDelivery::ToContact => ContactChannel::Email,
    };
    Ok(vec![StaffEvent::Registered(StaffRegistered {
        account_id: command.account_id,
        login,
        role: command.role,
        facility_id: command.facility_id,
        region,
        family_name,
        given_names,
        activation_sent_by,
    })])
}

/// Decides what suspending a member of staff records.
pub fn decide_suspend(state: Option<&StaffMember>, command: SuspendStaff) -> Result<Vec<StaffEvent>, StaffError> {
    let member = state.ok_or(StaffError::Unknown)?;
    if member.suspended_by.is_some() {
        return Err(StaffError::AlreadySuspended);
    }
    let reason = tidy(&command.reason);
    if let Some(error) = crate::tidied_length("/reason", &command.reason, &reason, &REASON_LENGTH) {
        return Err(StaffError::Invalid(vec![error]));
    }
    Ok(vec![StaffEvent::Suspended(StaffSuspended {
        account_id: member.account_id,
        facility_id: member.facility_id,
        reason,
        suspended_by: command.by,
        sessions_revoked: command.sessions_revoked,
    })])
}

/// Decides what reinstating a suspended member of staff records; `by` is the reinstating role.
pub fn decide_reinstate(state: Option<&StaffMember>, by: Role) -> Result<Vec<StaffEvent>, StaffError> {
    let member = state.ok_or(StaffError::Unknown)?;
    match member.suspended_by {
        None => return Err(StaffError::NotSuspended),
        Some(Role::SystemAdministrator) if by != Role::SystemAdministrator => {
            return Err(StaffError::SuspendedByHigherAuthority)
        }
        Some(_) => {}
    }
    Ok(vec![StaffEvent::Reinstated(StaffReinstated { account_id: member.account_id, facility_id: member.facility_id })])
}

/// Folds an event into the member of staff.
pub fn apply(state: Option<StaffMember>, event: &StaffEvent) -> Option<StaffMember> {
    match (state, event) {
        (_, StaffEvent::Registered(registered)) => Some(StaffMember {
            account_id: registered.account_id,
            login: registered.login.clone(),
            role: registered.role,
            facility_id: registered.facility_id,
            suspended_by: None,
        }),
        (Some(member), StaffEvent::Suspended(suspended)) => {
            Some(StaffMember { suspended_by: Some(suspended.suspended_by), ..member })
        }
        (Some(member), StaffEvent::Reinstated(_)) => Some(StaffMember { suspended_by: None, ..member }),
        (None, _) => None,
    }
}

fn person_name(text: &str, field: &'static str, errors: &mut Vec<FieldError>) -> String {
    let name = tidy(text);
    let length = name.chars().count();
    if length == 0 || length > NAME_MAX || !name.chars().any(char::is_alphabetic) || name.chars().any(char::is_control)
    {
        errors.push(FieldError::rule(field, "must be 1 to 80 characters with at least one letter"));
    }
    name
}
