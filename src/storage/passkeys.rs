//! Passkeys and the challenges handed to the browser for them (see schema.sql).

use crate::domain::webauthn::NewPasskey;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// Passkeys one person may have.
pub const MAX_PER_USER: i64 = 10;

/// What a challenge may be answered for.
#[derive(Debug, Clone, Copy)]
pub enum Purpose {
    /// Creating a passkey for the challenge's user.
    Register,
    /// Signing in without a password, as whoever owns the passkey.
    SignIn,
    /// Proving the second factor of the challenge's user (sign-in challenge or step-up).
    Factor,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::SignIn => "sign_in",
            Purpose::Factor => "factor",
        }
    }
}

pub fn insert_challenge(
    db: &Db,
    challenge: &str,
    purpose: Purpose,
    user: Option<(&str, Option<&str>)>,
    expires_at: Millis,
    now: Millis,
) -> Result<Statement, InfraError> {
    let (user_id, user_handle) = user.unzip();
    query!(
        db,
        "INSERT INTO passkey_challenges (challenge, purpose, user_id, user_handle, expires_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        challenge,
        purpose.as_str(),
        user_id,
        user_handle.flatten(),
        expires_at,
        now
    )
    .context("Failed to prepare a passkey challenge")
}

/// A live challenge, taken by the one request that answers it.
#[derive(Debug, Clone, Deserialize)]
pub struct TakenChallenge {
    pub challenge: String,
    pub user_handle: Option<String>,
}

/// Deletes a live challenge of this purpose (and user, when it has one) in one statement and
/// answers it: of concurrent answers, one gets it; a replay finds nothing.
pub async fn take_challenge(
    db: &Db,
    challenge: &str,
    purpose: Purpose,
    user_id: Option<&str>,
    now: Millis,
) -> Result<Option<TakenChallenge>, InfraError> {
    query!(
        db,
        "DELETE FROM passkey_challenges
         WHERE challenge = ?1 AND purpose = ?2 AND user_id IS ?3 AND expires_at > ?4
         RETURNING challenge, user_handle",
        challenge,
        purpose.as_str(),
        user_id,
        now
    )
    .row("Failed to take a passkey challenge")
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct PasskeyRow {
    pub id: String,
    pub user_id: String,
    pub credential_id: String,
    pub public_key: String,
    pub user_handle: String,
    pub sign_count: i64,
    pub name: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
}

const COLUMNS: &str =
    "id, user_id, credential_id, public_key, user_handle, sign_count, name, created_at, last_used_at";

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<PasskeyRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM passkeys WHERE user_id = ?1 ORDER BY created_at, id"),
        user_id
    )
    .rows("Failed to list passkeys")
    .await
}

pub async fn find_by_credential(
    db: &Db,
    credential_id: &str,
) -> Result<Option<PasskeyRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM passkeys WHERE credential_id = ?1"),
        credential_id
    )
    .row("Failed to look up a passkey")
    .await
}

/// The new passkey, unless its credential is already registered or the person has
/// [`MAX_PER_USER`] already.
pub fn insert(
    db: &Db,
    id: &str,
    user_id: &str,
    user_handle: &str,
    passkey: &NewPasskey,
    name: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO passkeys (id, user_id, credential_id, public_key, user_handle, sign_count, name, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
         WHERE (SELECT COUNT(*) FROM passkeys WHERE user_id = ?2) < ?9
         ON CONFLICT (credential_id) DO NOTHING",
        id,
        user_id,
        passkey.credential_id,
        passkey.public_key,
        user_handle,
        passkey.sign_count,
        name,
        now,
        MAX_PER_USER
    )
    .context("Failed to prepare storing a passkey")
}

/// Records a use: the new counter, only if it still grows (or both are zero), so of two
/// concurrent uses of a cloned authenticator one at most is recorded.
pub fn record_use(
    db: &Db,
    id: &str,
    sign_count: u32,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE passkeys SET sign_count = ?2, last_used_at = ?3
         WHERE id = ?1 AND (sign_count < ?2 OR (sign_count = 0 AND ?2 = 0))",
        id,
        sign_count,
        now
    )
    .context("Failed to prepare recording a passkey use")
}

pub fn rename(db: &Db, user_id: &str, id: &str, name: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE passkeys SET name = ?3 WHERE id = ?2 AND user_id = ?1",
        user_id,
        id,
        name
    )
    .context("Failed to prepare renaming a passkey")
}

pub fn delete(db: &Db, user_id: &str, id: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        "DELETE FROM passkeys WHERE id = ?2 AND user_id = ?1",
        user_id,
        id
    )
    .context("Failed to prepare removing a passkey")
}

/// Passkey challenges past their five minutes.
pub const EXPIRED_CHALLENGES: super::Purge = super::Purge {
    table: "passkey_challenges",
    key: "challenge",
    condition: "expires_at < ?1",
};
