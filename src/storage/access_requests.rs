//! Access requests: a firm contact asks an employer for access to its file.

use crate::domain::authorization::AccessRequestStatus;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct AccessRequestRow {
    pub id: String,
    pub employer_id: String,
    pub employer_name: String,
    pub employer_file_number: String,
    pub firm_id: String,
    pub firm_name: String,
    pub firm_file_number: String,
    pub contact_id: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub contact_email: String,
    pub services: i64,
    pub message: String,
    pub status: AccessRequestStatus,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub answered_at: Option<Millis>,
    pub decline_reason: Option<String>,
    pub authorization_id: Option<String>,
}

/// Selects requests with their effective status: a pending request past its expiry is expired.
fn select(now_param: &str) -> String {
    format!(
        "SELECT r.id, r.employer_id, e.name AS employer_name, e.file_number AS employer_file_number,
       r.firm_id, f.name AS firm_name, f.file_number AS firm_file_number,
       r.contact_id, c.first_name AS contact_first_name, c.last_name AS contact_last_name, c.email AS contact_email,
       r.services, r.message,
       CASE WHEN r.status = 'pending' AND r.expires_at <= {now_param} THEN 'expired' ELSE r.status END AS status,
       r.created_at, r.expires_at, r.answered_at, r.decline_reason, r.authorization_id
  FROM access_requests r
  JOIN organisations e ON e.id = r.employer_id
  JOIN organisations f ON f.id = r.firm_id
  JOIN contacts c ON c.id = r.contact_id"
    )
}

pub struct NewAccessRequest<'a> {
    pub id: &'a str,
    pub employer_id: &'a str,
    pub contact_id: &'a str,
    pub firm_id: &'a str,
    pub requested_by: &'a str,
    pub services: i64,
    pub message: &'a str,
    pub expires_at: Millis,
}

/// Inserts a pending request; a second pending one for the same employer and contact changes
/// nothing (unique partial index).
pub fn insert(db: &Db, new: &NewAccessRequest, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO access_requests (id, employer_id, contact_id, firm_id, requested_by, services, message, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
        new.id,
        new.employer_id,
        new.contact_id,
        new.firm_id,
        new.requested_by,
        new.services,
        new.message,
        now,
        new.expires_at
    )
    .context("Failed to prepare an access request")
}

/// A request as one side sees it: `side` is `employer_id` or `firm_id`.
pub async fn find_for(
    db: &Db,
    side: Side,
    organisation_id: &str,
    id: &str,
    now: Millis,
) -> Result<Option<AccessRequestRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE r.{} = ?2 AND r.id = ?3",
            select("?1"),
            side.column()
        ),
        now,
        organisation_id,
        id
    )
    .row("Failed to look up an access request")
    .await
}

#[derive(Debug, Clone, Copy)]
pub enum Side {
    Employer,
    Firm,
}

impl Side {
    fn column(self) -> &'static str {
        match self {
            Side::Employer => "employer_id",
            Side::Firm => "firm_id",
        }
    }
}

/// Which requests a page lists: an employer's (by effective status, or all), or a firm's (all of
/// them, or one contact's).
pub struct PageQuery<'a> {
    pub side: Side,
    pub organisation_id: &'a str,
    pub contact_id: Option<&'a str>,
    pub status: Option<AccessRequestStatus>,
    pub now: Millis,
    pub limit: i64,
    pub offset: i64,
}

/// A page of requests, newest first, and the total.
pub async fn page(
    db: &Db,
    page: &PageQuery<'_>,
) -> Result<(Vec<AccessRequestRow>, i64), InfraError> {
    let filter = format!(
        "r.{} = ?2 AND (?3 IS NULL OR r.contact_id = ?3)
           AND (?4 IS NULL OR (CASE WHEN r.status = 'pending' AND r.expires_at <= ?1 THEN 'expired' ELSE r.status END) = ?4)",
        page.side.column()
    );
    let items = query!(
        db,
        &format!(
            "{} WHERE {filter} ORDER BY r.created_at DESC, r.id LIMIT ?5 OFFSET ?6",
            select("?1")
        ),
        page.now,
        page.organisation_id,
        page.contact_id,
        page.status,
        page.limit,
        page.offset
    )
    .rows("Failed to list access requests")
    .await?;
    let total: Option<i64> = query!(
        db,
        &format!("SELECT COUNT(*) AS n FROM access_requests r WHERE {filter}"),
        page.now,
        page.organisation_id,
        page.contact_id,
        page.status
    )
    .value("n", "Failed to count access requests")
    .await?;
    Ok((items, total.unwrap_or(0)))
}

/// Answers a pending, unexpired request: `approved` (with its authorization) or `declined`.
pub fn answer(
    db: &Db,
    employer_id: &str,
    id: &str,
    answer: Answer,
    answered_by: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    let (status, authorization_id, reason) = match answer {
        Answer::Approved { authorization_id } => ("approved", Some(authorization_id), None),
        Answer::Declined { reason } => ("declined", None, Some(reason)),
    };
    query!(
        db,
        "UPDATE access_requests SET status = ?3, authorization_id = ?4, decline_reason = ?5, answered_at = ?6, answered_by = ?7
          WHERE employer_id = ?1 AND id = ?2 AND status = 'pending' AND expires_at > ?6",
        employer_id,
        id,
        status,
        authorization_id,
        reason,
        now,
        answered_by
    )
    .context("Failed to prepare answering an access request")
}

pub enum Answer<'a> {
    Approved { authorization_id: &'a str },
    Declined { reason: &'a str },
}

/// The requester cancels their own pending request.
pub fn cancel(db: &Db, contact_id: &str, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE access_requests SET status = 'cancelled', answered_at = ?3
          WHERE contact_id = ?1 AND id = ?2 AND status = 'pending' AND expires_at > ?3",
        contact_id,
        id,
        now
    )
    .context("Failed to prepare cancelling an access request")
}

/// Pending requests past their expiry, oldest first: what the lifecycle job records as expired.
pub async fn lapsed_pending(
    db: &Db,
    now: Millis,
    limit: i64,
) -> Result<Vec<AccessRequestRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE r.status = 'pending' AND r.expires_at <= ?1 ORDER BY r.expires_at, r.id LIMIT ?2",
            select("?1")
        ),
        now,
        limit
    )
    .rows("Failed to list lapsed access requests")
.await
}

/// The contact's pending request to the employer whose lifetime has passed, which the expiry job
/// has not recorded yet (a new request replaces it).
pub async fn lapsed_pending_of(
    db: &Db,
    employer_id: &str,
    contact_id: &str,
    now: Millis,
) -> Result<Option<AccessRequestRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE r.employer_id = ?2 AND r.contact_id = ?3 AND r.status = 'pending' AND r.expires_at <= ?1",
            select("?1")
        ),
        now,
        employer_id,
        contact_id
    )
    .row("Failed to find a lapsed access request")
.await
}

/// Records a lapsed request as expired; `answered_at` says when it closed. Changes nothing if it
/// was answered, cancelled or recorded in the meantime.
pub fn record_expired(db: &Db, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE access_requests SET status = 'expired', answered_at = ?2
          WHERE id = ?1 AND status = 'pending' AND expires_at <= ?2",
        id,
        now
    )
    .context("Failed to prepare expiring an access request")
}
