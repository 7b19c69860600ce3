//! Outgoing webhooks (Standard Webhooks). Domain events become deliveries (fan-out: one per
//! wanting endpoint of the event's organisations, idempotent), each delivery is a message on the
//! webhook queue, and the consumer makes one signed attempt per message, then schedules the next
//! or concludes. The request that appended the events makes the first attempt of its first new
//! deliveries itself, once answered, through the same claim (they get no message: they are created
//! leased, and should that attempt never start, the sweep takes them once the lease ends). The
//! cron sweep fans out what requests left behind and re-enqueues due deliveries whose message was
//! lost.
//!
//! `address`, `events`, `payload`, `schedule` and `secret` are pure (no `worker`), unit-tested
//! natively; `delivery` and `queue` do the I/O.

pub mod address;
mod delivery;
pub mod events;
pub mod payload;
pub mod queue;
pub mod schedule;
pub mod secret;

use crate::domain::{Millis, MINUTE};
use crate::infra::{App, Context, InfraError};
use crate::storage::webhooks::{self, Due, FanOutPosition};
use crate::storage::{atomically, unexpected_batch};
use futures_util::future::join;
use serde::{Deserialize, Serialize};
use worker::{console_error, console_log, BatchMessageBuilder, Env, MessageBuilder};

/// How long a taken delivery is left to its queue message (and an attempt to its worker) before
/// the sweep enqueues it again.
pub const LEASE: Millis = MINUTE;
/// Events fanned out per statement; the sweep runs a few such rounds.
const FAN_OUT_BATCH: i64 = 500;
const SWEEP_ROUNDS: usize = 10;
/// Due deliveries taken per statement; the sweep runs rounds until none is left (bounded), so a
/// recovering endpoint's backlog reaches the queue in one sweep rather than 500 per ten minutes.
const DUE_BATCH: i64 = 500;
const DUE_ROUNDS: usize = 20;
/// New deliveries a request's fan-out attempts itself right after its answer: as many as one
/// queue batch (`max_batch_size`), so this step is never larger than the consumer's. The fan-out
/// takes every event not yet fanned out, other requests' too (theirs then find nothing left), so
/// under concurrent changes one fan-out holds several changes' deliveries; beyond this bound, a
/// large fan-out is left to the queue, whose batches are sent concurrently too.
const DIRECT_ATTEMPTS: usize = 100;
/// Messages per `sendBatch` (the Queues limit).
const SEND_BATCH: usize = 100;

/// A message on the webhook queue: attempt this delivery, if its attempt count is still the one
/// the sender saw (a duplicate or stale message then does nothing).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WakeUp {
    pub delivery_id: String,
    pub attempts: i64,
    /// Sent by a manual replay (the attempt log says so).
    #[serde(default)]
    pub replay: bool,
}

/// Hands deliveries to the queue.
pub async fn enqueue(app: &App, due: &[Due], replay: bool) -> Result<(), InfraError> {
    for chunk in due.chunks(SEND_BATCH) {
        let messages: Vec<WakeUp> = chunk
            .iter()
            .map(|d| WakeUp {
                delivery_id: d.id.clone(),
                attempts: d.attempts,
                replay,
            })
            .collect();
        app.webhook_queue
            .send_batch(messages)
            .await
            .context("Failed to enqueue webhook deliveries")?;
    }
    Ok(())
}

/// The longest delay Queues accepts for a message (12 h).
const MAX_QUEUE_DELAY_SECONDS: i64 = 12 * 3_600;

/// Schedules the next attempt of each delivery (id, attempt count) after its wait, in batched
/// queue sends.
pub async fn enqueue_after(app: &App, retries: &[(&str, i64, Millis)]) -> Result<(), InfraError> {
    for chunk in retries.chunks(SEND_BATCH) {
        let messages = chunk.iter().map(|&(delivery_id, attempts, wait)| {
            let seconds = ((wait + 999) / 1000).clamp(0, MAX_QUEUE_DELAY_SECONDS);
            MessageBuilder::new(WakeUp {
                delivery_id: delivery_id.to_owned(),
                attempts,
                replay: false,
            })
            .delay_seconds(seconds as u32)
            .build()
        });
        app.webhook_queue
            .send_batch(BatchMessageBuilder::new().messages(messages).build())
            .await
            .context("Failed to schedule webhook retries")?;
    }
    Ok(())
}

/// Creates the deliveries of the events not yet fanned out (one bounded batch) and enqueues
/// them. Returns how many events and deliveries it handled.
pub async fn fan_out(app: &App) -> Result<(i64, usize), InfraError> {
    let (fanned, created) = create_deliveries(app).await?;
    enqueue(app, &created, false).await?;
    Ok((fanned, created.len()))
}

/// Creates the deliveries of the events not yet fanned out (one bounded batch), leased for their
/// first attempt. Returns how many events it handled and the new deliveries. One D1 batch reads
/// the position, creates the deliveries and advances the position: a request that appended
/// nothing writes nothing.
async fn create_deliveries(app: &App) -> Result<(i64, Vec<Due>), InfraError> {
    let results = atomically(
        &app.db,
        vec![
            webhooks::fan_out_position(&app.db),
            webhooks::fan_out(&app.db, FAN_OUT_BATCH, app.now, app.now + LEASE)?,
            webhooks::advance_fan_out(&app.db, FAN_OUT_BATCH)?,
        ],
        "Failed to fan out domain events to webhooks",
    )
    .await?;
    let [position, created, _] = results.as_slice() else {
        return Err(unexpected_batch(
            "Failed to fan out domain events to webhooks",
        ));
    };
    let position: Option<FanOutPosition> = position
        .results()
        .context("Failed to read the fan-out position")?
        .into_iter()
        .next();
    let Some(position) = position else {
        return Err(InfraError {
            context: "The webhook_fanout row is missing".into(),
            cause: "schema.sql inserts it".into(),
        });
    };
    let created: Vec<Due> = created
        .results()
        .context("Failed to read the new webhook deliveries")?;
    let fanned = (position.newest_seq - position.last_seq).clamp(0, FAN_OUT_BATCH);
    Ok((fanned, created))
}

/// Enqueues pending deliveries whose attempt is due (one bounded round): retries whose message
/// was lost, and those of an endpoint enabled again. The round leases what it takes before
/// sending it, so the next round (or a concurrent sweep) takes the following ones.
pub async fn enqueue_due(app: &App) -> Result<usize, InfraError> {
    let due = webhooks::take_due(&app.db, app.now, app.now + LEASE, DUE_BATCH).await?;
    enqueue(app, &due, false).await?;
    Ok(due.len())
}

/// The cron hook: fans out what is left, then enqueues due deliveries, each in bounded rounds.
pub async fn sweep(app: &App) {
    match run_sweep(app).await {
        Ok(report) => console_log!("webhooks sweep: {report}"),
        Err(error) => console_error!("webhooks sweep failed: {error}"),
    }
}

async fn run_sweep(app: &App) -> Result<String, InfraError> {
    let (mut events, mut deliveries) = (0, 0);
    for _ in 0..SWEEP_ROUNDS {
        let (fanned, created) = fan_out(app).await?;
        events += fanned;
        deliveries += created;
        if fanned < FAN_OUT_BATCH {
            break;
        }
    }
    let mut due = 0;
    for _ in 0..DUE_ROUNDS {
        let taken = enqueue_due(app).await?;
        due += taken;
        if (taken as i64) < DUE_BATCH {
            break;
        }
    }
    Ok(format!(
        "events={events} deliveries={deliveries} re-enqueued={due}"
    ))
}

/// After a request that may have appended domain events (run once the response is sent): fans
/// them out and attempts the first new deliveries at once rather than after the queue's wait for
/// a batch to fill; the others are enqueued as usual. A delivery attempted here gets no queue
/// message: it was created leased, so if this attempt never started (the isolate died first) the
/// cron sweep hands it to the queue once the lease ends, as it does for any lost message; a failed
/// attempt's retry goes through the queue like every retry.
pub async fn after_request(env: Env) {
    let app = match App::from_env(&env).await {
        Ok(app) => app,
        Err(error) => {
            console_error!(
                "webhooks fan-out after a request failed (the sweep will retry): {error}"
            );
            return;
        }
    };
    let created = match create_deliveries(&app).await {
        Ok((_, created)) => created,
        Err(error) => {
            console_error!(
                "webhooks fan-out after a request failed (the sweep will retry): {error}"
            );
            return;
        }
    };
    if created.is_empty() {
        return;
    }
    let (first, rest) = created.split_at(created.len().min(DIRECT_ATTEMPTS));
    let wakes: Vec<WakeUp> = first
        .iter()
        .map(|due| WakeUp {
            delivery_id: due.id.clone(),
            attempts: due.attempts,
            replay: false,
        })
        .collect();
    let (enqueued, attempted) = join(
        enqueue(&app, rest, false),
        delivery::attempt_batch(&app, &wakes),
    )
    .await;
    if let Err(error) = enqueued {
        console_error!(
            "webhooks fan-out after a request: enqueuing failed (the sweep re-enqueues once the lease ends): {error}"
        );
    }
    if let Err(error) = attempted {
        console_error!(
            "webhooks: attempting new deliveries at once failed (the queue or the sweep sends them): {error}"
        );
    }
}
