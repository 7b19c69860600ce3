use crate::domain::Millis;
use crate::infra::{random_id, Context, InfraError};
use worker::{query, D1Database, D1PreparedStatement};

/// One security-relevant action, appended to `audit_events`.
pub struct AuditEvent<'a> {
    pub action: &'a str,
    pub user_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub details: serde_json::Value,
}

pub fn append(
    db: &D1Database,
    event: &AuditEvent,
    now: Millis,
) -> Result<D1PreparedStatement, InfraError> {
    query!(
        db,
        "INSERT INTO audit_events (id, at, action, user_id, ip, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        random_id(),
        now,
        event.action,
        event.user_id,
        event.ip,
        event.details.to_string()
    )
    .context("Failed to prepare an audit event")
}
