//! The log of domain events, appended in the same batch as the change it describes.

use crate::domain::Millis;
use crate::platform::{random_id, Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};

pub struct DomainEvent<'a> {
    pub kind: &'a str,
    pub employer_id: &'a str,
    pub firm_id: &'a str,
    pub payload: serde_json::Value,
}

/// Appends the event if `row` was written by this batch (see [`super::WrittenNow`]).
pub fn append_if_written(
    db: &Db,
    event: &DomainEvent,
    row: &super::WrittenNow,
    now: Millis,
) -> Result<Statement, InfraError> {
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
        crate::json::text(&event.payload),
        row.id
    )
    .context("Failed to prepare a domain event")
}

/// Appends `contact.linked` or `contact.revoked` about the contact `row` names, if this batch
/// wrote it: an event of the contact's own organisation (employer_id NULL, firm_id = the
/// organisation), its payload read from the contact as the batch left it.
pub fn append_contact_event_if_written(
    db: &Db,
    kind: &str,
    row: &super::WrittenNow,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        &format!(
            "INSERT INTO domain_events (id, type, at, employer_id, firm_id, payload)
             SELECT ?1, ?2, ?3, NULL, c.organisation_id, json_object(
               'contact', json_object('id', c.id, 'first_name', c.first_name, 'last_name', c.last_name,
                 'email', c.email, 'role', c.role, 'status', c.status, 'linked_at', c.linked_at,
                 'revoked_at', c.revoked_at),
               'organisation', json_object('id', o.id, 'name', o.name, 'kind', o.kind, 'file_number', o.file_number))
             FROM contacts c JOIN organisations o ON o.id = c.organisation_id
             WHERE c.id = ?4 AND {}",
            row.exists("?4", "?3")
        ),
        random_id(),
        kind,
        now,
        row.id
    )
    .context("Failed to prepare a contact event")
}
