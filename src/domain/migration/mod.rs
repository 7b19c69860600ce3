//! The legacy export (README, "Legacy migration"): its records, the legacy service codes, and the
//! rules that decide, record by record, what the import creates, finds already there, or refuses
//! and why. Pure: the use case hands in what the database already holds and fresh ids.
//!
//! [`record`] reads one line of the export into a typed record (or the reason it is refused);
//! [`plan`] decides what each record does against what the database already holds.

mod plan;
mod record;

pub use plan::*;
pub use record::*;

#[cfg(test)]
mod tests;
