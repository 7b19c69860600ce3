//! The webhook queue's entry point: decode each message on its own, attempt the batch's
//! deliveries together (one claim, concurrent sends, one record), and ack them; an
//! infrastructure failure retries the batch's messages, and messages that exhaust their retries
//! land in the dead-letter queue, parked here for the operator (the sweep re-enqueues their
//! deliveries anyway).

use super::{delivery, WakeUp};
use crate::infra::App;
use crate::storage::db::Db;
use crate::storage::mailbox;
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
    let mut wakes = Vec::new();
    let mut woken = Vec::new();
    for message in &messages {
        match serde_wasm_bindgen::from_value::<WakeUp>(message.body()) {
            Ok(wake) => {
                wakes.push(wake);
                woken.push(message);
            }
            Err(_) => {
                console_error!("webhook message {} is not a wake-up: parked", message.id());
                park(&app, &queue, message).await;
            }
        }
    }
    if wakes.is_empty() {
        return;
    }
    match delivery::attempt_batch(&app, &wakes).await {
        Ok(()) => woken.iter().for_each(|message| message.ack()),
        Err(error) => {
            console_error!("webhook batch of {} deliveries: {error}", wakes.len());
            let options = QueueRetryOptionsBuilder::new()
                .with_delay_seconds(INFRA_RETRY_SECONDS)
                .build();
            woken
                .iter()
                .for_each(|message| message.retry_with_options(&options));
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
