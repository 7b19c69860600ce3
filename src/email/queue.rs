//! The queue entry point: decode each message on its own (one bad body must not fail the batch),
//! run the consumer step, and map its outcome to ack or retry.

use super::consumer::{self, Outcome};
use super::EmailMessage;
use crate::infra::App;
use crate::storage::db::Db;
use crate::storage::{mailbox, outbox};
use worker::{console_error, Env, MessageBatch, MessageExt, QueueRetryOptionsBuilder, RawMessage};

pub async fn handle_batch(batch: MessageBatch<serde_json::Value>, env: Env, db: Db) {
    let app = match App::with_db(&env, db).await {
        Ok(app) => app,
        Err(error) => {
            console_error!("email queue: {error}; retrying the batch");
            batch.retry_all();
            return;
        }
    };
    let queue = batch.queue();
    let dead_letter_queue = queue.ends_with("-dlq");
    for message in batch.raw_iter() {
        if dead_letter_queue {
            park(&app, &queue, &message).await;
            continue;
        }
        let outcome = match serde_wasm_bindgen::from_value::<EmailMessage>(message.body()) {
            Ok(decoded) => consumer::deliver(&app, &decoded)
                .await
                .unwrap_or_else(|error| {
                    console_error!("email {}: {error}", decoded.outbox_id);
                    Outcome::Retry { delay_seconds: 10 }
                }),
            Err(error) => Outcome::DeadLetter {
                reason: format!("undecodable message: {error}"),
            },
        };
        match outcome {
            Outcome::Ack => message.ack(),
            Outcome::Retry { delay_seconds } => message.retry_with_options(
                &QueueRetryOptionsBuilder::new()
                    .with_delay_seconds(delay_seconds)
                    .build(),
            ),
            Outcome::DeadLetter { reason } => {
                console_error!("email message {} dead-lettered: {reason}", message.id());
                let forwarded = match env.queue("EMAIL_DLQ") {
                    Ok(dlq) => {
                        dlq.send_raw(
                            worker::RawMessageBuilder::new(message.body())
                                .build_with_content_type(worker::QueueContentType::Json),
                        )
                        .await
                    }
                    Err(error) => Err(error),
                };
                match forwarded {
                    Ok(()) => message.ack(),
                    Err(error) => {
                        console_error!("could not forward to the dead-letter queue: {error}");
                        message.retry();
                    }
                }
            }
        }
    }
}

/// A message that exhausted its retries: recorded for the operator, its email marked failed.
/// One-time codes are redacted: a parked message is kept for the operator, a code must not be.
async fn park(app: &App, queue: &str, message: &RawMessage) {
    let body = worker::js_sys::JSON::stringify(&message.body())
        .map(String::from)
        .unwrap_or_else(|_| "<unprintable>".into());
    let body = redact_code(&body);
    let recorded = mailbox::record_dead_letter(&app.db, &message.id(), queue, &body, app.now).await;
    if let Ok(decoded) = serde_wasm_bindgen::from_value::<EmailMessage>(message.body()) {
        if let Err(error) =
            outbox::record_failure(&app.db, &decoded.outbox_id, "retries exhausted", true).await
        {
            console_error!("{error}");
        }
    }
    match recorded {
        Ok(()) => message.ack(),
        Err(error) => {
            console_error!("{error}");
            message.retry();
        }
    }
}

fn redact_code(body: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(mut object)) => {
            if object.contains_key("code") {
                object.insert("code".into(), "<redacted>".into());
            }
            crate::json::text(&serde_json::Value::Object(object))
        }
        _ => body.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_code;

    #[test]
    fn parked_messages_never_keep_a_one_time_code() {
        let parked = redact_code(r#"{"outbox_id":"o1","code":"123456"}"#);
        assert!(!parked.contains("123456"), "{parked}");
        assert!(parked.contains("o1"));
        assert_eq!(redact_code("not json"), "not json");
    }
}
