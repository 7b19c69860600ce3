//! Scheduled work (Cron Triggers). Each cron event runs every job in turn; a failing job is
//! logged and recorded, and the next one still runs. The work itself lives in one module per job;
//! this entry point only wires, logs (`console_log!` counts, `console_error!` failures: the
//! runtime would swallow them) and records each run in `job_runs` (`GET /dev/jobs` in development).
//!
//! Limits: every job works in bounded batches, so a run does the same bounded work whatever the
//! backlog (which drains over the next runs): at worst about 80 cleanup deletes of 500 rows, 150
//! statements to end 50 authorizations, 150 to expire 50 access requests, 50 reminders (100
//! statements, plus one outbox row per recipient: one per employer administrator and contact at
//! worst, usually far fewer), 25 monthly report reminders to firm contacts and 25 to employer
//! responsables (about 150 statements), 2 statements and 2 queue sends for emails that lost their
//! queue message, 10 writes to `job_runs`: some 850 D1 statements at worst with three
//! administrators per employer, within the 1,000 D1 queries a Worker invocation may make on the
//! Workers Paid plan, and little CPU. Every write is
//! conditional on the state it changes, so two overlapping runs never do the same thing twice.

mod access_request_expiry;
mod authorization_ends;
mod cleanup;
mod email_outbox;
mod reminders;
mod report_reminders;

use crate::domain::Millis;
use crate::infra::{random_id, App, InfraError};
use crate::storage::db::{Db, Statement};
use crate::storage::{atomically, job_runs, wrote};
use worker::{console_error, console_log, Env};

pub async fn run(cron: String, env: Env, db: Db) {
    let app = match App::with_db(&env, db).await {
        Ok(app) => app,
        Err(error) => {
            console_error!("cron {cron}: {error}");
            return;
        }
    };
    let clock = RunClock::start(app.now);
    for job in Job::ALL {
        run_job(&app, &clock, &cron, job).await;
    }
    // Last, so the events the jobs just emitted (authorization.expired, .expiring) go out at once.
    crate::webhooks::sweep(&app).await;
}

/// The instants a run records: the run's `now` plus the real time elapsed since it began (the jobs
/// themselves all work with the run's `now`).
struct RunClock {
    now: Millis,
    real_start: u64,
}

impl RunClock {
    fn start(now: Millis) -> RunClock {
        RunClock {
            now,
            real_start: worker::Date::now().as_millis(),
        }
    }

    fn at(&self) -> Millis {
        self.now
            + worker::Date::now()
                .as_millis()
                .saturating_sub(self.real_start) as Millis
    }
}

#[derive(Debug, Clone, Copy)]
enum Job {
    Cleanup,
    AuthorizationEnds,
    AccessRequestExpiry,
    Reminders,
    EmailOutbox,
}

impl Job {
    const ALL: [Job; 5] = [
        Job::Cleanup,
        Job::AuthorizationEnds,
        Job::AccessRequestExpiry,
        Job::Reminders,
        Job::EmailOutbox,
    ];

    fn name(self) -> &'static str {
        match self {
            Job::Cleanup => "cleanup",
            Job::AuthorizationEnds => "authorization_ends",
            Job::AccessRequestExpiry => "access_request_expiry",
            Job::Reminders => "authorization_reminders",
            Job::EmailOutbox => "email_outbox",
        }
    }

    async fn work(self, app: &App, counts: &mut Counts) -> Result<(), InfraError> {
        match self {
            Job::Cleanup => cleanup::run(app, counts).await,
            Job::AuthorizationEnds => authorization_ends::run(app, counts).await,
            Job::AccessRequestExpiry => access_request_expiry::run(app, counts).await,
            // The reminders of authorizations that end, then of monthly reports that are due:
            // each runs even when the other fails.
            Job::Reminders => {
                let authorizations = reminders::run(app, counts).await;
                let reports = report_reminders::run(app, counts).await;
                authorizations.and(reports)
            }
            Job::EmailOutbox => email_outbox::run(app, counts).await,
        }
    }
}

async fn run_job(app: &App, clock: &RunClock, cron: &str, job: Job) {
    let name = job.name();
    let id = random_id();
    let started_at = clock.at();
    if let Err(error) = job_runs::start(&app.db, &id, name, cron, started_at).await {
        console_error!("cron {cron}: {name}: {error}");
    }
    let mut counts = Counts::default();
    let outcome = job.work(app, &mut counts).await;
    let finished_at = clock.at();
    let elapsed = finished_at - started_at;
    let error = outcome.err().map(|error| error.to_string());
    match &error {
        None => console_log!("cron {cron}: {name}: {counts} in {elapsed} ms"),
        Some(error) => {
            console_error!("cron {cron}: {name} failed after {counts} in {elapsed} ms: {error}")
        }
    }
    let counts = counts.to_json();
    if let Err(error) = job_runs::finish(&app.db, &id, finished_at, &counts, error.as_deref()).await
    {
        console_error!("cron {cron}: {name}: {error}");
    }
}

/// Items changed per D1 batch by the lifecycle jobs.
const ITEMS_PER_BATCH: usize = 25;

/// Applies one change per item, [`ITEMS_PER_BATCH`] items per atomic D1 batch. The statements of
/// an item start with the change itself (conditional on the state it changes) followed by its
/// records; the items whose change was written are counted as `kind`.
async fn apply_each<T>(
    app: &App,
    items: &[T],
    (kind, counts): (&'static str, &mut Counts),
    what: &str,
    statements_of: impl Fn(&T) -> Result<Vec<Statement>, InfraError>,
) -> Result<(), InfraError> {
    counts.add(kind, 0);
    for chunk in items.chunks(ITEMS_PER_BATCH) {
        let mut statements = Vec::new();
        let mut changes = Vec::new();
        for item in chunk {
            changes.push(statements.len());
            statements.extend(statements_of(item)?);
        }
        let results = atomically(&app.db, statements, what).await?;
        let written = changes
            .into_iter()
            .filter(|&index| results.get(index).is_some_and(wrote))
            .count();
        counts.add(kind, written);
    }
    Ok(())
}

/// What a job did: rows handled per kind, in the order first counted.
#[derive(Debug, Default)]
pub struct Counts(Vec<(&'static str, usize)>);

impl Counts {
    pub fn add(&mut self, kind: &'static str, rows: usize) {
        match self.0.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, total)) => *total += rows,
            None => self.0.push((kind, rows)),
        }
    }

    fn to_json(&self) -> String {
        let mut object = serde_json::Map::new();
        for (kind, rows) in &self.0 {
            object.insert((*kind).to_owned(), (*rows).into());
        }
        crate::json::text(&serde_json::Value::Object(object))
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_empty() {
            return f.write_str("nothing");
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(kind, rows)| format!("{kind}={rows}"))
            .collect();
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn counts_add_up_per_kind_in_the_order_first_counted() {
        let mut counts = Counts::default();
        assert_eq!(counts.to_string(), "nothing");
        counts.add("sessions", 500);
        counts.add("verifications", 0);
        counts.add("sessions", 20);
        assert_eq!(counts.to_string(), "sessions=520 verifications=0");
        assert_eq!(counts.to_json(), r#"{"sessions":520,"verifications":0}"#);
    }
}
