//! Reviewing the relations the legacy migration brought in: the employer confirms or revokes
//! them, one at a time or all at once.

use super::records::record;
use super::{get, require_administrator, AuthorizationError};
use crate::domain::authorization::{AuthorizationStatus, Origin};
use crate::infra::{App, InfraError};
use crate::json;
use crate::storage::atomically;
use crate::storage::authorizations::{self, AuthorizationRow};
use crate::storage::db::Statement;
use crate::use_cases::Actor;

/// The statements of an actor's decision on one authorization: the change, and its records as
/// the authorization stands after it.
pub(super) fn decided(
    app: &App,
    actor: &Actor,
    before: &AuthorizationRow,
    decision: Decision,
) -> Result<Vec<Statement>, InfraError> {
    let (employer_id, id, now) = (&before.employer_id, &before.id, app.now);
    let (change, kind, after) = match decision {
        Decision::Confirm => (
            authorizations::confirm(&app.db, employer_id, id, now)?,
            "authorization.confirmed",
            AuthorizationRow {
                confirmed_at: Some(now),
                updated_at: now,
                ..before.clone()
            },
        ),
        Decision::Revoke => (
            authorizations::revoke(&app.db, employer_id, id, now)?,
            "authorization.revoked",
            AuthorizationRow {
                status: AuthorizationStatus::Revoked,
                revoked_at: Some(now),
                updated_at: now,
                ..before.clone()
            },
        ),
    };
    let mut statements = vec![change];
    statements.extend(record(
        app,
        Some(actor.user_id.as_str()),
        &actor.requester,
        kind,
        &after,
        json!({}),
    )?);
    Ok(statements)
}

/// The employer confirms one migrated relation after reviewing it.
pub async fn confirm(
    app: &App,
    actor: &Actor,
    id: &str,
) -> Result<AuthorizationRow, AuthorizationError> {
    let before = get(app, actor, id).await?;
    if before.origin != Origin::Migrated {
        return Err(AuthorizationError::NotMigrated);
    }
    if before.confirmed_at.is_some() {
        return Ok(before);
    }
    if !crate::domain::authorization::is_current(before.status, before.ends_at, app.now) {
        return Err(AuthorizationError::Inactive);
    }
    let statements = decided(app, actor, &before, Decision::Confirm)?;
    atomically(&app.db, statements, "Failed to confirm a migrated relation").await?;
    get(app, actor, id).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Revoke,
}

/// Confirms or revokes migrated relations awaiting review: those among `ids`, or all of them.
/// Each batch of relations is written atomically; answers how many were decided.
pub async fn review(
    app: &App,
    actor: &Actor,
    decision: Decision,
    ids: Option<&[String]>,
) -> Result<usize, AuthorizationError> {
    require_administrator(&actor.profile)?;
    let pending =
        authorizations::pending_review(&app.db, &actor.profile.organisation_id, ids, app.now)
            .await?;
    for chunk in pending.chunks(30) {
        let mut statements = Vec::new();
        for relation in chunk {
            statements.extend(decided(app, actor, relation, decision)?);
        }
        atomically(&app.db, statements, "Failed to review migrated relations").await?;
    }
    Ok(pending.len())
}
