//! "Mon organisation": the organisation of the active profile, its contacts and its audit trail.

use super::body::{form, json_object, Fields};
use super::csv;
use super::error::ApiError;
use super::error::ErrorCode;
use super::route::{route, Route};
use super::sessions::{require_actor, Organisation};
use super::{Call, Page, Reply};
use crate::domain::audit_trail::TrailCursor;
use crate::domain::email::Email;
use crate::domain::fields::{has_hidden_characters, Problem};
use crate::domain::linking::CredentialState;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::organisation::{ContactStatus, Role};
use crate::domain::search::fits_like_pattern;
use crate::domain::time::{iso_date, Day};
use crate::domain::Millis;
use crate::storage::audit::{AuditEntry, AuditFilter, TrailPage};
use crate::storage::contacts::ContactRow;
use crate::use_cases::members::{self, Invitation};
use serde::Serialize;
use serde_json::Value;

const MAX_PAGE_SIZE: i64 = 100;

/// The organisation of the active profile, and the contact's role in it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MyOrganisation<'a> {
    organisation: Organisation<'a>,
    role: Role,
}

/// The organisation's second-factor policy.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct SecurityPolicy {
    /// Every contact needs a second factor to act for the organisation, not only responsables and
    /// authorization administrators.
    mfa_for_all_contacts: bool,
    /// Linked contacts with no second factor yet: with the setting on, they are refused (403
    /// mfa_enrolment_required) until they set one up.
    #[cfg_attr(test, schemars(range(min = 0)))]
    linked_contacts_without_factor: i64,
}

impl SecurityPolicy {
    fn of(security: members::Security) -> SecurityPolicy {
        SecurityPolicy {
            mfa_for_all_contacts: security.mfa_for_all_contacts,
            linked_contacts_without_factor: security.linked_without_factor,
        }
    }
}

/// The account a contact is linked to.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct LinkedUser<'a> {
    id: &'a str,
    email: Option<&'a str>,
}

/// The contact's latest linking credentials: only `state` (`none`) when none were sent.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Credential<'a> {
    #[cfg_attr(test, schemars(extend("enum" = ["sent", "used", "expired", "locked", "none"])))]
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    identifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_at: Option<Millis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<Millis>,
}

impl<'a> Credential<'a> {
    /// The credential state of a contact's latest credentials, as the inventory shows it.
    fn of(contact: &'a ContactRow, now: Millis) -> Credential<'a> {
        match (
            &contact.credential_identifier,
            contact.credential_expires_at,
        ) {
            (Some(identifier), Some(expires_at)) => {
                let state = CredentialState {
                    expires_at,
                    wrong_attempts: contact.credential_attempts.unwrap_or(0),
                    used: contact.credential_used_at.is_some(),
                    locked: contact.credential_locked_at.is_some(),
                    superseded: false,
                };
                Credential {
                    state: state.label(now),
                    identifier: Some(identifier),
                    sent_at: contact.credential_sent_at,
                    expires_at: Some(expires_at),
                }
            }
            _ => Credential {
                state: "none",
                identifier: None,
                sent_at: None,
                expires_at: None,
            },
        }
    }
}

/// A contact of the organisation.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Contact<'a> {
    id: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    role: Role,
    status: ContactStatus,
    /// The account the contact is linked to; null until linked.
    linked_user: Option<LinkedUser<'a>>,
    linked_at: Option<Millis>,
    revoked_at: Option<Millis>,
    last_activity_at: Option<Millis>,
    created_at: Millis,
    credential: Credential<'a>,
    manages_authorizations: bool,
    /// The linked account has a confirmed second factor (which one, and its secret, are never
    /// shown).
    has_factor: bool,
}

impl<'a> Contact<'a> {
    pub fn of(contact: &'a ContactRow, now: Millis) -> Contact<'a> {
        Contact {
            id: &contact.id,
            first_name: &contact.first_name,
            last_name: &contact.last_name,
            email: &contact.email,
            role: contact.role,
            status: contact.status,
            linked_user: contact.user_id.as_deref().map(|id| LinkedUser {
                id,
                email: contact.user_email.as_deref(),
            }),
            linked_at: contact.linked_at,
            revoked_at: contact.revoked_at,
            last_activity_at: contact.last_activity_at,
            created_at: contact.created_at,
            credential: Credential::of(contact, now),
            manages_authorizations: contact.manages_authorizations == 1,
            has_factor: contact.has_factor == 1,
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OneContact<'a> {
    contact: Contact<'a>,
}

fn one_contact(status: u16, contact: &ContactRow, call: &Call) -> Reply {
    let contact = Contact::of(contact, call.app.now);
    Reply::json(status, OneContact { contact })
}

/// What happened, who did it, and to whom.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(deny_unknown_fields))]
struct AuditEvent<'a> {
    /// Epoch ms
    at: Millis,
    /// e.g. contact.invited, authorization.granted, token.created
    action: &'a str,
    actor: Option<AuditActor<'a>>,
    subject: Option<AuditSubject<'a>>,
    #[cfg_attr(test, schemars(with = "Option<serde_json::Map<String, Value>>"))]
    details: Value,
    /// The other organisation of an action that spans two (an employer's decision about a firm's
    /// contact)
    counterpart: Option<&'a str>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AuditActor<'a> {
    name: &'a str,
    email: Option<&'a str>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AuditSubject<'a> {
    contact_id: &'a str,
    name: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    fn of(e: &'a AuditEntry) -> AuditEvent<'a> {
        AuditEvent {
            at: e.at,
            action: &e.action,
            actor: e.actor_name.as_deref().map(|name| AuditActor {
                name,
                email: e.actor_email.as_deref(),
            }),
            subject: e.contact_id.as_deref().map(|contact_id| AuditSubject {
                contact_id,
                name: e.subject_name.as_deref(),
            }),
            details: serde_json::from_str(&e.details).unwrap_or(Value::Null),
            counterpart: e.other_organisation_name.as_deref(),
        }
    }
}

/// A page of the audit trail.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AuditPage<'a> {
    items: Vec<AuditEvent<'a>>,
    /// How many events the filters keep; with from or to and total_capped true, more than this
    /// (10000)
    total: i64,
    /// True when from or to is given and more than 10,000 events match: total is then 10000
    total_capped: bool,
    /// Pass as after (with the same filters) for the next page; null on the last page
    next: Option<String>,
    /// The page asked for; null when the page was asked with after
    page: Option<i64>,
    page_size: i64,
}

/// The words of the `q` search, cut to its first `max_chars` characters. Control characters (a
/// NUL would cut the LIKE pattern short) are in no name: a 422, as is a search too long for the
/// LIKE pattern.
pub fn search_words(call: &Call, max_chars: usize) -> Result<Option<Vec<String>>, ApiError> {
    let search: Option<String> = call.query("q").map(|q| q.chars().take(max_chars).collect());
    if search.as_deref().is_some_and(has_hidden_characters) {
        return Err(ApiError::invalid_field("q", Problem::InvalidSearch));
    }
    let folded = search.as_deref().map(crate::domain::fold_for_search);
    if folded.as_deref().is_some_and(|q| !fits_like_pattern(q, 2)) {
        return Err(ApiError::invalid_field("q", Problem::SearchTooLong));
    }
    Ok(crate::domain::search::words_of_search(folded.as_deref()))
}

/// `page` and `page_size` from the query string, bounded; a malformed value is a 422.
pub fn paging(call: &Call) -> Result<(i64, i64), ApiError> {
    let mut errors = crate::domain::fields::FieldErrors::default();
    let mut number = |name: &'static str, default: i64, max: i64| match call.query(name) {
        None => Some(default),
        Some(raw) => errors.take(
            name,
            raw.parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or(Problem::InvalidChoice),
        ),
    };
    let page = number("page", 1, 1_000_000);
    let page_size = number("page_size", 25, MAX_PAGE_SIZE);
    errors
        .into_result(|| (page.unwrap_or(1), page_size.unwrap_or(25)))
        .map_err(ApiError::invalid)
}

pub async fn show(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    Ok(Reply::json(
        200,
        MyOrganisation {
            organisation: Organisation::of(&actor.profile),
            role: actor.profile.role,
        },
    ))
}

/// Whether the organisation requires a second factor of every contact.
pub async fn security(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let security = members::security(&call.app, &actor.profile).await?;
    Ok(Reply::json(200, SecurityPolicy::of(security)))
}

/// A responsable changes it, having proved their factor recently.
pub async fn set_security(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    let required = form(&mut call.req, |f| f.boolean("mfa_for_all_contacts")).await?;
    members::require_responsable(&actor.profile)?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let security = members::set_security(&call.app, &actor, required).await?;
    Ok(Reply::json(200, SecurityPolicy::of(security)))
}

/// `GET /api/organisation/members` with a token: the organisation's contacts changed since `since`.
async fn members_changed_since(call: &Call, header: &str) -> Result<Reply, ApiError> {
    let token = crate::use_cases::tokens::authenticate(
        &call.app,
        header,
        crate::domain::api_token::Scope::Contacts,
    )
    .await?;
    let (since, limit) = super::tokens::sync_window(call)?;
    let rows =
        crate::storage::sync::contacts_of(&call.app.db, &token.organisation_id, since, limit + 1)
            .await?;
    Ok(super::tokens::Changes::reply(
        &rows,
        |c| c.version,
        |c| Contact::of(c, call.app.now),
        since,
        limit,
    ))
}

pub async fn members(call: &Call) -> Result<Reply, ApiError> {
    if let Some(header) = super::tokens::bearer(call) {
        return members_changed_since(call, &header).await;
    }
    let (_, actor) = require_actor(call).await?;
    // A session reads pages, not the sync window; its parameters are still checked, so a
    // malformed one is refused here as it is with a token.
    super::tokens::sync_window(call)?;
    let (page, page_size) = paging(call)?;
    let status = call
        .query("status")
        .map(|status| ContactStatus::parse(&status))
        .transpose()
        .map_err(|problem| ApiError::invalid_field("status", problem))?;
    let words = search_words(call, 40)?;
    let found = members::list(&call.app, &actor, words.as_deref(), status, page, page_size).await?;
    let items = found
        .items
        .iter()
        .map(|c| Contact::of(c, call.app.now))
        .collect();
    Ok(Page::reply(items, found.total, page, page_size))
}

pub async fn member(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let contact = members::get(&call.app, &actor, call.id()).await?;
    Ok(one_contact(200, &contact, call))
}

pub async fn invite(call: &mut Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let first_name = fields.parsed("first_name", PersonName::parse);
    let last_name = fields.parsed("last_name", PersonName::parse);
    let email = fields.parsed("email", Email::parse);
    let role = fields.parsed("role", Role::parse);
    let invitation = fields.finish(|| {
        Some(Invitation {
            first_name: first_name?,
            last_name: last_name?,
            email: email?,
            role: role?,
        })
    })?;
    let contact = members::invite(&call.app, &actor, invitation).await?;
    Ok(one_contact(201, &contact, call))
}

/// Changes a contact's role and, for an employer, whether they manage its authorizations.
pub async fn change(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let changes_role = fields.has("role") || !fields.has("manages_authorizations");
    let role = if changes_role {
        fields.parsed("role", Role::parse).map(Some)
    } else {
        Some(None)
    };
    let manages = fields.change("manages_authorizations", Fields::boolean);
    let (role, manages) = fields.finish(|| Some((role?, manages?)))?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let id = call.id().to_owned();
    let mut changed = None;
    if let Some(role) = role {
        changed = Some(members::change_role(&call.app, &actor, &id, role).await?);
    }
    if let Some(manages) = manages {
        changed = Some(members::set_manages_authorizations(&call.app, &actor, &id, manages).await?);
    }
    let contact = match changed {
        Some(contact) => contact,
        None => members::get(&call.app, &actor, &id).await?,
    };
    Ok(one_contact(200, &contact, call))
}

pub async fn revoke(call: &Call) -> Result<Reply, ApiError> {
    let (who, actor) = require_actor(call).await?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let contact = members::revoke(&call.app, &actor, call.id()).await?;
    Ok(one_contact(200, &contact, call))
}

pub async fn reissue(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let contact = members::reissue(&call.app, &actor, call.id()).await?;
    Ok(one_contact(201, &contact, call))
}

pub async fn unlock_legacy(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let contact = members::unlock_legacy(&call.app, &actor, call.id()).await?;
    Ok(one_contact(200, &contact, call))
}

/// The trail's filters from the query string: `action` (a prefix such as `authorization.`),
/// `from` and `to` (days, inclusive).
struct AuditQuery {
    action: Option<String>,
    from: Option<Millis>,
    until: Option<Millis>,
}

impl AuditQuery {
    fn filter(&self) -> AuditFilter<'_> {
        AuditFilter {
            action: self.action.as_deref(),
            from: self.from,
            until: self.until,
        }
    }
}

fn audit_query(call: &Call) -> Result<AuditQuery, ApiError> {
    let mut errors = crate::domain::fields::FieldErrors::default();
    let action = call.query("action");
    // A prefix: the pattern is the action and one `%`.
    if action.as_deref().is_some_and(|a| {
        !fits_like_pattern(a, 1)
            || !a
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_')
    }) {
        errors.add("action", Problem::InvalidChoice);
    }
    let from = call
        .query("from")
        .and_then(|raw| errors.take("from", Day::parse(&raw)));
    let to = call
        .query("to")
        .and_then(|raw| errors.take("to", Day::parse(&raw)));
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.add("to", Problem::EndBeforeStart);
        }
    }
    errors
        .into_result(|| AuditQuery {
            action,
            from: from.map(Day::start),
            until: to.map(Day::end),
        })
        .map_err(ApiError::invalid)
}

/// Which page of the trail: `after` (the `next` cursor of the previous page, which reads about
/// its own rows) or `page` (by offset), not both.
fn trail_page(call: &Call, page: i64, page_size: i64) -> Result<TrailPage, ApiError> {
    match call.query("after") {
        None => Ok(TrailPage::Offset((page - 1) * page_size)),
        Some(raw) => TrailCursor::parse(&raw)
            .filter(|_| call.query("page").is_none())
            .map(TrailPage::After)
            .ok_or_else(|| ApiError::invalid_field("after", Problem::InvalidChoice)),
    }
}

pub async fn audit(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let (page, page_size) = paging(call)?;
    let query = audit_query(call)?;
    let trail = trail_page(call, page, page_size)?;
    let filter = query.filter();
    // One more than the page, to know whether another follows.
    let mut found = members::audit_trail(&call.app, &actor, &filter, trail, page_size + 1).await?;
    let more = found.entries.len() as i64 > page_size;
    found.entries.truncate(page_size as usize);
    let next = more.then(|| found.entries.last()).flatten().map(|e| {
        TrailCursor {
            at: e.at,
            seq: e.seq,
        }
        .text()
    });
    let page = match trail {
        TrailPage::Offset(_) => Some(page),
        TrailPage::After(_) => None,
    };
    Ok(Reply::json(
        200,
        AuditPage {
            items: found.entries.iter().map(AuditEvent::of).collect(),
            total: found.total,
            total_capped: found.capped,
            next,
            page,
            page_size,
        },
    ))
}

/// At most this many events in one export: narrow the dates for more. The same as the count's
/// cap, so a capped count always means too many.
const AUDIT_EXPORT_MAX: i64 = crate::storage::audit::COUNT_CAP;

/// The filtered trail as CSV, newest first.
pub async fn audit_csv(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let query = audit_query(call)?;
    let filter = query.filter();
    let found = members::audit_trail(
        &call.app,
        &actor,
        &filter,
        TrailPage::Offset(0),
        AUDIT_EXPORT_MAX,
    )
    .await?;
    if found.capped || found.total > AUDIT_EXPORT_MAX {
        // Never a silently truncated export: the person narrows the dates instead.
        return Err(ApiError::new(ErrorCode::ExportTooLarge)
            .with("total", found.total)
            .with("total_capped", found.capped)
            .with("max", AUDIT_EXPORT_MAX));
    }
    let entries = found.entries;
    let header = match call.locale {
        Locale::Fr => [
            "Date (UTC)",
            "Action",
            "Par",
            "Courriel",
            "Contact visé",
            "Autre organisation",
            "Détails",
        ],
        Locale::En => [
            "Date (UTC)",
            "Action",
            "By",
            "Email",
            "Contact concerned",
            "Other organisation",
            "Details",
        ],
    };
    let rows = entries.iter().map(|e| {
        let at = chrono::DateTime::from_timestamp_millis(e.at)
            .map(|t| {
                use chrono::Timelike;
                let time = (t.hour(), t.minute(), t.second());
                format!(
                    "{} {:02}:{:02}:{:02}",
                    iso_date(t.date_naive()),
                    time.0,
                    time.1,
                    time.2
                )
            })
            .unwrap_or_default();
        vec![
            at,
            e.action.clone(),
            e.actor_name.clone().unwrap_or_default(),
            e.actor_email.clone().unwrap_or_default(),
            e.subject_name.clone().unwrap_or_default(),
            e.other_organisation_name.clone().unwrap_or_default(),
            e.details.clone(),
        ]
    });
    let name = match call.locale {
        Locale::Fr => "journal",
        Locale::En => "audit-trail",
    };
    Ok(Reply::download(
        csv::document(&header, rows),
        "text/csv; charset=utf-8",
        format!("{name}-{}.csv", Day::of(call.app.now).to_iso()),
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/organisation" => show, 200 => MyOrganisation),
    route!(GET "/api/organisation/security" => security, 200 => SecurityPolicy),
    route!(PUT "/api/organisation/security" => set_security, 200 => SecurityPolicy),
    route!(GET "/api/organisation/members" => members, 200 => super::route::OneOf<Page<Contact>, super::tokens::Changes<Contact>>),
    route!(POST "/api/organisation/members" => invite, 201 => OneContact),
    route!(GET "/api/organisation/members/{id}" => member, 200 => OneContact),
    route!(PATCH "/api/organisation/members/{id}" => change, 200 => OneContact),
    route!(DELETE "/api/organisation/members/{id}" => revoke, 200 => OneContact),
    route!(POST "/api/organisation/members/{id}/link-credentials" => reissue, 201 => OneContact),
    route!(POST "/api/organisation/members/{id}/legacy-unlock" => unlock_legacy, 200 => OneContact),
    route!(GET "/api/organisation/audit" => audit, 200 => AuditPage),
    route!(GET "/api/organisation/audit.csv" => audit_csv),
];
