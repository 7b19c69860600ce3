use crate::domain::organisation::{OrganisationKind, Role};
use crate::domain::session::SessionTimes;
use crate::domain::user::UserStatus;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
    pub revoked_at: Option<Millis>,
    pub factor_verified_at: Option<Millis>,
}

impl SessionRow {
    pub fn times(&self) -> SessionTimes {
        SessionTimes {
            last_seen_at: self.last_seen_at,
            expires_at: self.expires_at,
            revoked: self.revoked_at.is_some(),
        }
    }
}

pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    pub active_contact_id: Option<&'a str>,
    pub expires_at: Millis,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// A short label of the browser and system (`domain::device`).
    pub device: Option<&'a str>,
    pub factor_verified_at: Option<Millis>,
}

pub fn insert(db: &Db, session: &NewSession, now: Millis) -> Result<Statement, InfraError> {
    insert_when(db, session, None, now)
}

/// What this request consumed to start a session: a one-time code's verification (see
/// `verifications::consume`) or a sign-in challenge (`mfa::consume_challenge`), marked with the
/// request's nonce.
pub enum Consumed<'a> {
    Verification { id: &'a str, nonce: &'a str },
    Challenge { id: &'a str, nonce: &'a str },
}

/// Same as [`insert`], but only if this request consumed `what`: a request that lost the race
/// for it starts no session.
pub fn insert_if_consumed(
    db: &Db,
    session: &NewSession,
    what: Consumed,
    now: Millis,
) -> Result<Statement, InfraError> {
    insert_when(db, session, Some(what), now)
}

/// The creation of a session, only if this request consumed `what` when there is one. Without
/// it the condition's two placeholders are bound to NULL and it holds (D1 refuses a value bound
/// to no placeholder).
fn insert_when(
    db: &Db,
    session: &NewSession,
    what: Option<Consumed>,
    now: Millis,
) -> Result<Statement, InfraError> {
    let guard = what.map(|what| match what {
        Consumed::Verification { id, nonce } => ("verifications", id, nonce),
        Consumed::Challenge { id, nonce } => ("mfa_challenges", id, nonce),
    });
    let condition = match guard {
        Some((table, ..)) => {
            format!("EXISTS (SELECT 1 FROM {table} WHERE id = ?10 AND consumed_by = ?11)")
        }
        None => "?10 IS NULL AND ?11 IS NULL".to_owned(),
    };
    query!(
        db,
        &format!(
            "INSERT INTO sessions (token_hash, user_id, active_contact_id, created_at, last_seen_at, expires_at, ip, user_agent, device, factor_verified_at)
             SELECT ?1, ?2, ?7, ?3, ?3, ?4, ?5, ?6, ?8, ?9 WHERE {condition}"
        ),
        session.token_hash,
        session.user_id,
        now,
        session.expires_at,
        session.ip,
        session.user_agent,
        session.active_contact_id,
        session.device,
        session.factor_verified_at,
        guard.map(|(_, id, _)| id),
        guard.map(|(.., nonce)| nonce)
    )
    .context("Failed to prepare the creation of a session")
}

/// A live session's user and active profile, read in one query: the hot path of every
/// authenticated request. The profile is joined only while its contact is still linked to that
/// user, so revoking a contact takes effect on the very next request.
pub struct SessionWithUser {
    pub session: SessionRow,
    pub user: super::users::UserRow,
    pub profile: Option<super::contacts::ProfileRow>,
    /// How many organisation profiles the user has.
    pub linked_profiles: i64,
    /// Whether the account has a confirmed second factor.
    pub has_factor: bool,
}

pub async fn find_with_user(
    db: &Db,
    token_hash: &str,
) -> Result<Option<SessionWithUser>, InfraError> {
    #[derive(Deserialize)]
    struct Joined {
        token_hash: String,
        user_id: String,
        last_seen_at: Millis,
        expires_at: Millis,
        revoked_at: Option<Millis>,
        factor_verified_at: Option<Millis>,
        has_factor: i64,
        email: String,
        password_hash: String,
        first_name: String,
        last_name: String,
        locale: String,
        status: UserStatus,
        contact_id: Option<String>,
        role: Option<Role>,
        organisation_id: Option<String>,
        organisation_name: Option<String>,
        organisation_kind: Option<OrganisationKind>,
        file_number: Option<String>,
        manages_authorizations: Option<i64>,
        mfa_for_all_contacts: Option<i64>,
        linked_profiles: i64,
    }
    let row: Option<Joined> = query!(
        db,
        "SELECT s.token_hash, s.user_id, s.last_seen_at, s.expires_at, s.revoked_at, s.factor_verified_at,
                (EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = s.user_id AND t.confirmed_at IS NOT NULL)
                 OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = s.user_id)) AS has_factor,
                u.email, u.password_hash, u.first_name, u.last_name, u.locale, u.status,
                c.id AS contact_id, c.role, o.id AS organisation_id, o.name AS organisation_name,
                o.kind AS organisation_kind, o.file_number, c.manages_authorizations, o.mfa_for_all_contacts,
                (SELECT COUNT(*) FROM contacts WHERE user_id = s.user_id AND status = 'linked') AS linked_profiles
         FROM sessions s JOIN users u ON u.id = s.user_id
         LEFT JOIN contacts c ON c.id = s.active_contact_id AND c.user_id = s.user_id AND c.status = 'linked'
         LEFT JOIN organisations o ON o.id = c.organisation_id
         WHERE s.token_hash = ?1",
        token_hash
    )
    .row("Failed to look up a session")
.await?;
    Ok(row.map(|j| {
        let profile = match (
            j.contact_id,
            j.role,
            j.organisation_id,
            j.organisation_name,
            j.organisation_kind,
            j.file_number,
        ) {
            (
                Some(contact_id),
                Some(role),
                Some(organisation_id),
                Some(organisation_name),
                Some(organisation_kind),
                Some(file_number),
            ) => Some(super::contacts::ProfileRow {
                contact_id,
                role,
                organisation_id,
                organisation_name,
                organisation_kind,
                file_number,
                manages_authorizations: j.manages_authorizations.unwrap_or(0),
                mfa_for_all_contacts: j.mfa_for_all_contacts.unwrap_or(0),
            }),
            _ => None,
        };
        SessionWithUser {
            session: SessionRow {
                token_hash: j.token_hash,
                user_id: j.user_id.clone(),
                last_seen_at: j.last_seen_at,
                expires_at: j.expires_at,
                revoked_at: j.revoked_at,
                factor_verified_at: j.factor_verified_at,
            },
            user: super::users::UserRow {
                id: j.user_id,
                email: j.email,
                password_hash: j.password_hash,
                first_name: j.first_name,
                last_name: j.last_name,
                locale: j.locale,
                status: j.status,
            },
            profile,
            linked_profiles: j.linked_profiles,
            has_factor: j.has_factor == 1,
        }
    }))
}

pub fn touch(db: &Db, token_hash: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
        token_hash,
        now
    )
    .context("Failed to prepare touching a session")
}

pub fn revoke(db: &Db, token_hash: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
        token_hash,
        now
    )
    .context("Failed to prepare revoking a session")
}

/// Ends every session of a user, provided this request consumed the reset code.
pub fn revoke_all_of_user_if_consumed_by(
    db: &Db,
    user_id: &str,
    verification_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL
           AND EXISTS (SELECT 1 FROM verifications WHERE id = ?3 AND consumed_by = ?4)",
        user_id,
        now,
        verification_id,
        nonce
    )
    .context("Failed to prepare revoking the sessions of a user")
}

/// Sessions past their absolute expiry, or revoked, before the cutoff.
pub const ENDED: super::Purge = super::Purge {
    table: "sessions",
    key: "token_hash",
    condition: "expires_at < ?1 OR revoked_at < ?1",
};
