//! TOTP factors, recovery codes and sign-in challenges (see schema.sql); passkeys are in
//! [`super::passkeys`].

use crate::domain::mfa::MAX_CHALLENGE_ATTEMPTS;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct TotpRow {
    pub sealed_secret: String,
    pub confirmed_at: Option<Millis>,
    pub last_used_step: i64,
}

pub async fn find_totp(db: &Db, user_id: &str) -> Result<Option<TotpRow>, InfraError> {
    query!(
        db,
        "SELECT sealed_secret, confirmed_at, last_used_step FROM totp_factors WHERE user_id = ?1",
        user_id
    )
    .row("Failed to look up a TOTP factor")
    .await
}

/// A new pending secret, replacing a pending one; a confirmed factor is left as it is.
pub fn put_pending_totp(
    db: &Db,
    user_id: &str,
    sealed_secret: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO totp_factors (user_id, sealed_secret, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret,
           created_at = excluded.created_at, last_used_step = -1
         WHERE totp_factors.confirmed_at IS NULL",
        user_id,
        sealed_secret,
        now
    )
    .context("Failed to prepare storing a pending TOTP secret")
}

/// Confirms the pending factor with the step of its first code; a no-op when already confirmed.
pub fn confirm_totp(
    db: &Db,
    user_id: &str,
    step: i64,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE totp_factors SET confirmed_at = ?3, last_used_step = ?2
         WHERE user_id = ?1 AND confirmed_at IS NULL AND last_used_step < ?2",
        user_id,
        step,
        now
    )
    .context("Failed to prepare confirming a TOTP factor")
}

/// Records the step of an accepted code; changes nothing (and the code is refused) when that
/// step or a later one was already used, even by a concurrent request.
pub fn use_totp_step(db: &Db, user_id: &str, step: i64) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE totp_factors SET last_used_step = ?2
         WHERE user_id = ?1 AND confirmed_at IS NOT NULL AND last_used_step < ?2",
        user_id,
        step
    )
    .context("Failed to prepare using a TOTP step")
}

pub fn delete_totp(db: &Db, user_id: &str) -> Result<Statement, InfraError> {
    query!(db, "DELETE FROM totp_factors WHERE user_id = ?1", user_id)
        .context("Failed to prepare removing a TOTP factor")
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecoveryCodeRow {
    pub id: String,
    pub code_hash: String,
}

pub async fn unused_recovery_codes(
    db: &Db,
    user_id: &str,
) -> Result<Vec<RecoveryCodeRow>, InfraError> {
    query!(
        db,
        "SELECT id, code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL",
        user_id
    )
    .rows("Failed to list recovery codes")
    .await
}

pub fn delete_recovery_codes(db: &Db, user_id: &str) -> Result<Statement, InfraError> {
    query!(db, "DELETE FROM recovery_codes WHERE user_id = ?1", user_id)
        .context("Failed to prepare removing recovery codes")
}

/// After a statement that removed a factor: the recovery codes go too once no factor is left.
pub fn delete_recovery_codes_without_factor(
    db: &Db,
    user_id: &str,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "DELETE FROM recovery_codes WHERE user_id = ?1
         AND NOT EXISTS (SELECT 1 FROM totp_factors WHERE user_id = ?1 AND confirmed_at IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = ?1)",
        user_id
    )
    .context("Failed to prepare removing recovery codes")
}

/// Inserts hashed codes as `(id, hash)` pairs, in one statement.
pub fn insert_recovery_codes(
    db: &Db,
    user_id: &str,
    codes: &[(String, String)],
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows = serde_json::to_string(codes).context("Failed to encode recovery codes")?;
    query!(
        db,
        "INSERT INTO recovery_codes (id, user_id, code_hash, created_at)
         SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'), ?2 FROM json_each(?3)",
        user_id,
        now,
        rows
    ).context("Failed to prepare storing recovery codes")
}

/// Marks a code used, once: of two concurrent requests only one changes the row.
pub fn use_recovery_code(db: &Db, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL",
        id,
        now
    )
    .context("Failed to prepare using a recovery code")
}

/// What `GET /api/me/mfa` shows: whether TOTP is on, how many passkeys and how many recovery
/// codes are left.
#[derive(Debug, Clone, Deserialize)]
pub struct FactorSummary {
    pub totp_enabled: i64,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
}

pub async fn summary(db: &Db, user_id: &str) -> Result<FactorSummary, InfraError> {
    let row: Option<FactorSummary> = query!(
        db,
        "SELECT EXISTS (SELECT 1 FROM totp_factors WHERE user_id = ?1 AND confirmed_at IS NOT NULL) AS totp_enabled,
                (SELECT COUNT(*) FROM passkeys WHERE user_id = ?1) AS passkeys,
                (SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL) AS recovery_codes_left",
        user_id
    )
    .row("Failed to read the factor summary")
.await?;
    Ok(row.unwrap_or(FactorSummary {
        totp_enabled: 0,
        passkeys: 0,
        recovery_codes_left: 0,
    }))
}

pub fn insert_challenge(
    db: &Db,
    id: &str,
    user_id: &str,
    expires_at: Millis,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO mfa_challenges (id, user_id, expires_at, created_at) VALUES (?1, ?2, ?3, ?4)",
        id,
        user_id,
        expires_at,
        now
    )
    .context("Failed to prepare a sign-in challenge")
}

/// A try reserved on a live challenge: whose it is and how many tries it has now used.
#[derive(Debug, Clone, Deserialize)]
pub struct ReservedTry {
    pub user_id: String,
    pub attempts: i64,
}

/// Reserves one try in a single statement, before any code is compared: of a burst of
/// concurrent tries, at most [`MAX_CHALLENGE_ATTEMPTS`] get one.
pub async fn reserve_try(
    db: &Db,
    id: &str,
    now: Millis,
) -> Result<Option<ReservedTry>, InfraError> {
    query!(
        db,
        "UPDATE mfa_challenges SET attempts = attempts + 1
         WHERE id = ?1 AND attempts < ?3 AND expires_at > ?2 AND consumed_at IS NULL
         RETURNING user_id, attempts",
        id,
        now,
        MAX_CHALLENGE_ATTEMPTS
    )
    .row("Failed to reserve a challenge try")
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChallengeRow {
    pub user_id: String,
    pub attempts: i64,
    pub expires_at: Millis,
    pub consumed_at: Option<Millis>,
}

pub async fn find_challenge(db: &Db, id: &str) -> Result<Option<ChallengeRow>, InfraError> {
    query!(
        db,
        "SELECT user_id, attempts, expires_at, consumed_at FROM mfa_challenges WHERE id = ?1",
        id
    )
    .row("Failed to look up a challenge")
    .await
}

/// Consumes the challenge, once; the statements after it in the batch check for `nonce`.
pub fn consume_challenge(
    db: &Db,
    id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE mfa_challenges SET consumed_at = ?3, consumed_by = ?2 WHERE id = ?1 AND consumed_at IS NULL",
        id,
        nonce,
        now
    )
    .context("Failed to prepare consuming a challenge")
}

/// Records that the session proved a factor now; its expiry does not move.
pub fn mark_factor_verified(
    db: &Db,
    token_hash: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE sessions SET factor_verified_at = ?2 WHERE token_hash = ?1",
        token_hash,
        now
    )
    .context("Failed to prepare recording a proven factor")
}

/// Reserves one step-up try of a user in the policy's window, in one statement, before any code
/// is compared: `None` when the window's tries are spent.
pub async fn reserve_step_up_try(
    db: &Db,
    key: &str,
    window: Millis,
    max_tries: i64,
    now: Millis,
) -> Result<Option<i64>, InfraError> {
    query!(
        db,
        "INSERT INTO rate_limits (key, window_start, count, last_at) VALUES (?1, ?2, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
           window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END,
           last_at = ?2
         WHERE rate_limits.window_start <= ?2 - ?3 OR rate_limits.count < ?4
         RETURNING count",
        key,
        now,
        window,
        max_tries
    )
    .value("count", "Failed to reserve a step-up try")
    .await
}

/// When the user's step-up window reopens, for `Retry-After`.
pub async fn step_up_window_start(db: &Db, key: &str) -> Result<Option<Millis>, InfraError> {
    query!(
        db,
        "SELECT window_start FROM rate_limits WHERE key = ?1",
        key
    )
    .value("window_start", "Failed to read the step-up window")
    .await
}

/// Sign-in challenges past their five minutes (answered or not).
pub const EXPIRED_CHALLENGES: super::Purge = super::Purge {
    table: "mfa_challenges",
    key: "id",
    condition: "expires_at < ?1",
};
