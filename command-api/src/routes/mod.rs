//! The command API's routes, one module per resource; each exposes `router()`.

pub mod auth;
pub mod clinical;
pub mod facilities;
pub mod me;
pub mod patients;
pub mod reminders;
pub mod staff;

/// Parses an id from a path, as a field error when it is not one.
pub fn parse_id(text: &str, field: &str) -> Result<uuid::Uuid, http_shell::error::ApiError> {
    uuid::Uuid::parse_str(text).map_err(|_| http_shell::error::ApiError::invalid_field(field, "must be a UUID"))
}
