//! Development tools, answered only when ENVIRONMENT is "development" (404 elsewhere): the
//! mailbox of delivered emails, the dead letters, a movable clock for tests, a way to put an
//! arbitrary message on the email queue (to prove poison messages are parked), and the record of
//! scheduled runs.

use super::body::json_object;
use super::error::{ApiError, ErrorCode};
use super::route::{route, Route};
use super::{Call, Reply};
use crate::domain::fields::Problem;
use crate::domain::Millis;
use crate::email::templates::escape_html;
use crate::infra::Context;
use crate::storage::{dev_clock, job_runs, mailbox};
use serde::Serialize;
use serde_json::Value;

/// The development clock, moved.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ClockMoved {
    now: Millis,
}

/// The message is on the email queue.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Enqueued {}

/// A scheduled run: when, and what it did.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct JobRun<'a> {
    id: &'a str,
    #[cfg_attr(
        test,
        schemars(extend("enum" = [
            "cleanup", "authorization_ends", "access_request_expiry", "authorization_reminders"
        ]))
    )]
    job: &'a str,
    cron: &'a str,
    started_at: Millis,
    finished_at: Option<Millis>,
    /// What the run counted, by name.
    #[cfg_attr(test, schemars(with = "std::collections::BTreeMap<String, u64>"))]
    counts: Value,
    error: Option<&'a str>,
}
use worker::{QueueContentType, RawMessageBuilder};

fn recipient(call: &Call) -> Option<String> {
    call.query("to")
        .map(|to| crate::domain::unicode::lowercase(&to))
}

pub async fn mailbox(call: &Call) -> Result<Reply, ApiError> {
    let entries = mailbox::list(&call.app.db, recipient(call).as_deref(), 200).await?;
    Ok(Reply::json(200, entries))
}

pub async fn mailbox_page(call: &Call) -> Result<Reply, ApiError> {
    let to = recipient(call);
    let entries = mailbox::list(&call.app.db, to.as_deref(), 200).await?;
    let rows: String = entries
        .iter()
        .map(|entry| {
            let sent = chrono::DateTime::from_timestamp_millis(entry.sent_at).map(|t| t.to_rfc3339()).unwrap_or_default();
            format!(
                "<article class=\"card\"><h2>{}</h2><p><strong>À / To :</strong> {} · <time datetime=\"{sent}\">{sent}</time></p><pre>{}</pre></article>",
                escape_html(&entry.subject),
                escape_html(&entry.to),
                escape_html(&entry.text)
            )
        })
        .collect();
    let empty = "<p>Aucun courriel pour l'instant. / No email yet.</p>";
    let filter = to.as_deref().map(escape_html).unwrap_or_default();
    let page = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Boîte de développement — SEL</title><link rel=\"stylesheet\" href=\"/css/app.css\"></head>\
         <body><main class=\"container\"><h1>Boîte de courriels de développement</h1>\
         <form method=\"get\" action=\"/dev/mailbox/\"><label for=\"to\">Destinataire / Recipient</label> <input id=\"to\" name=\"to\" value=\"{filter}\"> <button>Filtrer</button></form>{}</main></body></html>",
        if rows.is_empty() { empty.to_owned() } else { rows }
    );
    Ok(Reply::html(page))
}

/// Moves the clock forward by `advance_ms` (only when CLOCK_CONTROL is "enabled").
pub async fn advance_clock(call: &mut Call) -> Result<Reply, ApiError> {
    if !call.app.config.clock_control {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    let body = json_object(&mut call.req).await?;
    let Some(by) = body
        .get("advance_ms")
        .and_then(Value::as_i64)
        .filter(|ms| *ms >= 0)
    else {
        return Err(ApiError::invalid_field("advance_ms", Problem::Required));
    };
    dev_clock::advance(&call.app.db, by).await?;
    let now = call.app.now + by;
    Ok(Reply::json(200, ClockMoved { now }))
}

pub async fn dead_letters(call: &Call) -> Result<Reply, ApiError> {
    Ok(Reply::json(
        200,
        Value::Array(mailbox::dead_letters(&call.app.db).await?),
    ))
}

/// Puts the request body, whatever it is, on the email queue.
pub async fn enqueue_email(call: &mut Call) -> Result<Reply, ApiError> {
    let body = json_object(&mut call.req).await?;
    // Sent as parsed JSON, exactly as received: `Queue::send` would turn a JSON object into a JS Map.
    let message = worker::js_sys::JSON::parse(&crate::json::text(&Value::Object(body)))
        .map_err(|_| ApiError::new(ErrorCode::MalformedJson))?;
    call.app
        .email_queue
        .send_raw(RawMessageBuilder::new(message).build_with_content_type(QueueContentType::Json))
        .await
        .context("Failed to enqueue a development message")?;
    Ok(Reply::json(202, Enqueued {}))
}

/// The latest scheduled runs, newest first (`?job=cleanup` for one job's).
pub async fn jobs(call: &Call) -> Result<Reply, ApiError> {
    let runs = job_runs::recent(&call.app.db, call.query("job").as_deref(), 100).await?;
    let runs: Vec<JobRun> = runs
        .iter()
        .map(|run| JobRun {
            id: &run.id,
            job: &run.job,
            cron: &run.cron,
            started_at: run.started_at,
            finished_at: run.finished_at,
            counts: serde_json::from_str(&run.counts).unwrap_or_default(),
            error: run.error.as_deref(),
        })
        .collect();
    Ok(Reply::json(200, runs))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(dev GET "/dev/mailbox" => mailbox),
    route!(dev GET "/dev/mailbox/" => mailbox_page),
    route!(dev POST "/dev/clock" => advance_clock, 200 => ClockMoved),
    route!(dev GET "/dev/dead-letters" => dead_letters),
    route!(dev POST "/dev/queues/email" => enqueue_email, 202 => Enqueued),
    route!(dev GET "/dev/jobs" => jobs, 200 => Vec<JobRun>),
];
