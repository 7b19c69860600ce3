//! Reviewing the relations the legacy migration brought in: the employer confirms or revokes
//! them, one at a time or all at once.

use super::grants::revocation;
use super::records::record;
use super::{get, require_administrator, AuthorizationError};
use crate::domain::authorization::Origin;
use crate::infra::{App, InfraError};
use crate::json;
use crate::storage::atomically;
use crate::storage::authorizations::{self, AuthorizationRow};
use crate::storage::db::Statement;
use crate::use_cases::Actor;

fn confirmation(
    app: &App,
    actor: &Actor,
    before: &AuthorizationRow,
) -> Result<Vec<Statement>, InfraError> {
    let after = AuthorizationRow {
        confirmed_at: Some(app.now),
        updated_at: app.now,
        ..before.clone()
    };
    let mut statements = vec![authorizations::confirm(
        &app.db,
        &before.employer_id,
        &before.id,
        app.now,
    )?];
    statements.extend(record(
        app,
        Some(actor.user_id.as_str()),
        &actor.requester,
        "authorization.confirmed",
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
    let statements = confirmation(app, actor, &before)?;
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
            statements.extend(match decision {
                Decision::Confirm => confirmation(app, actor, relation)?,
                Decision::Revoke => revocation(app, actor, relation)?,
            });
        }
        atomically(&app.db, statements, "Failed to review migrated relations").await?;
    }
    Ok(pending.len())
}
