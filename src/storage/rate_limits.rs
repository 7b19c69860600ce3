use crate::domain::throttle::{Counter, Policy};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};

pub async fn find(db: &Db, key: &str) -> Result<Option<Counter>, InfraError> {
    #[derive(serde::Deserialize)]
    struct Row {
        window_start: Millis,
        count: i64,
        last_at: Millis,
    }
    let row: Option<Row> = query!(
        db,
        "SELECT window_start, count, last_at FROM rate_limits WHERE key = ?1",
        key
    )
    .context("Failed to prepare a rate-limit lookup")?
    .first(None)
    .await
    .context("Failed to read a rate-limit counter")?;
    Ok(row.map(|r| Counter {
        window_start: r.window_start,
        count: r.count,
        last_at: r.last_at,
    }))
}

/// Counts one failure in the policy's current window, starting a new window when the old one ended.
pub fn record_failure(
    db: &Db,
    policy: &Policy,
    key: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO rate_limits (key, window_start, count, last_at) VALUES (?1, ?2, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
           window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END,
           last_at = ?2",
        key,
        now,
        policy.window
    )
    .context("Failed to prepare counting a failure")
}

pub fn clear(db: &Db, key: &str) -> Result<Statement, InfraError> {
    query!(db, "DELETE FROM rate_limits WHERE key = ?1", key)
        .context("Failed to prepare clearing a counter")
}

/// Counters untouched since the cutoff.
pub const IDLE: super::Purge = super::Purge {
    table: "rate_limits",
    key: "key",
    condition: "last_at < ?1",
};

/// Takes one attempt of the policy's budget before the attempt is evaluated, in one statement:
/// answers `false` (and counts nothing) while the subject must wait, so a burst of concurrent
/// attempts evaluates at most what the policy allows. A success clears the counter afterwards
/// ([`clear`]); a failure leaves its slot counted.
pub async fn reserve_attempt(
    db: &Db,
    policy: &Policy,
    key: &str,
    now: Millis,
) -> Result<bool, InfraError> {
    let count: Option<i64> = query!(
        db,
        "INSERT INTO rate_limits (key, window_start, count, last_at) VALUES (?1, ?2, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
           window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END,
           last_at = ?2
         WHERE window_start <= ?2 - ?3 OR count < ?4
            OR (count < ?5 AND ?2 >= last_at + MIN(?7 << MIN(count - ?4, 30), ?6))
         RETURNING count",
        key,
        now,
        policy.window,
        policy.free_failures,
        policy.max_failures,
        policy.max_delay,
        crate::domain::SECOND
    )
    .context("Failed to prepare reserving an attempt")?
    .first(Some("count"))
    .await
    .context("Failed to reserve an attempt")?;
    Ok(count.is_some())
}
