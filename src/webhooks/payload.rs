//! The body of a webhook: `{"type", "timestamp", "data"}` (Standard Webhooks), at most
//! [`MAX_BODY_BYTES`]. `data` is the domain event's payload with its id; an event too large to
//! send whole is announced by its id alone, with `"truncated": true`.

use crate::domain::Millis;
use crate::json;
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

pub fn body(event: &Event) -> String {
    let timestamp = chrono::DateTime::from_timestamp_millis(event.at)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    let mut data = match serde_json::from_str(event.payload) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    };
    data.insert("event_id".into(), event.id.into());
    let whole = json!({ "type": event.kind, "timestamp": timestamp, "data": data }).to_string();
    if whole.len() <= MAX_BODY_BYTES {
        return whole;
    }
    json!({ "type": event.kind, "timestamp": timestamp, "data": { "event_id": event.id, "truncated": true } })
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
