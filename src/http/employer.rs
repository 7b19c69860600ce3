//! The employer's side, under `/api/employer/`: its authorizations of other organisations'
//! contacts, the migrated relations to review, and the access requests to answer.

use super::access_requests::{AccessRequest, OneAccessRequest};
use super::body::{form, json_object, Fields};
use super::error::ApiError;
use super::organisation::{paging, search_words};
use super::route::{route, Route};
use super::sessions::require_actor;
use super::{Call, Page, Reply};
use crate::domain::authorization::{
    AccessRequestStatus, AuthorizationStatus, Level, Origin, Period, Services,
};
use crate::domain::email::Email;
use crate::domain::fields::{free_text, Problem};
use crate::domain::organisation::FileNumber;
use crate::domain::time::Day;
use crate::storage::authorizations::{AuthorizationRow, EmployerFilter};
use crate::use_cases::authorizations::{
    self, Authorization, Change, Decision, Grant, ListQuery, Terms,
};
use serde::Serialize;

/// Services, level and period from a body; the start defaults to today.
fn terms(fields: &mut Fields, now: crate::domain::Millis) -> Option<Terms> {
    let services = fields.parsed_list("services", Services::parse);
    let level = fields.parsed("level", Level::parse);
    let starts_on = fields.optional_parsed("starts_on", Day::parse);
    let ends_on = fields.optional_parsed("ends_on", Day::parse);
    let starts_on = starts_on.unwrap_or_else(|| Day::of(now));
    let period = fields
        .errors
        .take("ends_on", Period::new(starts_on, ends_on, now));
    Some(Terms {
        services: services?,
        level: level?,
        period: period?,
    })
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OneAuthorization<'a> {
    authorization: Authorization<'a>,
}

fn one(status: u16, authorization: &AuthorizationRow, call: &Call) -> Reply {
    let authorization = Authorization::of(authorization, call.app.now);
    Reply::json(status, OneAuthorization { authorization })
}

/// An approved access request and the authorization it granted.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Approved<'a> {
    access_request: AccessRequest<'a>,
    authorization: Authorization<'a>,
}

/// How many migrated relations the review confirmed, or revoked.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
enum Reviewed {
    Confirmed(usize),
    Revoked(usize),
}

/// The `status` query parameter of a list: one status (`default` when absent), or `all` (`None`).
fn status_filter<T>(
    call: &Call,
    default: &str,
    parse: fn(&str) -> Result<T, Problem>,
) -> Result<Option<T>, ApiError> {
    match call.query("status").as_deref().unwrap_or(default) {
        "all" => Ok(None),
        status => parse(status)
            .map(Some)
            .map_err(|problem| ApiError::invalid_field("status", problem)),
    }
}

pub async fn authorizations(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let (page, page_size) = paging(call)?;
    let status = status_filter(call, "active", AuthorizationStatus::parse)?;
    let origin = call
        .query("origin")
        .map(|origin| Origin::parse(&origin))
        .transpose()
        .map_err(|problem| ApiError::invalid_field("origin", problem))?;
    let to_review = match call.query("review").as_deref() {
        None => false,
        Some("pending") => true,
        Some(_) => return Err(ApiError::invalid_field("review", Problem::InvalidChoice)),
    };
    let words = search_words(call, 60)?;
    let query = ListQuery {
        filter: EmployerFilter {
            status: status.filter(|_| !to_review),
            origin,
            to_review,
            words: words.as_deref(),
        },
        page,
        page_size,
    };
    let (items, total) = authorizations::list(&call.app, &actor, &query).await?;
    let items = items
        .iter()
        .map(|a| Authorization::of(a, call.app.now))
        .collect();
    Ok(Page::reply(items, total, page, page_size))
}

pub async fn grant(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    authorizations::require_administrator(&actor.profile)?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let firm_file_number = fields.parsed("firm_file_number", FileNumber::parse);
    let contact_email = fields.parsed("contact_email", Email::parse);
    let terms = terms(&mut fields, call.app.now);
    let grant = fields.finish(|| {
        Some(Grant {
            firm_file_number: firm_file_number?,
            contact_email: contact_email?,
            terms: terms?,
        })
    })?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let authorization = authorizations::grant(&call.app, &actor, grant).await?;
    Ok(one(201, &authorization, call))
}

pub async fn authorization(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let authorization = authorizations::get(&call.app, &actor, call.id()).await?;
    Ok(one(200, &authorization, call))
}

pub async fn change(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    let before = authorizations::get(&call.app, &actor, call.id()).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let services = fields.change("services", |f, name| f.parsed_list(name, Services::parse));
    let level = fields.change("level", |f, name| f.parsed(name, Level::parse));
    let ends_on = fields.change("ends_on", |f, name| {
        Some(f.optional_parsed(name, Day::parse))
    });
    if !["services", "level", "ends_on"]
        .iter()
        .any(|name| fields.has(name))
    {
        fields.errors.add("services", Problem::Required);
    }
    let change = fields.finish(|| {
        Some(Change {
            services: services?,
            level: level?,
            ends_on: ends_on?,
        })
    })?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let authorization = authorizations::change(&call.app, &actor, before, change).await?;
    Ok(one(200, &authorization, call))
}

pub async fn revoke(call: &Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let authorization = authorizations::revoke(&call.app, &actor, call.id()).await?;
    Ok(one(200, &authorization, call))
}

pub async fn confirm(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let authorization = authorizations::confirm(&call.app, &actor, call.id()).await?;
    Ok(one(200, &authorization, call))
}

pub async fn review(call: &mut Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    authorizations::require_administrator(&actor.profile)?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let decision = fields.parsed("decision", |raw| match raw {
        "confirm" => Ok(Decision::Confirm),
        "revoke" => Ok(Decision::Revoke),
        "" => Err(Problem::Required),
        _ => Err(Problem::InvalidChoice),
    });
    let ids = if fields.has("ids") {
        fields
            .parsed_list("ids", |ids| {
                let valid = ids.iter().all(|id| {
                    !id.is_empty()
                        && id.len() <= 64
                        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
                if valid && !ids.is_empty() {
                    Ok(ids.iter().map(|id| id.to_string()).collect::<Vec<_>>())
                } else if ids.is_empty() {
                    Err(Problem::Required)
                } else {
                    Err(Problem::InvalidId)
                }
            })
            .map(Some)
    } else {
        Some(None)
    };
    let (decision, ids) = fields.finish(|| Some((decision?, ids?)))?;
    let decided = authorizations::review(&call.app, &actor, decision, ids.as_deref()).await?;
    let reviewed = match decision {
        Decision::Confirm => Reviewed::Confirmed(decided),
        Decision::Revoke => Reviewed::Revoked(decided),
    };
    Ok(Reply::json(200, reviewed))
}

pub async fn access_requests(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let (page, page_size) = paging(call)?;
    let status = status_filter(call, "pending", AccessRequestStatus::parse)?;
    let (items, total) =
        authorizations::requests(&call.app, &actor, status, page, page_size).await?;
    let items = items.iter().map(AccessRequest::of).collect();
    Ok(Page::reply(items, total, page, page_size))
}

pub async fn approve(call: &mut Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    authorizations::require_administrator(&actor.profile)?;
    let terms = form(&mut call.req, |f| terms(f, call.app.now)).await?;
    let id = call.id().to_owned();
    let (request, authorization) = authorizations::approve(&call.app, &actor, &id, terms).await?;
    Ok(Reply::json(
        200,
        Approved {
            access_request: AccessRequest::of(&request),
            authorization: Authorization::of(&authorization, call.app.now),
        },
    ))
}

pub async fn decline(call: &mut Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    authorizations::require_administrator(&actor.profile)?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let reason = fields.optional_parsed("reason", free_text);
    let reason = fields.finish(|| Some(reason.unwrap_or_default()))?;
    let id = call.id().to_owned();
    let request = authorizations::decline(&call.app, &actor, &id, &reason).await?;
    let access_request = AccessRequest::of(&request);
    Ok(Reply::json(200, OneAccessRequest { access_request }))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/employer/authorizations" => authorizations, 200 => Page<Authorization>),
    route!(POST "/api/employer/authorizations" => grant, 201 => OneAuthorization),
    route!(GET "/api/employer/authorizations/{id}" => authorization, 200 => OneAuthorization),
    route!(PATCH "/api/employer/authorizations/{id}" => change, 200 => OneAuthorization),
    route!(DELETE "/api/employer/authorizations/{id}" => revoke, 200 => OneAuthorization),
    route!(POST "/api/employer/authorizations/{id}/confirm" => confirm, 200 => OneAuthorization),
    route!(POST "/api/employer/migrated-relations/review" => review, 200 => Reviewed),
    route!(GET "/api/employer/access-requests" => access_requests, 200 => Page<AccessRequest>),
    route!(POST "/api/employer/access-requests/{id}/approve" => approve, 200 => Approved),
    route!(POST "/api/employer/access-requests/{id}/decline" => decline, 200 => OneAccessRequest),
];
