//! Authorizations whose end date has passed become `ended` (reads already stopped listing them;
//! this records it, keeps the totals exact through the table's triggers, and tells the employer's
//! trail, the firm's trail and the event log: `authorization.expired`).

use super::{apply_each, Counts};
use crate::domain::authorization::AuthorizationStatus;
use crate::infra::{App, InfraError};
use crate::json;
use crate::storage::authorizations::{self, AuthorizationRow};
use crate::use_cases::authorizations::record;
use crate::use_cases::Requester;

/// Authorizations ended per run at most; a longer backlog drains over the next runs.
const PER_RUN: i64 = 50;

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    let lapsed = authorizations::lapsed(&app.db, app.now, PER_RUN).await?;
    apply_each(
        app,
        &lapsed,
        ("ended", counts),
        "Failed to end lapsed authorizations",
        |before| {
            let after = AuthorizationRow {
                status: AuthorizationStatus::Ended,
                updated_at: app.now,
                ..before.clone()
            };
            let mut statements = vec![authorizations::end(&app.db, &before.id, app.now)?];
            statements.extend(record(
                app,
                None,
                &Requester::default(),
                "authorization.expired",
                &after,
                json!({}),
            )?);
            Ok(statements)
        },
    )
    .await
}
