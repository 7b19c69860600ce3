//! Organisation API tokens (`/api/organisation/tokens`), reading the bearer of a request, and
//! the bearer side of `GET /api/authorized-files`: what an accounting platform syncs.

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::require_actor;
use super::{Call, Reply};
use crate::domain::api_token::{self, Scope, Scopes};
use crate::domain::fields::{FieldErrors, Problem};
use crate::domain::name::PersonName;
use crate::domain::time::Day;
use crate::domain::{Millis, MAX_BOUND_INTEGER};
use crate::storage::api_tokens::TokenRow;
use crate::storage::sync;
use crate::use_cases::authorizations::Authorization;
use crate::use_cases::tokens::{self, NewTokenForm};
use serde::Serialize;

/// An API token as its organisation sees it: never its secret, which is shown once.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ApiToken<'a> {
    id: &'a str,
    name: &'a str,
    /// The secret's first characters, to recognise it.
    prefix: &'a str,
    #[cfg_attr(test, schemars(with = "Vec<Scope>"))]
    scopes: Vec<&'static str>,
    expires_at: Millis,
    /// The last day it works (America/Montreal), YYYY-MM-DD.
    expires_on: String,
    created_at: Millis,
    /// Who created it, while that account exists.
    created_by: Option<&'a str>,
    last_used_at: Option<Millis>,
    revoked_at: Option<Millis>,
    state: TokenState,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl<'a> ApiToken<'a> {
    fn of(token: &'a TokenRow, now: Millis) -> ApiToken<'a> {
        let state = if token.revoked_at.is_some() {
            TokenState::Revoked
        } else if token.expires_at <= now {
            TokenState::Expired
        } else {
            TokenState::Active
        };
        ApiToken {
            id: &token.id,
            name: &token.name,
            prefix: &token.prefix,
            scopes: Scopes::codes_of(token.scopes),
            expires_at: token.expires_at,
            expires_on: Day::ending_at(token.expires_at).to_iso(),
            created_at: token.created_at,
            created_by: token.created_by_email.as_deref(),
            last_used_at: token.last_used_at,
            revoked_at: token.revoked_at,
            state,
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct TokenList<'a> {
    items: Vec<ApiToken<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OneToken<'a> {
    token: ApiToken<'a>,
}

/// A new token, with the only copy of its secret.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct IssuedToken<'a> {
    token: ApiToken<'a>,
    #[cfg_attr(test, schemars(regex(pattern = r"^sel_[A-Za-z0-9_-]{43}$")))]
    secret: &'a str,
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let found = tokens::list(&call.app, &actor).await?;
    let items = found
        .iter()
        .map(|t| ApiToken::of(t, call.app.now))
        .collect();
    Ok(Reply::json(200, TokenList { items }))
}

pub async fn create(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let name = fields.parsed("name", |raw| {
        PersonName::parse(raw).map(|n| n.as_str().to_owned())
    });
    let scopes = fields.parsed_list("scopes", Scopes::parse);
    let now = call.app.now;
    let expires_at = fields.parsed("expires_on", |raw| {
        Day::parse(raw).and_then(|day| api_token::expiry(day, now))
    });
    let form = fields.finish(|| {
        Some(NewTokenForm {
            name: name?,
            scopes: scopes?,
            expires_at: expires_at?,
        })
    })?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let (token, secret) = tokens::create(&call.app, &actor, form).await?;
    let token = ApiToken::of(&token, call.app.now);
    Ok(Reply::json(
        201,
        IssuedToken {
            token,
            secret: &secret,
        },
    ))
}

pub async fn revoke(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let token = tokens::revoke(&call.app, &actor, call.id()).await?;
    let token = ApiToken::of(&token, call.app.now);
    Ok(Reply::json(200, OneToken { token }))
}

/// The `Authorization` header when it is present: the request is a platform's, not a browser's.
pub fn bearer(call: &Call) -> Option<String> {
    call.req.headers().get("Authorization").ok().flatten()
}

/// `since` (a version, default 0) and `limit` (1 to 500, default 100) of a sync request.
pub fn sync_window(call: &Call) -> Result<(i64, i64), ApiError> {
    let mut errors = FieldErrors::default();
    let mut number = |name: &'static str,
                      range: std::ops::RangeInclusive<i64>,
                      default,
                      problem: Problem| match call.query(name) {
        None => Some(default),
        Some(raw) => errors.take(
            name,
            raw.parse::<i64>()
                .ok()
                .filter(|n| range.contains(n))
                .ok_or(problem),
        ),
    };
    let since = number(
        "since",
        0..=MAX_BOUND_INTEGER,
        0,
        Problem::InvalidSyncCursor,
    );
    let limit = number("limit", 1..=500, 100, Problem::InvalidSyncLimit);
    errors
        .into_result(|| (since.unwrap_or(0), limit.unwrap_or(100)))
        .map_err(ApiError::invalid)
}

/// One page of a platform's sync: the rows changed since its cursor, each with its `version`.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "{T}Changes", deny_unknown_fields))]
pub struct Changes<T> {
    items: Vec<Changed<T>>,
    /// Pass it as `since` in the next sync
    #[cfg_attr(test, schemars(regex(pattern = r"^[0-9]+$")))]
    next_cursor: String,
    has_more: bool,
}

/// A row of a sync and its place in the sync order.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "Changed{T}"))]
pub struct Changed<T> {
    #[serde(flatten)]
    item: T,
    /// The change's place in the sync order: next_cursor is the last one given
    #[cfg_attr(test, schemars(range(min = 1)))]
    version: i64,
}

impl<T: Serialize> Changes<T> {
    /// The answer for `rows` (one more than `limit` when more follow), each shown as `body`.
    pub fn reply<'a, R>(
        rows: &'a [R],
        version: impl Fn(&R) -> i64,
        body: impl Fn(&'a R) -> T,
        since: i64,
        limit: i64,
    ) -> Reply {
        let has_more = rows.len() as i64 > limit;
        let shown = &rows[..rows.len().min(limit as usize)];
        let items = shown
            .iter()
            .map(|row| Changed {
                item: body(row),
                version: version(row),
            })
            .collect();
        let next = shown.iter().map(&version).max().unwrap_or(since);
        let changes = Changes {
            items,
            next_cursor: next.to_string(),
            has_more,
        };
        Reply::json(200, changes)
    }
}

/// `GET /api/authorized-files` with a token: every authorization of the organisation's contacts
/// (a firm's) or granted by the organisation (an employer's) — revoked and ended ones too, so the
/// platform can remove them — changed since `since`.
pub async fn authorized_files(call: &Call, header: &str) -> Result<Reply, ApiError> {
    let token = tokens::authenticate(&call.app, header, Scope::AuthorizedFiles).await?;
    let (since, limit) = sync_window(call)?;
    let rows =
        sync::authorizations_of(&call.app.db, &token.organisation_id, since, limit + 1).await?;
    Ok(Changes::reply(
        &rows,
        |a| a.version,
        |a| Authorization::of(a, call.app.now),
        since,
        limit,
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/organisation/tokens" => list, 200 => TokenList),
    route!(POST "/api/organisation/tokens" => create, 201 => IssuedToken),
    route!(DELETE "/api/organisation/tokens/{id}" => revoke, 200 => OneToken),
];
