//! The organisation's webhook endpoints (responsables only): CRUD, secret rotation, the delivery
//! log and manual replay.

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::organisation::paging;
use super::route::{route, Route};
use super::sessions::require_actor;
use super::{Call, Reply};
use crate::domain::fields::free_text;
use crate::domain::fields::Problem;
use crate::domain::webhook::{DeliveryStatus, DisabledReason, EndpointStatus, Failure};
use crate::domain::Millis;
use crate::storage::webhooks::{AttemptRow, DeliveryRow, EndpointRow};
use crate::use_cases::webhooks::{self, Change, NewWebhook, WithSecret};
use crate::webhooks::address::EndpointUrl;
use crate::webhooks::events::EventTypes;
use serde::Serialize;
use serde_json::Value;

#[cfg(test)]
fn event_types_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": { "enum": crate::webhooks::events::EVENT_TYPES },
    })
}

/// A webhook endpoint of the organisation.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Webhook<'a> {
    id: &'a str,
    url: &'a str,
    #[cfg_attr(test, schemars(schema_with = "event_types_schema"))]
    events: Value,
    description: &'a str,
    status: EndpointStatus,
    disabled_reason: Option<DisabledReason>,
    disabled_at: Option<Millis>,
    /// Until then the previous secret signs too (after a rotation)
    previous_secret_expires_at: Option<Millis>,
    created_at: Millis,
    updated_at: Millis,
    /// Deliveries still to be sent: waiting for a retry, or for the endpoint to be enabled again
    #[cfg_attr(test, schemars(range(min = 0)))]
    pending_deliveries: i64,
}

impl<'a> Webhook<'a> {
    fn of(endpoint: &'a EndpointRow) -> Webhook<'a> {
        Webhook {
            id: &endpoint.id,
            url: &endpoint.url,
            // Stored as a JSON array of event types.
            events: serde_json::from_str(&endpoint.events).unwrap_or_default(),
            description: &endpoint.description,
            status: endpoint.status,
            disabled_reason: endpoint.disabled_reason,
            disabled_at: endpoint.disabled_at,
            previous_secret_expires_at: endpoint.previous_secret_expires_at,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
            pending_deliveries: endpoint.pending_deliveries,
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct WebhookList<'a> {
    items: Vec<Webhook<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OneWebhook<'a> {
    webhook: Webhook<'a>,
}

/// The endpoint and its new signing secret.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct WebhookWithSecret<'a> {
    webhook: Webhook<'a>,
    /// The signing secret: shown this once
    #[cfg_attr(test, schemars(regex(pattern = r"^whsec_[A-Za-z0-9+/]+=*$")))]
    secret: &'a str,
}

impl<'a> WebhookWithSecret<'a> {
    fn of(created: &'a WithSecret) -> WebhookWithSecret<'a> {
        WebhookWithSecret {
            webhook: Webhook::of(&created.endpoint),
            secret: &created.secret,
        }
    }
}

/// The domain event a delivery carries.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct DeliveredEvent<'a> {
    id: Option<&'a str>,
    #[serde(rename = "type")]
    kind: &'a str,
    at: Option<Millis>,
}

/// Whom the event was about, from its payload: the contact (authorizations, contacts, access
/// requests) and the employer (authorizations, access requests); null when the event says
/// nothing of it
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct DeliverySubject<'a> {
    contact: Option<&'a str>,
    employer: Option<&'a str>,
    file_number: Option<&'a str>,
}

/// One attempt of a delivery.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct WebhookAttempt<'a> {
    #[cfg_attr(test, schemars(range(min = 1)))]
    number: i64,
    at: Millis,
    status_code: Option<i64>,
    latency_ms: i64,
    error: Option<&'a str>,
    /// Why it failed, for a UI to say in its language (error is a fixed detail in English, never
    /// the platform's or the receiver's raw text): status (the receiver answered an error code),
    /// redirect (not followed), gone (410), timeout, dns (the name did not resolve), connect (no
    /// connection: refused, reset, lost), tls (the TLS handshake failed), unreachable (the request
    /// failed otherwise), address_not_allowed (the address, or its port, became one deliveries may
    /// not go to: the SSRF guard), secret_unreadable, request_invalid; null on success
    error_kind: Option<Failure>,
    replay: bool,
}

impl<'a> WebhookAttempt<'a> {
    fn of(attempt: &'a AttemptRow) -> WebhookAttempt<'a> {
        WebhookAttempt {
            number: attempt.number,
            at: attempt.at,
            status_code: attempt.status_code,
            latency_ms: attempt.latency_ms,
            error: attempt.error.as_deref(),
            error_kind: attempt.error_kind,
            replay: attempt.replay == 1,
        }
    }
}

/// One event sent (or to send) to one endpoint, with all its attempts.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct WebhookDelivery<'a> {
    /// The webhook-id header, the same for every attempt
    id: &'a str,
    webhook_id: &'a str,
    event: DeliveredEvent<'a>,
    status: DeliveryStatus,
    attempts: i64,
    next_attempt_at: Option<Millis>,
    last_attempt_at: Option<Millis>,
    last_status_code: Option<i64>,
    last_latency_ms: Option<i64>,
    last_error: Option<&'a str>,
    /// The last attempt's error_kind (see WebhookAttempt)
    last_error_kind: Option<Failure>,
    delivered_at: Option<Millis>,
    created_at: Millis,
    subject: DeliverySubject<'a>,
    /// In the delivery log
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "Vec<WebhookAttempt<'a>>"))]
    attempt_log: Option<Vec<WebhookAttempt<'a>>>,
}

impl<'a> WebhookDelivery<'a> {
    fn of(
        delivery: &'a DeliveryRow,
        attempt_log: Option<Vec<WebhookAttempt<'a>>>,
    ) -> WebhookDelivery<'a> {
        WebhookDelivery {
            id: &delivery.id,
            webhook_id: &delivery.endpoint_id,
            event: DeliveredEvent {
                id: delivery.event_id.as_deref(),
                kind: &delivery.event_type,
                at: delivery.event_at,
            },
            status: delivery.status,
            attempts: delivery.attempts,
            next_attempt_at: delivery.next_attempt_at,
            last_attempt_at: delivery.last_attempt_at,
            last_status_code: delivery.last_status_code,
            last_latency_ms: delivery.last_latency_ms,
            last_error: delivery.last_error.as_deref(),
            last_error_kind: delivery.last_error_kind,
            delivered_at: delivery.delivered_at,
            created_at: delivery.created_at,
            subject: DeliverySubject {
                contact: delivery.subject_contact.as_deref(),
                employer: delivery.subject_employer.as_deref(),
                file_number: delivery.subject_file_number.as_deref(),
            },
            attempt_log,
        }
    }
}

/// A page of an endpoint's deliveries, newest first.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct DeliveryLog<'a> {
    items: Vec<WebhookDelivery<'a>>,
    total: i64,
    page: i64,
    page_size: i64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OneDelivery<'a> {
    delivery: WebhookDelivery<'a>,
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let endpoints = webhooks::list(&call.app, &actor).await?;
    let items = endpoints.iter().map(Webhook::of).collect();
    Ok(Reply::json(200, WebhookList { items }))
}

pub async fn show(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let endpoint = webhooks::get(&call.app, &actor, call.id()).await?;
    let webhook = Webhook::of(&endpoint);
    Ok(Reply::json(200, OneWebhook { webhook }))
}

pub async fn create(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
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
    let created = webhooks::create(&call.app, &actor, new).await?;
    Ok(Reply::json(201, WebhookWithSecret::of(&created)))
}

fn status_is_active(raw: &str) -> Result<bool, Problem> {
    EndpointStatus::parse(raw).map(|status| status == EndpointStatus::Active)
}

/// Changes what the body names: `url`, `events`, `description`, `status` ("active" enables an
/// endpoint again, "disabled" pauses it).
pub async fn change(call: &mut Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let development = call.app.config.development;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let url = fields.change("url", |f, name| {
        f.parsed(name, |raw| EndpointUrl::parse(raw, development))
    });
    let events = fields.change("events", |f, name| f.parsed_list(name, EventTypes::parse));
    let description = fields.change("description", |f, name| f.parsed(name, free_text));
    let active = fields.change("status", |f, name| f.parsed(name, status_is_active));
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
    let endpoint = webhooks::change(&call.app, &actor, &id, change).await?;
    let webhook = Webhook::of(&endpoint);
    Ok(Reply::json(200, OneWebhook { webhook }))
}

pub async fn delete(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    webhooks::delete(&call.app, &actor, call.id()).await?;
    Ok(Reply::no_content())
}

pub async fn rotate_secret(call: &Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let rotated = webhooks::rotate_secret(&call.app, &actor, call.id()).await?;
    Ok(Reply::json(200, WebhookWithSecret::of(&rotated)))
}

pub async fn deliveries(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let (page, page_size) = paging(call)?;
    let found = webhooks::deliveries(&call.app, &actor, call.id(), page, page_size).await?;
    let items = found
        .items
        .iter()
        .map(|delivery| {
            let attempts = found
                .attempts
                .iter()
                .filter(|attempt| attempt.delivery_id == delivery.id)
                .map(WebhookAttempt::of)
                .collect();
            WebhookDelivery::of(delivery, Some(attempts))
        })
        .collect();
    Ok(Reply::json(
        200,
        DeliveryLog {
            items,
            total: found.total,
            page,
            page_size,
        },
    ))
}

pub async fn replay(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let delivery = webhooks::replay(&call.app, &actor, call.id()).await?;
    let delivery = WebhookDelivery::of(&delivery, None);
    Ok(Reply::json(202, OneDelivery { delivery }))
}

/// Sends a `webhook.test` event to this endpoint only, so its receiver can check its signature
/// code without waiting for a real change.
pub async fn send_test(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let delivery = webhooks::send_test(&call.app, &actor, call.id()).await?;
    let delivery = WebhookDelivery::of(&delivery, None);
    Ok(Reply::json(202, OneDelivery { delivery }))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/organisation/webhooks" => list, 200 => WebhookList),
    route!(POST "/api/organisation/webhooks" => create, 201 => WebhookWithSecret),
    route!(GET "/api/organisation/webhooks/{id}" => show, 200 => OneWebhook),
    route!(PATCH "/api/organisation/webhooks/{id}" => change, 200 => OneWebhook),
    route!(DELETE "/api/organisation/webhooks/{id}" => delete),
    route!(POST "/api/organisation/webhooks/{id}/rotate-secret" => rotate_secret, 200 => WebhookWithSecret),
    route!(GET "/api/organisation/webhooks/{id}/deliveries" => deliveries, 200 => DeliveryLog),
    route!(POST "/api/organisation/webhooks/deliveries/{id}/replay" => replay, 202 => OneDelivery),
    route!(POST "/api/organisation/webhooks/{id}/test" => send_test, 202 => OneDelivery),
];
