use crate::domain::linking::MAX_WRONG_CODES;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct LegacyRow {
    pub username: String,
    pub password_hash: String,
    pub attempts: i64,
    pub locked_at: Option<Millis>,
    pub contact_id: String,
    pub contact_status: String,
    pub organisation_id: String,
}

pub async fn find(db: &Db, username: &str) -> Result<Option<LegacyRow>, InfraError> {
    query!(
        db,
        "SELECT l.username, l.password_hash, l.attempts, l.locked_at, c.id AS contact_id,
                c.status AS contact_status, c.organisation_id
         FROM legacy_credentials l JOIN contacts c ON c.id = l.contact_id WHERE l.username = ?1",
        username
    )
    .context("Failed to prepare the legacy credentials lookup")?
    .first(None)
    .await
    .context("Failed to look up legacy credentials")
}

/// A legacy login to import: its username (lower case), contact and original hash.
pub struct NewLegacyCredential<'a> {
    pub username: &'a str,
    pub contact_id: &'a str,
    pub password_hash: &'a str,
}

/// Inserts many legacy credentials in one statement, the rows as one JSON array.
pub fn insert_many(
    db: &Db,
    credentials: &[NewLegacyCredential],
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows: Vec<serde_json::Value> = credentials
        .iter()
        .map(|c| serde_json::json!([c.username, c.contact_id, c.password_hash]))
        .collect();
    query!(
        db,
        "INSERT INTO legacy_credentials (username, contact_id, password_hash, imported_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, ?2 FROM json_each(?1)",
        serde_json::Value::from(rows).to_string(),
        now
    )
    .context("Failed to prepare importing legacy credentials")
}

/// Counts a wrong legacy password; the fifth locks the username.
pub fn count_wrong_password(db: &Db, username: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE legacy_credentials SET attempts = attempts + 1,
           locked_at = CASE WHEN attempts + 1 >= ?3 THEN ?2 ELSE locked_at END
         WHERE username = ?1",
        username,
        now,
        MAX_WRONG_CODES
    )
    .context("Failed to prepare counting a wrong legacy password")
}
