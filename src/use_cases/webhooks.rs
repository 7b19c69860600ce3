//! Webhook endpoints of an organisation: its responsables register, change, pause, delete them,
//! rotate their signing secret, read their delivery log and replay a delivery. Every query is
//! scoped to the active profile's organisation, so another organisation's ids find nothing.
//! Sending is the webhook queue's work (`crate::webhooks`).

use super::{organisation_event, Actor};
use crate::domain::organisation::Role;
use crate::domain::sealing::SealedSecret;
use crate::domain::throttle::WEBHOOK_MANUAL_SENDS;
use crate::domain::webhook::{DisabledReason, EndpointStatus};
use crate::domain::{Millis, HOUR};
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit;
use crate::storage::contacts::ProfileRow;
use crate::storage::rate_limits::Refused;
use crate::storage::webhooks::{
    self, DeliveryPage, DeliveryRow, Due, EndpointRow, EndpointSettings, NewEndpoint,
};
use crate::storage::{atomically, rate_limits, wrote};
use crate::webhooks::address::EndpointUrl;
use crate::webhooks::events::EventTypes;
use crate::webhooks::secret::{SealingKey, SigningSecret};
use serde::Serialize;

/// Endpoints per organisation: enough for a few platforms, bounded so fan-out stays cheap.
pub const MAX_ENDPOINTS: usize = 10;
/// After a rotation the previous secret keeps signing this long, so receivers can switch over.
pub const ROTATION_GRACE: Millis = 24 * HOUR;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhooks: responsable required")]
    ResponsableRequired,
    #[error("webhooks: not found")]
    NotFound,
    #[error("webhooks: too many endpoints")]
    TooManyEndpoints,
    #[error("webhooks: endpoint disabled")]
    EndpointDisabled,
    /// The endpoint's test events and replays are spent for now.
    #[error("webhooks: throttled for {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Takes a slot of the endpoint's manual sends (test events and replays) before anything is
/// written or sent, so a burst cannot send more than the budget.
async fn take_manual_send(app: &App, endpoint_id: &str) -> Result<(), WebhookError> {
    let key = WEBHOOK_MANUAL_SENDS.key(endpoint_id);
    rate_limits::take(&app.db, app.now, &[(&WEBHOOK_MANUAL_SENDS, &key)])
        .await?
        .map_err(|Refused { retry_after }| WebhookError::Throttled { retry_after })
}

fn require_responsable(profile: &ProfileRow) -> Result<(), WebhookError> {
    match profile.role {
        Role::Responsable => Ok(()),
        _ => Err(WebhookError::ResponsableRequired),
    }
}

pub async fn list(app: &App, actor: &Actor) -> Result<Vec<EndpointRow>, WebhookError> {
    require_responsable(&actor.profile)?;
    Ok(webhooks::endpoints_of(&app.db, &actor.profile.organisation_id).await?)
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<EndpointRow, WebhookError> {
    require_responsable(&actor.profile)?;
    webhooks::find_endpoint(&app.db, &actor.profile.organisation_id, id)
        .await?
        .ok_or(WebhookError::NotFound)
}

pub struct NewWebhook {
    pub url: EndpointUrl,
    pub events: EventTypes,
    pub description: String,
}

/// An endpoint with the signing secret it was just given: shown this once.
pub struct WithSecret {
    pub endpoint: EndpointRow,
    pub secret: String,
}

fn sealing_key(app: &App) -> SealingKey {
    SealingKey::new(&app.config.secrets)
}

pub async fn create(app: &App, actor: &Actor, new: NewWebhook) -> Result<WithSecret, WebhookError> {
    let profile = &actor.profile;
    require_responsable(profile)?;
    if webhooks::endpoints_of(&app.db, &profile.organisation_id)
        .await?
        .len()
        >= MAX_ENDPOINTS
    {
        return Err(WebhookError::TooManyEndpoints);
    }
    let id = random_id();
    let secret = SigningSecret::generate(&mut OsEntropy);
    let sealed = sealing_key(app).seal(&secret, &id, &mut OsEntropy).await;
    atomically(
        &app.db,
        vec![
            webhooks::insert_endpoint(
                &app.db,
                &NewEndpoint {
                    id: &id,
                    organisation_id: &profile.organisation_id,
                    url: new.url.as_str(),
                    events: &new.events.to_json(),
                    description: &new.description,
                    sealed_secret: &sealed,
                },
                app.now,
            )?,
            audit::append(
                &app.db,
                &organisation_event(
                    "webhook.created",
                    &actor.user_id,
                    profile,
                    &actor.requester,
                    json!({ "webhook_id": id, "url": new.url.as_str(), "events": new.events.as_slice() }),
                ),
                app.now,
            )?,
        ],
        "Failed to create a webhook endpoint",
    )
    .await?;
    Ok(WithSecret {
        endpoint: get(app, actor, &id).await?,
        secret: secret.reveal(),
    })
}

/// What a PATCH names; the rest stays as it is.
#[derive(Default)]
pub struct Change {
    pub url: Option<EndpointUrl>,
    pub events: Option<EventTypes>,
    pub description: Option<String>,
    /// `true` enables (again), `false` pauses.
    pub active: Option<bool>,
}

pub async fn change(
    app: &App,
    actor: &Actor,
    id: &str,
    change: Change,
) -> Result<EndpointRow, WebhookError> {
    let profile = &actor.profile;
    let before = get(app, actor, id).await?;
    let url = change
        .url
        .as_ref()
        .map_or(before.url.as_str(), EndpointUrl::as_str);
    let events = change.events.as_ref().map(EventTypes::to_json);
    let description = change.description.as_deref().unwrap_or(&before.description);
    let (status, disabled_reason) = match change.active {
        Some(true) => (EndpointStatus::Active, None),
        Some(false) if before.status == EndpointStatus::Active => {
            (EndpointStatus::Disabled, Some(DisabledReason::Manual))
        }
        _ => (before.status, before.disabled_reason),
    };
    let mut changes = serde_json::Map::new();
    if url != before.url {
        changes.insert("url".into(), json!({ "from": before.url, "to": url }));
    }
    if events.as_deref().is_some_and(|e| e != before.events) {
        changes.insert(
            "events".into(),
            json!(change.events.as_ref().map(EventTypes::as_slice)),
        );
    }
    if description != before.description {
        changes.insert("description".into(), json!(description));
    }
    if status != before.status {
        changes.insert(
            "status".into(),
            json!({ "from": before.status, "to": status }),
        );
    }
    if changes.is_empty() {
        return Ok(before);
    }
    atomically(
        &app.db,
        vec![
            webhooks::update_endpoint(
                &app.db,
                &profile.organisation_id,
                id,
                &EndpointSettings {
                    url,
                    events: events.as_deref().unwrap_or(&before.events),
                    description,
                    status,
                    disabled_reason,
                },
                app.now,
            )?,
            audit::append(
                &app.db,
                &organisation_event(
                    "webhook.changed",
                    &actor.user_id,
                    profile,
                    &actor.requester,
                    json!({ "webhook_id": id, "changes": changes }),
                ),
                app.now,
            )?,
        ],
        "Failed to change a webhook endpoint",
    )
    .await?;
    if status == EndpointStatus::Active && before.status != EndpointStatus::Active {
        // Deliveries that waited while it was disabled go out now.
        crate::webhooks::enqueue_due(app).await?;
    }
    get(app, actor, id).await
}

pub async fn delete(app: &App, actor: &Actor, id: &str) -> Result<(), WebhookError> {
    let profile = &actor.profile;
    let endpoint = get(app, actor, id).await?;
    let mut statements = webhooks::delete_endpoint(&app.db, &profile.organisation_id, id)?;
    statements.push(audit::append(
        &app.db,
        &organisation_event(
            "webhook.deleted",
            &actor.user_id,
            profile,
            &actor.requester,
            json!({ "webhook_id": id, "url": endpoint.url }),
        ),
        app.now,
    )?);
    atomically(&app.db, statements, "Failed to delete a webhook endpoint").await?;
    Ok(())
}

/// A new signing secret; the previous one keeps signing for [`ROTATION_GRACE`].
pub async fn rotate_secret(app: &App, actor: &Actor, id: &str) -> Result<WithSecret, WebhookError> {
    let profile = &actor.profile;
    get(app, actor, id).await?;
    let secret = SigningSecret::generate(&mut OsEntropy);
    let sealed = sealing_key(app).seal(&secret, id, &mut OsEntropy).await;
    let grace_until = app.now + ROTATION_GRACE;
    atomically(
        &app.db,
        vec![
            webhooks::rotate_secret(
                &app.db,
                &profile.organisation_id,
                id,
                &sealed,
                grace_until,
                app.now,
            )?,
            audit::append(
                &app.db,
                &organisation_event(
                    "webhook.secret_rotated",
                    &actor.user_id,
                    profile,
                    &actor.requester,
                    json!({ "webhook_id": id, "previous_secret_expires_at": grace_until }),
                ),
                app.now,
            )?,
        ],
        "Failed to rotate a webhook secret",
    )
    .await?;
    Ok(WithSecret {
        endpoint: get(app, actor, id).await?,
        secret: secret.reveal(),
    })
}

pub async fn deliveries(
    app: &App,
    actor: &Actor,
    id: &str,
    page: i64,
    page_size: i64,
) -> Result<DeliveryPage, WebhookError> {
    let endpoint = get(app, actor, id).await?;
    Ok(webhooks::deliveries_page(&app.db, &endpoint.id, page_size, (page - 1) * page_size).await?)
}

/// Sends a delivery again now, with the same `webhook-id`; if that attempt fails, its retries
/// follow the schedule from the start.
pub async fn replay(
    app: &App,
    actor: &Actor,
    delivery_id: &str,
) -> Result<DeliveryRow, WebhookError> {
    let profile = &actor.profile;
    require_responsable(profile)?;
    let delivery = webhooks::find_delivery_in(&app.db, &profile.organisation_id, delivery_id)
        .await?
        .ok_or(WebhookError::NotFound)?;
    if delivery.endpoint_status != EndpointStatus::Active {
        return Err(WebhookError::EndpointDisabled);
    }
    take_manual_send(app, &delivery.endpoint_id).await?;
    let results = atomically(
        &app.db,
        vec![
            webhooks::replay(&app.db, &delivery.id, app.now + crate::webhooks::LEASE)?,
            audit::append(
                &app.db,
                &organisation_event(
                    "webhook.delivery_replayed",
                    &actor.user_id,
                    profile,
                    &actor.requester,
                    json!({ "delivery_id": delivery.id }),
                ),
                app.now,
            )?,
        ],
        "Failed to replay a webhook delivery",
    )
    .await?;
    if results.first().is_some_and(wrote) {
        let due = Due {
            id: delivery.id.clone(),
            attempts: delivery.attempts,
        };
        crate::webhooks::enqueue(app, &[due], true).await?;
    }
    webhooks::find_delivery(&app.db, &delivery.id)
        .await?
        .ok_or(WebhookError::NotFound)
}

/// The data of a `webhook.test` event: the endpoint it was sent to, to check a receiver's
/// signature code with.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct WebhookTestEvent<'a> {
    webhook: TestedEndpoint<'a>,
    organisation_id: &'a str,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct TestedEndpoint<'a> {
    id: &'a str,
    url: &'a str,
}

/// A `webhook.test` event for one endpoint only (its receiver checks its signature code with it),
/// sent at once. The event belongs to no organisation, so the fan-out never sends it elsewhere.
pub async fn send_test(app: &App, actor: &Actor, id: &str) -> Result<DeliveryRow, WebhookError> {
    let profile = &actor.profile;
    let endpoint = get(app, actor, id).await?;
    if endpoint.status != EndpointStatus::Active {
        return Err(WebhookError::EndpointDisabled);
    }
    take_manual_send(app, &endpoint.id).await?;
    let (event_id, delivery_id) = (random_id(), random_id());
    let payload = json::value(&WebhookTestEvent {
        webhook: TestedEndpoint {
            id: &endpoint.id,
            url: &endpoint.url,
        },
        organisation_id: &endpoint.organisation_id,
    });
    atomically(
        &app.db,
        vec![
            webhooks::test_event(&app.db, &event_id, &payload, app.now)?,
            webhooks::test_delivery(
                &app.db,
                (&delivery_id, &endpoint.id, &event_id),
                app.now,
                app.now + crate::webhooks::LEASE,
            )?,
            audit::append(
                &app.db,
                &organisation_event(
                    "webhook.test_sent",
                    &actor.user_id,
                    profile,
                    &actor.requester,
                    json!({ "webhook_id": endpoint.id, "delivery_id": delivery_id }),
                ),
                app.now,
            )?,
        ],
        "Failed to record a test webhook delivery",
    )
    .await?;
    let due = Due {
        id: delivery_id.clone(),
        attempts: 0,
    };
    crate::webhooks::enqueue(app, &[due], false).await?;
    webhooks::find_delivery(&app.db, &delivery_id)
        .await?
        .ok_or(WebhookError::NotFound)
}
