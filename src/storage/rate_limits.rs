use crate::domain::throttle::{Counter, Policy};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};

async fn find(db: &Db, key: &str) -> Result<Option<Counter>, InfraError> {
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
    .row("Failed to read a rate-limit counter")
    .await?;
    Ok(row.map(|r| Counter {
        window_start: r.window_start,
        count: r.count,
        last_at: r.last_at,
    }))
}

/// Counts one attempt in the subject's window (a new window once the old one is over). The
/// statement both [`reserve`] and [`count`] run, the first only while the policy allows it.
macro_rules! count_attempt {
    () => {
        "INSERT INTO rate_limits (key, window_start, count, last_at) VALUES (?1, ?2, 1, ?2)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
           window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END,
           last_at = ?2"
    };
}

/// A subject refused a slot by one of its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// Seconds before it may try again (at least one).
    pub retry_after: u64,
}

/// Takes one slot of each limit, in order, before the attempt is evaluated; the first limit that
/// refuses stops there (the later ones are not spent) and says how long to wait.
pub async fn take(
    db: &Db,
    now: Millis,
    limits: &[(&Policy, &str)],
) -> Result<Result<(), Refused>, InfraError> {
    for &(policy, key) in limits {
        if reserve(db, policy, key, now).await?.is_none() {
            let retry_after = retry_after(db, policy, key, now).await?;
            return Ok(Err(Refused { retry_after }));
        }
    }
    Ok(Ok(()))
}

/// Takes one attempt's slot, in one statement so that concurrent requests cannot all pass a
/// check made before any of them is counted: the counter moves only while the policy allows one
/// more attempt (the SQL twin of `Policy::blocked_until`). `Ok(None)`: the subject must wait.
async fn reserve(
    db: &Db,
    policy: &Policy,
    key: &str,
    now: Millis,
) -> Result<Option<i64>, InfraError> {
    query!(
        db,
        concat!(
            count_attempt!(),
            "
         WHERE window_start <= ?2 - ?3
            OR count < ?4
            OR (count < ?5 AND ?2 >= last_at + MIN(?6, 1000 << MIN(count - ?4, 30)))
         RETURNING count"
        ),
        key,
        now,
        policy.window,
        policy.free_failures,
        policy.max_failures,
        policy.max_delay
    )
    .value("count", "Failed to reserve an attempt")
    .await
}

/// Counts a failure that was capped elsewhere (a second-factor code, whose challenge allows five),
/// so that it weighs on the subject's next attempts; for a batch.
pub fn count(db: &Db, policy: &Policy, key: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(db, count_attempt!(), key, now, policy.window)
        .context("Failed to prepare counting an attempt")
}

/// Gives back a slot reserved by an attempt that turned out not to count (a success).
pub fn release(db: &Db, key: &str) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE rate_limits SET count = count - 1 WHERE key = ?1 AND count > 0",
        key
    )
    .context("Failed to prepare releasing an attempt")
}

/// Seconds a subject refused by [`reserve`] must wait (at least one: the counter may have moved).
async fn retry_after(db: &Db, policy: &Policy, key: &str, now: Millis) -> Result<u64, InfraError> {
    let counter = find(db, key).await?;
    Ok(policy
        .blocked_until(counter, now)
        .map_or(1, |until| crate::domain::seconds_until(now, until)))
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
