//! Reminders sent before an authorization ends: one row per reminder, so none goes out twice.

use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};

pub struct NewReminder<'a> {
    /// Random: the statements that follow in the batch check that this run wrote it.
    pub id: &'a str,
    pub authorization_id: &'a str,
    pub days_before: i64,
    pub ends_at: Millis,
}

/// Claims a reminder for this run; changes nothing if it was already sent (by an earlier or an
/// overlapping run).
pub fn claim(db: &Db, reminder: &NewReminder, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO authorization_reminders (id, authorization_id, days_before, ends_at, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        reminder.id,
        reminder.authorization_id,
        reminder.days_before,
        reminder.ends_at,
        now
    )
    .context("Failed to prepare claiming a reminder")
}
