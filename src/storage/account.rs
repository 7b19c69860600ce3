//! The queries of "Mon compte": a person's own sessions, activity and data, and the closing of
//! their account.

use crate::domain::session::IDLE_TIMEOUT;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;
use serde_json::Value;

/// Changes the name and language; a `None` keeps the stored value.
pub fn update_profile(
    db: &Db,
    user_id: &str,
    first_name: Option<&str>,
    last_name: Option<&str>,
    locale: Option<&str>,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE users SET first_name = COALESCE(?2, first_name), last_name = COALESCE(?3, last_name),
           locale = COALESCE(?4, locale)
         WHERE id = ?1",
        user_id,
        first_name,
        last_name,
        locale
    )
    .context("Failed to prepare updating a user's name and language")
}

/// Sets a new password, provided the stored one is still the one this request checked: of two
/// concurrent changes, only the first writes.
pub fn change_password(
    db: &Db,
    user_id: &str,
    checked_hash: &str,
    new_hash: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE users SET password_hash = ?3, password_changed_at = ?4 WHERE id = ?1 AND password_hash = ?2",
        user_id,
        checked_hash,
        new_hash,
        now
    )
    .context("Failed to prepare a password change")
}

/// Ends every session of a user but one: `keep` is the token hash of the session to keep.
pub fn revoke_sessions_except(
    db: &Db,
    user_id: &str,
    keep: Option<&str>,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE sessions SET revoked_at = ?2
         WHERE user_id = ?1 AND revoked_at IS NULL AND token_hash IS NOT ?3",
        user_id,
        now,
        keep
    )
    .context("Failed to prepare ending a user's other sessions")
}

/// Changes the address to the one a verification proved, provided this request consumed it and
/// nobody took the address in the meantime.
pub fn set_email_if_consumed_by(
    db: &Db,
    user_id: &str,
    verification_id: &str,
    nonce: &str,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE users SET email = v.email
         FROM (SELECT email FROM verifications WHERE id = ?2 AND consumed_by = ?3 AND user_id = ?1) AS v
         WHERE users.id = ?1 AND NOT EXISTS (SELECT 1 FROM users other WHERE other.email = v.email)",
        user_id,
        verification_id,
        nonce
    )
    .context("Failed to prepare an email change")
}

/// A session as "Mon compte" lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct SessionEntry {
    pub token_hash: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub device: Option<String>,
    pub ip: Option<String>,
}

/// The user's sessions that still let their holder in, most recently used first.
pub async fn live_sessions(
    db: &Db,
    user_id: &str,
    now: Millis,
) -> Result<Vec<SessionEntry>, InfraError> {
    query!(
        db,
        "SELECT token_hash, created_at, last_seen_at, device, ip FROM sessions
         WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2 AND last_seen_at > ?2 - ?3
         ORDER BY last_seen_at DESC, created_at DESC LIMIT 200",
        user_id,
        now,
        IDLE_TIMEOUT
    )
    .rows("Failed to list a user's sessions")
    .await
}

/// When a session reaches its absolute timeout.
pub async fn session_expiry(db: &Db, token_hash: &str) -> Result<Option<Millis>, InfraError> {
    query!(
        db,
        "SELECT expires_at FROM sessions WHERE token_hash = ?1",
        token_hash
    )
    .value("expires_at", "Failed to read a session's expiry")
    .await
}

/// Ends one session of a user.
pub fn revoke_session_of(
    db: &Db,
    user_id: &str,
    token_hash: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE sessions SET revoked_at = ?3 WHERE user_id = ?1 AND token_hash = ?2 AND revoked_at IS NULL",
        user_id,
        token_hash,
        now
    )
    .context("Failed to prepare ending a session")
}

/// One event of the person's own trail.
#[derive(Debug, Clone, Deserialize)]
pub struct ActivityEntry {
    pub id: String,
    pub at: Millis,
    pub action: String,
    pub ip: Option<String>,
}

/// The user's own audit events, newest first, after the keyset position `(at, id)`.
pub async fn activity(
    db: &Db,
    user_id: &str,
    after: Option<(Millis, &str)>,
    limit: i64,
) -> Result<Vec<ActivityEntry>, InfraError> {
    let (at, id) = after.unzip();
    query!(
        db,
        "SELECT id, at, action, ip FROM audit_events
         WHERE user_id = ?1 AND (?2 IS NULL OR at < ?2 OR (at = ?2 AND id < ?3))
         ORDER BY at DESC, id DESC LIMIT ?4",
        user_id,
        at,
        id,
        limit
    )
    .rows("Failed to read a user's activity")
    .await
}

/// The organisations where the user is the only responsable left: closing the account would
/// leave them without one.
pub async fn organisations_only_they_lead(
    db: &Db,
    user_id: &str,
) -> Result<Vec<String>, InfraError> {
    #[derive(Deserialize)]
    struct Row {
        name: String,
    }
    let rows: Vec<Row> = query!(
        db,
        "SELECT o.name FROM contacts c JOIN organisations o ON o.id = c.organisation_id
         WHERE c.user_id = ?1 AND c.status = 'linked' AND c.role = 'responsable'
           AND NOT EXISTS (SELECT 1 FROM contacts other WHERE other.organisation_id = c.organisation_id
             AND other.id != c.id AND other.role = 'responsable' AND other.status != 'revoked')
         ORDER BY o.name",
        user_id
    )
    .rows("Failed to find organisations only the user leads")
.await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// The tables of a person's own codes, browsers, factors and requests, each with what a failure
/// names: all go with the account, even when its row stays (it is referenced by what the person
/// did), so nothing of the person's own credentials outlives it.
const ERASED_WITH_ACCOUNT: [(&str, &str); 6] = [
    ("verifications", "codes"),
    ("known_devices", "devices"),
    ("totp_factors", "authenticator app"),
    ("recovery_codes", "recovery codes"),
    ("passkeys", "passkeys"),
    ("known_facts_requests", "linking requests"),
];

/// The closing of an account, in the order of one batch: its contacts lose their link (a linked
/// one can be linked again with new credentials), its personal data is erased, and the row
/// itself goes unless an access request or an API token it made still names it (those keep the
/// empty, pseudonymous row; the cleanup job takes it once nothing names it). Sessions and
/// verifications go with the row, or are ended first when it stays; its known-facts linking
/// requests go.
pub fn close_account(db: &Db, user_id: &str, now: Millis) -> Result<Vec<Statement>, InfraError> {
    let mut statements = vec![
        query!(
            db,
            "UPDATE contacts SET user_id = NULL, linked_at = NULL,
               status = CASE WHEN status = 'linked' THEN 'invited' ELSE status END
             WHERE user_id = ?1",
            user_id
        )
        .context("Failed to prepare unlinking a closed account's contacts")?,
        query!(
            db,
            "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            user_id,
            now
        )
        .context("Failed to prepare ending a closed account's sessions")?,
    ];
    for (table, what) in ERASED_WITH_ACCOUNT {
        let delete = format!("DELETE FROM {table} WHERE user_id = ?1");
        let failure = format!("Failed to prepare deleting a closed account's {what}");
        statements.push(query!(db, &delete, user_id).context(&failure)?);
    }
    statements.extend([
        // Status 'pending' and a hash no password matches: nobody can sign in to the row left.
        query!(
            db,
            "UPDATE users SET email = 'closed-' || id || '@closed.invalid', password_hash = '!',
               first_name = '', last_name = '', status = 'pending', password_changed_at = ?2
             WHERE id = ?1",
            user_id,
            now
        )
        .context("Failed to prepare erasing a closed account")?,
        query!(
            db,
            "DELETE FROM users WHERE id = ?1
               AND NOT EXISTS (SELECT 1 FROM access_requests WHERE requested_by = ?1)
               AND NOT EXISTS (SELECT 1 FROM api_tokens WHERE created_by = ?1)",
            user_id
        )
        .context("Failed to prepare deleting a closed account")?,
    ]);
    Ok(statements)
}

/// Everything held about a person, as JSON sections.
pub struct Export {
    pub account: Vec<Value>,
    pub profiles: Vec<Value>,
    pub authorizations: Vec<Value>,
    pub access_requests: Vec<Value>,
    pub linking_requests: Vec<Value>,
    pub sessions: Vec<Value>,
    /// The browsers signed in from: when first and last (their cookie's hash is no one's data).
    pub devices: Vec<Value>,
    /// The passkeys registered: their names and dates (the public keys identify no one).
    pub passkeys: Vec<Value>,
    pub events: Vec<Value>,
}

pub async fn export(db: &Db, user_id: &str) -> Result<Export, InfraError> {
    let account = query!(
        db,
        "SELECT id, email, first_name, last_name, locale, status, created_at, verified_at, password_changed_at
         FROM users WHERE id = ?1",
        user_id
    );
    let profiles = query!(
        db,
        "SELECT c.id, c.first_name, c.last_name, c.email, c.role, c.status, c.linked_at, c.revoked_at,
                c.last_activity_at, c.manages_authorizations, c.created_at,
                o.id AS organisation_id, o.name AS organisation_name, o.kind AS organisation_kind,
                o.file_number AS organisation_file_number
         FROM contacts c JOIN organisations o ON o.id = c.organisation_id
         WHERE c.user_id = ?1 ORDER BY c.created_at",
        user_id
    );
    let authorizations = query!(
        db,
        "SELECT a.id, a.contact_id, a.employer_id, a.employer_name, a.file_number, a.services, a.level,
                a.starts_at, a.ends_at, a.origin, a.status, a.created_at, a.updated_at, a.revoked_at, a.ended_at
         FROM authorizations a JOIN contacts c ON c.id = a.contact_id
         WHERE c.user_id = ?1 ORDER BY a.created_at",
        user_id
    );
    let access_requests = query!(
        db,
        "SELECT id, employer_id, contact_id, services, message, status, created_at, expires_at, answered_at
         FROM access_requests WHERE requested_by = ?1 ORDER BY created_at",
        user_id
    );
    let linking_requests = query!(
        db,
        "SELECT id, file_number, created_at, expires_at FROM known_facts_requests
         WHERE user_id = ?1 ORDER BY created_at",
        user_id
    );
    let sessions = query!(
        db,
        "SELECT created_at, last_seen_at, expires_at, revoked_at, ip, device FROM sessions
         WHERE user_id = ?1 ORDER BY created_at",
        user_id
    );
    let devices = query!(
        db,
        "SELECT created_at, last_seen_at FROM known_devices WHERE user_id = ?1 ORDER BY created_at",
        user_id
    );
    let passkeys = query!(
        db,
        "SELECT name, created_at, last_used_at FROM passkeys WHERE user_id = ?1 ORDER BY created_at",
        user_id
    );
    let events = query!(
        db,
        "SELECT at, action, organisation_id, contact_id, ip, details FROM audit_events
         WHERE user_id = ?1 ORDER BY at, id",
        user_id
    );
    Ok(Export {
        account: account.rows("Failed to export an account").await?,
        profiles: profiles.rows("Failed to export profiles").await?,
        authorizations: authorizations
            .rows("Failed to export authorizations")
            .await?,
        access_requests: access_requests
            .rows("Failed to export access requests")
            .await?,
        linking_requests: linking_requests
            .rows("Failed to export known-facts linking requests")
            .await?,
        sessions: sessions.rows("Failed to export sessions").await?,
        devices: devices.rows("Failed to export devices").await?,
        passkeys: passkeys.rows("Failed to export passkeys").await?,
        events: events.rows("Failed to export events").await?,
    })
}
