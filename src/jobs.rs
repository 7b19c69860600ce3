//! Scheduled work (Cron Triggers): purge what can no longer be used, in bounded batches so a run
//! stays within its limits and two overlapping runs only delete different rows. Errors are logged,
//! never swallowed by the runtime.

use crate::domain::{Millis, HOUR};
use crate::infra::{App, InfraError};
use crate::storage::{rate_limits, sessions, verifications};
use worker::{console_error, console_log, Env};

/// Rows deleted per table per run.
const BATCH: i64 = 500;
/// Ended sessions and used codes are kept this long for investigation.
const RETENTION: Millis = 24 * HOUR;

pub async fn run(cron: String, env: Env) {
    match App::from_env(&env).await {
        Ok(app) => {
            match clean_up(&app).await {
                Ok(report) => console_log!("cron {cron}: cleanup {report}"),
                Err(error) => console_error!("cron {cron}: cleanup failed: {error}"),
            }
            crate::webhooks::sweep(&app).await;
        }
        Err(error) => console_error!("cron {cron}: {error}"),
    }
}

pub async fn clean_up(app: &App) -> Result<String, InfraError> {
    let before = app.now - RETENTION;
    let verifications = verifications::purge_expired(&app.db, before, BATCH).await?;
    let sessions = sessions::purge_ended(&app.db, before, BATCH).await?;
    let counters = rate_limits::purge_older_than(&app.db, before, BATCH).await?;
    Ok(format!(
        "verifications={verifications} sessions={sessions} counters={counters}"
    ))
}
