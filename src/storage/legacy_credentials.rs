use crate::domain::linking::MAX_WRONG_CODES;
use crate::domain::Millis;
use crate::infra::{Context, InfraError};
use serde::Deserialize;
use worker::{query, D1Database, D1PreparedStatement};

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

pub async fn find(db: &D1Database, username: &str) -> Result<Option<LegacyRow>, InfraError> {
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

pub fn insert(
    db: &D1Database,
    username: &str,
    contact_id: &str,
    password_hash: &str,
    now: Millis,
) -> Result<D1PreparedStatement, InfraError> {
    query!(
        db,
        "INSERT INTO legacy_credentials (username, contact_id, password_hash, imported_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (username) DO NOTHING",
        username,
        contact_id,
        password_hash,
        now
    )
    .context("Failed to prepare importing legacy credentials")
}

/// Counts a wrong legacy password; the fifth locks the username.
pub fn count_wrong_password(
    db: &D1Database,
    username: &str,
    now: Millis,
) -> Result<D1PreparedStatement, InfraError> {
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
