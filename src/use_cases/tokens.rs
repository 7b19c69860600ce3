//! Organisation API tokens: a responsable creates them (shown once), lists them by prefix and last
//! use, revokes them at once; an accounting platform presents one as `Authorization: Bearer` to
//! read the organisation's authorized files or contacts, within its scopes and rate limit.

use super::members::{require_responsable, MembersError};
use super::{organisation_event, Actor};
use crate::domain::api_token::{self, IssuedToken, Scope, Scopes, REQUESTS_PER_TOKEN};
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::storage::api_tokens::{self, NewToken, TokenRow};
use crate::storage::audit;
use crate::storage::db::Run;
use crate::storage::rate_limits::Refused;
use crate::storage::{atomically, rate_limits};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Members(#[from] MembersError),
    #[error("API token: not found")]
    NotFound,
    /// Not a token of ours, or unknown.
    #[error("API token: invalid")]
    Invalid,
    #[error("API token: expired")]
    Expired,
    #[error("API token: revoked")]
    Revoked,
    #[error("API token: missing scope: {0:?}")]
    MissingScope(Scope),
    #[error("API token: throttled (retry after {retry_after:?})")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// What the audit trail keeps of a token created or revoked: never its secret.
#[derive(serde::Serialize)]
struct TokenDetails<'a> {
    token_id: &'a str,
    name: &'a str,
    prefix: &'a str,
    /// Only at its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<&'static str>>,
}

pub struct NewTokenForm {
    pub name: String,
    pub scopes: Scopes,
    pub expires_at: crate::domain::Millis,
}

/// Creates a token; answers it with its secret, which is never shown again.
pub async fn create(
    app: &App,
    actor: &Actor,
    form: NewTokenForm,
) -> Result<(TokenRow, String), TokenError> {
    let profile = &actor.profile;
    require_responsable(profile)?;
    let issued = IssuedToken::generate(&mut OsEntropy);
    let id = random_id();
    atomically(
        &app.db,
        vec![
            api_tokens::insert(
                &app.db,
                &NewToken {
                    id: &id,
                    organisation_id: &profile.organisation_id,
                    name: &form.name,
                    prefix: &issued.prefix,
                    token_hash: &issued.hash,
                    scopes: form.scopes.bits(),
                    expires_at: form.expires_at,
                    created_by: &actor.user_id,
                },
                app.now,
            )?,
            audit::append(
                &app.db,
                &organisation_event(
                    "token.created",
                    &actor.user_id,
                    profile,
                    &actor.requester,
                    crate::json::value(&TokenDetails {
                        token_id: &id,
                        name: &form.name,
                        prefix: &issued.prefix,
                        scopes: Some(form.scopes.codes()),
                    }),
                ),
                app.now,
            )?,
        ],
        "Failed to create an API token",
    )
    .await?;
    let token = api_tokens::find_in(&app.db, &profile.organisation_id, &id)
        .await?
        .ok_or(TokenError::NotFound)?;
    Ok((token, issued.secret))
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<TokenRow>, TokenError> {
    require_responsable(&actor.profile)?;
    Ok(api_tokens::list(&app.db, &actor.profile.organisation_id).await?)
}

/// Revokes at once: the next request with the token answers 401.
pub async fn revoke(app: &App, actor: &Actor, id: &str) -> Result<TokenRow, TokenError> {
    let profile = &actor.profile;
    require_responsable(profile)?;
    let token = api_tokens::find_in(&app.db, &profile.organisation_id, id)
        .await?
        .ok_or(TokenError::NotFound)?;
    if token.revoked_at.is_none() {
        atomically(
            &app.db,
            vec![
                api_tokens::revoke(&app.db, &profile.organisation_id, id, app.now)?,
                audit::append(
                    &app.db,
                    &organisation_event(
                        "token.revoked",
                        &actor.user_id,
                        profile,
                        &actor.requester,
                        crate::json::value(&TokenDetails {
                            token_id: id,
                            name: &token.name,
                            prefix: &token.prefix,
                            scopes: None,
                        }),
                    ),
                    app.now,
                )?,
            ],
            "Failed to revoke an API token",
        )
        .await?;
    }
    api_tokens::find_in(&app.db, &profile.organisation_id, id)
        .await?
        .ok_or(TokenError::NotFound)
}

/// The token of an `Authorization` header, if it is valid, unexpired, unrevoked, has `scope` and
/// is within its rate limit; each use is counted.
pub async fn authenticate(app: &App, header: &str, scope: Scope) -> Result<TokenRow, TokenError> {
    let secret = api_token::from_header(header).ok_or(TokenError::Invalid)?;
    let token = api_tokens::find_by_hash(&app.db, &api_token::hash(secret))
        .await?
        .ok_or(TokenError::Invalid)?;
    if token.revoked_at.is_some() {
        return Err(TokenError::Revoked);
    }
    if token.expires_at <= app.now {
        return Err(TokenError::Expired);
    }
    if !Scopes::from_bits(token.scopes).is_some_and(|s| s.contains(scope)) {
        return Err(TokenError::MissingScope(scope));
    }
    let limit = &REQUESTS_PER_TOKEN;
    let key = limit.key(&token.id);
    // The request takes its slot in one statement: a burst cannot exceed the minute's budget.
    if let Err(Refused { retry_after }) =
        rate_limits::take(&app.db, app.now, &[(limit, &key)]).await?
    {
        return Err(TokenError::Throttled { retry_after });
    }
    api_tokens::touch(&app.db, &token.id, app.now)
        .execute("Failed to record an API token's use")
        .await?;
    Ok(token)
}
