//! The command API's routes, one module per resource; each exposes `router()`.

pub mod auth;
pub mod clinical;
pub mod facilities;
pub mod me;
pub mod patients;
pub mod read;
pub mod staff;
