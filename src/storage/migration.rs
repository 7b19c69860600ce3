//! The legacy migration's queries. A batch reads what exists for all of its keys at once and writes
//! in one `db.batch`; the keys and rows travel as one JSON array per statement (`json_each`), since
//! D1 binds at most 100 parameters to a statement.

use crate::domain::authorization::name_key;
use crate::domain::migration::{NewAuthorization, RefusedRelation};
use crate::domain::organisation::ContactStatus;
use crate::domain::time::Day;
use crate::domain::Millis;
use crate::json;
use crate::platform::{random_id, Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

fn json_array<T: serde::Serialize>(items: &[T]) -> String {
    crate::json::text(&json!(items))
}

// --- What already exists ------------------------------------------------------------------------

/// The rows a query finds for a list of keys (bound as one JSON array, `?1`).
async fn for_keys<T: DeserializeOwned>(
    db: &Db,
    sql: &str,
    keys: &[String],
    what: &str,
) -> Result<Vec<T>, InfraError> {
    query!(db, sql, json_array(keys)).rows(what).await
}

#[derive(Debug, Clone, Deserialize)]
pub struct OrganisationKey {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub file_number: String,
}

pub async fn organisations_numbered(
    db: &Db,
    file_numbers: &[String],
) -> Result<Vec<OrganisationKey>, InfraError> {
    for_keys(
        db,
        "SELECT id, kind, name, file_number FROM organisations
             WHERE file_number IN (SELECT value FROM json_each(?1))",
        file_numbers,
        "Failed to look up the organisations of a migration batch",
    )
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct ContactKey {
    pub id: String,
    pub organisation_id: String,
    pub email: String,
    pub status: ContactStatus,
}

/// Every contact, of any organisation, with one of these emails.
pub async fn contacts_with_emails(
    db: &Db,
    emails: &[String],
) -> Result<Vec<ContactKey>, InfraError> {
    for_keys(
        db,
        "SELECT id, organisation_id, email, status FROM contacts
             WHERE email IN (SELECT value FROM json_each(?1))",
        emails,
        "Failed to look up the contacts of a migration batch",
    )
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct UsernameKey {
    pub username: String,
    #[serde(flatten)]
    pub contact: ContactKey,
}

pub async fn contacts_of_usernames(
    db: &Db,
    usernames: &[String],
) -> Result<Vec<UsernameKey>, InfraError> {
    for_keys(
        db,
        "SELECT l.username, c.id, c.organisation_id, c.email, c.status
             FROM legacy_credentials l JOIN contacts c ON c.id = l.contact_id
             WHERE l.username IN (SELECT value FROM json_each(?1))",
        usernames,
        "Failed to look up the legacy usernames of a migration batch",
    )
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct MigratedKey {
    pub legacy_id: String,
    pub fingerprint: String,
}

pub async fn migrated_relations(
    db: &Db,
    legacy_ids: &[String],
) -> Result<Vec<MigratedKey>, InfraError> {
    for_keys(
        db,
        "SELECT legacy_id, fingerprint FROM migrated_relations
             WHERE legacy_id IN (SELECT value FROM json_each(?1))",
        legacy_ids,
        "Failed to look up the migrated relations of a batch",
    )
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefusedKey {
    pub legacy_id: String,
    pub line: u64,
    pub fingerprint: String,
}

/// The relations with these legacy ids that this run already refused (in earlier batches).
pub async fn refused_in_run(
    db: &Db,
    run_id: &str,
    legacy_ids: &[String],
) -> Result<Vec<RefusedKey>, InfraError> {
    query!(
        db,
        "SELECT legacy_id, line, fingerprint FROM unmigrated_relations
             WHERE legacy_id IN (SELECT value FROM json_each(?1)) AND run_id = ?2",
        json_array(legacy_ids),
        run_id
    )
    .rows("Failed to look up the relations this run refused")
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct ActivePair {
    pub employer_id: String,
    pub contact_id: String,
}

/// The active authorizations between some employers and some contacts.
pub async fn active_pairs(
    db: &Db,
    employer_ids: &[String],
    contact_ids: &[String],
) -> Result<Vec<ActivePair>, InfraError> {
    query!(
        db,
        "SELECT employer_id, contact_id FROM authorizations
             WHERE status = 'active' AND employer_id IN (SELECT value FROM json_each(?1))
               AND contact_id IN (SELECT value FROM json_each(?2))",
        json_array(employer_ids),
        json_array(contact_ids)
    )
    .rows("Failed to look up the active authorizations of a migration batch")
    .await
}

// --- Writing a batch ----------------------------------------------------------------------------

/// Migrated authorizations: origin 'migrated', awaiting the employer's review (`confirmed_at`
/// NULL), 'ended' when their end date is past. The employer's name and number are copied.
pub fn insert_authorizations(
    db: &Db,
    authorizations: &[NewAuthorization],
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows: Vec<Value> = authorizations
        .iter()
        .map(|a| {
            let ends_at = a.ends_on.map(Day::end);
            json!([
                a.id,
                a.employer.id,
                a.contact_id,
                a.firm_id,
                a.services.bits(),
                a.level.as_str(),
                a.starts_on.start(),
                ends_at,
                if a.ended { "ended" } else { "active" },
                a.legacy_id,
                a.employer.name,
                name_key(&a.employer.name),
                a.employer.file_number,
                if a.ended { ends_at } else { None }
            ])
        })
        .collect();
    query!(
        db,
        "INSERT INTO authorizations (id, employer_id, contact_id, firm_id, services, level, starts_at, ends_at,
           origin, status, legacy_id, employer_name, name_key, file_number, created_at, updated_at, ended_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
           'migrated', value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, ?2, ?2, value ->> 13
         FROM json_each(?1)",
        crate::json::text(&Value::from(rows)),
        now
    )
    .context("Failed to prepare the migrated authorizations")
}

/// The ledger of migrated relations: legacy id, authorization and the record's fingerprint.
pub fn record_migrated(
    db: &Db,
    authorizations: &[NewAuthorization],
    run_id: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows: Vec<Value> = authorizations
        .iter()
        .map(|a| json!([a.legacy_id, a.id, a.fingerprint, a.line]))
        .collect();
    query!(
        db,
        "INSERT INTO migrated_relations (legacy_id, authorization_id, fingerprint, line, run_id, migrated_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, ?2, ?3 FROM json_each(?1)",
        crate::json::text(&Value::from(rows)),
        run_id,
        now
    )
    .context("Failed to prepare the ledger of migrated relations")
}

/// One `authorization.migrated` domain event per migrated authorization, in line order, whose
/// payload is `{authorization, details}` like the employer's changes (built from the stored rows).
pub fn append_migrated_events(
    db: &Db,
    authorizations: &[NewAuthorization],
    run_id: Option<&str>,
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows: Vec<Value> = authorizations
        .iter()
        .map(|a| {
            json!([
                random_id(),
                a.id,
                a.services.codes(),
                a.starts_on.to_iso(),
                a.ends_on.map(Day::to_iso)
            ])
        })
        .collect();
    query!(
        db,
        "INSERT INTO domain_events (id, type, at, employer_id, firm_id, payload)
         SELECT j.value ->> 0, 'authorization.migrated', ?2, a.employer_id, a.firm_id, json_object(
           'authorization', json_object('id', a.id,
             'employer', json_object('id', a.employer_id, 'name', a.employer_name, 'file_number', a.file_number),
             'contact', json_object('id', c.id, 'first_name', c.first_name, 'last_name', c.last_name, 'email', c.email),
             'firm', json_object('id', f.id, 'name', f.name, 'file_number', f.file_number),
             'services', json(j.value -> 2), 'level', a.level, 'starts_on', j.value ->> 3, 'ends_on', j.value ->> 4,
             'starts_at', a.starts_at, 'ends_at', a.ends_at, 'origin', a.origin, 'status', a.status,
             'review', 'pending', 'created_at', a.created_at, 'updated_at', a.updated_at, 'revoked_at', a.revoked_at),
           'details', json_object('legacy_id', a.legacy_id, 'run_id', ?3))
         FROM json_each(?1) j JOIN authorizations a ON a.id = j.value ->> 1
           JOIN contacts c ON c.id = a.contact_id JOIN organisations f ON f.id = a.firm_id
         ORDER BY j.key",
        crate::json::text(&Value::from(rows)),
        now,
        run_id
    )
    .context("Failed to prepare the domain events of migrated authorizations")
}

/// An audit event of the migration (no acting user: the operator).
pub struct MigrationAudit<'a> {
    pub action: &'static str,
    pub organisation_id: &'a str,
    pub contact_id: Option<&'a str>,
    pub counterpart_organisation_id: Option<&'a str>,
    /// The details, as JSON text.
    pub details: String,
}

pub fn append_audit_events(
    db: &Db,
    events: &[MigrationAudit],
    ip: Option<&str>,
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            json!([
                random_id(),
                e.action,
                e.organisation_id,
                e.contact_id,
                e.counterpart_organisation_id,
                e.details
            ])
        })
        .collect();
    query!(
        db,
        "INSERT INTO audit_events (id, at, action, organisation_id, contact_id, counterpart_organisation_id, ip, details)
         SELECT value ->> 0, ?2, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ?3, value ->> 5
         FROM json_each(?1) ORDER BY key",
        crate::json::text(&Value::from(rows)),
        now,
        ip
    )
    .context("Failed to prepare the audit events of a migration batch")
}

/// Marks resolved the open refusals of relations that this batch migrated.
pub fn resolve_refusals(
    db: &Db,
    legacy_ids: &[&str],
    run_id: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE unmigrated_relations SET resolved_at = ?3, resolved_run_id = ?2
         WHERE resolved_at IS NULL AND legacy_id IN (SELECT value FROM json_each(?1))",
        json_array(legacy_ids),
        run_id,
        now
    )
    .context("Failed to prepare resolving refused relations")
}

/// Records refused relations: a record refused before (same fingerprint, still open) gets this
/// run, line and reason instead of a second row.
pub fn record_refusals(
    db: &Db,
    refused: &[RefusedRelation],
    run_id: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows: Vec<Value> = refused
        .iter()
        .map(|r| {
            json!([
                random_id(),
                r.relation.legacy_id,
                r.relation.fingerprint,
                r.reason.as_str(),
                r.relation.text,
                r.line
            ])
        })
        .collect();
    query!(
        db,
        "INSERT INTO unmigrated_relations (id, legacy_id, fingerprint, reason, record, line, run_id, first_run_id, created_at, updated_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, ?2, ?2, ?3, ?3
         FROM json_each(?1) WHERE true
         ON CONFLICT (fingerprint) WHERE resolved_at IS NULL DO UPDATE SET
           reason = excluded.reason, line = excluded.line, run_id = excluded.run_id, updated_at = excluded.updated_at",
        crate::json::text(&Value::from(rows)),
        run_id,
        now
    )
    .context("Failed to prepare recording refused relations")
}

pub fn touch_run(db: &Db, run_id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO migration_runs (id, started_at, updated_at) VALUES (?1, ?2, ?2)
         ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at",
        run_id,
        now
    )
    .context("Failed to prepare recording a migration run")
}

/// One count of a batch's outcomes: kind, outcome, reason ('' unless rejected), number.
pub type OutcomeCount = (&'static str, &'static str, &'static str, usize);

/// Counts a batch's outcomes once: the same batch sent again adds nothing.
pub fn count_outcomes(
    db: &Db,
    run_id: &str,
    first_line: u64,
    counts: &[OutcomeCount],
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO migration_outcomes (run_id, first_line, kind, outcome, reason, count)
         SELECT ?1, ?2, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?3) WHERE true
         ON CONFLICT DO NOTHING",
        run_id,
        first_line,
        json_array(counts)
    )
    .context("Failed to prepare counting a migration batch")
}

// --- Reports -------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
pub struct RunRow {
    pub id: String,
    pub started_at: Millis,
    pub updated_at: Millis,
}

pub async fn find_run(db: &Db, run_id: &str) -> Result<Option<RunRow>, InfraError> {
    query!(
        db,
        "SELECT id, started_at, updated_at FROM migration_runs WHERE id = ?1",
        run_id
    )
    .row("Failed to look up a migration run")
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct OutcomeTotal {
    pub kind: String,
    pub outcome: String,
    pub reason: String,
    pub count: i64,
}

pub async fn run_totals(db: &Db, run_id: &str) -> Result<Vec<OutcomeTotal>, InfraError> {
    query!(
        db,
        "SELECT kind, outcome, reason, SUM(count) AS count FROM migration_outcomes
             WHERE run_id = ?1 GROUP BY kind, outcome, reason ORDER BY kind, outcome, reason",
        run_id
    )
    .rows("Failed to total a migration run")
    .await
}

#[derive(Debug, Clone, Deserialize)]
pub struct RefusalRow {
    pub id: String,
    pub legacy_id: Option<String>,
    pub reason: String,
    pub record: String,
    pub line: u64,
    pub run_id: String,
    pub first_run_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub resolved_at: Option<Millis>,
    pub resolved_run_id: Option<String>,
}

/// One page of the refused relations, oldest first, optionally of one reason; `resolved`
/// `Some(false)` keeps the open ones, `Some(true)` the resolved ones, `None` both.
pub async fn page_refusals(
    db: &Db,
    reason: Option<&str>,
    resolved: Option<bool>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<RefusalRow>, i64), InfraError> {
    let filter = "(?1 IS NULL OR reason = ?1) AND (?2 IS NULL OR (resolved_at IS NOT NULL) = ?2)";
    let items = query!(
            db,
            &format!(
                "SELECT id, legacy_id, reason, record, line, run_id, first_run_id, created_at, updated_at,
                        resolved_at, resolved_run_id
                 FROM unmigrated_relations WHERE {filter} ORDER BY created_at, line, id LIMIT ?3 OFFSET ?4"
            ),
            reason,
            resolved.map(i64::from),
            limit,
            offset
        )
.rows("Failed to list the unmigrated relations")
    .await?;
    let total: Option<i64> = query!(
        db,
        &format!("SELECT COUNT(*) AS n FROM unmigrated_relations WHERE {filter}"),
        reason,
        resolved.map(i64::from)
    )
    .value("n", "Failed to count the unmigrated relations")
    .await?;
    Ok((items, total.unwrap_or(0)))
}
