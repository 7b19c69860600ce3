//! SEL — the online-services portal, as one Cloudflare Worker.
//!
//! The entry points below only wire: requests go to [`http`], queue batches to [`email`], cron
//! events to [`jobs`]. Rules live in [`domain`], capabilities in [`use_cases`], SQL in [`storage`].

pub mod config;
pub mod dev;
pub mod domain;
pub mod email;
pub mod http;
pub mod infra;
pub mod jobs;
pub mod storage;
pub mod use_cases;

use worker::{
    event, Context, Env, MessageBatch, Request, Response, Result, ScheduleContext, ScheduledEvent,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    http::handle(req, env).await
}

#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, _ctx: Context) -> Result<()> {
    email::queue::handle_batch(batch, env).await;
    Ok(())
}

#[event(scheduled)]
async fn scheduled(event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    jobs::run(event.cron(), env).await;
}
