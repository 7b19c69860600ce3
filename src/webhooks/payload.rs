//! The body of a webhook: `{"type", "timestamp", "data"}` (Standard Webhooks), at most
//! [`MAX_BODY_BYTES`]. `data` is the domain event's payload with its id; an event too large to
//! send whole is announced by its id alone, with `"truncated": true`. The payloads of the events
//! whose data is written elsewhere (in SQL, or by the authorization and access request use
//! cases) are described here for the API document's `webhooks`.

use crate::domain::Millis;
use serde::Serialize;
use serde_json::{Map, Value};

/// Bodies stay under 20 KB.
pub const MAX_BODY_BYTES: usize = 20_000;

/// A domain event as a webhook carries it.
pub struct Event<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub at: Millis,
    /// The event's JSON object, as stored.
    pub payload: &'a str,
}

/// What a webhook's request body holds: the event's type, when it happened, and its data.
#[derive(Serialize)]
struct Envelope<'a, D> {
    #[serde(rename = "type")]
    kind: &'a str,
    timestamp: &'a str,
    data: D,
}

/// The data of an event too large to send whole: its id alone.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct TruncatedEvent<'a> {
    event_id: &'a str,
    #[cfg_attr(test, schemars(extend("const" = true)))]
    truncated: bool,
}

pub fn body(event: &Event) -> String {
    let timestamp = chrono::DateTime::from_timestamp_millis(event.at)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    let mut data = match serde_json::from_str(event.payload) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    };
    data.insert("event_id".into(), event.id.into());
    let whole = crate::json::text(&Envelope {
        kind: event.kind,
        timestamp: &timestamp,
        data,
    });
    if whole.len() <= MAX_BODY_BYTES {
        return whole;
    }
    crate::json::text(&Envelope {
        kind: event.kind,
        timestamp: &timestamp,
        data: TruncatedEvent {
            event_id: event.id,
            truncated: true,
        },
    })
}

/// The schema of a component the API document already states (the body types of other
/// features), by reference.
#[cfg(test)]
fn component(name: &str) -> schemars::Schema {
    schemars::json_schema!({ "$ref": format!("#/components/schemas/{name}") })
}

#[cfg(test)]
fn authorization_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    component("Authorization")
}

/// What the change did, by event: empty when nothing more than the authorization is to say.
#[cfg(test)]
fn details_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object" })
}

/// The data of the authorization events: the authorization as the change left it.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
pub struct AuthorizationEvent {
    #[schemars(schema_with = "authorization_schema")]
    pub authorization: (),
    /// What the change did (the services and level before a change, the reminder's days before
    /// the end of an expiring one)
    #[schemars(schema_with = "details_schema")]
    pub details: (),
}

/// The contact of a `contact.linked` or `contact.revoked` event, as the change left it.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
pub struct EventContact {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: crate::domain::organisation::Role,
    pub status: crate::domain::organisation::ContactStatus,
    pub linked_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

/// The organisation of the contact of a contact event.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
pub struct EventOrganisation {
    pub id: String,
    pub name: String,
    pub kind: crate::domain::organisation::OrganisationKind,
    pub file_number: String,
}

/// The data of `contact.linked` and `contact.revoked`.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
pub struct ContactEvent {
    pub contact: EventContact,
    pub organisation: EventOrganisation,
}

/// An access request of a firm to an employer.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
pub struct EventAccessRequest {
    pub id: String,
    pub employer_id: String,
    pub firm_id: String,
    pub contact_id: String,
    /// The service codes asked for (on `access_request.created`)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<String>")]
    pub services: Option<Vec<String>>,
}

/// The data of `access_request.created` and `access_request.answered`.
#[cfg(test)]
#[derive(schemars::JsonSchema)]
pub struct AccessRequestEvent {
    pub access_request: EventAccessRequest,
    /// How it was answered (on `access_request.answered`)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "details_schema")]
    pub details: Option<()>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn event(payload: &str) -> Event<'_> {
        Event {
            id: "ev1",
            kind: "authorization.granted",
            at: 1_767_225_600_123,
            payload,
        }
    }

    #[test]
    fn the_body_has_the_type_the_time_and_the_payload_with_the_event_id() {
        let body: Value =
            serde_json::from_str(&body(&event(r#"{"authorization":{"id":"a1"}}"#))).unwrap();
        assert_eq!(
            body,
            json!({
                "type": "authorization.granted",
                "timestamp": "2026-01-01T00:00:00.123Z",
                "data": { "authorization": { "id": "a1" }, "event_id": "ev1" }
            })
        );
    }

    #[test]
    fn an_oversized_event_is_announced_by_its_id_only() {
        let huge = format!(r#"{{"note":"{}"}}"#, "x".repeat(MAX_BODY_BYTES));
        let text = body(&event(&huge));
        assert!(text.len() < MAX_BODY_BYTES);
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            body["data"],
            json!({ "event_id": "ev1", "truncated": true })
        );
        assert_eq!(body["type"], "authorization.granted");
    }
}
