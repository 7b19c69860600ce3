//! Organisation API tokens (only their hashes) and what a token may read in sync order.

use crate::domain::organisation::OrganisationKind;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct TokenRow {
    pub id: String,
    pub organisation_id: String,
    pub organisation_kind: OrganisationKind,
    pub name: String,
    pub prefix: String,
    pub scopes: i64,
    pub expires_at: Millis,
    /// The user who created it: the author a monthly report names when the token writes it.
    pub created_by: String,
    pub created_by_email: Option<String>,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

const SELECT: &str =
    "SELECT t.id, t.organisation_id, o.kind AS organisation_kind, t.name, t.prefix, t.scopes,
       t.expires_at, t.created_by, u.email AS created_by_email, t.created_at, t.last_used_at, t.revoked_at
  FROM api_tokens t
  JOIN organisations o ON o.id = t.organisation_id
  LEFT JOIN users u ON u.id = t.created_by";

pub struct NewToken<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
    pub scopes: i64,
    pub expires_at: Millis,
    pub created_by: &'a str,
}

pub fn insert(db: &Db, token: &NewToken, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO api_tokens (id, organisation_id, name, prefix, token_hash, scopes, expires_at, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        token.id,
        token.organisation_id,
        token.name,
        token.prefix,
        token.token_hash,
        token.scopes,
        token.expires_at,
        token.created_by,
        now
    )
    .context("Failed to prepare creating an API token")
}

/// The tokens of an organisation, newest first (revoked ones too: the list is their history).
pub async fn list(db: &Db, organisation_id: &str) -> Result<Vec<TokenRow>, InfraError> {
    query!(
        db,
        &format!(
            "{SELECT} WHERE t.organisation_id = ?1 ORDER BY t.created_at DESC, t.id LIMIT 200"
        ),
        organisation_id
    )
    .rows("Failed to list API tokens")
    .await
}

pub async fn find_in(
    db: &Db,
    organisation_id: &str,
    id: &str,
) -> Result<Option<TokenRow>, InfraError> {
    query!(
        db,
        &format!("{SELECT} WHERE t.organisation_id = ?1 AND t.id = ?2"),
        organisation_id,
        id
    )
    .row("Failed to look up an API token")
    .await
}

/// The token a request presents, by the hash of its secret.
pub async fn find_by_hash(db: &Db, token_hash: &str) -> Result<Option<TokenRow>, InfraError> {
    query!(db, &format!("{SELECT} WHERE t.token_hash = ?1"), token_hash)
        .row("Failed to authenticate an API token")
        .await
}

pub fn revoke(
    db: &Db,
    organisation_id: &str,
    id: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE api_tokens SET revoked_at = ?3 WHERE organisation_id = ?1 AND id = ?2 AND revoked_at IS NULL",
        organisation_id,
        id,
        now
    )
    .context("Failed to prepare revoking an API token")
}

/// Records a use, at most once a minute per token (lists show the last use).
pub fn touch(db: &Db, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2 - 60000)",
        id,
        now
    )
    .context("Failed to prepare recording an API token's use")
}
