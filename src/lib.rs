//! SEL — the online-services portal, as one Cloudflare Worker.
//!
//! The entry points below only wire: requests go to [`http`], queue batches to [`email`] or
//! [`webhooks`], cron events to [`jobs`]. Rules live in [`domain`], capabilities in [`use_cases`], SQL in [`storage`].

pub mod config;
pub mod domain;
pub mod email;
pub mod http;
pub mod infra;
pub mod jobs;
pub mod json;
pub mod observability;
pub mod platform;
pub mod storage;
pub mod use_cases;
pub mod webhooks;

use storage::db::SessionStart;
use worker::{
    console_error, event, Context, Env, MessageBatch, Method, Request, Response, Result,
    ScheduleContext, ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    let writes = !matches!(req.method(), Method::Get | Method::Head);
    let response = http::handle(req, env.clone()).await?;
    if writes && response.status_code() < 400 {
        // A change may have appended domain events: fan them out to webhooks once answered.
        ctx.wait_until(webhooks::after_request(env));
    }
    Ok(response)
}

#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, _ctx: Context) -> Result<()> {
    let started = observability::now_ms();
    let queue = batch.queue();
    let messages = batch.raw_iter().count();
    let db = match infra::database(&env, &SessionStart::Primary) {
        Ok(db) => db,
        Err(error) => {
            console_error!("queue {queue}: {error}; retrying the batch");
            batch.retry_all();
            return Ok(());
        }
    };
    if webhooks::queue::consumes(&queue) {
        webhooks::queue::handle_batch(batch, env, db.clone()).await;
    } else {
        email::queue::handle_batch(batch, env, db.clone()).await;
    }
    let elapsed = observability::now_ms().saturating_sub(started);
    observability::emit(&observability::queue_batch(
        &queue,
        messages,
        elapsed,
        db.usage(),
    ));
    Ok(())
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let started = observability::now_ms();
    let cron = event.cron();
    let db = match infra::database(&env, &SessionStart::Primary) {
        Ok(db) => db,
        Err(error) => {
            console_error!("cron {cron}: {error}");
            return;
        }
    };
    jobs::run(cron.clone(), env, db.clone()).await;
    let elapsed = observability::now_ms().saturating_sub(started);
    observability::emit(&observability::cron_run(&cron, elapsed, db.usage()));
}
