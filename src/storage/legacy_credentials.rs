use crate::domain::legacy::{lock_delay, HashCost, LegacyFormat, MAX_WRONG_PASSWORDS};
use crate::domain::organisation::ContactStatus;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct LegacyRow {
    pub username: String,
    pub password_hash: String,
    pub contact_id: String,
    pub contact_status: ContactStatus,
    pub organisation_id: String,
}

pub async fn find(db: &Db, username: &str) -> Result<Option<LegacyRow>, InfraError> {
    query!(
        db,
        "SELECT l.username, l.password_hash, c.id AS contact_id,
                c.status AS contact_status, c.organisation_id
         FROM legacy_credentials l JOIN contacts c ON c.id = l.contact_id WHERE l.username = ?1",
        username
    )
    .row("Failed to look up legacy credentials")
    .await
}

/// How many imported hashes have each format and cost (a few rows, kept by a trigger).
pub async fn hash_costs(db: &Db) -> Result<Vec<HashCost>, InfraError> {
    #[derive(Deserialize)]
    struct Row {
        format: String,
        cost: u64,
        hashes: u64,
    }
    let rows: Vec<Row> = query!(db, "SELECT format, cost, hashes FROM legacy_hash_costs")
        .rows("Failed to read the legacy hash costs")
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(HashCost {
                format: LegacyFormat::parse(&r.format)?,
                cost: r.cost,
                hashes: r.hashes,
            })
        })
        .collect())
}

/// A legacy login to import: its username (lower case), contact and original hash.
pub struct NewLegacyCredential<'a> {
    pub username: &'a str,
    pub contact_id: &'a str,
    pub password_hash: &'a str,
}

const INSERT: super::InsertMany = super::InsertMany {
    table: "legacy_credentials",
    columns: &["username", "contact_id", "password_hash"],
    stamp: "imported_at",
};

/// Inserts many legacy credentials in one statement (see [`super::InsertMany`]).
pub fn insert_many(
    db: &Db,
    credentials: &[NewLegacyCredential],
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows = credentials
        .iter()
        .map(|c| crate::json!([c.username, c.contact_id, c.password_hash]));
    INSERT.statement(
        db,
        rows.collect(),
        now,
        "Failed to prepare importing legacy credentials",
    )
}

/// Takes one try of a username before its password is checked, in one statement: at most five
/// concurrent tries get through, and none while the username is locked. A lock that has run out
/// is lifted by the same statement. `false`: unknown, locked or out of tries (all answered alike).
pub async fn reserve_attempt(db: &Db, username: &str, now: Millis) -> Result<bool, InfraError> {
    let reserved: Option<i64> = query!(
        db,
        "UPDATE legacy_credentials SET
           attempts = CASE WHEN locked_until <= ?2 THEN 1 ELSE attempts + 1 END,
           locked_at = CASE WHEN locked_until <= ?2 THEN NULL ELSE locked_at END,
           locked_until = CASE WHEN locked_until <= ?2 THEN NULL ELSE locked_until END
         WHERE username = ?1
           AND ((locked_until IS NULL AND locked_at IS NULL AND attempts < ?3) OR locked_until <= ?2)
         RETURNING attempts",
        username,
        now,
        MAX_WRONG_PASSWORDS
    )
    .value("attempts", "Failed to reserve a legacy try")
.await?;
    Ok(reserved.is_some())
}

/// Locks a username whose tries are used up, for a delay that grows with each lock.
pub fn lock_if_exhausted(db: &Db, username: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE legacy_credentials SET locked_at = ?2, locks = locks + 1,
           locked_until = ?2 + CASE locks WHEN 0 THEN ?4 WHEN 1 THEN ?5 ELSE ?6 END
         WHERE username = ?1 AND attempts >= ?3 AND locked_at IS NULL",
        username,
        now,
        MAX_WRONG_PASSWORDS,
        lock_delay(0),
        lock_delay(1),
        lock_delay(2)
    )
    .context("Failed to prepare locking legacy credentials")
}

/// The right password: the count of tries and of locks starts over.
pub fn forget_attempts(db: &Db, username: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE legacy_credentials SET attempts = 0, locks = 0 WHERE username = ?1 AND locked_at IS NULL",
        username
    )
    .context("Failed to prepare forgetting legacy tries")
}

/// The operator lifts the lock of one legacy username.
pub fn unlock(db: &Db, username: &str) -> Result<Statement, InfraError> {
    unlock_where(db, "username", username)
}

/// The organisation's responsible lifts the lock of a contact's legacy username.
pub fn unlock_of_contact(db: &Db, contact_id: &str) -> Result<Statement, InfraError> {
    unlock_where(db, "contact_id", contact_id)
}

/// Lifts the lock of the credentials whose `column` is `value`.
fn unlock_where(db: &Db, column: &str, value: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        &format!(
            "UPDATE legacy_credentials SET attempts = 0, locked_at = NULL, locked_until = NULL
             WHERE {column} = ?1 AND locked_at IS NOT NULL"
        ),
        value
    )
    .context("Failed to prepare unlocking legacy credentials")
}
