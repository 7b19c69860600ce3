//! Health. (The API's own description is a static asset: public/api/openapi.json.)

use super::error::ApiError;
use super::error::ErrorCode;
use super::route::{route, Route};
use super::{Call, Reply};
use crate::storage::db::Run;
use serde::Serialize;

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Health {
    #[cfg_attr(test, schemars(extend("const" = "ok")))]
    status: &'static str,
}

/// 200 only after a real round trip to D1.
pub async fn health(call: &Call) -> Result<Reply, ApiError> {
    let one: Option<i64> = crate::query!(&call.app.db, "SELECT 1 AS ok")
        .value("ok", "Failed to reach D1 for the health check")
        .await?;
    match one {
        Some(1) => Ok(Reply::json(200, Health { status: "ok" })),
        _ => Err(ApiError::new(ErrorCode::ServiceUnavailable)),
    }
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[route!(GET "/api/health" => health, 200 => Health)];
