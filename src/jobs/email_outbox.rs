//! Emails whose queue message was lost. A request commits the outbox row, then enqueues its
//! message; when that enqueue fails (the queue is briefly unavailable), the row stays queued and
//! never attempted. After [`STRANDED_EMAIL_AFTER`] this job enqueues such an email again, or gives
//! it up when it carried a one-time code: the code travelled only in the message, and it has
//! expired by now (the person asks for a new one).

use super::Counts;
use crate::domain::lifecycle::STRANDED_EMAIL_AFTER;
use crate::email::templates::Template;
use crate::email::{dispatch_all, EmailMessage};
use crate::infra::{App, InfraError};
use crate::storage::outbox;

/// Emails taken per run at most; a longer backlog drains over the next runs.
const PER_RUN: i64 = 200;

/// Why an email with a lost one-time code was given up (the outbox's `last_error`).
const CODE_LOST: &str = "queue message lost; its one-time code cannot be sent again";

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    let stranded =
        outbox::take_stranded(&app.db, app.now - STRANDED_EMAIL_AFTER, app.now, PER_RUN).await?;
    let (lost, resend): (Vec<_>, Vec<_>) = stranded
        .iter()
        .partition(|email| Template::from_name(&email.template).is_some_and(Template::needs_code));
    let lost: Vec<&str> = lost.iter().map(|email| email.id.as_str()).collect();
    counts.add(
        "codes_given_up",
        outbox::give_up(&app.db, &lost, CODE_LOST).await?,
    );
    let messages: Vec<EmailMessage> = resend
        .iter()
        .map(|email| EmailMessage {
            outbox_id: email.id.clone(),
            code: None,
        })
        .collect();
    dispatch_all(app, &messages).await?;
    counts.add("requeued", messages.len());
    Ok(())
}
