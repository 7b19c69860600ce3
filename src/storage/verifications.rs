use crate::domain::code::{CodeState, MAX_WRONG_ATTEMPTS};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct VerificationRow {
    pub id: String,
    pub purpose: String,
    pub user_id: Option<String>,
    pub email: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: Millis,
    pub last_sent_at: Millis,
    pub consumed_at: Option<Millis>,
}

impl VerificationRow {
    pub fn state(&self) -> CodeState {
        CodeState {
            expires_at: self.expires_at,
            wrong_attempts: self.attempts,
            consumed: self.consumed_at.is_some(),
        }
    }
}

/// Whose code it is.
pub enum CodeOwner<'a> {
    /// An existing user.
    User(&'a str),
    /// The pending user with the verification's email, created in the same batch.
    PendingUserWithEmail,
    /// Nobody: a decoy that answers like a real verification but never matches.
    Nobody,
}

/// What a person typed at signup, kept with their verification until its code is used.
pub struct SignupDetails<'a> {
    pub password_hash: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub locale: &'a str,
}

pub struct NewVerification<'a> {
    pub signup: Option<SignupDetails<'a>>,
    pub id: &'a str,
    pub purpose: &'a str,
    pub owner: CodeOwner<'a>,
    pub email: &'a str,
    pub code_hash: &'a str,
    pub expires_at: Millis,
}

pub fn insert(
    db: &Db,
    verification: &NewVerification,
    now: Millis,
) -> Result<Statement, InfraError> {
    let (user_id, pending_user) = match verification.owner {
        CodeOwner::User(id) => (Some(id), 0),
        CodeOwner::PendingUserWithEmail => (None, 1),
        CodeOwner::Nobody => (None, 0),
    };
    let signup = verification.signup.as_ref();
    query!(
        db,
        "INSERT INTO verifications (id, purpose, user_id, email, code_hash, expires_at, last_sent_at, created_at,
           signup_password_hash, signup_first_name, signup_last_name, signup_locale)
         VALUES (?1, ?2,
           CASE WHEN ?8 = 1 THEN (SELECT id FROM users WHERE email = ?4 AND status = 'pending') ELSE ?3 END,
           ?4, ?5, ?6, ?7, ?7, ?9, ?10, ?11, ?12)",
        verification.id,
        verification.purpose,
        user_id,
        verification.email,
        verification.code_hash,
        verification.expires_at,
        now,
        pending_user,
        signup.map(|d| d.password_hash),
        signup.map(|d| d.first_name),
        signup.map(|d| d.last_name),
        signup.map(|d| d.locale)
    )
    .context("Failed to prepare the creation of a verification")
}

pub async fn find(db: &Db, id: &str, purpose: &str) -> Result<Option<VerificationRow>, InfraError> {
    query!(
        db,
        "SELECT id, purpose, user_id, email, code_hash, attempts, expires_at, last_sent_at, consumed_at
         FROM verifications WHERE id = ?1 AND purpose = ?2",
        id,
        purpose
    )
    .row("Failed to look up a verification")
.await
}

/// The most recent unused verification of a purpose for an address, among decoys (`decoy`) or
/// among real ones: a decoy's answer must never hand out the id of the owner's real code.
pub async fn latest_unused(
    db: &Db,
    purpose: &str,
    email: &str,
    decoy: bool,
) -> Result<Option<VerificationRow>, InfraError> {
    query!(
        db,
        "SELECT id, purpose, user_id, email, code_hash, attempts, expires_at, last_sent_at, consumed_at
         FROM verifications WHERE email = ?1 AND purpose = ?2 AND consumed_at IS NULL
           AND (user_id IS NULL) = ?3
         ORDER BY last_sent_at DESC LIMIT 1",
        email,
        purpose,
        i64::from(decoy)
    )
    .row("Failed to look up the latest verification")
.await
}

/// Ends every unused code of a purpose for an address (a newer one replaces them).
pub fn expire_unused(
    db: &Db,
    purpose: &str,
    email: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE verifications SET expires_at = MIN(expires_at, ?3)
         WHERE email = ?1 AND purpose = ?2 AND consumed_at IS NULL",
        email,
        purpose,
        now
    )
    .context("Failed to prepare expiring earlier codes")
}

/// Takes one of a live code's tries before it is compared, in one statement: of any number of
/// concurrent tries, at most the cap get the row back. `None`: unknown, used, expired or exhausted.
pub async fn reserve_attempt(
    db: &Db,
    id: &str,
    purpose: &str,
    now: Millis,
) -> Result<Option<VerificationRow>, InfraError> {
    query!(
        db,
        "UPDATE verifications SET attempts = attempts + 1
         WHERE id = ?1 AND purpose = ?2 AND consumed_at IS NULL AND attempts < ?3 AND expires_at > ?4
         RETURNING id, purpose, user_id, email, code_hash, attempts, expires_at, last_sent_at, consumed_at",
        id,
        purpose,
        MAX_WRONG_ATTEMPTS,
        now
    )
    .row("Failed to reserve a code try")
.await
}

/// Gives back a try that was reserved but never compared (the email's budget refused it).
pub fn release_attempt(db: &Db, id: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE verifications SET attempts = attempts - 1 WHERE id = ?1 AND attempts > 0",
        id
    )
    .context("Failed to prepare releasing a code try")
}

/// Marks the code used, once: of two concurrent requests with the right code only the first
/// leaves its nonce, and the statements that follow it in the batch check for that nonce.
pub fn consume(db: &Db, id: &str, nonce: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE verifications SET consumed_at = ?3, consumed_by = ?2 WHERE id = ?1 AND consumed_at IS NULL",
        id,
        nonce,
        now
    )
    .context("Failed to prepare consuming a code")
}

/// Replaces the code of a verification (resend): fresh expiry, attempts back to zero. The
/// per-email failure budget lives in `rate_limits` and is not reset.
pub fn replace_code(
    db: &Db,
    id: &str,
    code_hash: &str,
    expires_at: Millis,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE verifications SET code_hash = ?2, expires_at = ?3, last_sent_at = ?4, attempts = 0
         WHERE id = ?1 AND consumed_at IS NULL",
        id,
        code_hash,
        expires_at,
        now
    )
    .context("Failed to prepare replacing a code")
}

/// Verifications that expired before the cutoff: they can no longer be used.
pub const EXPIRED: super::Purge = super::Purge {
    table: "verifications",
    key: "id",
    condition: "expires_at < ?1",
};
