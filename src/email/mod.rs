//! Email: requests never send mail themselves. They write an outbox row in the same batch as the
//! change that causes it, then enqueue the row's id; the queue consumer renders the template and
//! sends it through the configured provider, exactly once.

pub mod consumer;
pub mod providers;
pub mod queue;
pub mod templates;

use crate::domain::email::Email;
use crate::domain::locale::Locale;
use crate::infra::{random_id, App, Context, InfraError};
use crate::storage::db::{D1Result, Statement};
use crate::storage::{atomically, outbox, wrote, WrittenNow};
use serde::{Deserialize, Serialize};
use templates::Template;

/// The body of a message on the email queue. A one-time code travels only here, never in D1.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EmailMessage {
    pub outbox_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// An email decided by a use case: its outbox row goes into the use case's batch, its message is
/// enqueued once that batch has committed.
pub struct PendingEmail {
    pub insert: Statement,
    pub message: EmailMessage,
}

pub fn prepare(
    app: &App,
    to: &Email,
    template: Template,
    locale: Locale,
    secret: Option<&str>,
    params: serde_json::Value,
) -> Result<PendingEmail, InfraError> {
    prepare_when(app, to, (template, locale), secret, params, None)
}

/// Same as [`prepare`], for an email that goes out only if `row` is written by the same batch
/// (a reminder claimed by this run). Never carries a one-time code.
pub fn prepare_if_written(
    app: &App,
    to: &Email,
    template: Template,
    locale: Locale,
    params: serde_json::Value,
    row: &WrittenNow,
) -> Result<PendingEmail, InfraError> {
    prepare_when(app, to, (template, locale), None, params, Some(row))
}

fn prepare_when(
    app: &App,
    to: &Email,
    (template, locale): (Template, Locale),
    secret: Option<&str>,
    params: serde_json::Value,
    row: Option<&WrittenNow>,
) -> Result<PendingEmail, InfraError> {
    let id = random_id();
    let params = crate::json::text(&params);
    let insert = outbox::insert(
        &app.db,
        &outbox::NewEmail {
            id: &id,
            to_email: to.as_str(),
            template: template.name(),
            locale: locale.code(),
            params: &params,
        },
        row,
        app.now,
    )?;
    Ok(PendingEmail {
        insert,
        message: EmailMessage {
            outbox_id: id,
            code: secret.map(str::to_owned),
        },
    })
}

/// Hands committed emails to the queue.
pub async fn dispatch(app: &App, message: EmailMessage) -> Result<(), InfraError> {
    app.email_queue
        .send(message)
        .await
        .context("Failed to enqueue an email")
}

/// Hands committed emails to the queue, a hundred per call (the most a batch send takes).
/// Writes `statements`, then the emails' rows, in one batch, and enqueues the emails whose row was
/// written: an email goes out only once what it tells of is stored, and one prepared with
/// [`prepare_if_written`] only with the claim it names. Answers the batch's results (the emails'
/// last) and how many emails were enqueued.
pub async fn commit_and_send(
    app: &App,
    mut statements: Vec<Statement>,
    emails: impl IntoIterator<Item = PendingEmail>,
    what: &str,
) -> Result<(Vec<D1Result>, usize), InfraError> {
    let first_email = statements.len();
    let mut messages = Vec::new();
    for email in emails {
        statements.push(email.insert);
        messages.push(email.message);
    }
    let results = atomically(&app.db, statements, what).await?;
    let sent: Vec<EmailMessage> = messages
        .into_iter()
        .zip(results.get(first_email..).unwrap_or_default())
        .filter(|(_, result)| wrote(result))
        .map(|(message, _)| message)
        .collect();
    dispatch_all(app, &sent).await?;
    Ok((results, sent.len()))
}

pub async fn dispatch_all(app: &App, messages: &[EmailMessage]) -> Result<(), InfraError> {
    for chunk in messages.chunks(100) {
        app.email_queue
            .send_batch(chunk.to_vec())
            .await
            .context("Failed to enqueue emails")?;
    }
    Ok(())
}
