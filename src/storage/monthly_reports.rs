//! Monthly reports: the trades and regions lists, a report's versions and lines, and the writes
//! that save a draft, transmit it and open a correction, each one D1 batch whose statements act
//! only if the report is still in the state the request saw.

use super::audit::{self, AuditEvent};
use super::domain_events::{self, DomainEvent};
use super::wrote;
use crate::domain::monthly_report::{Entry, Line, Month, Totals, VersionStatus};
use crate::domain::Millis;
use crate::platform::{random_id, Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// Lines per INSERT statement: each statement carries its lines as one JSON parameter (D1 binds at
/// most 100 parameters), kept well under D1's statement size.
const LINES_PER_STATEMENT: usize = 400;

#[derive(Debug, Clone, Deserialize)]
struct EntryRow {
    code: String,
    label_fr: String,
    label_en: String,
}

/// The trades, then the regions, in their list order.
pub async fn lists(db: &Db) -> Result<(Vec<Entry>, Vec<Entry>), InfraError> {
    let trades = db.prepare("SELECT code, label_fr, label_en FROM trades ORDER BY position");
    let regions =
        db.prepare("SELECT code, label_fr, label_en FROM construction_regions ORDER BY position");
    let results = db
        .batch(vec![trades, regions])
        .await
        .context("Failed to read the trades and regions")?;
    let entries = |index: usize| -> Result<Vec<Entry>, InfraError> {
        let rows: Vec<EntryRow> = rows_of(&results, index)?;
        Ok(rows
            .into_iter()
            .map(|row| Entry {
                code: row.code,
                label_fr: row.label_fr,
                label_en: row.label_en,
            })
            .collect())
    };
    Ok((entries(0)?, entries(1)?))
}

/// One version of a report, without its lines.
#[derive(Debug, Clone, Deserialize)]
pub struct VersionRow {
    pub id: String,
    pub report_id: String,
    pub number: i64,
    pub status: VersionStatus,
    pub no_activity: i64,
    pub line_count: i64,
    pub regular_quarters: i64,
    pub overtime_quarters: i64,
    pub gross_cents: i64,
    pub receipt_number: Option<String>,
    pub transmitted_at: Option<Millis>,
    pub transmitted_by_name: Option<String>,
    pub superseded_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub idempotency_key: Option<String>,
}

impl VersionRow {
    pub fn totals(&self) -> Totals {
        Totals {
            lines: self.line_count,
            regular_quarters: self.regular_quarters,
            overtime_quarters: self.overtime_quarters,
            gross_cents: self.gross_cents,
        }
    }
}

const VERSION_COLUMNS: &str = "v.id, v.report_id, v.number, v.status, v.no_activity, v.line_count,
       v.regular_quarters, v.overtime_quarters, v.gross_cents, v.receipt_number, v.transmitted_at,
       v.transmitted_by_name, v.superseded_at, v.created_at, v.updated_at, v.idempotency_key";

#[derive(Debug, Clone, Deserialize)]
pub struct LineRow {
    pub line: i64,
    pub worker_name: String,
    pub worker_id: String,
    pub trade: String,
    pub region: String,
    pub regular_quarters: i64,
    pub overtime_quarters: i64,
    pub gross_cents: i64,
}

/// A report as stored: every version, newest first, and the lines of its draft and of its
/// transmitted version.
#[derive(Debug, Default)]
pub struct StoredReport {
    pub versions: Vec<VersionRow>,
    pub draft_lines: Vec<LineRow>,
    pub transmitted_lines: Vec<LineRow>,
}

impl StoredReport {
    pub fn draft(&self) -> Option<&VersionRow> {
        self.versions
            .iter()
            .find(|v| v.status == VersionStatus::Draft)
    }

    pub fn transmitted(&self) -> Option<&VersionRow> {
        self.versions
            .iter()
            .find(|v| v.status == VersionStatus::Transmitted)
    }
}

fn lines_of(
    db: &Db,
    employer_id: &str,
    month: &str,
    status: VersionStatus,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "SELECT l.line, l.worker_name, l.worker_id, l.trade, l.region, l.regular_quarters,
                l.overtime_quarters, l.gross_cents
           FROM monthly_report_lines l
          WHERE l.version_id = (SELECT v.id FROM monthly_report_versions v
                                  JOIN monthly_reports r ON r.id = v.report_id
                                 WHERE r.employer_id = ?1 AND r.month = ?2 AND v.status = ?3)
          ORDER BY l.line",
        employer_id,
        month,
        status.as_str()
    )
    .context("Failed to prepare the lines of a monthly report")
}

/// The rows of the `index`th statement of a batch.
fn rows_of<T: for<'a> Deserialize<'a>>(
    results: &[crate::storage::db::D1Result],
    index: usize,
) -> Result<Vec<T>, InfraError> {
    Ok(results
        .get(index)
        .map(|r| r.results())
        .transpose()
        .context("Failed to read the rows of a monthly report")?
        .unwrap_or_default())
}

/// The employer's report of a month, read in one batch (empty when it was never started).
pub async fn find(db: &Db, employer_id: &str, month: Month) -> Result<StoredReport, InfraError> {
    let month = month.as_string();
    let versions = query!(
        db,
        &format!(
            "SELECT {VERSION_COLUMNS} FROM monthly_report_versions v
               JOIN monthly_reports r ON r.id = v.report_id
              WHERE r.employer_id = ?1 AND r.month = ?2
              ORDER BY v.number DESC"
        ),
        employer_id,
        &month
    )
    .context("Failed to prepare the versions of a monthly report")?;
    let results = db
        .batch(vec![
            versions,
            lines_of(db, employer_id, &month, VersionStatus::Draft)?,
            lines_of(db, employer_id, &month, VersionStatus::Transmitted)?,
        ])
        .await
        .context("Failed to read a monthly report")?;
    Ok(StoredReport {
        versions: rows_of(&results, 0)?,
        draft_lines: rows_of(&results, 1)?,
        transmitted_lines: rows_of(&results, 2)?,
    })
}

/// A month of the employer's list: its current draft or transmitted version.
#[derive(Debug, Clone, Deserialize)]
pub struct MonthRow {
    pub month: String,
    pub number: i64,
    pub status: VersionStatus,
    pub no_activity: i64,
    pub line_count: i64,
    pub receipt_number: Option<String>,
    pub transmitted_at: Option<Millis>,
}

/// The draft and transmitted versions of the employer's reports from `from` to `to` (inclusive).
pub async fn months(
    db: &Db,
    employer_id: &str,
    from: Month,
    to: Month,
) -> Result<Vec<MonthRow>, InfraError> {
    query!(
        db,
        "SELECT r.month, v.number, v.status, v.no_activity, v.line_count, v.receipt_number, v.transmitted_at
           FROM monthly_reports r JOIN monthly_report_versions v ON v.report_id = r.id
          WHERE r.employer_id = ?1 AND r.month BETWEEN ?2 AND ?3 AND v.status IN ('draft', 'transmitted')",
        employer_id,
        from.as_string(),
        to.as_string()
    )
    .rows("Failed to list monthly reports")
.await
}

/// Who writes: the user, and their name as a receipt shows it.
pub struct Author<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
}

/// An audit event about the report's version `version_id`, written only if `condition` (SQL on
/// that version, alias `v`, where `?11` is `value`) holds once the batch's writes are done.
fn audit_if(
    db: &Db,
    event: &AuditEvent,
    version_id: &str,
    (condition, value): (&str, &str),
    now: Millis,
) -> Result<Statement, InfraError> {
    audit::append_where(
        db,
        event,
        now,
        &format!(
            "EXISTS (SELECT 1 FROM monthly_report_versions v WHERE v.id = ?10 AND {condition})"
        ),
        &[version_id, value],
    )
}

/// Replaces the draft of the employer's report of `month` (created, with the report, when the
/// month has no version yet) by these lines. False when the report has no draft to replace (it was
/// transmitted and no correction is open).
pub async fn save_draft(
    db: &Db,
    employer_id: &str,
    month: Month,
    author: &Author<'_>,
    no_activity: bool,
    lines: &[Line],
    now: Millis,
) -> Result<bool, InfraError> {
    let month = month.as_string();
    let totals = Totals::of(lines);
    let mut statements = vec![
        query!(
            db,
            "INSERT INTO monthly_reports (id, employer_id, month, created_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (employer_id, month) DO NOTHING",
            random_id(),
            employer_id,
            &month,
            now
        )
        .context("Failed to prepare a monthly report")?,
        query!(
            db,
            "INSERT OR IGNORE INTO monthly_report_versions (id, report_id, number, status, created_by, created_at, updated_by, updated_at)
             SELECT ?1, r.id, 1, 'draft', ?4, ?5, ?4, ?5 FROM monthly_reports r
              WHERE r.employer_id = ?2 AND r.month = ?3
                AND NOT EXISTS (SELECT 1 FROM monthly_report_versions v WHERE v.report_id = r.id)",
            random_id(),
            employer_id,
            &month,
            author.user_id,
            now
        )
        .context("Failed to prepare a monthly report's first version")?,
        query!(
            db,
            "UPDATE monthly_report_versions
                SET no_activity = ?3, line_count = ?4, regular_quarters = ?5, overtime_quarters = ?6,
                    gross_cents = ?7, updated_by = ?8, updated_at = ?9
              WHERE status = 'draft'
                AND report_id = (SELECT id FROM monthly_reports WHERE employer_id = ?1 AND month = ?2)",
            employer_id,
            &month,
            i64::from(no_activity),
            totals.lines,
            totals.regular_quarters,
            totals.overtime_quarters,
            totals.gross_cents,
            author.user_id,
            now
        )
        .context("Failed to prepare a monthly report's draft")?,
        query!(
            db,
            "DELETE FROM monthly_report_lines WHERE version_id = (
               SELECT v.id FROM monthly_report_versions v JOIN monthly_reports r ON r.id = v.report_id
                WHERE r.employer_id = ?1 AND r.month = ?2 AND v.status = 'draft')",
            employer_id,
            &month
        )
        .context("Failed to prepare the removal of a draft's lines")?,
    ];
    for (chunk_index, chunk) in lines.chunks(LINES_PER_STATEMENT).enumerate() {
        let rows: Vec<serde_json::Value> = chunk
            .iter()
            .map(|l| {
                crate::json!([
                    l.worker_name,
                    l.worker_id,
                    l.trade,
                    l.region,
                    l.regular_quarters,
                    l.overtime_quarters,
                    l.gross_cents
                ])
            })
            .collect();
        statements.push(
            query!(
                db,
                "INSERT INTO monthly_report_lines (version_id, line, worker_name, worker_id, trade, region,
                                                   regular_quarters, overtime_quarters, gross_cents)
                 SELECT v.id, ?4 + j.key + 1, json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),
                        json_extract(j.value, '$[2]'), json_extract(j.value, '$[3]'), json_extract(j.value, '$[4]'),
                        json_extract(j.value, '$[5]'), json_extract(j.value, '$[6]')
                   FROM monthly_report_versions v JOIN monthly_reports r ON r.id = v.report_id,
                        json_each(?3) j
                  WHERE r.employer_id = ?1 AND r.month = ?2 AND v.status = 'draft'",
                employer_id,
                &month,
                crate::json::text(&serde_json::Value::Array(rows)),
                (chunk_index * LINES_PER_STATEMENT) as i64
            )
            .context("Failed to prepare a draft's lines")?,
        );
    }
    let results =
        super::atomically(db, statements, "Failed to save a monthly report's draft").await?;
    Ok(results.get(2).is_some_and(wrote))
}

/// Transmits the draft: it becomes the transmitted version with its receipt and the client's
/// idempotency key, if any (totals recomputed from its stored lines), and the version it corrects, if any, is superseded. False
/// when the draft was transmitted meanwhile. `event` is what the transmission tells the webhooks of
/// the employer and of the acting firm.
pub async fn transmit(
    db: &Db,
    draft: &VersionRow,
    receipt: (&str, Option<&str>),
    author: &Author<'_>,
    audit_event: &AuditEvent<'_>,
    event: &DomainEvent<'_>,
    now: Millis,
) -> Result<bool, InfraError> {
    let (receipt_number, idempotency_key) = receipt;
    let (report_id, draft_id) = (&draft.report_id, &draft.id);
    let statements = vec![
        query!(
            db,
            "UPDATE monthly_report_versions SET status = 'superseded', superseded_at = ?3
              WHERE report_id = ?1 AND status = 'transmitted'
                AND EXISTS (SELECT 1 FROM monthly_report_versions d WHERE d.id = ?2 AND d.status = 'draft')",
            report_id,
            draft_id,
            now
        )
        .context("Failed to prepare the supersession of a monthly report")?,
        query!(
            db,
            "UPDATE monthly_report_versions
                SET status = 'transmitted', receipt_number = ?2, transmitted_at = ?3, transmitted_by = ?4,
                    transmitted_by_name = ?5, updated_at = ?3, updated_by = ?4, idempotency_key = ?6,
                    line_count = (SELECT COUNT(*) FROM monthly_report_lines WHERE version_id = ?1),
                    regular_quarters = (SELECT COALESCE(SUM(regular_quarters), 0) FROM monthly_report_lines WHERE version_id = ?1),
                    overtime_quarters = (SELECT COALESCE(SUM(overtime_quarters), 0) FROM monthly_report_lines WHERE version_id = ?1),
                    gross_cents = (SELECT COALESCE(SUM(gross_cents), 0) FROM monthly_report_lines WHERE version_id = ?1)
              WHERE id = ?1 AND status = 'draft'",
            draft_id,
            receipt_number,
            now,
            author.user_id,
            author.name,
            idempotency_key
        )
        .context("Failed to prepare the transmission of a monthly report")?,
        query!(
            db,
            "UPDATE monthly_reports SET transmitted_at = COALESCE(transmitted_at, ?2) WHERE id = ?1",
            report_id,
            now
        )
        .context("Failed to prepare a monthly report's transmission time")?,
        audit_if(
            db,
            audit_event,
            draft_id,
            ("v.receipt_number = ?11", receipt_number),
            now,
        )?,
        domain_events::append_where(
            db,
            event,
            now,
            "EXISTS (SELECT 1 FROM monthly_report_versions WHERE id = ?7 AND receipt_number = ?8)",
            &[draft_id, receipt_number],
        )?,
    ];
    let results = super::atomically(db, statements, "Failed to transmit a monthly report").await?;
    Ok(results.get(1).is_some_and(wrote))
}

/// Opens a correction of the transmitted version `transmitted_id`: the next version, a draft
/// holding a copy of its lines. False when a draft is already open or the version is no longer the
/// transmitted one.
pub async fn open_correction(
    db: &Db,
    transmitted_id: &str,
    author: &Author<'_>,
    audit_event: &AuditEvent<'_>,
    now: Millis,
) -> Result<bool, InfraError> {
    let draft_id = random_id();
    let statements = vec![
        query!(
            db,
            "INSERT OR IGNORE INTO monthly_report_versions
               (id, report_id, number, status, no_activity, line_count, regular_quarters, overtime_quarters,
                gross_cents, created_by, created_at, updated_by, updated_at)
             SELECT ?1, t.report_id, t.number + 1, 'draft', t.no_activity, t.line_count, t.regular_quarters,
                    t.overtime_quarters, t.gross_cents, ?3, ?4, ?3, ?4
               FROM monthly_report_versions t
              WHERE t.id = ?2 AND t.status = 'transmitted'
                AND NOT EXISTS (SELECT 1 FROM monthly_report_versions d WHERE d.report_id = t.report_id AND d.status = 'draft')",
            &draft_id,
            transmitted_id,
            author.user_id,
            now
        )
        .context("Failed to prepare a correction")?,
        query!(
            db,
            "INSERT INTO monthly_report_lines (version_id, line, worker_name, worker_id, trade, region,
                                               regular_quarters, overtime_quarters, gross_cents)
             SELECT ?1, line, worker_name, worker_id, trade, region, regular_quarters, overtime_quarters, gross_cents
               FROM monthly_report_lines
              WHERE version_id = ?2 AND EXISTS (SELECT 1 FROM monthly_report_versions WHERE id = ?1)",
            &draft_id,
            transmitted_id
        )
        .context("Failed to prepare a correction's lines")?,
        audit_if(db, audit_event, &draft_id, ("v.status = ?11", "draft"), now)?,
    ];
    let results = super::atomically(db, statements, "Failed to open a correction").await?;
    Ok(results.first().is_some_and(wrote))
}

/// Which of these employers transmitted their report of `month`, and the rows D1 read to say so:
/// one lookup of the `(employer_id, month)` unique index per employer, whatever the number of
/// reports.
pub async fn transmitted_among(
    db: &Db,
    month: Month,
    employer_ids: &[&str],
) -> Result<(Vec<String>, usize), InfraError> {
    #[derive(Deserialize)]
    struct Row {
        employer_id: String,
    }
    if employer_ids.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let ids = serde_json::to_string(employer_ids).context("Failed to list employer ids")?;
    let result = query!(
        db,
        "SELECT r.employer_id FROM json_each(?2) j
           JOIN monthly_reports r ON r.employer_id = j.value AND r.month = ?1
          WHERE r.transmitted_at IS NOT NULL",
        month.as_string(),
        ids
    )
    .context("Failed to prepare the transmitted reports of a page of files")?
    .all()
    .await
    .context("Failed to read the transmitted reports of a page of files")?;
    let rows: Vec<Row> = result
        .results()
        .context("Failed to read the transmitted reports' rows")?;
    Ok((
        rows.into_iter().map(|r| r.employer_id).collect(),
        super::rows_read(&result),
    ))
}
