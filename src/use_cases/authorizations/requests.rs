//! Access requests, the employer's side: listing them, approving one (which grants the
//! authorization in the same batch) or declining it.

use super::grants::{create, employer_of, Parties, Terms};
use super::records::{notify, request_records};
use super::{require_administrator, AuthorizationError};
use crate::domain::authorization::AccessRequestStatus;
use crate::email::templates::Template;
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::access_requests::{self, AccessRequestRow, Answer, Side};
use crate::storage::authorizations::AuthorizationRow;
use crate::storage::contacts;
use crate::storage::db::Statement;
use crate::storage::organisations;
use crate::storage::{atomically, wrote};
use crate::use_cases::Actor;
use serde_json::Value;

pub async fn requests(
    app: &App,
    actor: &Actor,
    status: Option<AccessRequestStatus>,
    page: i64,
    page_size: i64,
) -> Result<(Vec<AccessRequestRow>, i64), AuthorizationError> {
    require_administrator(&actor.profile)?;
    Ok(access_requests::page(
        &app.db,
        &access_requests::PageQuery {
            side: Side::Employer,
            organisation_id: &actor.profile.organisation_id,
            contact_id: None,
            status,
            now: app.now,
            limit: page_size,
            offset: (page - 1) * page_size,
        },
    )
    .await?)
}

/// A request made to the actor's organisation.
async fn find_request(
    app: &App,
    actor: &Actor,
    id: &str,
) -> Result<AccessRequestRow, AuthorizationError> {
    access_requests::find_for(
        &app.db,
        Side::Employer,
        &actor.profile.organisation_id,
        id,
        app.now,
    )
    .await?
    .ok_or(AuthorizationError::NotFound)
}

async fn pending_request(
    app: &App,
    actor: &Actor,
    id: &str,
) -> Result<AccessRequestRow, AuthorizationError> {
    require_administrator(&actor.profile)?;
    let request = find_request(app, actor, id).await?;
    match request.status {
        AccessRequestStatus::Pending => Ok(request),
        AccessRequestStatus::Expired => Err(AuthorizationError::RequestExpired),
        _ => Err(AuthorizationError::RequestAnswered),
    }
}

/// The employer's answer to a pending request, recorded as `action` (see `request_records`).
fn answer_records(
    app: &App,
    actor: &Actor,
    request: &AccessRequestRow,
    answer: Answer,
    action: &str,
    details: Value,
) -> Result<Vec<Statement>, InfraError> {
    let mut statements = vec![access_requests::answer(
        &app.db,
        &actor.profile.organisation_id,
        &request.id,
        answer,
        &actor.user_id,
        app.now,
    )?];
    statements.extend(request_records(
        app,
        Some(actor.user_id.as_str()),
        &actor.requester,
        (action, "access_request.answered"),
        request,
        details,
    )?);
    Ok(statements)
}

/// Approves a pending request: the authorization is created with the terms the employer chose.
pub async fn approve(
    app: &App,
    actor: &Actor,
    id: &str,
    terms: Terms,
) -> Result<(AccessRequestRow, AuthorizationRow), AuthorizationError> {
    let request = pending_request(app, actor, id).await?;
    let employer = employer_of(app, &actor.profile).await?;
    let firm = organisations::find(&app.db, &request.firm_id)
        .await?
        .ok_or(AuthorizationError::NotFound)?;
    let authorization_id = random_id();
    // The answer and its records are written in the authorization's batch: all or nothing.
    let more = answer_records(
        app,
        actor,
        &request,
        Answer::Approved {
            authorization_id: &authorization_id,
        },
        "access_request.approved",
        json!({ "decision": "approved", "authorization_id": authorization_id }),
    )?;
    let parties = Parties {
        employer: &employer,
        firm: &firm,
        contact_id: &request.contact_id,
    };
    let authorization = create(
        app,
        actor,
        &parties,
        &terms,
        &authorization_id,
        more,
        Template::AccessApproved,
    )
    .await?;
    let request = find_request(app, actor, id).await?;
    Ok((request, authorization))
}

/// Declines a pending request; the contact is told, with the reason if one was given.
pub async fn decline(
    app: &App,
    actor: &Actor,
    id: &str,
    reason: &str,
) -> Result<AccessRequestRow, AuthorizationError> {
    let request = pending_request(app, actor, id).await?;
    let statements = answer_records(
        app,
        actor,
        &request,
        Answer::Declined { reason },
        "access_request.declined",
        json!({ "decision": "declined", "reason": reason }),
    )?;
    let results = atomically(&app.db, statements, "Failed to decline an access request").await?;
    if !results.first().is_some_and(wrote) {
        return Err(AuthorizationError::RequestAnswered);
    }
    if let Some(contact) = contacts::find_in(&app.db, &request.firm_id, &request.contact_id).await?
    {
        let params = json!({ "employer_name": request.employer_name, "file_number": request.employer_file_number, "reason": reason });
        notify(app, &contact, Template::AccessDeclined, params).await;
    }
    find_request(app, actor, id).await
}
