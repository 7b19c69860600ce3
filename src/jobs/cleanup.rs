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

#[derive(Debug, Clone, Copy)]
enum Kind {
    UnverifiedAccounts,
    Verifications,
    Sessions,
    MfaChallenges,
    PasskeyChallenges,
    LinkCredentials,
    RateLimits,
    Outbox,
    Mailbox,
    JobRuns,
    WebhookDeliveries,
    KnownDevices,
}

impl Kind {
    const ALL: [Kind; 12] = [
        Kind::UnverifiedAccounts,
        Kind::Verifications,
        Kind::Sessions,
        Kind::MfaChallenges,
        Kind::PasskeyChallenges,
        Kind::LinkCredentials,
        Kind::RateLimits,
        Kind::Outbox,
        Kind::Mailbox,
        Kind::JobRuns,
        Kind::WebhookDeliveries,
        Kind::KnownDevices,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::UnverifiedAccounts => "unverified_accounts",
            Kind::Verifications => "verifications",
            Kind::Sessions => "sessions",
            Kind::MfaChallenges => "mfa_challenges",
            Kind::PasskeyChallenges => "passkey_challenges",
            Kind::LinkCredentials => "link_credentials",
            Kind::RateLimits => "rate_limit_counters",
            Kind::Outbox => "outbox_emails",
            Kind::Mailbox => "mailbox_emails",
            Kind::JobRuns => "job_runs",
            Kind::WebhookDeliveries => "webhook_deliveries",
            Kind::KnownDevices => "known_devices",
        }
    }

    /// How long rows of this kind are kept once they can no longer be used.
    fn retention(self) -> Millis {
        match self {
            Kind::UnverifiedAccounts => UNVERIFIED_ACCOUNT_LIFETIME,
            Kind::Verifications
            | Kind::Sessions
            | Kind::MfaChallenges
            | Kind::PasskeyChallenges
            | Kind::RateLimits => CODE_AND_SESSION_RETENTION,
            Kind::LinkCredentials => SPENT_CREDENTIALS_RETENTION,
            Kind::Outbox => OUTBOX_RETENTION,
            Kind::Mailbox => MAILBOX_RETENTION,
            Kind::JobRuns => JOB_RUN_RETENTION,
            Kind::WebhookDeliveries => DELIVERY_LOG_RETENTION,
            // The browser forgot its cookie by then: the row can never match again.
            Kind::KnownDevices => device::COOKIE_LIFETIME,
        }
    }

    fn purge(self) -> &'static Purge {
        match self {
            Kind::UnverifiedAccounts => &users::UNVERIFIED,
            Kind::Verifications => &verifications::EXPIRED,
            Kind::Sessions => &sessions::ENDED,
            Kind::MfaChallenges => &mfa::EXPIRED_CHALLENGES,
            Kind::PasskeyChallenges => &passkeys::EXPIRED_CHALLENGES,
            Kind::LinkCredentials => &link_credentials::EXPIRED,
            Kind::RateLimits => &rate_limits::IDLE,
            Kind::Outbox => &outbox::DONE,
            Kind::Mailbox => &mailbox::DELIVERED,
            Kind::JobRuns => &job_runs::OLD,
            Kind::WebhookDeliveries => &webhooks::FINISHED_DELIVERIES,
            Kind::KnownDevices => &devices::UNSEEN,
        }
    }

    /// Deletes until nothing is left or the run's share is used up.
    async fn run(self, app: &App, counts: &mut Counts) -> Result<(), InfraError> {
        counts.add(self.name(), 0);
        for _ in 0..BATCHES_PER_RUN {
            let before = app.now - self.retention();
            let deleted = self.purge().once(&app.db, before, BATCH_ROWS).await?;
            counts.add(self.name(), deleted);
            if deleted < BATCH_ROWS as usize {
                break;
            }
        }
        Ok(())
    }
}

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    let mut failures = Vec::new();
    for kind in Kind::ALL {
        if let Err(error) = kind.run(app, counts).await {
            failures.push(format!("{}: {error}", kind.name()));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(InfraError {
            context: format!("{} of {} purges failed", failures.len(), Kind::ALL.len()),
            cause: failures.join("; "),
        })
    }
}
