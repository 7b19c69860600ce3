//! The record of scheduled runs: one row per job per cron event.

use crate::domain::Millis;
use crate::platform::InfraError;
use crate::query;
use crate::storage::db::{Db, Run};
use serde::Deserialize;

pub async fn start(
    db: &Db,
    id: &str,
    job: &str,
    cron: &str,
    now: Millis,
) -> Result<(), InfraError> {
    query!(
        db,
        "INSERT INTO job_runs (id, job, cron, started_at) VALUES (?1, ?2, ?3, ?4)",
        id,
        job,
        cron,
        now
    )
    .execute("Failed to record the start of a job run")
    .await?;
    Ok(())
}

/// Records what a run did (`counts`, a JSON object) and why it failed, if it did.
pub async fn finish(
    db: &Db,
    id: &str,
    finished_at: Millis,
    counts: &str,
    error: Option<&str>,
) -> Result<(), InfraError> {
    query!(
        db,
        "UPDATE job_runs SET finished_at = ?2, counts = ?3, error = ?4 WHERE id = ?1",
        id,
        finished_at,
        counts,
        error
    )
    .execute("Failed to record the end of a job run")
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
pub struct JobRunRow {
    pub id: String,
    pub job: String,
    pub cron: String,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub counts: String,
    pub error: Option<String>,
}

/// The latest runs, newest first: of one job, or of all.
pub async fn recent(db: &Db, job: Option<&str>, limit: i64) -> Result<Vec<JobRunRow>, InfraError> {
    query!(
        db,
        "SELECT id, job, cron, started_at, finished_at, counts, error FROM job_runs
         WHERE ?1 IS NULL OR job = ?1 ORDER BY started_at DESC, rowid DESC LIMIT ?2",
        job,
        limit
    )
    .rows("Failed to list job runs")
    .await
}

/// The record of runs started before the cutoff.
pub const OLD: super::Purge = super::Purge {
    table: "job_runs",
    key: "id",
    condition: "started_at < ?1",
};
