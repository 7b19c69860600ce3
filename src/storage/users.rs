use crate::domain::user::UserStatus;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub locale: String,
    pub status: UserStatus,
}

impl UserRow {
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

const COLUMNS: &str = "id, email, password_hash, first_name, last_name, locale, status";

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM users WHERE email = ?1"),
        email
    )
    .row("Failed to look up a user by email")
    .await
}

pub async fn find_by_id(db: &Db, id: &str) -> Result<Option<UserRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM users WHERE id = ?1"),
        id
    )
    .row("Failed to look up a user by id")
    .await
}

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub locale: &'a str,
}

/// Creates a pending user unless one with that email exists. A second signup for a pending email
/// changes nothing here: its details travel with its own verification and apply only when that
/// code is used (see [`activate_if_consumed_by`]), so nobody can choose the password that another
/// person's code activates.
pub fn insert_pending_if_absent(
    db: &Db,
    user: &NewUser,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO users (id, email, password_hash, first_name, last_name, locale, status, created_at, password_changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7, ?7)
         ON CONFLICT (email) DO NOTHING",
        user.id,
        user.email,
        user.password_hash,
        user.first_name,
        user.last_name,
        user.locale,
        now
    )
    .context("Failed to prepare the creation of a user")
}

/// Activates the user of a verification, provided this very request consumed it, with the
/// signup details entered with that verification (when it carries any).
pub fn activate_if_consumed_by(
    db: &Db,
    user_id: &str,
    verification_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE users SET status = 'active', verified_at = COALESCE(verified_at, ?4),
           password_hash = COALESCE(v.signup_password_hash, password_hash),
           first_name = COALESCE(v.signup_first_name, first_name),
           last_name = COALESCE(v.signup_last_name, last_name),
           locale = COALESCE(v.signup_locale, locale),
           password_changed_at = CASE WHEN v.signup_password_hash IS NULL THEN password_changed_at ELSE ?4 END
         FROM (SELECT * FROM verifications WHERE id = ?2 AND consumed_by = ?3) AS v
         WHERE users.id = ?1",
        user_id,
        verification_id,
        nonce,
        now
    )
    .context("Failed to prepare the activation of a user")
}

/// Sets a new password for the user of a reset verification, provided this request consumed it.
pub fn set_password_if_consumed_by(
    db: &Db,
    user_id: &str,
    password_hash: &str,
    verification_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE users SET password_hash = ?2, password_changed_at = ?5,
           status = 'active', verified_at = COALESCE(verified_at, ?5)
         WHERE id = ?1 AND EXISTS (SELECT 1 FROM verifications WHERE id = ?3 AND consumed_by = ?4)",
        user_id,
        password_hash,
        verification_id,
        nonce,
        now
    )
    .context("Failed to prepare the password change")
}

/// Accounts whose email was never proven and whose last signup attempt is older than the cutoff.
/// Their verifications and sessions go with them (ON DELETE CASCADE); an account a contact, an
/// access request or an API token refers to is kept. Closed accounts are emptied 'pending' rows too
/// (see `storage::account::close_account`): they go here once nothing names them.
pub const UNVERIFIED: super::Purge = super::Purge {
    table: "users",
    key: "id",
    condition: "status = 'pending' AND created_at < ?1
      AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.user_id = users.id AND v.last_sent_at >= ?1)
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.user_id = users.id)
      AND NOT EXISTS (SELECT 1 FROM access_requests r WHERE r.requested_by = users.id)
      AND NOT EXISTS (SELECT 1 FROM api_tokens t WHERE t.created_by = users.id)",
};
