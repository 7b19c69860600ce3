use crate::domain::organisation::{ContactStatus, OrganisationKind, Role};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};
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

pub const SELECT: &str = "SELECT c.id, c.organisation_id, c.first_name, c.last_name, c.email, c.role, c.status,
       c.user_id, u.email AS user_email, u.locale AS user_locale, c.linked_at, c.revoked_at, c.last_activity_at, c.created_at,
       lc.identifier AS credential_identifier, lc.sent_at AS credential_sent_at,
       lc.expires_at AS credential_expires_at, lc.attempts AS credential_attempts,
       lc.used_at AS credential_used_at, lc.locked_at AS credential_locked_at, c.manages_authorizations, c.version,
       EXISTS (SELECT 1 FROM totp_factors t WHERE t.user_id = c.user_id AND t.confirmed_at IS NOT NULL) AS has_factor
  FROM contacts c
  LEFT JOIN users u ON u.id = c.user_id
  LEFT JOIN link_credentials lc ON lc.id = (
    SELECT id FROM link_credentials WHERE contact_id = c.id AND superseded_at IS NULL ORDER BY created_at DESC LIMIT 1)";

pub struct NewContact<'a> {
    pub id: &'a str,
    pub organisation_id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    pub role: Role,
}

/// Names and email, folded: what the inventory's search matches.
fn search_text(contact: &NewContact) -> String {
    crate::domain::fold_for_search(&format!(
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
        serde_json::Value::from(rows).to_string(),
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
        &format!("{SELECT} WHERE c.organisation_id = ?1 AND c.id = ?2"),
        organisation_id,
        id
    )
    .context("Failed to prepare the contact lookup")?
    .first(None)
    .await
    .context("Failed to look up a contact")
}

pub async fn find_by_email_in(
    db: &Db,
    organisation_id: &str,
    email: &str,
) -> Result<Option<ContactRow>, InfraError> {
    query!(
        db,
        &format!("{SELECT} WHERE c.organisation_id = ?1 AND c.email = ?2"),
        organisation_id,
        email
    )
    .context("Failed to prepare the contact lookup by email")?
    .first(None)
    .await
    .context("Failed to look up a contact by email")
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
            "{SELECT} WHERE c.organisation_id = ?1 AND c.user_id = ?2 AND c.status = 'linked'"
        ),
        organisation_id,
        user_id
    )
    .context("Failed to prepare the linked contact lookup")?
    .first(None)
    .await
    .context("Failed to look up a linked contact")
}

pub struct ContactPage {
    pub items: Vec<ContactRow>,
    pub total: i64,
}

/// One page of an organisation's contacts, optionally filtered by a folded search text and a status.
pub async fn page(
    db: &Db,
    organisation_id: &str,
    search: Option<&str>,
    status: Option<ContactStatus>,
    limit: i64,
    offset: i64,
) -> Result<ContactPage, InfraError> {
    let pattern = search.map(|q| format!("%{}%", super::escape_like(q)));
    let filter = "c.organisation_id = ?1 AND (?2 IS NULL OR c.search_text LIKE ?2 ESCAPE '\\') AND (?3 IS NULL OR c.status = ?3)";
    let items = query!(
        db,
        &format!(
            "{SELECT} WHERE {filter} ORDER BY c.last_name, c.first_name, c.id LIMIT ?4 OFFSET ?5"
        ),
        organisation_id,
        pattern,
        status,
        limit,
        offset
    )
    .context("Failed to prepare the contact listing")?
    .all()
    .await
    .context("Failed to list contacts")?
    .results()
    .context("Failed to read contacts")?;
    let total: Option<i64> = query!(
        db,
        &format!("SELECT COUNT(*) AS total FROM contacts c WHERE {filter}"),
        organisation_id,
        pattern,
        status
    )
    .context("Failed to prepare the contact count")?
    .first(Some("total"))
    .await
    .context("Failed to count contacts")?;
    Ok(ContactPage {
        items,
        total: total.unwrap_or(0),
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
    .context("Failed to prepare counting contacts without a second factor")?
    .first(Some("n"))
    .await
    .context("Failed to count contacts without a second factor")?;
    Ok(count.unwrap_or(0))
}

pub async fn count_active_responsables(db: &Db, organisation_id: &str) -> Result<i64, InfraError> {
    let count: Option<i64> = query!(
        db,
        "SELECT COUNT(*) AS n FROM contacts WHERE organisation_id = ?1 AND role = 'responsable' AND status != 'revoked'",
        organisation_id
    )
    .context("Failed to prepare counting responsables")?
    .first(Some("n"))
    .await
    .context("Failed to count responsables")?;
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
            "{SELECT} WHERE c.organisation_id = ?1 AND c.status = 'linked'
               AND (c.role = 'responsable' OR c.manages_authorizations = 1) ORDER BY c.created_at LIMIT 20"
        ),
        organisation_id
    )
    .context("Failed to prepare listing authorization administrators")?
    .all()
    .await
    .context("Failed to list authorization administrators")?
    .results()
    .context("Failed to read authorization administrators")
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
    .context("Failed to prepare the profile listing")?
    .all()
    .await
    .context("Failed to list profiles")?
    .results()
    .context("Failed to read profiles")
}
