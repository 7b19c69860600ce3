//! "Mes demandes" (`GET /api/me/requests`): the signed-in person's own requests, newest first.

use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::require_user;
use super::{Call, Reply};
use crate::domain::fields::Problem;
use crate::domain::request::{RequestKind, RequestStatus};
use crate::domain::Millis;
use crate::storage::my_requests::RequestRow;
use crate::use_cases::my_requests::{self, parse_cursor, parse_kind, service_codes};
use serde::Serialize;

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

/// A request the person made, newest first: an access request, a linking request by known facts,
/// or a monthly report transmitted.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MyRequest<'a> {
    kind: RequestKind,
    id: &'a str,
    /// When it was made or transmitted, milliseconds since the epoch.
    at: Millis,
    status: RequestStatus,
    /// The employer's name; null for a linking request (the answer never says whom the number
    /// names).
    organisation_name: Option<&'a str>,
    file_number: &'a str,
    /// access_request: the services asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        test,
        schemars(extend("items" = {
            "enum": ["workforce", "site_identification", "status_letter", "monthly_report"]
        }))
    )]
    services: Option<Vec<&'static str>>,
    #[serde(flatten)]
    report: Option<ReportRequest<'a>>,
}

/// What a monthly report's request adds.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ReportRequest<'a> {
    /// YYYY-MM.
    month: Option<&'a str>,
    /// 1 for the first transmission, more for corrections.
    version: Option<i64>,
    correction: bool,
    receipt_number: Option<&'a str>,
    /// Where its receipt opens, while the person may still see it.
    receipt_path: Option<String>,
}

impl<'a> MyRequest<'a> {
    fn of(row: &'a RequestRow) -> MyRequest<'a> {
        let kind = row.kind;
        MyRequest {
            kind,
            id: &row.id,
            at: row.at,
            status: row.status,
            organisation_name: row.organisation_name.as_deref(),
            file_number: &row.file_number,
            services: (kind == RequestKind::AccessRequest).then(|| service_codes(row.services)),
            report: (kind == RequestKind::MonthlyReport).then(|| ReportRequest {
                month: row.month.as_deref(),
                version: row.version,
                correction: row.version.unwrap_or(1) > 1,
                receipt_number: row.receipt_number.as_deref(),
                receipt_path: receipt_path(row),
            }),
        }
    }
}

/// A page of the person's requests.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MyRequests<'a> {
    items: Vec<MyRequest<'a>>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<&'a str>,
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
    let items = page.items.iter().map(MyRequest::of).collect();
    let next_cursor = page.next_cursor.as_deref();
    Ok(Reply::json(200, MyRequests { items, next_cursor }))
}

pub const ROUTES: &[Route] = &[route!(GET "/api/me/requests" => list, 200 => MyRequests)];
