//! The attempts of a batch of deliveries: claim them together, sign and POST each body
//! concurrently (no redirects, one time bound for the batch), log the answers and conclude in one D1 batch, then
//! schedule the retries, disabling an endpoint and telling its responsables when it must.

use super::address::EndpointUrl;
use super::payload::{self, Event};
use super::schedule::{classify, conclude, failed_fetch, failed_fetch_detail, Conclusion, Verdict};
use super::secret::{signature_header, SealingKey, SigningSecret};
use super::{enqueue_after, WakeUp, LEASE};
use crate::domain::locale::Locale;
use crate::domain::webhook::{DisabledReason, Failure};
use crate::domain::Millis;
use crate::domain::{email::Email, Entropy};
use crate::email::{self, templates::Template};
use crate::infra::{App, InfraError, OsEntropy};
use crate::json;
use crate::platform::post_request;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::webhooks::{self, Attempt, Claimed, Concluded, DeliveryJob};
use crate::storage::{atomically, organisations, wrote, WrittenNow};
use futures_util::future::{join_all, select, Either};
use std::time::Duration;
use worker::{AbortController, AbortSignal, Delay, Fetch, Headers, Request};

/// How long the receivers of a batch have to answer its attempts.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// What happened on the wire.
struct Sent {
    status_code: Option<u16>,
    latency_ms: i64,
    verdict: Verdict,
}

/// Attempts the deliveries a batch of wake-ups names (a queue batch's, or the new deliveries of
/// a request's fan-out right after its answer): claims them all in one D1 round trip, sends them
/// concurrently under one timeout, and records every outcome in one D1 batch. What another
/// attempt already claimed is left alone, so a delivery is sent once whoever wakes it.
pub async fn attempt_batch(app: &App, wakes: &[WakeUp]) -> Result<(), InfraError> {
    let wanted: Vec<(&str, i64)> = wakes
        .iter()
        .map(|w| (w.delivery_id.as_str(), w.attempts))
        .collect();
    let Claimed { jobs, events } =
        webhooks::claim_batch(&app.db, &wanted, app.now, app.now + LEASE).await?;
    if jobs.is_empty() {
        return Ok(());
    }
    // A batch holds a few endpoints and events many times over (an event goes to each of its
    // endpoints): each endpoint's secrets are opened once, and each event's body built once.
    // (A batch has at most 100 deliveries: a list searched in order is enough.)
    let key = SealingKey::new(&app.config.secrets);
    let mut secrets: Vec<(&str, Option<Vec<SigningSecret>>)> = Vec::new();
    for job in &jobs {
        if !secrets.iter().any(|(id, _)| *id == job.endpoint_id) {
            secrets.push((&job.endpoint_id, signing_secrets(app, &key, job).await));
        }
    }
    let bodies: Vec<(i64, String)> = events
        .iter()
        .map(|event| {
            let body = payload::body(&Event {
                id: &event.id,
                kind: &event.kind,
                at: event.at,
                payload: &event.payload,
            });
            (event.seq, body)
        })
        .collect();
    // One timer for the whole batch: when it fires, the posts still waiting are aborted together.
    let controller = AbortController::default();
    let signal = controller.signal();
    let sending = join_all(jobs.iter().map(|job| {
        let secrets = secrets
            .iter()
            .find(|(id, _)| *id == job.endpoint_id)
            .and_then(|(_, secrets)| secrets.as_deref());
        let body = bodies
            .iter()
            .find(|(seq, _)| *seq == job.event_seq)
            .map_or("", |(_, body)| body.as_str());
        send(app, job, secrets, body, &signal)
    }));
    let mut sending = std::pin::pin!(sending);
    let sent = match select(sending.as_mut(), Delay::from(ATTEMPT_TIMEOUT)).await {
        Either::Left((sent, _)) => sent,
        Either::Right(((), _)) => {
            controller.abort();
            sending.await
        }
    };
    let mut jitter = vec![0u8; jobs.len()];
    OsEntropy.fill(&mut jitter);
    let outcomes: Vec<Outcome> = jobs
        .iter()
        .zip(sent)
        .zip(jitter)
        .map(|((job, sent), jitter)| {
            let replay = wakes
                .iter()
                .any(|w| w.delivery_id == job.id && w.attempts == job.attempts && w.replay);
            Outcome::of(job, sent, jitter, replay)
        })
        .collect();
    record(app, &outcomes).await
}

/// One attempt's log entry and what it concludes for its delivery.
struct Outcome<'a> {
    job: &'a DeliveryJob,
    number: i64,
    status_code: Option<u16>,
    latency_ms: i64,
    error: Option<String>,
    error_kind: Option<Failure>,
    replay: bool,
    conclusion: Conclusion,
}

impl<'a> Outcome<'a> {
    fn of(job: &'a DeliveryJob, sent: Sent, jitter: u8, replay: bool) -> Outcome<'a> {
        let conclusion = conclude(&sent.verdict, job.round_attempts + 1, jitter);
        let (error, error_kind) = match sent.verdict {
            Verdict::Delivered => (None, None),
            Verdict::Gone => (Some("answered 410 Gone".to_owned()), Some(Failure::Gone)),
            Verdict::Failed { kind, error } => (Some(error), Some(kind)),
        };
        Outcome {
            job,
            number: job.attempts + 1,
            status_code: sent.status_code,
            latency_ms: sent.latency_ms,
            error,
            error_kind,
            replay,
            conclusion,
        }
    }

    fn attempt(&self, at: Millis) -> Attempt<'_> {
        Attempt {
            delivery_id: &self.job.id,
            number: self.number,
            at,
            status_code: self.status_code,
            latency_ms: self.latency_ms,
            error: self.error.as_deref(),
            error_kind: self.error_kind,
            replay: self.replay,
        }
    }
}

/// Signs and posts the delivery's body, unless the URL is no longer allowed or its endpoint's
/// secrets (`None`) could not be opened; `signal` aborts it when the batch's time is up.
async fn send(
    app: &App,
    job: &DeliveryJob,
    secrets: Option<&[SigningSecret]>,
    body: &str,
    signal: &AbortSignal,
) -> Sent {
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
    let Some(secrets) = secrets else {
        return failed(
            Failure::SecretUnreadable,
            "the signing secret cannot be read".into(),
        );
    };
    // The receiver checks the timestamp against its own clock: the real one, even when tests
    // move the portal's clock.
    let started = worker::Date::now().as_millis() as i64;
    let timestamp = started / 1000;
    let request = match build_request(url.as_str(), job, body, secrets, timestamp) {
        Ok(request) => request,
        Err(error) => {
            return failed(
                Failure::RequestInvalid,
                format!("could not build the request: {error}"),
            )
        }
    };
    let answer = Fetch::Request(request).send_with_signal(signal).await;
    let latency_ms = worker::Date::now().as_millis() as i64 - started;
    match answer {
        Ok(response) => {
            let status = response.status_code();
            Sent {
                status_code: Some(status),
                latency_ms,
                verdict: classify(status),
            }
        }
        Err(_) if signal.aborted() => Sent {
            latency_ms,
            ..failed(
                Failure::Timeout,
                format!("no answer within {} s", ATTEMPT_TIMEOUT.as_secs()),
            )
        },
        Err(error) => {
            // The platform's words stay in the worker's log; the delivery log keeps a kind.
            let kind = failed_fetch(&error.to_string());
            worker::console_warn!(
                "webhook {} not delivered ({}): {error}",
                job.id,
                kind.as_str()
            );
            Sent {
                latency_ms,
                ..failed(kind, failed_fetch_detail(kind).to_owned())
            }
        }
    }
}

/// The current secret, and the previous one while its grace period lasts.
async fn signing_secrets(
    app: &App,
    key: &SealingKey,
    job: &DeliveryJob,
) -> Option<Vec<SigningSecret>> {
    let mut secrets = vec![key.open(&job.secret, &job.endpoint_id).await?];
    let previous_valid = job
        .previous_secret_expires_at
        .is_some_and(|until| app.now < until);
    if let (Some(previous), true) = (&job.previous_secret, previous_valid) {
        secrets.push(key.open(previous, &job.endpoint_id).await?);
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
    post_request(
        url,
        &headers,
        body,
        worker::web_sys::RequestRedirect::Manual,
    )
}

/// Logs every attempt and concludes its delivery in one D1 batch (two statements for the whole
/// queue batch, plus two per endpoint it disables); then tells the responsables of endpoints this
/// batch disabled, and schedules the retries with one queue send.
async fn record(app: &App, outcomes: &[Outcome<'_>]) -> Result<(), InfraError> {
    let concluded: Vec<Concluded> = outcomes
        .iter()
        .map(|outcome| Concluded {
            attempt: outcome.attempt(app.now),
            status: outcome.conclusion.status,
            next_attempt_at: outcome.conclusion.retry_in.map(|wait| app.now + wait),
        })
        .collect();
    let mut statements = Vec::from(webhooks::record_attempts(&app.db, &concluded)?);
    // Where each disabling's audit statement sits in the batch: it wrote only if this batch disabled.
    let mut disabled = Vec::new();
    for outcome in outcomes {
        let job = outcome.job;
        if let Some(reason) = outcome.conclusion.disable {
            statements.push(webhooks::disable(
                &app.db,
                &job.endpoint_id,
                reason,
                app.now,
            )?);
            disabled.push((statements.len(), job, reason));
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
    }
    let results = atomically(&app.db, statements, "Failed to record webhook attempts").await?;
    for (index, job, reason) in disabled {
        if results.get(index).is_some_and(wrote) {
            tell_responsables(app, job, reason).await?;
        }
    }
    let retries: Vec<(&str, i64, Millis)> = outcomes
        .iter()
        .filter_map(|o| {
            o.conclusion
                .retry_in
                .map(|wait| (o.job.id.as_str(), o.number, wait))
        })
        .collect();
    enqueue_after(app, &retries).await
}

/// Emails the organisation's responsables that the endpoint was disabled, and why.
async fn tell_responsables(
    app: &App,
    job: &DeliveryJob,
    reason: DisabledReason,
) -> Result<(), InfraError> {
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
