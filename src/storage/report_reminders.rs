//! Reminders that a month's report is due: who still has reports to transmit, and one row per
//! reminder sent (per month and contact), so none goes out twice.

use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// Someone to remind: a firm's contact with files to transmit, or an employer's responsable.
#[derive(Debug, Clone, Deserialize)]
pub struct DueContact {
    pub contact_id: String,
    pub email: String,
    pub first_name: String,
    pub locale: Option<String>,
}

/// A file whose report of the month is not transmitted, as the reminder lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct DueFile {
    pub employer_name: String,
    pub file_number: String,
}

/// What makes a firm's authorization call for the report of `?1` (month) at `?2` (now): active,
/// started, not ended, the monthly report service at level "consultation et transmission", and
/// the employer has not transmitted that month.
const FIRM_FILE_DUE: &str = "a.status = 'active' AND a.starts_at <= ?2 AND (a.ends_at IS NULL OR a.ends_at > ?2)
   AND (a.services & 8) != 0 AND a.level = 'transmission'
   AND NOT EXISTS (SELECT 1 FROM monthly_reports r
                    WHERE r.employer_id = a.employer_id AND r.month = ?1 AND r.transmitted_at IS NOT NULL)";

const CONTACT_COLUMNS: &str = "c.id AS contact_id, c.email, c.first_name, u.locale";

/// Up to `limit` linked firm contacts with files whose report of `month` is not transmitted and
/// who were not reminded of that month yet.
pub async fn firm_contacts(
    db: &Db,
    month: &str,
    now: Millis,
    limit: i64,
) -> Result<Vec<DueContact>, InfraError> {
    query!(
        db,
        &format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c LEFT JOIN users u ON u.id = c.user_id
              WHERE c.id IN (SELECT DISTINCT a.contact_id FROM authorizations a WHERE {FIRM_FILE_DUE})
                AND c.status = 'linked'
                AND NOT EXISTS (SELECT 1 FROM monthly_report_reminders m WHERE m.month = ?1 AND m.contact_id = c.id)
              ORDER BY c.id LIMIT ?3"
        ),
        month,
        now,
        limit
    )
    .rows("Failed to find the firm contacts to remind of a monthly report")
.await
}

/// The first `limit` files (by name) of a firm contact whose report of `month` is due, and how
/// many there are in all.
pub async fn firm_files(
    db: &Db,
    contact_id: &str,
    month: &str,
    now: Millis,
    limit: i64,
) -> Result<(Vec<DueFile>, i64), InfraError> {
    let results = db
        .batch(vec![
            query!(
                db,
                &format!(
                    "SELECT a.employer_name, a.file_number FROM authorizations a
                      WHERE a.contact_id = ?3 AND {FIRM_FILE_DUE} ORDER BY a.name_key, a.id LIMIT ?4"
                ),
                month,
                now,
                contact_id,
                limit
            )
            .context("Failed to prepare listing the files to remind of")?,
            query!(
                db,
                &format!(
                    "SELECT COUNT(*) AS n FROM authorizations a WHERE a.contact_id = ?3 AND {FIRM_FILE_DUE}"
                ),
                month,
                now,
                contact_id
            )
            .context("Failed to prepare counting the files to remind of")?,
        ])
        .await
        .context("Failed to list the files to remind of")?;
    let (Some(files), Some(count)) = (results.first(), results.get(1)) else {
        return Ok((Vec::new(), 0));
    };
    let files: Vec<DueFile> = files
        .results()
        .context("Failed to read the files to remind of")?;
    Ok((files, super::first_count(count)?))
}

/// An employer's responsable to remind, with the employer.
#[derive(Debug, Clone, Deserialize)]
pub struct DueEmployerContact {
    pub contact_id: String,
    pub email: String,
    pub first_name: String,
    pub locale: Option<String>,
    pub employer_name: String,
    pub file_number: String,
}

/// Up to `limit` linked responsables of employers that have not transmitted the report of
/// `month`, not reminded of that month yet.
pub async fn employer_responsables(
    db: &Db,
    month: &str,
    limit: i64,
) -> Result<Vec<DueEmployerContact>, InfraError> {
    query!(
        db,
        &format!(
            "SELECT {CONTACT_COLUMNS}, o.name AS employer_name, o.file_number
               FROM contacts c JOIN organisations o ON o.id = c.organisation_id
               LEFT JOIN users u ON u.id = c.user_id
              WHERE o.kind = 'employer' AND c.role = 'responsable' AND c.status = 'linked'
                AND NOT EXISTS (SELECT 1 FROM monthly_reports r
                                 WHERE r.employer_id = o.id AND r.month = ?1 AND r.transmitted_at IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM monthly_report_reminders m WHERE m.month = ?1 AND m.contact_id = c.id)
              ORDER BY c.id LIMIT ?2"
        ),
        month,
        limit
    )
    .rows("Failed to find the employer responsables to remind of a monthly report")
.await
}

/// Claims the reminder of `month` for a contact (`id` is the new row's); changes nothing if an
/// earlier or overlapping run sent it.
pub fn claim(
    db: &Db,
    id: &str,
    month: &str,
    contact_id: &str,
    files: i64,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO monthly_report_reminders (id, month, contact_id, files, sent_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        id,
        month,
        contact_id,
        files,
        now
    )
    .context("Failed to prepare claiming a monthly report reminder")
}
