//! "Mes demandes" (`GET /api/me/requests`): the signed-in person's own requests, newest first.

use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::require_user;
use super::{Call, Reply};
use crate::domain::fields::Problem;
use crate::json;
use crate::storage::my_requests::RequestRow;
use crate::use_cases::my_requests::{self, parse_cursor, parse_kind, service_codes};
use serde_json::Value;

/// Where the receipt of a transmitted report opens for this person, if it still does.
fn receipt_path(row: &RequestRow) -> Option<String> {
    let month = row.month.as_deref()?;
    row.receipt_number.as_ref()?;
    if row.own == Some(1) {
        return Some(format!("/monthly-report-receipt?month={month}"));
    }
    let file = row.file_id.as_deref()?;
    Some(format!("/monthly-report-receipt?file={file}&month={month}"))
}

fn item_json(row: &RequestRow) -> Value {
    let mut item = json!({
        "kind": row.kind,
        "id": row.id,
        "at": row.at,
        "status": row.status,
        "organisation_name": row.organisation_name,
        "file_number": row.file_number,
    });
    match row.kind.as_str() {
        "access_request" => item["services"] = service_codes(row.services).into(),
        "monthly_report" => {
            item["month"] = row.month.clone().into();
            item["version"] = row.version.into();
            item["correction"] = (row.version.unwrap_or(1) > 1).into();
            item["receipt_number"] = row.receipt_number.clone().into();
            item["receipt_path"] = receipt_path(row).into();
        }
        _ => {}
    }
    item
}

pub async fn list(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let kind = match call.query("kind") {
        Some(raw) => Some(parse_kind(&raw).map_err(|p| ApiError::invalid_field("kind", p))?),
        None => None,
    };
    let after = match call.query("cursor") {
        Some(raw) => Some(
            parse_cursor(&raw)
                .ok_or_else(|| ApiError::invalid_field("cursor", Problem::InvalidCursor))?,
        ),
        None => None,
    };
    let page = my_requests::list(&call.app, &who, kind, after).await?;
    let items: Vec<_> = page.items.iter().map(item_json).collect();
    Ok(Reply::json(
        200,
        json!({ "items": items, "next_cursor": page.next_cursor }),
    ))
}

pub const ROUTES: &[Route] = &[route!(GET "/api/me/requests" => list)];
