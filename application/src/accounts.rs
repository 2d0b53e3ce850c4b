//! Accounts as the application sees them: the principal an identity row describes, and the actor its
//! events are recorded under.

use crate::error::ApplicationError;
use domain::access::Principal;
use event_schema::{Actor, Role};
use identity::store::AccountRow;
use uuid::Uuid;

/// Parses a stored id; a malformed one is a defect in the store, not the caller's fault.
pub fn stored_uuid(text: &str) -> Result<Uuid, ApplicationError> {
    Uuid::parse_str(text).map_err(|error| ApplicationError::internal("a malformed id in the identity store", error))
}

/// The principal an account row describes.
pub fn principal_of(account: &AccountRow) -> Result<Principal, ApplicationError> {
    let role = Role::parse(&account.role).filter(|role| *role != Role::System).ok_or_else(|| {
        ApplicationError::internal("an account in the identity store", "its role is unknown or reserved")
    })?;
    Ok(Principal {
        account_id: stored_uuid(&account.id)?,
        role,
        facility_id: account.facility_id.as_deref().map(stored_uuid).transpose()?,
        patient_id: account.patient_id.as_deref().map(stored_uuid).transpose()?,
    })
}

/// The ledger actor for an account not (yet) authenticated: the account itself when known.
pub fn actor_for(account: Option<&AccountRow>) -> Actor {
    account
        .and_then(|account| principal_of(account).ok())
        .map(|principal| crate::record::actor_of(&principal))
        .unwrap_or_else(Actor::system)
}
