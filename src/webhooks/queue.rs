//! The webhook queue's entry point: decode each message on its own, make its attempt
//! concurrently with the batch's others, and ack it; an infrastructure failure retries the
//! message, and messages that exhaust their retries land in the dead-letter queue, parked here
//! for the operator (the sweep re-enqueues their deliveries anyway).

use super::{delivery, WakeUp};
use crate::infra::App;
use crate::storage::db::Db;
use crate::storage::mailbox;
use futures_util::future::join_all;
use worker::{console_error, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder, RawMessage};

/// The queues this module consumes: `sel-webhooks` and its dead-letter queue.
pub fn consumes(queue: &str) -> bool {
    queue.starts_with("sel-webhooks")
}

/// Wait before an attempt that failed for an infrastructure reason is tried again.
const INFRA_RETRY_SECONDS: u32 = 30;

pub async fn handle_batch(batch: MessageBatch<serde_json::Value>, env: Env, db: Db) {
    let app = match App::with_db(&env, db).await {
        Ok(app) => app,
        Err(error) => {
            console_error!("webhook queue: {error}; retrying the batch");
            batch.retry_all();
            return;
        }
    };
    let queue = batch.queue();
    let messages: Vec<RawMessage> = batch.raw_iter().collect();
    if queue.ends_with("-dlq") {
        for message in &messages {
            park(&app, &queue, message).await;
        }
        return;
    }
    join_all(messages.iter().map(|message| handle(&app, &queue, message))).await;
}

async fn handle(app: &App, queue: &str, message: &RawMessage) {
    let Ok(wake) = serde_wasm_bindgen::from_value::<WakeUp>(message.body()) else {
        console_error!("webhook message {} is not a wake-up: parked", message.id());
        return park(app, queue, message).await;
    };
    match delivery::attempt(app, &wake).await {
        Ok(()) => message.ack(),
        Err(error) => {
            console_error!("webhook delivery {}: {error}", wake.delivery_id);
            message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(INFRA_RETRY_SECONDS)
                    .build(),
            );
        }
    }
}

/// Records a message for the operator (`/dev/dead-letters` in development) and acks it.
async fn park(app: &App, queue: &str, message: &RawMessage) {
    let body = worker::js_sys::JSON::stringify(&message.body())
        .map(String::from)
        .unwrap_or_else(|_| "<unprintable>".into());
    match mailbox::record_dead_letter(&app.db, &message.id(), queue, &body, app.now).await {
        Ok(()) => message.ack(),
        Err(error) => {
            console_error!("{error}");
            message.retry();
        }
    }
}
