use crate::domain::Millis;
use crate::platform::{random_id, Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};

/// One security-relevant action, appended to `audit_events`.
#[derive(Default)]
pub struct AuditEvent<'a> {
    pub action: &'a str,
    /// The acting user.
    pub user_id: Option<&'a str>,
    pub organisation_id: Option<&'a str>,
    /// The contact the action is about.
    pub contact_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub details: serde_json::Value,
    /// The other organisation concerned (an employer's authorization of a firm's contact).
    pub counterpart_organisation_id: Option<&'a str>,
}

pub fn append(db: &Db, event: &AuditEvent, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO audit_events (id, at, action, user_id, organisation_id, contact_id, ip, details, counterpart_organisation_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        random_id(),
        now,
        event.action,
        event.user_id,
        event.organisation_id,
        event.contact_id,
        event.ip,
        details_text(event),
        event.counterpart_organisation_id
    )
    .context("Failed to prepare an audit event")
}

/// Same as [`append`], but only if link credentials were used by this request (nonce): a request
/// that lost the race leaves no trace of a link that did not happen.
pub fn append_if_credentials_used_by(
    db: &Db,
    event: &AuditEvent,
    credentials_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO audit_events (id, at, action, user_id, organisation_id, contact_id, ip, details)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
         WHERE EXISTS (SELECT 1 FROM link_credentials WHERE id = ?9 AND used_by = ?10)",
        random_id(),
        now,
        event.action,
        event.user_id,
        event.organisation_id,
        event.contact_id,
        event.ip,
        details_text(event),
        credentials_id,
        nonce
    )
    .context("Failed to prepare an audit event")
}

/// Same as [`append`], but only if `row` was written by this batch: its `column` equals `now`.
/// A write that lost a race (it changed nothing) leaves no trace.
pub fn append_if_written(
    db: &Db,
    event: &AuditEvent,
    row: &super::WrittenNow,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        &format!(
            "INSERT INTO audit_events (id, at, action, user_id, organisation_id, contact_id, ip, details, counterpart_organisation_id)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE {}",
            row.exists("?10", "?2")
        ),
        random_id(),
        now,
        event.action,
        event.user_id,
        event.organisation_id,
        event.contact_id,
        event.ip,
        details_text(event),
        event.counterpart_organisation_id,
        row.id
    )
    .context("Failed to prepare an audit event")
}

fn details_text(event: &AuditEvent) -> String {
    if event.details.is_null() {
        "{}".to_owned()
    } else {
        event.details.to_string()
    }
}

/// An audit event as the organisation's trail shows it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AuditEntry {
    pub at: Millis,
    pub action: String,
    pub details: String,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub contact_id: Option<String>,
    pub subject_name: Option<String>,
    /// The organisation the event belongs to, when it is not the one reading the trail.
    pub other_organisation_name: Option<String>,
}

/// What a trail is narrowed to: actions starting with `action`, between two instants.
#[derive(Default)]
pub struct AuditFilter<'a> {
    pub action: Option<&'a str>,
    pub from: Option<Millis>,
    pub until: Option<Millis>,
}

/// Newest first, with the acting user and the contact concerned: the organisation's own events
/// and those where it is the counterpart (an employer's decision about one of its contacts).
pub async fn page_for_organisation(
    db: &Db,
    organisation_id: &str,
    filter: &AuditFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, i64), InfraError> {
    let action = filter.action.map(|a| format!("{}%", super::escape_like(a)));
    let condition = "(a.organisation_id = ?1 OR a.counterpart_organisation_id = ?1)
           AND (?2 IS NULL OR a.action LIKE ?2 ESCAPE '\\')
           AND (?3 IS NULL OR a.at >= ?3) AND (?4 IS NULL OR a.at < ?4)";
    let items = query!(
        db,
        &format!(
            "SELECT a.at, a.action, a.details, u.first_name || ' ' || u.last_name AS actor_name, u.email AS actor_email,
                a.contact_id, c.first_name || ' ' || c.last_name AS subject_name,
                CASE WHEN a.organisation_id = ?1 THEN o.name ELSE oo.name END AS other_organisation_name
         FROM audit_events a
         LEFT JOIN users u ON u.id = a.user_id
         LEFT JOIN contacts c ON c.id = a.contact_id
         LEFT JOIN organisations o ON o.id = a.counterpart_organisation_id
         LEFT JOIN organisations oo ON oo.id = a.organisation_id
         WHERE {condition}
         ORDER BY a.at DESC, a.rowid DESC LIMIT ?5 OFFSET ?6"
        ),
        organisation_id,
        action,
        filter.from,
        filter.until,
        limit,
        offset
    )
    .context("Failed to prepare the audit trail")?
    .all()
    .await
    .context("Failed to read the audit trail")?
    .results()
    .context("Failed to decode the audit trail")?;
    let total: Option<i64> = query!(
        db,
        &format!("SELECT COUNT(*) AS n FROM audit_events a WHERE {condition}"),
        organisation_id,
        action,
        filter.from,
        filter.until
    )
    .context("Failed to prepare the audit count")?
    .first(Some("n"))
    .await
    .context("Failed to count audit events")?;
    Ok((items, total.unwrap_or(0)))
}
