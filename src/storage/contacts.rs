use super::{first_count, through_keys, unexpected_batch, DynamicQuery};
use crate::domain::organisation::{ContactStatus, OrganisationKind, Role};
use crate::domain::search;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

/// A contact with what the inventory shows: its linked account and its latest credentials.
#[derive(Debug, Clone, Deserialize)]
pub struct ContactRow {
    pub id: String,
    pub organisation_id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: Role,
    pub status: ContactStatus,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    /// The language of the linked account, for the emails the contact receives.
    pub user_locale: Option<String>,
    pub linked_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
    pub last_activity_at: Option<Millis>,
    pub created_at: Millis,
    pub credential_identifier: Option<String>,
    pub credential_sent_at: Option<Millis>,
    pub credential_expires_at: Option<Millis>,
    pub credential_attempts: Option<i64>,
    pub credential_used_at: Option<Millis>,
    pub credential_locked_at: Option<Millis>,
    pub manages_authorizations: i64,
    /// Sync cursor: see `sync_counter` in schema.sql.
    pub version: i64,
    /// 1 when the linked account has a confirmed second factor (never which one, nor its secret).
    #[serde(default)]
    pub has_factor: i64,
}

impl ContactRow {
    /// The language to write to this contact in: their account's, French by default.
    pub fn locale(&self) -> crate::domain::locale::Locale {
        self.user_locale
            .as_deref()
            .and_then(crate::domain::locale::Locale::parse)
            .unwrap_or_default()
    }
}

const COLUMNS: &str = "c.id, c.organisation_id, c.first_name, c.last_name, c.email, c.role, c.status,
       c.user_id, u.email AS user_email, u.locale AS user_locale, c.linked_at, c.revoked_at, c.last_activity_at, c.created_at,
       lc.identifier AS credential_identifier, lc.sent_at AS credential_sent_at,
       lc.expires_at AS credential_expires_at, lc.attempts AS credential_attempts,
       lc.used_at AS credential_used_at, lc.locked_at AS credential_locked_at, c.manages_authorizations, c.version,
       EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = c.user_id AND t.confirmed_at IS NOT NULL) AS has_factor";

const JOINS: &str = "LEFT JOIN users u ON u.id = c.user_id
  LEFT JOIN link_credentials lc ON lc.id = (
    SELECT id FROM link_credentials WHERE contact_id = c.id AND superseded_at IS NULL ORDER BY created_at DESC LIMIT 1)";

/// The contacts of `from` (which names them `c`) with their account and latest credentials.
pub fn select(from: &str) -> String {
    format!("SELECT {COLUMNS} FROM {from} {JOINS}")
}

pub struct NewContact<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub role: Role,
}

/// Names and email as folded words (see `name_key`): what the inventory's and the employer's
/// searches match, and what `contact_keys` and `employer_authorization_keys` split into keys.
fn search_text(contact: &NewContact) -> String {
    crate::domain::authorization::name_key(&format!(
        "{} {} {}",
        contact.first_name, contact.last_name, contact.email
    ))
}

pub fn insert(db: &Db, contact: &NewContact, now: Millis) -> Result<Statement, InfraError> {
    insert_many(db, std::slice::from_ref(contact), now)
}

/// Inserts many contacts (status invited) in one statement, the rows as one JSON array.
pub fn insert_many(db: &Db, contacts: &[NewContact], now: Millis) -> Result<Statement, InfraError> {
    let rows: Vec<serde_json::Value> = contacts
        .iter()
        .map(|c| {
            crate::json!([
                c.id,
                c.organisation_id,
                c.first_name,
                c.last_name,
                c.email,
                search_text(c),
                c.role
            ])
        })
        .collect();
    query!(
        db,
        "INSERT INTO contacts (id, organisation_id, first_name, last_name, email, search_text, role, created_at)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, ?2
         FROM json_each(?1)",
        crate::json::text(&serde_json::Value::from(rows)),
        now
    )
    .context("Failed to prepare the creation of contacts")
}

/// A contact of one organisation: another organisation's id finds nothing.
pub async fn find_in(
    db: &Db,
    organisation_id: &str,
    id: &str,
) -> Result<Option<ContactRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE c.organisation_id = ?1 AND c.id = ?2",
            select("contacts c")
        ),
        organisation_id,
        id
    )
    .row("Failed to look up a contact")
    .await
}

pub async fn find_by_email_in(
    db: &Db,
    organisation_id: &str,
    email: &str,
) -> Result<Option<ContactRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE c.organisation_id = ?1 AND c.email = ?2",
            select("contacts c")
        ),
        organisation_id,
        email
    )
    .row("Failed to look up a contact by email")
    .await
}

/// The contact of an organisation currently linked to a user, if any (a revoked one is not).
pub async fn linked_contact_of_user_in(
    db: &Db,
    organisation_id: &str,
    user_id: &str,
) -> Result<Option<ContactRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE c.organisation_id = ?1 AND c.user_id = ?2 AND c.status = 'linked'",
            select("contacts c")
        ),
        organisation_id,
        user_id
    )
    .row("Failed to look up a linked contact")
    .await
}

pub struct ContactPage {
    pub items: Vec<ContactRow>,
    pub total: i64,
}

/// What the inventory is narrowed to.
pub struct ContactFilter<'a> {
    pub organisation_id: &'a str,
    /// Folded search words (see `search_words`), each the start of a word of the names or email;
    /// a search without any word (punctuation alone) matches nothing.
    pub words: Option<&'a [String]>,
    pub status: Option<ContactStatus>,
}

impl ContactFilter<'_> {
    /// The range of `contact_keys` that reads the list in name order, if any: a search word's,
    /// else the status's; and whether its kept count is the total.
    fn key(&self) -> Option<(String, bool)> {
        let words = self.words.unwrap_or_default();
        if let Some(word) = search::keyed_word(words) {
            let term = search::key_of(word);
            let exact = term == word && words.len() == 1 && self.status.is_none();
            return Some((term, exact));
        }
        self.status
            .map(|status| (format!("={}", status.as_str()), words.is_empty()))
    }

    /// The FROM clause (through the key's range when there is one) and the WHERE clause.
    fn sql(&self, key: Option<&str>, q: &mut DynamicQuery) -> (String, String) {
        let organisation = q.text(self.organisation_id);
        let source = match key {
            Some(term) => through_keys(
                "contact_keys",
                ("organisation_id", &organisation),
                &q.text(term),
                "contacts c",
                ("contact_id", "c.id"),
            ),
            None => "contacts c".to_owned(),
        };
        let mut conditions = vec![format!("c.organisation_id = {organisation}")];
        if let Some(status) = self.status {
            conditions.push(format!("c.status = {}", q.text(status.as_str())));
        }
        for word in self.words.unwrap_or_default() {
            let pattern = q.text(&format!("% {}%", super::escape_like(word)));
            conditions.push(format!("c.search_text LIKE {pattern} ESCAPE '\\'"));
        }
        (source, conditions.join(" AND "))
    }
}

/// One page of an organisation's contacts in name order and how many match, in one D1 round
/// trip. A search word or a status reads its range of `contact_keys` as far as the page; the
/// total is one kept count when one answers the filter (one word, a status, or nothing: the sum of
/// the three statuses), else the matching rows are counted.
pub async fn page(
    db: &Db,
    filter: &ContactFilter<'_>,
    limit: i64,
    offset: i64,
) -> Result<ContactPage, InfraError> {
    if filter.words.is_some_and(<[String]>::is_empty) {
        return Ok(ContactPage {
            items: Vec::new(),
            total: 0,
        });
    }
    let key = filter.key();
    let term = key.as_ref().map(|(term, _)| term.as_str());
    let mut q = DynamicQuery::default();
    let (source, conditions) = filter.sql(term, &mut q);
    let order = match term {
        Some(_) => "t.last_name, t.first_name, t.contact_id",
        None => "c.last_name, c.first_name, c.id",
    };
    let (limit, offset) = (q.number(limit), q.number(offset));
    let items = q.prepare(
        db,
        &format!(
            "{} WHERE {conditions} ORDER BY {order} LIMIT {limit} OFFSET {offset}",
            select(&source)
        ),
    )?;
    let count = match (&key, filter.words) {
        (Some((term, true)), _) => query!(
            db,
            "SELECT n FROM contact_key_counts WHERE organisation_id = ?1 AND term = ?2",
            filter.organisation_id,
            term
        )
        .context("Failed to prepare the contact count")?,
        (None, None) => query!(
            db,
            "SELECT COALESCE(SUM(n), 0) AS n FROM contact_key_counts
              WHERE organisation_id = ?1 AND term IN ('=invited', '=linked', '=revoked')",
            filter.organisation_id
        )
        .context("Failed to prepare the contact count")?,
        _ => {
            let mut q = DynamicQuery::default();
            let (source, conditions) = filter.sql(term, &mut q);
            q.prepare(
                db,
                &format!("SELECT COUNT(*) AS n FROM {source} WHERE {conditions}"),
            )?
        }
    };
    let results = db
        .batch(vec![items, count])
        .await
        .context("Failed to list contacts")?;
    let [items, count] = results.as_slice() else {
        return Err(unexpected_batch("Failed to list contacts"));
    };
    Ok(ContactPage {
        items: items.results().context("Failed to read contacts")?,
        total: first_count(count)?,
    })
}

/// How many linked contacts of the organisation have no confirmed second factor.
pub async fn count_linked_without_factor(
    db: &Db,
    organisation_id: &str,
) -> Result<i64, InfraError> {
    let count: Option<i64> = query!(
        db,
        "SELECT COUNT(*) AS n FROM contacts c WHERE c.organisation_id = ?1 AND c.status = 'linked'
           AND NOT EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = c.user_id AND t.confirmed_at IS NOT NULL)",
        organisation_id
    )
    .value("n", "Failed to count contacts without a second factor")
.await?;
    Ok(count.unwrap_or(0))
}

pub async fn count_active_responsables(db: &Db, organisation_id: &str) -> Result<i64, InfraError> {
    let count: Option<i64> = query!(
        db,
        "SELECT COUNT(*) AS n FROM contacts WHERE organisation_id = ?1 AND role = 'responsable' AND status != 'revoked'",
        organisation_id
    )
    .value("n", "Failed to count responsables")
.await?;
    Ok(count.unwrap_or(0))
}

/// Changes a role, unless that would leave the organisation without an active responsable (checked
/// in the same statement, so two concurrent demotions cannot both succeed).
pub fn set_role(
    db: &Db,
    organisation_id: &str,
    id: &str,
    role: &str,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE contacts SET role = ?3 WHERE organisation_id = ?1 AND id = ?2
           AND (?3 = 'responsable' OR role != 'responsable' OR status = 'revoked' OR
                (SELECT COUNT(*) FROM contacts WHERE organisation_id = ?1 AND role = 'responsable' AND status != 'revoked') > 1)",
        organisation_id,
        id,
        role
    )
    .context("Failed to prepare a role change")
}

/// Makes a contact an administrator of the organisation's authorizations, or no longer one.
pub fn set_manages_authorizations(
    db: &Db,
    organisation_id: &str,
    id: &str,
    manages: bool,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE contacts SET manages_authorizations = ?3 WHERE organisation_id = ?1 AND id = ?2",
        organisation_id,
        id,
        i64::from(manages)
    )
    .context("Failed to prepare changing who manages authorizations")
}

/// Revokes a contact, with the same guard for the last responsable.
pub fn revoke(
    db: &Db,
    organisation_id: &str,
    id: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE contacts SET status = 'revoked', revoked_at = ?3 WHERE organisation_id = ?1 AND id = ?2 AND status != 'revoked'
           AND (role != 'responsable' OR
                (SELECT COUNT(*) FROM contacts WHERE organisation_id = ?1 AND role = 'responsable' AND status != 'revoked') > 1)",
        organisation_id,
        id,
        now
    )
    .context("Failed to prepare revoking a contact")
}

/// Links a user to a contact, provided this request used the credentials (nonce) or the contact
/// is the target of a verified legacy login (`nonce` NULL), and the contact is not revoked.
pub fn link_user_if_credentials_used_by(
    db: &Db,
    contact_id: &str,
    user_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE contacts SET user_id = ?2, status = 'linked', linked_at = ?4, last_activity_at = ?4
         WHERE id = ?1 AND status = 'invited'
           AND EXISTS (SELECT 1 FROM link_credentials WHERE contact_id = ?1 AND used_by = ?3)",
        contact_id,
        user_id,
        nonce,
        now
    )
    .context("Failed to prepare linking a contact")
}

pub fn link_user(
    db: &Db,
    contact_id: &str,
    user_id: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE contacts SET user_id = ?2, status = 'linked', linked_at = ?3, last_activity_at = ?3
         WHERE id = ?1 AND status = 'invited'",
        contact_id,
        user_id,
        now
    )
    .context("Failed to prepare linking a contact")
}

pub fn touch(db: &Db, id: &str, now: Millis) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE contacts SET last_activity_at = ?2 WHERE id = ?1",
        id,
        now
    )
    .context("Failed to prepare recording contact activity")
}

/// The linked contacts who manage an employer's authorizations: its responsables and the
/// contacts they designated.
pub async fn authorization_administrators(
    db: &Db,
    organisation_id: &str,
) -> Result<Vec<ContactRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE c.organisation_id = ?1 AND c.status = 'linked'
               AND (c.role = 'responsable' OR c.manages_authorizations = 1) ORDER BY c.created_at LIMIT 20",
            select("contacts c")
        ),
        organisation_id
    )
    .rows("Failed to list authorization administrators")
.await
}

/// The organisation profiles of a user: one per linked contact.
#[derive(Debug, Clone, Deserialize)]
pub struct ProfileRow {
    pub contact_id: String,
    pub role: Role,
    pub organisation_id: String,
    pub organisation_name: String,
    pub organisation_kind: OrganisationKind,
    pub file_number: String,
    pub manages_authorizations: i64,
    /// 1 when the organisation requires a second factor of every contact.
    pub mfa_for_all_contacts: i64,
}

pub const PROFILE_COLUMNS: &str =
    "c.id AS contact_id, c.role, o.id AS organisation_id, o.name AS organisation_name,
       o.kind AS organisation_kind, o.file_number, c.manages_authorizations, o.mfa_for_all_contacts";

pub async fn profiles_of(db: &Db, user_id: &str) -> Result<Vec<ProfileRow>, InfraError> {
    query!(
        db,
        &format!(
            "SELECT {PROFILE_COLUMNS} FROM contacts c JOIN organisations o ON o.id = c.organisation_id
             WHERE c.user_id = ?1 AND c.status = 'linked' ORDER BY o.name, o.file_number"
        ),
        user_id
    )
    .rows("Failed to list profiles")
.await
}
