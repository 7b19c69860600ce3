//! The firm's side of access requests, under `/api/access-requests`: "Relation client manquante?"

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::organisation::paging;
use super::route::{route, Route};
use super::sessions::require_actor;
use super::{Call, Page, Reply};
use crate::domain::authorization::AccessRequestStatus;
use crate::domain::authorization::Services;
use crate::domain::fields::free_text;
use crate::domain::organisation::{FileNumber, PostalCode};
use crate::domain::Millis;
use crate::storage::access_requests::AccessRequestRow;
use crate::use_cases::access_requests::{self, NewRequest};
use serde::Serialize;

/// An access request as both sides see it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AccessRequest<'a> {
    id: &'a str,
    employer: RequestParty<'a>,
    firm: RequestParty<'a>,
    contact: RequestContact<'a>,
    #[cfg_attr(
        test,
        schemars(extend("items" = {
            "enum": ["workforce", "site_identification", "status_letter", "monthly_report"]
        }))
    )]
    services: Vec<&'static str>,
    message: &'a str,
    status: AccessRequestStatus,
    created_at: Millis,
    expires_at: Millis,
    answered_at: Option<Millis>,
    decline_reason: Option<&'a str>,
    /// The authorization its approval granted.
    authorization_id: Option<&'a str>,
}

/// An organisation party to an access request.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RequestParty<'a> {
    id: &'a str,
    name: &'a str,
    file_number: &'a str,
}

/// The firm's contact who made the request.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RequestContact<'a> {
    id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
}

impl<'a> AccessRequest<'a> {
    pub fn of(r: &'a AccessRequestRow) -> AccessRequest<'a> {
        AccessRequest {
            id: &r.id,
            employer: RequestParty {
                id: &r.employer_id,
                name: &r.employer_name,
                file_number: &r.employer_file_number,
            },
            firm: RequestParty {
                id: &r.firm_id,
                name: &r.firm_name,
                file_number: &r.firm_file_number,
            },
            contact: RequestContact {
                id: &r.contact_id,
                first_name: &r.contact_first_name,
                last_name: &r.contact_last_name,
                email: &r.contact_email,
            },
            services: Services::codes_of(r.services),
            message: &r.message,
            status: r.status,
            created_at: r.created_at,
            expires_at: r.expires_at,
            answered_at: r.answered_at,
            decline_reason: r.decline_reason.as_deref(),
            authorization_id: r.authorization_id.as_deref(),
        }
    }
}

/// An access request as JSON, for the employer's side: read back from its text, which shares the
/// serialiser the bodies use rather than compiling a second one into a `Value`.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct OneAccessRequest<'a> {
    pub access_request: AccessRequest<'a>,
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
        OneAccessRequest {
            access_request: AccessRequest::of(&request),
        },
    ))
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let (page, page_size) = paging(call)?;
    let (items, total) = access_requests::list(&call.app, &actor, page, page_size).await?;
    let items = items.iter().map(AccessRequest::of).collect();
    Ok(Page::reply(items, total, page, page_size))
}

pub async fn cancel(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let request = access_requests::cancel(&call.app, &actor, call.id()).await?;
    Ok(Reply::json(
        200,
        OneAccessRequest {
            access_request: AccessRequest::of(&request),
        },
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/access-requests" => list, 200 => Page<AccessRequest>),
    route!(POST "/api/access-requests" => create, 201 => OneAccessRequest),
    route!(DELETE "/api/access-requests/{id}" => cancel, 200 => OneAccessRequest),
];
