//! Purges what can no longer be used, each kind on its own: a kind that fails is reported and
//! the others still run. Every delete removes at most [`BATCH_ROWS`] rows picked by primary key
//! in a subquery, and a run stops a kind after [`BATCHES_PER_RUN`] of them.

use super::Counts;
use crate::domain::lifecycle::{
    CODE_AND_SESSION_RETENTION, DELIVERY_LOG_RETENTION, JOB_RUN_RETENTION, MAILBOX_RETENTION,
    OUTBOX_RETENTION, SPENT_CREDENTIALS_RETENTION, UNVERIFIED_ACCOUNT_LIFETIME,
};
use crate::domain::{device, Millis};
use crate::infra::{App, InfraError};
use crate::storage::{
    devices, job_runs, link_credentials, mailbox, mfa, outbox, passkeys, rate_limits, sessions,
    users, verifications, webhooks, Purge,
};

/// Rows one delete statement removes at most: its write lock stays short.
const BATCH_ROWS: i64 = 500;
/// Delete statements per kind and run: at most 5,000 rows of a kind per run.
const BATCHES_PER_RUN: usize = 10;

/// One kind of row the cleanup purges: its name in the run's counts, how long its rows are kept
/// once they can no longer be used, and the delete.
struct Kind {
    name: &'static str,
    retention: Millis,
    purge: Purge,
}

const KINDS: [Kind; 12] = [
    Kind {
        name: "unverified_accounts",
        retention: UNVERIFIED_ACCOUNT_LIFETIME,
        purge: users::UNVERIFIED,
    },
    Kind {
        name: "verifications",
        retention: CODE_AND_SESSION_RETENTION,
        purge: verifications::EXPIRED,
    },
    Kind {
        name: "sessions",
        retention: CODE_AND_SESSION_RETENTION,
        purge: sessions::ENDED,
    },
    Kind {
        name: "mfa_challenges",
        retention: CODE_AND_SESSION_RETENTION,
        purge: mfa::EXPIRED_CHALLENGES,
    },
    Kind {
        name: "passkey_challenges",
        retention: CODE_AND_SESSION_RETENTION,
        purge: passkeys::EXPIRED_CHALLENGES,
    },
    Kind {
        name: "link_credentials",
        retention: SPENT_CREDENTIALS_RETENTION,
        purge: link_credentials::EXPIRED,
    },
    Kind {
        name: "rate_limit_counters",
        retention: CODE_AND_SESSION_RETENTION,
        purge: rate_limits::IDLE,
    },
    Kind {
        name: "outbox_emails",
        retention: OUTBOX_RETENTION,
        purge: outbox::DONE,
    },
    Kind {
        name: "mailbox_emails",
        retention: MAILBOX_RETENTION,
        purge: mailbox::DELIVERED,
    },
    Kind {
        name: "job_runs",
        retention: JOB_RUN_RETENTION,
        purge: job_runs::OLD,
    },
    Kind {
        name: "webhook_deliveries",
        retention: DELIVERY_LOG_RETENTION,
        purge: webhooks::FINISHED_DELIVERIES,
    },
    // The browser forgot its cookie by then: the row can never match again.
    Kind {
        name: "known_devices",
        retention: device::COOKIE_LIFETIME,
        purge: devices::UNSEEN,
    },
];

impl Kind {
    /// Deletes until nothing is left or the run's share is used up.
    async fn run(&self, app: &App, counts: &mut Counts) -> Result<(), InfraError> {
        counts.add(self.name, 0);
        for _ in 0..BATCHES_PER_RUN {
            let before = app.now - self.retention;
            let deleted = self.purge.once(&app.db, before, BATCH_ROWS).await?;
            counts.add(self.name, deleted);
            if deleted < BATCH_ROWS as usize {
                break;
            }
        }
        Ok(())
    }
}

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    let mut failures = Vec::new();
    for kind in &KINDS {
        if let Err(error) = kind.run(app, counts).await {
            failures.push(format!("{}: {error}", kind.name));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(InfraError {
            context: format!("{} of {} purges failed", failures.len(), KINDS.len()),
            cause: failures.join("; "),
        })
    }
}
