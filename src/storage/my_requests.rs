//! The queries of "Mes demandes": a person's own access requests, known-facts linking requests and
//! monthly report transmissions, as one list, newest first.

use crate::domain::request::{RequestKind, RequestStatus};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// Keeps a known-facts linking request for the person who made it, matched or not.
pub fn record_known_facts(
    db: &Db,
    id: &str,
    user_id: &str,
    file_number: &str,
    now: Millis,
    expires_at: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO known_facts_requests (id, user_id, file_number, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        id,
        user_id,
        file_number,
        now,
        expires_at
    )
    .context("Failed to prepare recording a known-facts linking request")
}

/// One request as the list shows it. Columns a kind does not have are NULL.
#[derive(Debug, Clone, Deserialize)]
pub struct RequestRow {
    pub kind: RequestKind,
    pub id: String,
    pub at: Millis,
    pub status: RequestStatus,
    pub organisation_name: Option<String>,
    pub file_number: String,
    pub services: Option<i64>,
    pub month: Option<String>,
    pub receipt_number: Option<String>,
    pub version: Option<i64>,
    /// A report transmitted for the person's own employer: its receipt is under the employer's
    /// reports (1), else under the file the person is authorized for (`file_id`).
    pub own: Option<i64>,
    pub file_id: Option<String>,
}

/// The user's requests of `kind` (all kinds when `None`), newest first, after the keyset position
/// `(at, id)`. A pending access request past its expiry reads as expired; a known-facts request
/// reads as linked once the person is linked to an organisation of that number.
pub async fn list(
    db: &Db,
    user_id: &str,
    kind: Option<RequestKind>,
    after: Option<(Millis, &str)>,
    now: Millis,
    limit: i64,
) -> Result<Vec<RequestRow>, InfraError> {
    let (at, id) = after.unzip();
    query!(
        db,
        "SELECT * FROM (
           SELECT 'access_request' AS kind, r.id, r.created_at AS at,
             CASE WHEN r.status = 'pending' AND r.expires_at <= ?2 THEN 'expired' ELSE r.status END AS status,
             o.name AS organisation_name, o.file_number, r.services, NULL AS month,
             NULL AS receipt_number, NULL AS version, NULL AS own, NULL AS file_id
           FROM access_requests r JOIN organisations o ON o.id = r.employer_id
           WHERE r.requested_by = ?1
           UNION ALL
           SELECT 'link_request', k.id, k.created_at,
             CASE WHEN EXISTS (SELECT 1 FROM contacts c JOIN organisations l ON l.id = c.organisation_id
                                WHERE c.user_id = ?1 AND c.status = 'linked' AND l.file_number = k.file_number)
                  THEN 'linked'
                  WHEN k.expires_at <= ?2 THEN 'expired' ELSE 'sent' END,
             NULL, k.file_number, NULL, NULL, NULL, NULL, NULL, NULL
           FROM known_facts_requests k
           WHERE k.user_id = ?1
           UNION ALL
           SELECT 'monthly_report', v.id, v.transmitted_at, v.status,
             o.name, o.file_number, NULL, m.month, v.receipt_number, v.number,
             EXISTS (SELECT 1 FROM contacts c WHERE c.user_id = ?1 AND c.status = 'linked'
                       AND c.organisation_id = m.employer_id),
             (SELECT a.id FROM authorizations a JOIN contacts c ON c.id = a.contact_id
               WHERE a.employer_id = m.employer_id AND a.status = 'active' AND c.user_id = ?1
                 AND c.status = 'linked' LIMIT 1)
           FROM monthly_report_versions v
             JOIN monthly_reports m ON m.id = v.report_id
             JOIN organisations o ON o.id = m.employer_id
           WHERE v.transmitted_by = ?1 AND v.transmitted_at IS NOT NULL
         )
         WHERE (?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR at < ?4 OR (at = ?4 AND id < ?5))
         ORDER BY at DESC, id DESC LIMIT ?6",
        user_id,
        now,
        kind.map(RequestKind::as_str),
        at,
        id,
        limit
    )
    .rows("Failed to read a person's requests")
.await
}
