//! Pending access requests older than their lifetime (21 days) become `expired`, with an audit
//! event in both organisations' trails and an `access_request.expired` domain event.

use super::{apply_each, Counts};
use crate::infra::{App, InfraError};
use crate::storage::access_requests;
use crate::use_cases::access_requests::expiry_records;

/// Requests expired per run at most; a longer backlog drains over the next runs.
const PER_RUN: i64 = 50;

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    let lapsed = access_requests::lapsed_pending(&app.db, app.now, PER_RUN).await?;
    apply_each(
        app,
        &lapsed,
        ("expired", counts),
        "Failed to expire access requests",
        |request| expiry_records(app, request),
    )
    .await
}
