//! The browsers a person signed in from, by the hash of their device cookie.

use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Sighting {
    /// This browser signed in to the account before.
    pub known: i64,
    /// Any browser did.
    pub any: i64,
}

pub async fn sighting(db: &Db, user_id: &str, device_hash: &str) -> Result<Sighting, InfraError> {
    let row: Option<Sighting> = query!(
        db,
        "SELECT EXISTS (SELECT 1 FROM known_devices WHERE user_id = ?1 AND device_hash = ?2) AS known,
                EXISTS (SELECT 1 FROM known_devices WHERE user_id = ?1) AS any",
        user_id,
        device_hash
    )
    .row("Failed to look up a device")
.await?;
    Ok(row.unwrap_or(Sighting { known: 0, any: 0 }))
}

/// Records the browser (new: `id`, `created_at` = now) or its last sign-in, only if the batch
/// started the session `token_hash`: a sign-in that lost its race records nothing.
pub fn record_if_session(
    db: &Db,
    id: &str,
    user_id: &str,
    device_hash: &str,
    token_hash: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO known_devices (id, user_id, device_hash, created_at, last_seen_at)
         SELECT ?1, ?2, ?3, ?4, ?4 WHERE EXISTS (SELECT 1 FROM sessions WHERE token_hash = ?5)
         ON CONFLICT (user_id, device_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at",
        id,
        user_id,
        device_hash,
        now,
        token_hash
    )
    .context("Failed to prepare recording a device")
}

/// Browsers not seen since before the cutoff.
pub const UNSEEN: super::Purge = super::Purge {
    table: "known_devices",
    key: "id",
    condition: "last_seen_at < ?1",
};
