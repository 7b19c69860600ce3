//! The organisation's webhook endpoints (responsables only): CRUD, secret rotation, the delivery
//! log and manual replay.

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::organisation::paging;
use super::route::{route, Route};
use super::sessions::require_organisation_profile;
use super::{Call, Reply};
use crate::domain::fields::free_text;
use crate::domain::fields::Problem;
use crate::domain::webhook::EndpointStatus;
use crate::json;
use crate::storage::webhooks::{AttemptRow, DeliveryRow, EndpointRow};
use crate::use_cases::webhooks::{self, Change, NewWebhook, WithSecret};
use crate::webhooks::address::EndpointUrl;
use crate::webhooks::events::EventTypes;
use serde_json::Value;

fn endpoint_json(endpoint: &EndpointRow) -> Value {
    json!({
        "id": endpoint.id,
        "url": endpoint.url,
        "events": serde_json::from_str::<Value>(&endpoint.events).unwrap_or_else(|_| json!([])),
        "description": endpoint.description,
        "status": endpoint.status,
        "disabled_reason": endpoint.disabled_reason,
        "disabled_at": endpoint.disabled_at,
        "previous_secret_expires_at": endpoint.previous_secret_expires_at,
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
        "pending_deliveries": endpoint.pending_deliveries,
    })
}

/// The endpoint and its new signing secret, shown this once.
fn with_secret_json(created: &WithSecret) -> Value {
    json!({ "webhook": endpoint_json(&created.endpoint), "secret": created.secret })
}

fn delivery_json(delivery: &DeliveryRow) -> Value {
    json!({
        "id": delivery.id,
        "webhook_id": delivery.endpoint_id,
        "event": { "id": delivery.event_id, "type": delivery.event_type, "at": delivery.event_at },
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_attempt_at": delivery.last_attempt_at,
        "last_status_code": delivery.last_status_code,
        "last_latency_ms": delivery.last_latency_ms,
        "last_error": delivery.last_error,
        "last_error_kind": delivery.last_error_kind,
        "delivered_at": delivery.delivered_at,
        "created_at": delivery.created_at,
        "subject": {
            "contact": delivery.subject_contact,
            "employer": delivery.subject_employer,
            "file_number": delivery.subject_file_number,
        },
    })
}

fn attempt_json(attempt: &AttemptRow) -> Value {
    json!({
        "number": attempt.number,
        "at": attempt.at,
        "status_code": attempt.status_code,
        "latency_ms": attempt.latency_ms,
        "error": attempt.error,
        "error_kind": attempt.error_kind,
        "replay": attempt.replay == 1,
    })
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let (_, profile) = require_organisation_profile(call).await?;
    let endpoints = webhooks::list(&call.app, &profile).await?;
    let items: Vec<Value> = endpoints.iter().map(endpoint_json).collect();
    Ok(Reply::json(200, json!({ "items": items })))
}

pub async fn show(call: &Call) -> Result<Reply, ApiError> {
    let (_, profile) = require_organisation_profile(call).await?;
    let endpoint = webhooks::get(&call.app, &profile, call.id()).await?;
    Ok(Reply::json(
        200,
        json!({ "webhook": endpoint_json(&endpoint) }),
    ))
}

pub async fn create(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    let development = call.app.config.development;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let url = fields.parsed("url", |raw| EndpointUrl::parse(raw, development));
    let events = fields.parsed_list("events", EventTypes::parse);
    let description = fields.optional_parsed("description", free_text);
    let new = fields.finish(|| {
        Some(NewWebhook {
            url: url?,
            events: events?,
            description: description.unwrap_or_default(),
        })
    })?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let created = webhooks::create(&call.app, &who.user.id, &profile, new, &call.requester).await?;
    Ok(Reply::json(201, with_secret_json(&created)))
}

fn status_is_active(raw: &str) -> Result<bool, Problem> {
    EndpointStatus::parse(raw).map(|status| status == EndpointStatus::Active)
}

/// Changes what the body names: `url`, `events`, `description`, `status` ("active" enables an
/// endpoint again, "disabled" pauses it).
pub async fn change(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    let development = call.app.config.development;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let url = if fields.has("url") {
        fields
            .parsed("url", |raw| EndpointUrl::parse(raw, development))
            .map(Some)
    } else {
        Some(None)
    };
    let events = if fields.has("events") {
        fields.parsed_list("events", EventTypes::parse).map(Some)
    } else {
        Some(None)
    };
    let description = if fields.has("description") {
        fields.parsed("description", free_text).map(Some)
    } else {
        Some(None)
    };
    let active = if fields.has("status") {
        fields.parsed("status", status_is_active).map(Some)
    } else {
        Some(None)
    };
    let change = fields.finish(|| {
        let change = Change {
            url: url?,
            events: events?,
            description: description?,
            active: active?,
        };
        let names_something = change.url.is_some()
            || change.events.is_some()
            || change.description.is_some()
            || change.active.is_some();
        names_something.then_some(change)
    })?;
    let id = call.id().to_owned();
    let endpoint = webhooks::change(
        &call.app,
        &who.user.id,
        &profile,
        &id,
        change,
        &call.requester,
    )
    .await?;
    Ok(Reply::json(
        200,
        json!({ "webhook": endpoint_json(&endpoint) }),
    ))
}

pub async fn delete(call: &Call) -> Result<Reply, ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    webhooks::delete(
        &call.app,
        &who.user.id,
        &profile,
        call.id(),
        &call.requester,
    )
    .await?;
    Ok(Reply::no_content())
}

pub async fn rotate_secret(call: &Call) -> Result<Reply, ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let rotated = webhooks::rotate_secret(
        &call.app,
        &who.user.id,
        &profile,
        call.id(),
        &call.requester,
    )
    .await?;
    Ok(Reply::json(200, with_secret_json(&rotated)))
}

pub async fn deliveries(call: &Call) -> Result<Reply, ApiError> {
    let (_, profile) = require_organisation_profile(call).await?;
    let (page, page_size) = paging(call)?;
    let found = webhooks::deliveries(&call.app, &profile, call.id(), page, page_size).await?;
    let items: Vec<Value> = found
        .items
        .iter()
        .map(|delivery| {
            let mut item = delivery_json(delivery);
            item["attempt_log"] = found
                .attempts
                .iter()
                .filter(|attempt| attempt.delivery_id == delivery.id)
                .map(attempt_json)
                .collect();
            item
        })
        .collect();
    Ok(Reply::json(
        200,
        json!({ "items": items, "total": found.total, "page": page, "page_size": page_size }),
    ))
}

pub async fn replay(call: &Call) -> Result<Reply, ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    let delivery = webhooks::replay(
        &call.app,
        &who.user.id,
        &profile,
        call.id(),
        &call.requester,
    )
    .await?;
    Ok(Reply::json(
        202,
        json!({ "delivery": delivery_json(&delivery) }),
    ))
}

/// Sends a `webhook.test` event to this endpoint only, so its receiver can check its signature
/// code without waiting for a real change.
pub async fn send_test(call: &Call) -> Result<Reply, ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    let delivery = webhooks::send_test(
        &call.app,
        &who.user.id,
        &profile,
        call.id(),
        &call.requester,
    )
    .await?;
    Ok(Reply::json(
        202,
        json!({ "delivery": delivery_json(&delivery) }),
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/organisation/webhooks" => list),
    route!(POST "/api/organisation/webhooks" => create),
    route!(GET "/api/organisation/webhooks/{id}" => show),
    route!(PATCH "/api/organisation/webhooks/{id}" => change),
    route!(DELETE "/api/organisation/webhooks/{id}" => delete),
    route!(POST "/api/organisation/webhooks/{id}/rotate-secret" => rotate_secret),
    route!(GET "/api/organisation/webhooks/{id}/deliveries" => deliveries),
    route!(POST "/api/organisation/webhooks/deliveries/{id}/replay" => replay),
    route!(POST "/api/organisation/webhooks/{id}/test" => send_test),
];
