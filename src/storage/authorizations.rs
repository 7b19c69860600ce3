//! The employer's side of `authorizations`: every query is scoped to one employer, so another
//! employer's ids find nothing.

use super::{first_count, through_keys, unexpected_batch, DynamicQuery};
use crate::domain::authorization::{AuthorizationStatus, Level, Origin};
use crate::domain::search;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// An authorization with the contact and firm it names.
#[derive(Debug, Clone, Deserialize)]
pub struct AuthorizationRow {
    pub id: String,
    pub employer_id: String,
    pub employer_name: String,
    pub file_number: String,
    pub contact_id: String,
    pub contact_first_name: String,
    pub contact_last_name: String,
    pub contact_email: String,
    pub firm_id: String,
    pub firm_name: String,
    pub firm_file_number: String,
    pub services: i64,
    pub level: Level,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    pub origin: Origin,
    pub status: AuthorizationStatus,
    pub confirmed_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub revoked_at: Option<Millis>,
    /// Sync cursor: see `sync_counter` in schema.sql.
    pub version: i64,
}

/// The contact and firm an authorization `a` names.
macro_rules! contact_and_firm {
    () => {
        "JOIN contacts c ON c.id = a.contact_id JOIN organisations f ON f.id = a.firm_id"
    };
}

pub const SELECT: &str = concat!(
    "SELECT a.id, a.employer_id, a.employer_name, a.file_number, a.contact_id,
       c.first_name AS contact_first_name, c.last_name AS contact_last_name, c.email AS contact_email,
       a.firm_id, f.name AS firm_name, f.file_number AS firm_file_number, a.services, a.level,
       a.starts_at, a.ends_at, a.origin, a.status, a.confirmed_at, a.created_at, a.updated_at, a.revoked_at, a.version
  FROM authorizations a ",
    contact_and_firm!()
);

pub struct NewAuthorization<'a> {
    pub id: &'a str,
    pub employer_id: &'a str,
    pub employer_name: &'a str,
    pub employer_file_number: &'a str,
    pub contact_id: &'a str,
    pub firm_id: &'a str,
    pub services: i64,
    pub level: Level,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    pub granted_by: &'a str,
}

/// Grants, unless an active authorization of this employer for this contact exists (the unique
/// index makes the second of two concurrent grants change nothing).
pub fn insert_granted(
    db: &Db,
    new: &NewAuthorization,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "INSERT INTO authorizations (id, employer_id, contact_id, firm_id, services, level, starts_at, ends_at,
                                     origin, employer_name, name_key, file_number, granted_by, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'granted', ?9, ?10, ?11, ?12, ?13, ?13)
         ON CONFLICT DO NOTHING",
        new.id,
        new.employer_id,
        new.contact_id,
        new.firm_id,
        new.services,
        new.level,
        new.starts_at,
        new.ends_at,
        new.employer_name,
        crate::domain::authorization::name_key(new.employer_name),
        new.employer_file_number,
        new.granted_by,
        now
    )
    .context("Failed to prepare granting an authorization")
}

pub async fn find_for_employer(
    db: &Db,
    employer_id: &str,
    id: &str,
) -> Result<Option<AuthorizationRow>, InfraError> {
    query!(
        db,
        &format!("{SELECT} WHERE a.employer_id = ?1 AND a.id = ?2"),
        employer_id,
        id
    )
    .row("Failed to look up an authorization")
    .await
}

/// The active authorization of an employer for a contact, if any (ended ones included until the
/// lifecycle job records them).
pub async fn find_active(
    db: &Db,
    employer_id: &str,
    contact_id: &str,
) -> Result<Option<AuthorizationRow>, InfraError> {
    query!(
        db,
        &format!("{SELECT} WHERE a.employer_id = ?1 AND a.contact_id = ?2 AND a.status = 'active'"),
        employer_id,
        contact_id
    )
    .row("Failed to look up an active authorization")
    .await
}

/// What the employer's list is narrowed to.
pub struct EmployerFilter<'a> {
    /// `active`, `ended`, `revoked`, or `None` for all; `ended` includes active rows past their end.
    pub status: Option<AuthorizationStatus>,
    pub origin: Option<Origin>,
    /// Only migrated relations the employer has not reviewed yet.
    pub to_review: bool,
    /// Folded search words (see `search_words`), each the start of a word of the contact's names
    /// or email or of the firm's name, or digits of the firm's number; a search without any word
    /// (punctuation alone) matches nothing.
    pub words: Option<&'a [String]>,
}

/// How the employer's list is counted: from kept counts of `employer_authorization_keys` when
/// they answer the filter (their sum, plus or minus the active rows whose end has passed but that
/// the lifecycle job has not ended yet), else by counting the matching rows.
enum Counting {
    Kept { terms: Vec<String>, lapsed: i64 },
    Matching,
}

impl EmployerFilter<'_> {
    fn words(&self) -> &[String] {
        self.words.unwrap_or_default()
    }

    fn narrows_beyond_status(&self) -> bool {
        self.words.is_some() || self.origin.is_some() || self.to_review
    }

    /// The range of `employer_authorization_keys` that reads the list newest first, if any: a
    /// search word's, else the stored status that the status filter reads.
    fn key(&self) -> Option<String> {
        if let Some(word) = search::keyed_word(self.words()) {
            return Some(search::key_of(word));
        }
        match self.status {
            Some(AuthorizationStatus::Active) => Some("=active".to_owned()),
            Some(AuthorizationStatus::Revoked) => Some("=revoked".to_owned()),
            _ => None,
        }
    }

    fn counting(&self) -> Counting {
        let kept = |terms: &[&str], lapsed| Counting::Kept {
            terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            lapsed,
        };
        if !self.narrows_beyond_status() {
            return match self.status {
                None => kept(&["=active", "=ended", "=revoked"], 0),
                Some(AuthorizationStatus::Active) => kept(&["=active"], -1),
                Some(AuthorizationStatus::Ended) => kept(&["=ended"], 1),
                Some(AuthorizationStatus::Revoked) => kept(&["=revoked"], 0),
            };
        }
        match (self.words(), self.status, self.origin, self.to_review) {
            ([word], None, None, false) if search::keyed_word(self.words()).is_some() => {
                let term = search::key_of(word);
                if term == *word {
                    Counting::Kept {
                        terms: vec![term],
                        lapsed: 0,
                    }
                } else {
                    Counting::Matching
                }
            }
            _ => Counting::Matching,
        }
    }

    /// The FROM clause (through the key's range when there is one) and the WHERE clause.
    fn sql(
        &self,
        employer_id: &str,
        key: Option<&str>,
        now: Millis,
        q: &mut DynamicQuery,
    ) -> (String, String) {
        let employer = q.text(employer_id);
        let source = match key {
            Some(term) => through_keys(
                "employer_authorization_keys",
                ("employer_id", &employer),
                &q.text(term),
                "authorizations a",
                ("authorization_id", "a.id"),
            ),
            None => "authorizations a".to_owned(),
        };
        let mut conditions = vec![format!("a.employer_id = {employer}")];
        // Only the status and review filters read `now`: D1 refuses a value bound to no placeholder.
        let effective = if self.status.is_some() || self.to_review {
            let now_param = q.number(now);
            format!(
                "(CASE WHEN a.status = 'active' AND a.ends_at IS NOT NULL AND a.ends_at <= {now_param} THEN 'ended' ELSE a.status END)"
            )
        } else {
            String::new()
        };
        if let Some(status) = self.status {
            conditions.push(format!("{effective} = {}", q.text(status.as_str())));
        }
        if let Some(origin) = self.origin {
            conditions.push(format!("a.origin = {}", q.text(origin.as_str())));
        }
        if self.to_review {
            conditions.push(format!(
                "a.origin = 'migrated' AND a.confirmed_at IS NULL AND {effective} = 'active'"
            ));
        }
        for word in self.words() {
            let in_words = q.text(&format!("% {}%", super::escape_like(word)));
            let words = format!("(c.search_text || f.name_search) LIKE {in_words} ESCAPE '\\'");
            if search::is_number(word) {
                let in_number = q.text(&format!("%{word}%"));
                conditions.push(format!("({words} OR f.file_number LIKE {in_number})"));
            } else {
                conditions.push(words);
            }
        }
        (source, conditions.join(" AND "))
    }
}

/// One page of an employer's authorizations, newest first, and the total, in one D1 round trip.
/// A search word, or the active or revoked status alone, reads its range of
/// `employer_authorization_keys` as far as the page.
pub async fn page_for_employer(
    db: &Db,
    employer_id: &str,
    filter: &EmployerFilter<'_>,
    now: Millis,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuthorizationRow>, i64), InfraError> {
    if filter.words.is_some_and(<[String]>::is_empty) {
        return Ok((Vec::new(), 0));
    }
    let key = filter.key();
    let mut q = DynamicQuery::default();
    let (source, conditions) = filter.sql(employer_id, key.as_deref(), now, &mut q);
    let order = match key {
        Some(_) => "t.created_at DESC, t.authorization_id",
        None => "a.created_at DESC, a.id",
    };
    let (limit, offset) = (q.number(limit), q.number(offset));
    // The rows come with their contact and firm (SELECT joins them), reached through the key.
    let select = match key {
        Some(_) => SELECT.replacen("FROM authorizations a ", &format!("FROM {source} "), 1),
        None => SELECT.to_owned(),
    };
    let mut statements = vec![q.prepare(
        db,
        &format!("{select} WHERE {conditions} ORDER BY {order} LIMIT {limit} OFFSET {offset}"),
    )?];
    let counting = filter.counting();
    match &counting {
        Counting::Kept { terms, lapsed } => {
            statements.push(
                query!(
                    db,
                    "SELECT COALESCE(SUM(n), 0) AS n FROM employer_authorization_key_counts
                      WHERE employer_id = ?1 AND term IN (SELECT value FROM json_each(?2))",
                    employer_id,
                    crate::json::text(&serde_json::Value::from(terms.clone()))
                )
                .context("Failed to prepare counting an employer's authorizations")?,
            );
            if *lapsed != 0 {
                statements.push(
                    query!(
                        db,
                        "SELECT COUNT(*) AS n FROM authorizations INDEXED BY authorizations_ending
                          WHERE status = 'active' AND ends_at IS NOT NULL AND ends_at <= ?2 AND employer_id = ?1",
                        employer_id,
                        now
                    )
                    .context("Failed to prepare counting an employer's lapsed authorizations")?,
                );
            }
        }
        Counting::Matching => {
            let mut q = DynamicQuery::default();
            let (source, conditions) = filter.sql(employer_id, key.as_deref(), now, &mut q);
            // The contact and the firm are only read when the search needs them.
            let joins = if filter.words().is_empty() {
                ""
            } else {
                contact_and_firm!()
            };
            statements.push(q.prepare(
                db,
                &format!("SELECT COUNT(*) AS n FROM {source} {joins} WHERE {conditions}"),
            )?);
        }
    }
    let results = db
        .batch(statements)
        .await
        .context("Failed to list an employer's authorizations")?;
    let Some((page, counts)) = results.split_first() else {
        return Err(unexpected_batch(
            "Failed to list an employer's authorizations",
        ));
    };
    let counted = counts
        .iter()
        .map(first_count)
        .collect::<Result<Vec<i64>, InfraError>>()?;
    let total = match (&counting, counted.as_slice()) {
        (Counting::Kept { lapsed, .. }, [kept, lapsed_rows]) => kept + lapsed * lapsed_rows,
        (_, [n]) => *n,
        _ => {
            return Err(unexpected_batch(
                "Failed to count an employer's authorizations",
            ))
        }
    };
    let items = page
        .results()
        .context("Failed to read an employer's authorizations")?;
    Ok((items, total.max(0)))
}

/// Changes the services, level and end of an active authorization.
pub fn update(
    db: &Db,
    employer_id: &str,
    id: &str,
    services: i64,
    level: Level,
    ends_at: Option<Millis>,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE authorizations SET services = ?3, level = ?4, ends_at = ?5, updated_at = ?6
         WHERE employer_id = ?1 AND id = ?2 AND status = 'active' AND (ends_at IS NULL OR ends_at > ?6)",
        employer_id,
        id,
        services,
        level,
        ends_at,
        now
    )
    .context("Failed to prepare changing an authorization")
}

pub fn revoke(db: &Db, employer_id: &str, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE authorizations SET status = 'revoked', revoked_at = ?3, updated_at = ?3
         WHERE employer_id = ?1 AND id = ?2 AND status = 'active'",
        employer_id,
        id,
        now
    )
    .context("Failed to prepare revoking an authorization")
}

/// Confirms a migrated relation the employer has reviewed.
pub fn confirm(db: &Db, employer_id: &str, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE authorizations SET confirmed_at = ?3, updated_at = ?3
         WHERE employer_id = ?1 AND id = ?2 AND origin = 'migrated' AND confirmed_at IS NULL AND status = 'active'",
        employer_id,
        id,
        now
    )
    .context("Failed to prepare confirming a migrated relation")
}

/// The migrated relations an employer has yet to review: all of them, or those among `ids`.
pub async fn pending_review(
    db: &Db,
    employer_id: &str,
    ids: Option<&[String]>,
    now: Millis,
) -> Result<Vec<AuthorizationRow>, InfraError> {
    let ids_json = ids.map(|ids| crate::json::text(&serde_json::Value::from(ids.to_vec())));
    query!(
        db,
        &format!(
            "{SELECT} WHERE a.employer_id = ?1 AND a.origin = 'migrated' AND a.confirmed_at IS NULL
               AND a.status = 'active' AND (a.ends_at IS NULL OR a.ends_at > ?2)
               AND (?3 IS NULL OR a.id IN (SELECT value FROM json_each(?3)))
             ORDER BY a.created_at, a.id"
        ),
        employer_id,
        now,
        ids_json
    )
    .rows("Failed to list migrated relations to review")
    .await
}

/// Active authorizations whose end has passed, earliest end first: what the lifecycle job ends.
pub async fn lapsed(db: &Db, now: Millis, limit: i64) -> Result<Vec<AuthorizationRow>, InfraError> {
    query!(
        db,
        &format!(
            "{SELECT} WHERE a.status = 'active' AND a.ends_at IS NOT NULL AND a.ends_at <= ?1
             ORDER BY a.ends_at, a.id LIMIT ?2"
        ),
        now,
        limit
    )
    .rows("Failed to list lapsed authorizations")
    .await
}

/// Records one lapsed authorization as ended (the triggers update the contact's totals); changes
/// nothing if another run or a grant did it first.
pub fn end(db: &Db, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE authorizations SET status = 'ended', ended_at = ?2, updated_at = ?2
          WHERE id = ?1 AND status = 'active' AND ends_at IS NOT NULL AND ends_at <= ?2",
        id,
        now
    )
    .context("Failed to prepare ending an authorization")
}

/// When reminders are due: an authorization ending by `first_by` is due the first reminder
/// (`first_days` before its end), one ending by `last_by` the last one (`last_days`).
pub struct ReminderWindow {
    pub now: Millis,
    pub first_days: i64,
    pub first_by: Millis,
    pub last_days: i64,
    pub last_by: Millis,
}

/// Active authorizations, still running, that are due a reminder not sent yet for their current
/// end, earliest end first. A later reminder sent stands for an earlier one.
pub async fn due_for_reminder(
    db: &Db,
    window: &ReminderWindow,
    limit: i64,
) -> Result<Vec<AuthorizationRow>, InfraError> {
    query!(
        db,
        &format!(
            "{SELECT} WHERE a.status = 'active' AND a.ends_at IS NOT NULL AND a.ends_at > ?1 AND a.ends_at <= ?2
               AND NOT EXISTS (SELECT 1 FROM authorization_reminders r
                 WHERE r.authorization_id = a.id AND r.ends_at = a.ends_at
                   AND r.days_before <= CASE WHEN a.ends_at <= ?4 THEN ?5 ELSE ?3 END)
             ORDER BY a.ends_at, a.id LIMIT ?6"
        ),
        window.now,
        window.first_by,
        window.first_days,
        window.last_by,
        window.last_days,
        limit
    )
    .rows("Failed to list authorizations due a reminder")
.await
}
