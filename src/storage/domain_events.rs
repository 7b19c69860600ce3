//! The log of domain events, appended in the same batch as the change it describes.

use crate::domain::Millis;
use crate::platform::{random_id, Context, InfraError};
use crate::query;
use crate::storage::db::{Binder, Db, Statement};
use worker::wasm_bindgen::JsValue;

pub struct DomainEvent<'a> {
    pub kind: &'a str,
    pub employer_id: &'a str,
    /// NULL for an event of the employer alone (its own monthly report).
    pub firm_id: Option<&'a str>,
    pub payload: serde_json::Value,
}

/// Appends the event if `row` was written by this batch (see [`super::WrittenNow`]).
pub fn append_if_written(
    db: &Db,
    event: &DomainEvent,
    row: &super::WrittenNow,
    now: Millis,
) -> Result<Statement, InfraError> {
    append_where(db, event, now, &row.exists("?7", "?3"), &[row.id])
}

/// Appends the event only where `condition` holds once the batch's earlier writes are done: SQL in
/// which `?3` is `now` and `?7`, `?8`… are the `values`, in order.
pub fn append_where(
    db: &Db,
    event: &DomainEvent,
    now: Millis,
    condition: &str,
    values: &[&str],
) -> Result<Statement, InfraError> {
    let row = |binder: &Binder| {
        vec![
            binder.value(&random_id()),
            binder.value(event.kind),
            binder.value(&now),
            binder.value(event.employer_id),
            binder.value(&event.firm_id),
            binder.value(&crate::json::text(&event.payload)),
        ]
    };
    insert_where(
        db,
        "domain_events (id, type, at, employer_id, firm_id, payload)",
        row,
        condition,
        values,
    )
    .context("Failed to prepare a domain event")
}

/// One row of an event log (`domain_events`, `audit_events`), appended in the same batch as the
/// change it records and kept only where `condition` holds: the row's values (`row`) are `?1`,
/// `?2`…, and the condition's `values` follow them, in order.
pub(super) fn insert_where(
    db: &Db,
    into: &str,
    row: impl FnOnce(&Binder) -> Vec<JsValue>,
    condition: &str,
    values: &[&str],
) -> worker::Result<Statement> {
    let binder = Binder::default();
    let mut bindings = row(&binder);
    let placeholders: Vec<String> = (1..=bindings.len()).map(|n| format!("?{n}")).collect();
    bindings.extend(values.iter().map(|value| binder.value(value)));
    let sql = format!(
        "INSERT INTO {into} SELECT {} WHERE {condition}",
        placeholders.join(", ")
    );
    binder.bind(db.prepare(sql), &bindings)
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
