//! The log of domain events, appended in the same batch as the change it describes.

use crate::domain::Millis;
use crate::infra::{random_id, Context, InfraError};
use worker::{query, D1Database, D1PreparedStatement};

pub struct DomainEvent<'a> {
    pub kind: &'a str,
    pub employer_id: &'a str,
    pub firm_id: &'a str,
    pub payload: serde_json::Value,
}

/// Appends the event if `row` was written by this batch (see [`super::WrittenNow`]).
pub fn append_if_written(
    db: &D1Database,
    event: &DomainEvent,
    row: &super::WrittenNow,
    now: Millis,
) -> Result<D1PreparedStatement, InfraError> {
    query!(
        db,
        &format!(
            "INSERT INTO domain_events (id, type, at, employer_id, firm_id, payload)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE {}",
            row.exists("?7", "?3")
        ),
        random_id(),
        event.kind,
        now,
        event.employer_id,
        event.firm_id,
        event.payload.to_string(),
        row.id
    )
    .context("Failed to prepare a domain event")
}
