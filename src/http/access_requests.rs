//! The firm's side of access requests, under `/api/access-requests`: "Relation client manquante?"

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::organisation::paging;
use super::route::{route, Route};
use super::sessions::require_actor;
use super::{Call, Reply};
use crate::domain::authorization::Services;
use crate::domain::fields::free_text;
use crate::domain::organisation::{FileNumber, PostalCode};
use crate::json;
use crate::storage::access_requests::AccessRequestRow;
use crate::use_cases::access_requests::{self, NewRequest};
use serde_json::Value;

/// An access request as both sides see it.
pub fn access_request_json(r: &AccessRequestRow) -> Value {
    json!({
        "id": r.id,
        "employer": { "id": r.employer_id, "name": r.employer_name, "file_number": r.employer_file_number },
        "firm": { "id": r.firm_id, "name": r.firm_name, "file_number": r.firm_file_number },
        "contact": { "id": r.contact_id, "first_name": r.contact_first_name, "last_name": r.contact_last_name, "email": r.contact_email },
        "services": Services::from_bits(r.services).map(Services::codes).unwrap_or_default(),
        "message": r.message,
        "status": r.status,
        "created_at": r.created_at,
        "expires_at": r.expires_at,
        "answered_at": r.answered_at,
        "decline_reason": r.decline_reason,
        "authorization_id": r.authorization_id,
    })
}

pub async fn create(call: &mut Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let file_number = fields.parsed("file_number", FileNumber::parse);
    let postal_code = fields.parsed("postal_code", PostalCode::parse);
    let services = fields.parsed_list("services", Services::parse);
    let message = fields.optional_parsed("message", free_text);
    let form = fields.finish(|| {
        Some(NewRequest {
            file_number: file_number?,
            postal_code: postal_code?,
            services: services?,
            message: message.unwrap_or_default(),
        })
    })?;
    let request = access_requests::create(&call.app, &actor, form).await?;
    Ok(Reply::json(
        201,
        json!({ "access_request": access_request_json(&request) }),
    ))
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let (page, page_size) = paging(call)?;
    let (items, total) = access_requests::list(&call.app, &actor, page, page_size).await?;
    let items: Vec<Value> = items.iter().map(access_request_json).collect();
    Ok(Reply::json(
        200,
        json!({ "items": items, "total": total, "page": page, "page_size": page_size }),
    ))
}

pub async fn cancel(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let request = access_requests::cancel(&call.app, &actor, call.id()).await?;
    Ok(Reply::json(
        200,
        json!({ "access_request": access_request_json(&request) }),
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/access-requests" => list),
    route!(POST "/api/access-requests" => create),
    route!(DELETE "/api/access-requests/{id}" => cancel),
];
