//! One attempt of one delivery: claim it, sign and POST the body (no redirects, bounded time),
//! log the answer, then schedule the retry or conclude, disabling the endpoint and telling its
//! responsables when it must.

use super::address::EndpointUrl;
use super::payload::{self, Event};
use super::schedule::{classify, conclude, Conclusion, Failure, Verdict};
use super::secret::{signature_header, SealingKey, SigningSecret};
use super::{enqueue_after, WakeUp, LEASE};
use crate::domain::locale::Locale;
use crate::domain::{email::Email, Entropy};
use crate::email::{self, templates::Template};
use crate::infra::{App, InfraError, OsEntropy};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::webhooks::{self, Attempt, DeliveryJob};
use crate::storage::{atomically, organisations, wrote, WrittenNow};
use futures_util::future::{select, Either};
use serde_json::json;
use std::time::Duration;
use worker::{
    AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect,
};

/// How long the receiver has to answer one attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// What happened on the wire.
struct Sent {
    status_code: Option<u16>,
    latency_ms: i64,
    verdict: Verdict,
}

pub async fn attempt(app: &App, wake: &WakeUp) -> Result<(), InfraError> {
    let Some(job) = webhooks::job(&app.db, &wake.delivery_id).await? else {
        return Ok(());
    };
    let current = job.status == "pending" && job.attempts == wake.attempts;
    if !current
        || !webhooks::claim(&app.db, &job.id, wake.attempts, app.now, app.now + LEASE).await?
    {
        return Ok(());
    }
    let sent = send(app, &job).await;
    let mut jitter = [0u8; 1];
    OsEntropy.fill(&mut jitter);
    let conclusion = conclude(&sent.verdict, job.round_attempts + 1, jitter[0]);
    let (error, error_kind) = match &sent.verdict {
        Verdict::Delivered => (None, None),
        Verdict::Gone => (Some("answered 410 Gone".to_owned()), Some(Failure::Gone)),
        Verdict::Failed { kind, error } => (Some(error.clone()), Some(*kind)),
    };
    let attempt = Attempt {
        delivery_id: &job.id,
        number: wake.attempts + 1,
        at: app.now,
        status_code: sent.status_code,
        latency_ms: sent.latency_ms,
        error: error.as_deref(),
        error_kind: error_kind.map(Failure::code),
        replay: wake.replay,
    };
    record(app, &job, &attempt, &conclusion).await
}

/// Signs and posts the delivery's body, unless the URL is no longer allowed.
async fn send(app: &App, job: &DeliveryJob) -> Sent {
    let failed = |kind: Failure, error: String| Sent {
        status_code: None,
        latency_ms: 0,
        verdict: Verdict::Failed { kind, error },
    };
    let url = match EndpointUrl::parse(&job.url, app.config.development) {
        Ok(url) => url,
        Err(problem) => {
            return failed(
                Failure::AddressNotAllowed,
                format!("address not allowed ({problem:?})"),
            )
        }
    };
    let secrets = match signing_secrets(app, job) {
        Some(secrets) => secrets,
        None => {
            return failed(
                Failure::SecretUnreadable,
                "the signing secret cannot be read".into(),
            )
        }
    };
    let body = payload::body(&Event {
        id: &job.event_id,
        kind: &job.event_type,
        at: job.event_at,
        payload: &job.payload,
    });
    // The receiver checks the timestamp against its own clock: the real one, even when tests
    // move the portal's clock.
    let started = worker::Date::now().as_millis() as i64;
    let timestamp = started / 1000;
    let request = match build_request(url.as_str(), job, &body, &secrets, timestamp) {
        Ok(request) => request,
        Err(error) => {
            return failed(
                Failure::RequestInvalid,
                format!("could not build the request: {error}"),
            )
        }
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let posting = std::pin::pin!(fetch.send_with_signal(&signal));
    let answer = select(posting, Delay::from(ATTEMPT_TIMEOUT)).await;
    let latency_ms = worker::Date::now().as_millis() as i64 - started;
    match answer {
        Either::Left((Ok(response), _)) => {
            let status = response.status_code();
            Sent {
                status_code: Some(status),
                latency_ms,
                verdict: classify(status),
            }
        }
        Either::Left((Err(error), _)) => Sent {
            latency_ms,
            ..failed(Failure::Unreachable, format!("unreachable: {error}"))
        },
        Either::Right(_) => {
            controller.abort();
            Sent {
                latency_ms,
                ..failed(
                    Failure::Timeout,
                    format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()),
                )
            }
        }
    }
}

/// The current secret, and the previous one while its grace period lasts.
fn signing_secrets(app: &App, job: &DeliveryJob) -> Option<Vec<SigningSecret>> {
    let key = SealingKey::derive(&app.config.code_hash_key);
    let mut secrets = vec![key.open(&job.secret, &job.endpoint_id)?];
    let previous_valid = job
        .previous_secret_expires_at
        .is_some_and(|until| app.now < until);
    if let (Some(previous), true) = (&job.previous_secret, previous_valid) {
        secrets.push(key.open(previous, &job.endpoint_id)?);
    }
    Some(secrets)
}

fn build_request(
    url: &str,
    job: &DeliveryJob,
    body: &str,
    secrets: &[SigningSecret],
    timestamp: i64,
) -> worker::Result<Request> {
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    headers.set("User-Agent", "SEL-Webhooks/1")?;
    headers.set("webhook-id", &job.id)?;
    headers.set("webhook-timestamp", &timestamp.to_string())?;
    headers.set(
        "webhook-signature",
        &signature_header(secrets, &job.id, timestamp, body),
    )?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(body.into()));
    Request::new_with_init(url, &init)
}

/// Logs the attempt and concludes the delivery in one batch; then disables, tells, retries.
async fn record(
    app: &App,
    job: &DeliveryJob,
    attempt: &Attempt<'_>,
    conclusion: &Conclusion,
) -> Result<(), InfraError> {
    let next_attempt_at = conclusion.retry_in.map(|wait| app.now + wait);
    let mut statements = vec![
        webhooks::log_attempt(&app.db, attempt)?,
        webhooks::conclude(&app.db, attempt, conclusion.status, next_attempt_at)?,
    ];
    if let Some(reason) = conclusion.disable {
        statements.push(webhooks::disable(
            &app.db,
            &job.endpoint_id,
            reason,
            app.now,
        )?);
        statements.push(audit::append_if_written(
            &app.db,
            &AuditEvent {
                action: "webhook.disabled",
                organisation_id: Some(&job.organisation_id),
                details: json!({ "webhook_id": job.endpoint_id, "reason": reason, "delivery_id": job.id }),
                ..AuditEvent::default()
            },
            &WrittenNow {
                table: "webhook_endpoints",
                column: "disabled_at",
                id: &job.endpoint_id,
            },
            app.now,
        )?);
    }
    let results = atomically(&app.db, statements, "Failed to record a webhook attempt").await?;
    if let (Some(reason), true) = (conclusion.disable, results.get(2).is_some_and(wrote)) {
        tell_responsables(app, job, reason).await?;
    }
    if let Some(wait) = conclusion.retry_in {
        enqueue_after(app, &job.id, attempt.number, wait).await?;
    }
    Ok(())
}

/// Emails the organisation's responsables that the endpoint was disabled, and why.
async fn tell_responsables(app: &App, job: &DeliveryJob, reason: &str) -> Result<(), InfraError> {
    let organisation_name = organisations::find(&app.db, &job.organisation_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let mut inserts = Vec::new();
    let mut messages = Vec::new();
    for responsable in webhooks::responsables_of(&app.db, &job.organisation_id).await? {
        let Ok(to) = Email::parse(&responsable.email) else {
            continue;
        };
        let locale = responsable
            .locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or_default();
        let pending = email::prepare(
            app,
            &to,
            Template::WebhookDisabled,
            locale,
            None,
            json!({ "first_name": responsable.first_name, "organisation_name": organisation_name, "url": job.url, "reason": reason }),
        )?;
        inserts.push(pending.insert);
        messages.push(pending.message);
    }
    if inserts.is_empty() {
        return Ok(());
    }
    atomically(
        &app.db,
        inserts,
        "Failed to record the webhook-disabled emails",
    )
    .await?;
    for message in messages {
        email::dispatch(app, message).await?;
    }
    Ok(())
}
