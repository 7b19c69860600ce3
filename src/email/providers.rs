//! Where rendered emails go: the development mailbox (D1) or an HTTP email API.

use super::templates::Rendered;
use crate::config::EmailProvider;
use crate::infra::App;
use crate::platform::post_request;
use crate::storage::mailbox::{self, MailboxEntry};
use crate::storage::outbox::OutboxRow;
use futures_util::future::{select, Either};
use std::time::Duration;
use worker::{AbortController, Delay, Fetch, Headers};

/// How long one delivery attempt may wait for the provider before it counts as a transient failure.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub enum SendError {
    /// Worth retrying: network trouble, 429, 5xx.
    Transient(String),
    /// Retrying will not help: the provider refused the email.
    Permanent(String),
}

pub async fn send(app: &App, row: &OutboxRow, email: &Rendered) -> Result<(), SendError> {
    match &app.config.email_provider {
        EmailProvider::Mailbox => {
            let entry = MailboxEntry {
                to: row.to_email.clone(),
                subject: email.subject.clone(),
                text: email.text.clone(),
                html: email.html.clone(),
                sent_at: app.now,
            };
            mailbox::deliver(&app.db, &row.id, &entry)
                .await
                .map_err(|e| SendError::Transient(e.to_string()))
        }
        EmailProvider::Http { url, api_key } => {
            send_http(url, api_key, &app.config.email_from, row, email).await
        }
    }
}

/// Posts `{from, to, subject, text, html}` with the outbox id as idempotency key, so a provider
/// that honours it never sends twice even if our acknowledgement is lost.
async fn send_http(
    url: &str,
    api_key: &str,
    from: &str,
    row: &OutboxRow,
    email: &Rendered,
) -> Result<(), SendError> {
    let body = crate::json!({ "from": from, "to": row.to_email, "subject": email.subject, "text": email.text, "html": email.html });
    let headers = Headers::new();
    let header_error = |e: worker::Error| SendError::Permanent(format!("bad header: {e}"));
    headers
        .set("Content-Type", "application/json")
        .map_err(header_error)?;
    headers
        .set("Authorization", &format!("Bearer {api_key}"))
        .map_err(header_error)?;
    headers
        .set("Idempotency-Key", &row.id)
        .map_err(header_error)?;
    let request = post_request(
        url,
        &headers,
        &crate::json::text(&body),
        worker::web_sys::RequestRedirect::Follow,
    )
    .map_err(|e| SendError::Permanent(format!("bad provider URL: {e}")))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sending = std::pin::pin!(fetch.send_with_signal(&signal));
    let response = match select(sending, Delay::from(PROVIDER_TIMEOUT)).await {
        Either::Left((response, _)) => {
            response.map_err(|e| SendError::Transient(format!("provider unreachable: {e}")))?
        }
        Either::Right(_) => {
            controller.abort();
            return Err(SendError::Transient(format!(
                "provider did not answer within {} s",
                PROVIDER_TIMEOUT.as_secs()
            )));
        }
    };
    match response.status_code() {
        200..=299 => Ok(()),
        status @ (408 | 409 | 425 | 429 | 500..=599) => {
            Err(SendError::Transient(format!("provider answered {status}")))
        }
        status => Err(SendError::Permanent(format!(
            "provider refused the email with {status}"
        ))),
    }
}
