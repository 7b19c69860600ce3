use crate::domain::linking::{CredentialState, MAX_WRONG_CODES};
use crate::domain::organisation::ContactStatus;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// Credentials with the contact they link to.
#[derive(Debug, Clone, Deserialize)]
pub struct CredentialRow {
    pub id: String,
    pub identifier: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: Millis,
    pub used_at: Option<Millis>,
    pub locked_at: Option<Millis>,
    pub superseded_at: Option<Millis>,
    pub contact_id: String,
    pub contact_status: ContactStatus,
    pub organisation_id: String,
}

impl CredentialRow {
    pub fn state(&self) -> CredentialState {
        CredentialState {
            expires_at: self.expires_at,
            wrong_attempts: self.attempts,
            used: self.used_at.is_some(),
            locked: self.locked_at.is_some(),
            superseded: self.superseded_at.is_some(),
        }
    }
}

pub struct NewCredentials<'a> {
    pub id: &'a str,
    pub contact_id: &'a str,
    pub identifier: &'a str,
    pub code_hash: &'a str,
    pub expires_at: Millis,
}

pub fn insert(db: &Db, credentials: &NewCredentials, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO link_credentials (id, contact_id, identifier, code_hash, expires_at, sent_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        credentials.id,
        credentials.contact_id,
        credentials.identifier,
        credentials.code_hash,
        credentials.expires_at,
        now
    )
    .context("Failed to prepare new link credentials")
}

/// Kills every earlier unused credential of a contact (reissue).
pub fn supersede_all_of(db: &Db, contact_id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE link_credentials SET superseded_at = ?2 WHERE contact_id = ?1 AND superseded_at IS NULL AND used_at IS NULL",
        contact_id,
        now
    )
    .context("Failed to prepare superseding link credentials")
}

pub async fn find_by_identifier(
    db: &Db,
    identifier: &str,
) -> Result<Option<CredentialRow>, InfraError> {
    query!(
        db,
        "SELECT lc.id, lc.identifier, lc.code_hash, lc.attempts, lc.expires_at, lc.used_at, lc.locked_at,
                lc.superseded_at, c.id AS contact_id, c.status AS contact_status, c.organisation_id
         FROM link_credentials lc JOIN contacts c ON c.id = lc.contact_id WHERE lc.identifier = ?1",
        identifier
    )
    .row("Failed to look up link credentials")
.await
}

/// Takes one of the credentials' tries before the code is compared, in one statement: of any
/// number of concurrent tries, at most five get through. Returns the tries counted so far.
pub async fn reserve_attempt(db: &Db, id: &str, now: Millis) -> Result<Option<i64>, InfraError> {
    query!(
        db,
        "UPDATE link_credentials SET attempts = attempts + 1
         WHERE id = ?1 AND used_at IS NULL AND locked_at IS NULL AND superseded_at IS NULL
           AND attempts < ?3 AND expires_at > ?2
         RETURNING attempts",
        id,
        now,
        MAX_WRONG_CODES
    )
    .value("attempts", "Failed to reserve a link code try")
    .await
}

/// Locks credentials whose tries are used up by wrong codes.
pub fn lock_if_exhausted(db: &Db, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE link_credentials SET locked_at = ?2
         WHERE id = ?1 AND attempts >= ?3 AND locked_at IS NULL AND used_at IS NULL",
        id,
        now,
        MAX_WRONG_CODES
    )
    .context("Failed to prepare locking link credentials")
}

/// Gives back a try whose right code was not needed (the file was already linked).
pub fn release_attempt(db: &Db, id: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE link_credentials SET attempts = attempts - 1 WHERE id = ?1 AND attempts > 0",
        id
    )
    .context("Failed to prepare releasing a link code try")
}

/// Marks the credentials used, once, leaving this request's nonce for the statements that follow.
pub fn mark_used(db: &Db, id: &str, nonce: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE link_credentials SET used_at = ?3, used_by = ?2
         WHERE id = ?1 AND used_at IS NULL AND locked_at IS NULL AND superseded_at IS NULL",
        id,
        nonce,
        now
    )
    .context("Failed to prepare using link credentials")
}

/// Credentials that expired before the cutoff (used, superseded and locked ones included: they
/// expire too), except the latest ones of a contact still invited: the inventory shows their state
/// ("expired", "locked") until the responsible reissues.
pub const EXPIRED: super::Purge = super::Purge {
    table: "link_credentials",
    key: "id",
    condition: "expires_at < ?1
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = link_credentials.contact_id AND c.status = 'invited'
        AND link_credentials.id = (SELECT id FROM link_credentials latest WHERE latest.contact_id = c.id
                                   AND latest.superseded_at IS NULL ORDER BY latest.created_at DESC LIMIT 1))",
};
