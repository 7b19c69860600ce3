//! SQL against D1: one small named function per query, grouped by table. `schema.sql` is the
//! source of truth for the tables.

pub mod audit;
pub mod contacts;
pub mod dev_clock;
pub mod legacy_credentials;
pub mod link_credentials;
pub mod mailbox;
pub mod migration;
pub mod organisations;
pub mod outbox;
pub mod rate_limits;
pub mod sessions;
pub mod users;
pub mod verifications;

use crate::infra::{Context, InfraError};
use worker::{D1Database, D1PreparedStatement};

/// Runs statements atomically: D1 executes a batch as one transaction.
pub async fn atomically(
    db: &D1Database,
    statements: Vec<D1PreparedStatement>,
    what: &str,
) -> Result<Vec<worker::D1Result>, InfraError> {
    db.batch(statements).await.context(what)
}

/// Rows changed by a write, from D1's metadata.
pub fn changes(result: &worker::D1Result) -> usize {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|meta| meta.changes)
        .unwrap_or(0)
}
