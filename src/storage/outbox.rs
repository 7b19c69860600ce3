use crate::domain::email::OutboxStatus;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct OutboxRow {
    pub id: String,
    pub to_email: String,
    pub template: String,
    pub locale: String,
    pub params: String,
    pub status: OutboxStatus,
    pub attempts: i64,
}

pub struct NewEmail<'a> {
    pub id: &'a str,
    pub to_email: &'a str,
    pub template: &'a str,
    pub locale: &'a str,
    pub params: &'a str,
}

/// Records an email to send; with `row`, only if that row was written by this batch (see
/// [`super::WrittenNow`]).
pub fn insert(
    db: &Db,
    email: &NewEmail,
    row: Option<&super::WrittenNow>,
    now: Millis,
) -> Result<Statement, InfraError> {
    let condition = row.map_or_else(|| "?7 IS NULL".to_owned(), |row| row.exists("?7", "?6"));
    query!(
        db,
        &format!(
            "INSERT INTO email_outbox (id, to_email, template, locale, params, created_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE {condition}"
        ),
        email.id,
        email.to_email,
        email.template,
        email.locale,
        email.params,
        now,
        row.map(|row| row.id)
    )
    .context("Failed to prepare an outgoing email")
}

pub async fn find(db: &Db, id: &str) -> Result<Option<OutboxRow>, InfraError> {
    query!(db, "SELECT id, to_email, template, locale, params, status, attempts FROM email_outbox WHERE id = ?1", id)
        .row("Failed to look up an outgoing email")
.await
}

pub async fn mark_sent(db: &Db, id: &str, now: Millis) -> Result<(), InfraError> {
    query!(db, "UPDATE email_outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1", id, now)
        .execute("Failed to mark an email sent")
.await?;
    Ok(())
}

/// Records a failed attempt; `final_failure` marks the email as given up.
pub async fn record_failure(
    db: &Db,
    id: &str,
    error: &str,
    final_failure: bool,
) -> Result<(), InfraError> {
    query!(
        db,
        "UPDATE email_outbox SET attempts = attempts + 1, last_error = ?2,
           status = CASE WHEN ?3 = 1 THEN 'failed' ELSE status END
         WHERE id = ?1 AND status = 'queued'",
        id,
        error,
        i32::from(final_failure)
    )
    .execute("Failed to record an email failure")
    .await?;
    Ok(())
}

/// A queued email whose queue message was lost, taken by the `email_outbox` job.
#[derive(Debug, Clone, Deserialize)]
pub struct Stranded {
    pub id: String,
    pub template: String,
}

/// Takes up to `limit` queued emails never attempted, decided before `cutoff` and not taken since
/// `cutoff`, stamping them `requeued_at = now`: an overlapping run (writes are serialised) takes
/// others.
pub async fn take_stranded(
    db: &Db,
    cutoff: Millis,
    now: Millis,
    limit: i64,
) -> Result<Vec<Stranded>, InfraError> {
    query!(
        db,
        "UPDATE email_outbox SET requeued_at = ?2
         WHERE id IN (
           SELECT id FROM email_outbox
           WHERE status = 'queued' AND attempts = 0 AND created_at < ?1
             AND (requeued_at IS NULL OR requeued_at < ?1)
           ORDER BY created_at LIMIT ?3)
         RETURNING id, template",
        cutoff,
        now,
        limit
    )
    .rows("Failed to take stranded emails")
    .await
}

/// Gives up queued emails (by id) that can no longer be sent, saying why.
pub async fn give_up(db: &Db, ids: &[&str], reason: &str) -> Result<usize, InfraError> {
    let ids = serde_json::to_string(ids).context("Failed to list the emails to give up")?;
    let result = query!(
        db,
        "UPDATE email_outbox SET status = 'failed', last_error = ?2
         WHERE status = 'queued' AND id IN (SELECT value FROM json_each(?1))",
        ids,
        reason
    )
    .execute("Failed to give up emails")
    .await?;
    Ok(super::changes(&result))
}

/// Emails the outbox is done with (sent, or given up) that were decided before the cutoff. Queued
/// ones stay, however old.
pub const DONE: super::Purge = super::Purge {
    table: "email_outbox",
    key: "id",
    condition: "status IN ('sent', 'failed') AND created_at < ?1",
};
