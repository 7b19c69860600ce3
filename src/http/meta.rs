//! Health and the API's own description.

use super::error::ApiError;
use super::{Call, Reply};
use crate::infra::Context;
use serde_json::json;

/// 200 only after a real round trip to D1.
pub async fn health(call: &Call) -> Result<Reply, ApiError> {
    let one: Option<i64> = call
        .app
        .db
        .prepare("SELECT 1 AS ok")
        .first(Some("ok"))
        .await
        .context("Failed to reach D1 for the health check")?;
    match one {
        Some(1) => Ok(Reply::json(200, json!({ "status": "ok" }))),
        _ => Err(ApiError::new(503, "service_unavailable")),
    }
}

pub fn openapi() -> Reply {
    let document = serde_json::from_str(include_str!("openapi.json"))
        .expect("openapi.json is valid JSON (unit-tested)");
    Reply::json(200, document)
}
