//! The API document (public/api/openapi.json, a static asset) and the body types of the features:
//! every response schema a route declares with `route!(… , 200 => Body)` is derived from that
//! type, and so is every component schema those reference. The test fails when the document
//! differs from what the types say; `SEL_WRITE_OPENAPI=1 cargo test --lib api_document` writes the
//! derived parts into the document instead (the rest of it — requests, parameters, errors — is
//! written by hand and checked against the server by Schemathesis).

use super::route::BodySchema;
use super::router::all;
use crate::use_cases::monthly_reports::MonthlyReportEvent;
use crate::use_cases::webhooks::WebhookTestEvent;
use crate::webhooks::events::EVENT_TYPES;
use crate::webhooks::payload::{
    AccessRequestEvent, AuthorizationEvent, ContactEvent, TruncatedEvent,
};
use indexmap::IndexMap;
use schemars::generate::SchemaSettings;
use serde::{Deserialize, Serialize};
use serde_json::Value;

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/public/api/openapi.json");

/// JSON that keeps its members in the order they are written (serde_json's `Value` sorts them,
/// and turning on its `preserve_order` would change the worker's own maps in tests).
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(untagged)]
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Text(String),
    List(Vec<Json>),
    Object(IndexMap<String, Json>),
}

impl Json {
    /// The member at this path of objects, created (empty) where missing.
    fn at(&mut self, path: &[&str]) -> &mut Json {
        path.iter().fold(self, |json, key| match json {
            Json::Object(members) => members
                .entry((*key).to_owned())
                .or_insert_with(|| Json::Object(IndexMap::new())),
            _ => panic!("{key} is under something that is not an object"),
        })
    }

    fn from_value(value: Value) -> Json {
        serde_json::from_value(value).unwrap()
    }
}

fn schema_of<T: schemars::JsonSchema>(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    generator.subschema_for::<T>()
}

/// The webhooks an endpoint receives (the document's `webhooks`): each event type, what it
/// announces, and the type of its data.
const WEBHOOKS: &[(&str, &str, BodySchema)] = &[
    (
        "authorization.granted",
        "An authorization was granted",
        schema_of::<AuthorizationEvent>,
    ),
    (
        "authorization.changed",
        "An authorization's services or level changed",
        schema_of::<AuthorizationEvent>,
    ),
    (
        "authorization.revoked",
        "An authorization was revoked",
        schema_of::<AuthorizationEvent>,
    ),
    (
        "authorization.expiring",
        "An authorization ends in 30 or 7 days",
        schema_of::<AuthorizationEvent>,
    ),
    (
        "authorization.expired",
        "An authorization reached its end date",
        schema_of::<AuthorizationEvent>,
    ),
    (
        "contact.linked",
        "A contact linked their account",
        schema_of::<ContactEvent>,
    ),
    (
        "contact.revoked",
        "A contact was revoked",
        schema_of::<ContactEvent>,
    ),
    (
        "access_request.created",
        "A firm asked an employer for an authorization",
        schema_of::<AccessRequestEvent>,
    ),
    (
        "access_request.answered",
        "An access request was approved, declined, cancelled or expired",
        schema_of::<AccessRequestEvent>,
    ),
    (
        "monthly_report.transmitted",
        "A monthly report was transmitted",
        schema_of::<MonthlyReportEvent>,
    ),
    (
        "monthly_report.corrected",
        "A corrected monthly report was transmitted",
        schema_of::<MonthlyReportEvent>,
    ),
    (
        "webhook.test",
        "A test a responsable sent to this endpoint only",
        schema_of::<WebhookTestEvent>,
    ),
];

/// The request a webhook sends for an event: the Standard Webhooks body around its data.
fn webhook_operation(
    event: &str,
    summary: &str,
    data: schemars::Schema,
    generator: &mut schemars::SchemaGenerator,
) -> Value {
    let truncated = generator.subschema_for::<TruncatedEvent>();
    serde_json::json!({
        "summary": summary,
        "description": "Signed with the endpoint's secret (headers webhook-id, webhook-timestamp, webhook-signature: Standard Webhooks). Any 2xx answer acknowledges it; anything else is retried on the schedule.",
        "requestBody": {
            "required": true,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["type", "timestamp", "data"],
                        "properties": {
                            "type": { "const": event },
                            "timestamp": { "type": "string", "format": "date-time" },
                            "data": {
                                "description": "The event's data and its id; an event too large to send whole (over 20 KB) comes as its id alone",
                                "oneOf": [
                                    {
                                        "allOf": [data],
                                        "required": ["event_id"],
                                        "properties": { "event_id": { "type": "string" } },
                                    },
                                    truncated,
                                ],
                            },
                        },
                    },
                },
            },
        },
        "responses": { "2XX": { "description": "Received" } },
    })
}

/// The document with every derived part put in its place.
fn derived(mut document: Json) -> Json {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|settings| settings.definitions_path = "/components/schemas".into())
        .into_generator();
    for route in all() {
        let method = route.method.to_lowercase();
        for (status, schema) in route.answers {
            let status = status.to_string();
            let content = [
                "paths",
                route.path,
                &method,
                "responses",
                &status,
                "content",
            ];
            *document.at(&content).at(&["application/json", "schema"]) =
                Json::from_value(schema(&mut generator).to_value());
        }
    }
    for (event, summary, data) in WEBHOOKS {
        let data = data(&mut generator);
        let operation = webhook_operation(event, summary, data, &mut generator);
        *document.at(&["webhooks", event, "post"]) = Json::from_value(operation);
    }
    for (name, schema) in generator.take_definitions(true) {
        *document.at(&["components", "schemas", &name]) = Json::from_value(schema);
    }
    document
}

/// The document as the repository writes it: one space of indent, a final newline.
fn written(document: &Json) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    document.serialize(&mut serializer).unwrap();
    String::from_utf8(out).unwrap() + "\n"
}

#[test]
fn the_api_document_states_the_bodies_the_types_answer() {
    let text = std::fs::read_to_string(PATH).unwrap();
    let document: Json = serde_json::from_str(&text).unwrap();
    let expected = written(&derived(document));
    if std::env::var_os("SEL_WRITE_OPENAPI").is_some() {
        std::fs::write(PATH, &expected).unwrap();
    } else {
        assert!(
            text == expected,
            "public/api/openapi.json differs from the body types; \
             run SEL_WRITE_OPENAPI=1 cargo test --lib api_document and review the diff"
        );
    }
}

#[test]
fn every_json_answer_of_a_route_is_a_documented_status() {
    let document: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    for route in all() {
        let responses = &document["paths"][route.path][route.method.to_lowercase()]["responses"];
        for (status, _) in route.answers {
            assert!(
                responses[status.to_string()]["description"].is_string(),
                "{} {} declares a {status} body the document does not describe",
                route.method,
                route.path
            );
        }
    }
}

#[test]
fn every_component_schema_of_the_document_is_referenced() {
    let text = std::fs::read_to_string(PATH).unwrap();
    let document: Value = serde_json::from_str(&text).unwrap();
    for name in document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
    {
        let reference = format!("\"#/components/schemas/{name}\"");
        assert!(
            text.contains(&reference),
            "components.schemas.{name} is used nowhere: a body type was renamed or removed"
        );
    }
}

#[test]
fn every_event_an_endpoint_may_subscribe_to_is_a_documented_webhook() {
    for event in EVENT_TYPES {
        assert!(
            WEBHOOKS.iter().any(|(name, _, _)| *name == event),
            "{event} has no entry in WEBHOOKS"
        );
    }
}
