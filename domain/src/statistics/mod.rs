//! Public-health statistics: what an indicator's cells mean, and what may be published of them.
//!
//! The read models keep counts per cell (`projections`' statistics projector); this module holds what
//! is pure about them: the periods and age bands cells are keyed by, the reference data their
//! denominators and thresholds come from (kept as data, like the immunisation schedule), and the
//! disclosure control every table passes through before a number leaves the system.

pub mod age_band;
pub mod chapters;
pub mod disclosure;
pub mod overdue;
pub mod period;
pub mod population;
pub mod surveillance;
