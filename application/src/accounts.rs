//! Accounts as the application sees them: the principal an identity row describes, and the actor its
//! events are recorded under.

use crate::error::ApplicationError;
use domain::access::Principal;
use event_schema::{Actor, Role};
use identity::store::AccountRow;
use uuid::Uuid;

/// Parses an id kept as text outside the typed rows (a session's id as the HTTP layer holds it); a
/// malformed one is a defect in the store, not the caller's fault.
pub fn stored_uuid(text: &str) -> Result<Uuid, ApplicationError> {
    Uuid::parse_str(text).map_err(|error| ApplicationError::internal("a malformed id in the identity store", error))
}

/// The principal an account row describes. The row is read typed by the identity store; what is left
/// to refuse is an account holding the system's role, which is the ledger's own and no person's.
pub fn principal_of(account: &AccountRow) -> Result<Principal, ApplicationError> {
    if account.role == Role::System {
        return Err(ApplicationError::internal("an account in the identity store", "its role is reserved"));
    }
    Ok(Principal {
        account_id: account.id,
        role: account.role,
        facility_id: account.facility_id,
        patient_id: account.patient_id,
        region: account.region.clone(),
    })
}

/// The ledger actor for an account not (yet) authenticated: the account itself when known.
pub fn actor_for(account: Option<&AccountRow>) -> Actor {
    account
        .and_then(|account| principal_of(account).ok())
        .map(|principal| crate::record::actor_of(&principal))
        .unwrap_or_else(Actor::system)
}
