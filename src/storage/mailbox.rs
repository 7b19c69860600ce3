//! The development mailbox: emails "delivered" by the mailbox provider.

use crate::domain::Millis;
use crate::platform::InfraError;
use crate::query;
use crate::storage::db::{Db, Run};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailboxEntry {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub sent_at: Millis,
}

/// Stores a delivered email once: a redelivered queue message finds its outbox id already there.
pub async fn deliver(db: &Db, outbox_id: &str, entry: &MailboxEntry) -> Result<(), InfraError> {
    query!(
        db,
        "INSERT OR IGNORE INTO dev_mailbox (outbox_id, to_email, subject, text_body, html_body, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        outbox_id,
        entry.to,
        entry.subject,
        entry.text,
        entry.html,
        entry.sent_at
    )
    .execute("Failed to store an email in the development mailbox")
.await?;
    Ok(())
}

/// Newest first; every recipient when `to` is `None`.
pub async fn list(db: &Db, to: Option<&str>, limit: i64) -> Result<Vec<MailboxEntry>, InfraError> {
    query!(
        db,
        "SELECT to_email AS \"to\", subject, text_body AS text, html_body AS html, sent_at FROM dev_mailbox
         WHERE ?1 IS NULL OR to_email = ?1 ORDER BY sent_at DESC, rowid DESC LIMIT ?2",
        to,
        limit
    )
    .rows("Failed to list the development mailbox")
.await
}

pub async fn record_dead_letter(
    db: &Db,
    id: &str,
    queue: &str,
    body: &str,
    now: Millis,
) -> Result<(), InfraError> {
    query!(
        db,
        "INSERT OR IGNORE INTO dead_letters (id, queue, body, received_at) VALUES (?1, ?2, ?3, ?4)",
        id,
        queue,
        body,
        now
    )
    .execute("Failed to record a dead letter")
    .await?;
    Ok(())
}

pub async fn dead_letters(db: &Db) -> Result<Vec<serde_json::Value>, InfraError> {
    query!(
        db,
        "SELECT id, queue, body, received_at FROM dead_letters ORDER BY received_at DESC LIMIT 100"
    )
    .rows("Failed to list dead letters")
    .await
}

/// Development mailbox entries delivered before the cutoff.
pub const DELIVERED: super::Purge = super::Purge {
    table: "dev_mailbox",
    key: "outbox_id",
    condition: "sent_at < ?1",
};
