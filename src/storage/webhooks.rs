//! Webhook endpoints, their deliveries and the attempt log (see `schema.sql`). Every read of the
//! API is scoped to the organisation, so another organisation's ids find nothing.

use crate::domain::webhook::{DeliveryStatus, DisabledReason, EndpointStatus, Failure};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use crate::storage::{atomically, unexpected_batch};
use serde::Deserialize;

// --- Endpoints -----------------------------------------------------------------------------------

/// An endpoint as the API shows it (never its secrets).
#[derive(Debug, Clone, Deserialize)]
pub struct EndpointRow {
    pub id: String,
    pub organisation_id: String,
    pub url: String,
    /// JSON array of event types.
    pub events: String,
    pub description: String,
    pub status: EndpointStatus,
    pub disabled_reason: Option<DisabledReason>,
    pub disabled_at: Option<Millis>,
    pub previous_secret_expires_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// Deliveries still to be sent (waiting for a retry, or for the endpoint to be enabled again).
    pub pending_deliveries: i64,
}

const ENDPOINT_COLUMNS: &str =
    "id, organisation_id, url, events, description, status, disabled_reason, disabled_at,
       previous_secret_expires_at, created_at, updated_at,
       (SELECT COUNT(*) FROM webhook_deliveries dl
         WHERE dl.endpoint_id = webhook_endpoints.id AND dl.status = 'pending') AS pending_deliveries";

pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub url: &'a str,
    pub events: &'a str,
    pub description: &'a str,
    pub sealed_secret: &'a str,
}

/// The endpoint receives the events appended from now on.
pub fn insert_endpoint(
    db: &Db,
    endpoint: &NewEndpoint,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO webhook_endpoints (id, organisation_id, url, events, description, secret, after_seq, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT COALESCE(MAX(seq), 0) FROM domain_events), ?7, ?7)",
        endpoint.id,
        endpoint.organisation_id,
        endpoint.url,
        endpoint.events,
        endpoint.description,
        endpoint.sealed_secret,
        now
    )
    .context("Failed to prepare the creation of a webhook endpoint")
}

pub async fn endpoints_of(db: &Db, organisation_id: &str) -> Result<Vec<EndpointRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organisation_id = ?1 ORDER BY created_at, id"),
        organisation_id
    )
    .rows("Failed to list webhook endpoints")
.await
}

pub async fn find_endpoint(
    db: &Db,
    organisation_id: &str,
    id: &str,
) -> Result<Option<EndpointRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organisation_id = ?1 AND id = ?2"),
        organisation_id,
        id
    )
    .row("Failed to look up a webhook endpoint")
.await
}

/// The settings a responsible may change, as they will be after the change.
pub struct EndpointSettings<'a> {
    pub url: &'a str,
    pub events: &'a str,
    pub description: &'a str,
    pub status: EndpointStatus,
    pub disabled_reason: Option<DisabledReason>,
}

/// `disabled_at` is set when the endpoint becomes disabled and cleared when it is enabled again.
pub fn update_endpoint(
    db: &Db,
    organisation_id: &str,
    id: &str,
    settings: &EndpointSettings,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE webhook_endpoints SET url = ?3, events = ?4, description = ?5, status = ?6, disabled_reason = ?7,
           disabled_at = CASE WHEN ?6 = 'active' THEN NULL WHEN status = 'active' THEN ?8 ELSE disabled_at END,
           updated_at = ?8
         WHERE organisation_id = ?1 AND id = ?2",
        organisation_id,
        id,
        settings.url,
        settings.events,
        settings.description,
        settings.status.as_str(),
        settings.disabled_reason.map(DisabledReason::as_str),
        now
    )
    .context("Failed to prepare changing a webhook endpoint")
}

/// The current secret becomes the previous one, which keeps signing until `grace_until`.
pub fn rotate_secret(
    db: &Db,
    organisation_id: &str,
    id: &str,
    sealed_secret: &str,
    grace_until: Millis,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE webhook_endpoints SET previous_secret = secret, secret = ?3, previous_secret_expires_at = ?4, updated_at = ?5
         WHERE organisation_id = ?1 AND id = ?2",
        organisation_id,
        id,
        sealed_secret,
        grace_until,
        now
    )
    .context("Failed to prepare rotating a webhook secret")
}

/// The endpoint, its deliveries and their attempts.
pub fn delete_endpoint(
    db: &Db,
    organisation_id: &str,
    id: &str,
) -> Result<Vec<Statement>, InfraError> {
    let owned = "SELECT id FROM webhook_endpoints WHERE organisation_id = ?1 AND id = ?2";
    Ok(vec![
        query!(
            db,
            &format!("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id IN ({owned}))"),
            organisation_id,
            id
        )
        .context("Failed to prepare deleting webhook attempts")?,
        query!(
            db,
            &format!("DELETE FROM webhook_deliveries WHERE endpoint_id IN ({owned})"),
            organisation_id,
            id
        )
        .context("Failed to prepare deleting webhook deliveries")?,
        query!(
            db,
            "DELETE FROM webhook_endpoints WHERE organisation_id = ?1 AND id = ?2",
            organisation_id,
            id
        )
        .context("Failed to prepare deleting a webhook endpoint")?,
    ])
}

/// Disables an active endpoint on the receiver's behalf (410 Gone, or retries exhausted).
pub fn disable(
    db: &Db,
    id: &str,
    reason: DisabledReason,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = ?2, disabled_at = ?3, updated_at = ?3
         WHERE id = ?1 AND status = 'active'",
        id,
        reason.as_str(),
        now
    )
    .context("Failed to prepare disabling a webhook endpoint")
}

/// Whom to tell that an endpoint was disabled: the organisation's linked responsables.
#[derive(Debug, Clone, Deserialize)]
pub struct Responsable {
    pub email: String,
    pub first_name: String,
    pub locale: Option<String>,
}

pub async fn responsables_of(
    db: &Db,
    organisation_id: &str,
) -> Result<Vec<Responsable>, InfraError> {
    query!(
        db,
        "SELECT u.email, c.first_name, u.locale FROM contacts c JOIN users u ON u.id = c.user_id
         WHERE c.organisation_id = ?1 AND c.role = 'responsable' AND c.status = 'linked'
         ORDER BY c.created_at LIMIT 20",
        organisation_id
    )
    .rows("Failed to list the responsables to notify")
    .await
}

// --- Fan-out and wake-ups ------------------------------------------------------------------------

/// A queue message's worth: a delivery and the attempt count its sender saw.
#[derive(Debug, Clone, Deserialize)]
pub struct Due {
    pub id: String,
    pub attempts: i64,
}

/// Events after `last_seq` not yet fanned out, and the newest event.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct FanOutPosition {
    pub last_seq: i64,
    pub newest_seq: i64,
}

/// The newest event: one subquery shared by the statements of the fan-out.
const NEWEST_SEQ: &str = "(SELECT COALESCE(MAX(seq), 0) FROM domain_events)";

/// The fan-out position as the batch starts (read in the batch, so it is the one the following
/// statements see).
pub fn fan_out_position(db: &Db) -> Statement {
    db.prepare(format!(
        "SELECT last_seq, {NEWEST_SEQ} AS newest_seq FROM webhook_fanout WHERE id = 1"
    ))
}

/// One delivery per wanting active endpoint of the event's organisations, for the events after
/// the fan-out position, at most `limit`; existing ones are left alone. Returns the new
/// deliveries, leased until `lease_until` (they are enqueued at once).
pub fn fan_out(
    db: &Db,
    limit: i64,
    now: Millis,
    lease_until: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT OR IGNORE INTO webhook_deliveries (id, endpoint_id, event_seq, event_type, next_attempt_at, created_at)
         SELECT lower(hex(randomblob(16))), w.id, d.seq, d.type, ?3, ?2
         FROM webhook_fanout f
         JOIN domain_events d ON d.seq > f.last_seq AND d.seq <= f.last_seq + ?1
         JOIN webhook_endpoints w ON w.organisation_id IN (d.employer_id, d.firm_id)
         WHERE f.id = 1 AND d.seq > w.after_seq AND w.status = 'active'
           AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE json_each.value = d.type)
         RETURNING id, attempts",
        limit,
        now,
        lease_until
    )
    .context("Failed to prepare the webhook fan-out")
}

/// Moves the fan-out position past the events [`fan_out`] handled (at most `limit`).
pub fn advance_fan_out(db: &Db, limit: i64) -> Result<Statement, InfraError> {
    query!(
        db,
        &format!(
            "UPDATE webhook_fanout SET last_seq = MIN(last_seq + ?1, {NEWEST_SEQ})
             WHERE id = 1 AND last_seq < {NEWEST_SEQ}"
        ),
        limit
    )
    .context("Failed to prepare advancing the fan-out")
}

/// Pending deliveries of active endpoints whose attempt is due (or whose lease ran out), leased
/// until `lease_until` so the next sweep leaves them to the queue.
pub async fn take_due(
    db: &Db,
    now: Millis,
    lease_until: Millis,
    limit: i64,
) -> Result<Vec<Due>, InfraError> {
    query!(
        db,
        "UPDATE webhook_deliveries SET next_attempt_at = ?2
         WHERE id IN (SELECT dl.id FROM webhook_deliveries dl JOIN webhook_endpoints w ON w.id = dl.endpoint_id
                      WHERE dl.status = 'pending' AND dl.next_attempt_at <= ?1 AND w.status = 'active'
                      ORDER BY dl.next_attempt_at LIMIT ?3)
         RETURNING id, attempts",
        now,
        lease_until,
        limit
    )
    .rows("Failed to take due webhook deliveries")
.await
}

// --- One attempt ---------------------------------------------------------------------------------

/// What an attempt needs: the delivery and its endpoint (with the sealed secrets); its event is
/// read apart, once per batch ([`ClaimedEvent`]).
#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryJob {
    pub id: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub round_attempts: i64,
    pub endpoint_id: String,
    pub organisation_id: String,
    pub url: String,
    pub endpoint_status: EndpointStatus,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<Millis>,
    pub event_seq: i64,
}

/// The event of one or more claimed deliveries (an event goes to each of its endpoints: read once).
#[derive(Debug, Clone, Deserialize)]
pub struct ClaimedEvent {
    pub seq: i64,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub at: Millis,
    pub payload: String,
}

/// The attempts a batch claimed, and their events.
pub struct Claimed {
    pub jobs: Vec<DeliveryJob>,
    pub events: Vec<ClaimedEvent>,
}

/// The deliveries the claim takes, as both reads and the claim select them: named by a wake-up
/// (`?1`, a JSON array of `[id, attempts]`) with that very attempt count, pending, their endpoint
/// active. The reads run first in the claim's batch, so they see what the claim takes.
const CLAIMABLE: &str =
    "FROM webhook_deliveries dl JOIN webhook_endpoints w ON w.id = dl.endpoint_id
         WHERE (dl.id, dl.attempts) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?1))
           AND dl.status = 'pending' AND w.status = 'active'";

/// Claims the next attempt of each delivery a batch of wake-ups names, provided its attempt count
/// is still the one the wake-up carries (a duplicate or stale message, or a delivery an attempt
/// right after its request already took, claims nothing), the delivery pending and its endpoint
/// active; the lease covers the attempt if the worker dies during it. Answers the claimed
/// deliveries as they were before the claim, with what sending them needs, each event once.
/// One D1 round trip for the whole batch: the two reads, then the claim, in one batch.
pub async fn claim_batch(
    db: &Db,
    wakes: &[(&str, i64)],
    now: Millis,
    lease_until: Millis,
) -> Result<Claimed, InfraError> {
    let wanted = serde_json::to_string(wakes).unwrap_or_else(|_| "[]".to_owned());
    let read = query!(
        db,
        &format!(
            "SELECT dl.id, dl.status, dl.attempts, dl.round_attempts, w.id AS endpoint_id, w.organisation_id, w.url,
                    w.status AS endpoint_status, w.secret, w.previous_secret, w.previous_secret_expires_at, dl.event_seq
             {CLAIMABLE}"
        ),
        &wanted
    )
    .context("Failed to prepare the webhook deliveries lookup")?;
    let events = query!(
        db,
        &format!(
            "SELECT seq, id, type, at, payload FROM domain_events
             WHERE seq IN (SELECT dl.event_seq {CLAIMABLE})"
        ),
        &wanted
    )
    .context("Failed to prepare the webhook events lookup")?;
    let claim = query!(
        db,
        "UPDATE webhook_deliveries SET attempts = attempts + 1, round_attempts = round_attempts + 1,
           next_attempt_at = ?3, last_attempt_at = ?2
         WHERE (id, attempts) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?1)) AND status = 'pending'
           AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.id = endpoint_id AND w.status = 'active')
         RETURNING id",
        &wanted,
        now,
        lease_until
    )
    .context("Failed to prepare claiming webhook attempts")?;
    let results = atomically(
        db,
        vec![read, events, claim],
        "Failed to claim webhook attempts",
    )
    .await?;
    let [read, events, claimed] = results.as_slice() else {
        return Err(unexpected_batch("Failed to claim webhook attempts"));
    };
    #[derive(Deserialize)]
    struct ClaimedId {
        id: String,
    }
    let claimed: Vec<ClaimedId> = claimed
        .results()
        .context("Failed to read the claimed webhook attempts")?;
    let events: Vec<ClaimedEvent> = events
        .results()
        .context("Failed to read the events of webhook deliveries")?;
    let jobs: Vec<DeliveryJob> = read
        .results()
        .context("Failed to read the webhook deliveries")?;
    // The reads select what the claim takes; a delivery whose event is gone is not sent.
    let jobs = jobs
        .into_iter()
        .filter(|job| claimed.iter().any(|c| c.id == job.id))
        .filter(|job| events.iter().any(|e| e.seq == job.event_seq))
        .collect();
    Ok(Claimed { jobs, events })
}

/// One attempt's entry in the log.
pub struct Attempt<'a> {
    pub delivery_id: &'a str,
    pub number: i64,
    pub at: Millis,
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<&'a str>,
    pub error_kind: Option<Failure>,
    pub replay: bool,
}

/// An attempt and what it concludes for its delivery: 'pending' with `next_attempt_at`, or
/// 'succeeded' / 'failed'.
pub struct Concluded<'a> {
    pub attempt: Attempt<'a>,
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<Millis>,
}

/// A queue batch's attempts as one JSON array of rows, read back by `json_each` in SQL: the
/// statements then stay two whatever the batch's size, and far below D1's bound parameters.
fn attempt_rows(concluded: &[Concluded]) -> String {
    let rows: Vec<serde_json::Value> = concluded
        .iter()
        .map(|c| {
            let a = &c.attempt;
            crate::json!([
                a.delivery_id,
                a.number,
                a.at,
                a.status_code,
                a.latency_ms,
                a.error,
                a.error_kind,
                i32::from(a.replay),
                c.status,
                c.next_attempt_at
            ])
        })
        .collect();
    crate::json::text(&serde_json::Value::Array(rows))
}

/// Logs every attempt of a batch and concludes each delivery, in two statements. A conclusion
/// applies only if no later attempt was claimed meanwhile; a log entry already there (the same
/// attempt recorded twice) is left alone.
pub fn record_attempts(db: &Db, concluded: &[Concluded]) -> Result<[Statement; 2], InfraError> {
    let rows = attempt_rows(concluded);
    let log = query!(
        db,
        "INSERT OR IGNORE INTO webhook_attempts (delivery_id, number, at, status_code, latency_ms, error, error_kind, replay)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7
         FROM json_each(?1)",
        &rows
    )
    .context("Failed to prepare logging webhook attempts")?;
    let conclude = query!(
        db,
        "UPDATE webhook_deliveries AS dl SET status = j.value ->> 8, next_attempt_at = j.value ->> 9,
           last_status_code = j.value ->> 3, last_latency_ms = j.value ->> 4, last_error = j.value ->> 5,
           last_error_kind = j.value ->> 6,
           delivered_at = CASE WHEN j.value ->> 8 = 'succeeded' THEN j.value ->> 2 ELSE dl.delivered_at END
         FROM json_each(?1) AS j
         WHERE dl.id = j.value ->> 0 AND dl.attempts = j.value ->> 1",
        &rows
    )
    .context("Failed to prepare concluding webhook attempts")?;
    Ok([log, conclude])
}

// --- The delivery log ----------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
pub struct DeliveryRow {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: Option<String>,
    pub event_type: String,
    pub event_at: Option<Millis>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: Option<Millis>,
    pub last_attempt_at: Option<Millis>,
    pub last_status_code: Option<i64>,
    pub last_latency_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_kind: Option<Failure>,
    pub delivered_at: Option<Millis>,
    pub created_at: Millis,
    /// Whom or what the event was about, from its payload: a contact's name, an employer's.
    pub subject_contact: Option<String>,
    pub subject_employer: Option<String>,
    pub subject_file_number: Option<String>,
}

/// A delivery and its event; the subject comes from the event's payload: an authorization's
/// contact and employer, a contact's name, or an access request's contact and employer.
const DELIVERY_SELECT: &str = "SELECT dl.id, dl.endpoint_id, d.id AS event_id, dl.event_type, d.at AS event_at, dl.status,
       dl.attempts, dl.next_attempt_at, dl.last_attempt_at, dl.last_status_code, dl.last_latency_ms, dl.last_error,
       dl.last_error_kind, dl.delivered_at, dl.created_at,
       COALESCE(json_extract(d.payload, '$.authorization.contact.first_name') || ' ' || json_extract(d.payload, '$.authorization.contact.last_name'),
                json_extract(d.payload, '$.contact.first_name') || ' ' || json_extract(d.payload, '$.contact.last_name'),
                rc.first_name || ' ' || rc.last_name) AS subject_contact,
       COALESCE(json_extract(d.payload, '$.authorization.employer.name'), re.name) AS subject_employer,
       COALESCE(json_extract(d.payload, '$.authorization.employer.file_number'), re.file_number) AS subject_file_number
  FROM webhook_deliveries dl LEFT JOIN domain_events d ON d.seq = dl.event_seq
  LEFT JOIN contacts rc ON rc.id = json_extract(d.payload, '$.access_request.contact_id')
  LEFT JOIN organisations re ON re.id = json_extract(d.payload, '$.access_request.employer_id')";

#[derive(Debug, Clone, Deserialize)]
pub struct AttemptRow {
    pub delivery_id: String,
    pub number: i64,
    pub at: Millis,
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub error_kind: Option<Failure>,
    pub replay: i64,
}

pub struct DeliveryPage {
    pub items: Vec<DeliveryRow>,
    pub attempts: Vec<AttemptRow>,
    pub total: i64,
}

/// Newest first, with the attempts of the page's deliveries.
pub async fn deliveries_page(
    db: &Db,
    endpoint_id: &str,
    limit: i64,
    offset: i64,
) -> Result<DeliveryPage, InfraError> {
    let page = "SELECT id FROM webhook_deliveries WHERE endpoint_id = ?1 ORDER BY created_at DESC, event_seq DESC LIMIT ?2 OFFSET ?3";
    let items = query!(
        db,
        &format!("{DELIVERY_SELECT} WHERE dl.id IN ({page}) ORDER BY dl.created_at DESC, dl.event_seq DESC"),
        endpoint_id,
        limit,
        offset
    )
    .rows("Failed to read the webhook delivery log")
.await?;
    let attempts = query!(
        db,
        &format!("SELECT delivery_id, number, at, status_code, latency_ms, error, error_kind, replay FROM webhook_attempts
                  WHERE delivery_id IN ({page}) ORDER BY delivery_id, number"),
        endpoint_id,
        limit,
        offset
    )
    .rows("Failed to read the webhook attempt log")
.await?;
    let total: Option<i64> = query!(
        db,
        "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?1",
        endpoint_id
    )
    .value("n", "Failed to count webhook deliveries")
    .await?;
    Ok(DeliveryPage {
        items,
        attempts,
        total: total.unwrap_or(0),
    })
}

/// A delivery of one of the organisation's endpoints, with that endpoint's status.
#[derive(Debug, Clone, Deserialize)]
pub struct OwnedDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub attempts: i64,
    pub endpoint_status: EndpointStatus,
}

pub async fn find_delivery_in(
    db: &Db,
    organisation_id: &str,
    id: &str,
) -> Result<Option<OwnedDelivery>, InfraError> {
    query!(
        db,
        "SELECT dl.id, dl.endpoint_id, dl.attempts, w.status AS endpoint_status FROM webhook_deliveries dl
         JOIN webhook_endpoints w ON w.id = dl.endpoint_id
         WHERE w.organisation_id = ?1 AND dl.id = ?2",
        organisation_id,
        id
    )
    .row("Failed to look up a webhook delivery")
.await
}

pub async fn find_delivery(db: &Db, id: &str) -> Result<Option<DeliveryRow>, InfraError> {
    query!(db, &format!("{DELIVERY_SELECT} WHERE dl.id = ?1"), id)
        .row("Failed to read a webhook delivery")
        .await
}

/// The `webhook.test` event of one endpoint's test: it belongs to no organisation (employer and
/// firm NULL), so the fan-out never matches it to an endpoint.
pub fn test_event(
    db: &Db,
    event_id: &str,
    payload: &serde_json::Value,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO domain_events (id, type, at, employer_id, firm_id, payload)
         VALUES (?1, 'webhook.test', ?2, NULL, NULL, ?3)",
        event_id,
        now,
        crate::json::text(&payload)
    )
    .context("Failed to prepare a test event")
}

/// The delivery of a test event (`ids`: the delivery's, the endpoint's, the event's) to its one
/// endpoint, leased until `lease_until` (it is enqueued at once).
pub fn test_delivery(
    db: &Db,
    (delivery_id, endpoint_id, event_id): (&str, &str, &str),
    now: Millis,
    lease_until: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO webhook_deliveries (id, endpoint_id, event_seq, event_type, next_attempt_at, created_at)
         SELECT ?1, ?2, seq, type, ?5, ?4 FROM domain_events WHERE id = ?3",
        delivery_id,
        endpoint_id,
        event_id,
        now,
        lease_until
    )
    .context("Failed to prepare a test delivery")
}

/// A new round for the delivery: pending again, its retry schedule from the start, leased until
/// `lease_until` (the replay is enqueued at once).
pub fn replay(db: &Db, id: &str, lease_until: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE webhook_deliveries SET status = 'pending', round_attempts = 0, next_attempt_at = ?2 WHERE id = ?1",
        id,
        lease_until
    )
    .context("Failed to prepare replaying a webhook delivery")
}

/// Deliveries delivered or given up before the retention; their attempts go with them (cascade).
pub const FINISHED_DELIVERIES: super::Purge = super::Purge {
    table: "webhook_deliveries",
    key: "id",
    condition: "status != 'pending' AND created_at < ?1",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batchs_attempts_become_one_json_row_each_in_the_order_the_sql_reads_them() {
        let concluded = [
            Concluded {
                attempt: Attempt {
                    delivery_id: "d1",
                    number: 1,
                    at: 1_000,
                    status_code: Some(200),
                    latency_ms: 12,
                    error: None,
                    error_kind: None,
                    replay: false,
                },
                status: DeliveryStatus::Succeeded,
                next_attempt_at: None,
            },
            Concluded {
                attempt: Attempt {
                    delivery_id: "d2",
                    number: 3,
                    at: 1_000,
                    status_code: None,
                    latency_ms: 0,
                    error: Some("no connection to the receiver"),
                    error_kind: Some(Failure::Connect),
                    replay: true,
                },
                status: DeliveryStatus::Pending,
                next_attempt_at: Some(301_000),
            },
        ];
        assert_eq!(
            attempt_rows(&concluded),
            r#"[["d1",1,1000,200,12,null,null,0,"succeeded",null],["d2",3,1000,null,0,"no connection to the receiver","connect",1,"pending",301000]]"#
        );
    }
}
