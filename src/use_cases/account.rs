//! "Mon compte": a person's own account. Name and language, password, email address, sessions,
//! security activity, a copy of their data, and closing the account. Every sensitive change asks
//! for the current password, whose checks are throttled with the login's budget of the account.

use super::codes::{self, CodeError, EmailPurpose, Purpose};
use super::sessions::{Authenticated, StartedSession};
use super::{stored_email, KeysetPage, Requester};
use crate::domain::code::{check_resend, CodeRejection, OneTimeCode};
use crate::domain::email::Email;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::password::{self, Password};
use crate::domain::session::{public_id, SessionToken};
use crate::domain::throttle::{Policy, EMAIL_CHANGES_PER_ACCOUNT, LOGIN_PER_ACCOUNT};
use crate::domain::Millis;
use crate::email;
use crate::email::templates::Template;
use crate::infra::{random_id, slow_step, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::account::{self as store, ActivityEntry, SessionEntry};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::db::{Run, Statement};
use crate::storage::rate_limits::Refused;
use crate::storage::users::{self, UserRow};
use crate::storage::verifications::{self, CodeOwner};
use crate::storage::{atomically, rate_limits, wrote};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The current password typed with the request is not the account's.
    #[error("account: wrong password")]
    WrongPassword,
    #[error("account: throttled (retry after {retry_after:?})")]
    Throttled { retry_after: u64 },
    #[error("account: same email")]
    SameEmail,
    /// The proven address was taken by another account before the change was confirmed.
    #[error("account: email taken")]
    EmailTaken,
    #[error("account: session not found")]
    SessionNotFound,
    /// Closing the account would leave these organisations without a responsable.
    #[error("account: last responsable (organisations {organisations:?})")]
    LastResponsable { organisations: Vec<String> },
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// The audit event of an action a person took on their own account.
fn own_event<'a>(
    action: &'a str,
    who: &'a Authenticated,
    requester: &'a Requester,
    details: Value,
) -> AuditEvent<'a> {
    AuditEvent::of_user(action, Some(&who.user.id), requester.ip.as_deref()).with_details(details)
}

/// Checks the current password after taking one attempt of the account's login budget (taken
/// before hashing, so a burst evaluates at most what the budget allows). On success, answers the
/// statement that clears the budget, to run with the change it allowed.
async fn check_current_password(
    app: &App,
    who: &Authenticated,
    current: &Password,
    requester: &Requester,
) -> Result<Statement, AccountError> {
    let key = LOGIN_PER_ACCOUNT.key(&who.user.email);
    reserve(app, &LOGIN_PER_ACCOUNT, &key).await?;
    if !slow_step(|| password::verify(current, &who.user.password_hash)).await {
        let failed = own_event("password.check_failed", who, requester, json!({}));
        audit::append(&app.db, &failed, app.now)
            .execute("Failed to record a wrong current password")
            .await?;
        return Err(AccountError::WrongPassword);
    }
    Ok(rate_limits::clear(&app.db, &key)?)
}

/// Takes one attempt of `policy` for `key`, or answers how long to wait.
async fn reserve(app: &App, policy: &Policy, key: &str) -> Result<(), AccountError> {
    rate_limits::take(&app.db, app.now, &[(policy, key)])
        .await?
        .map_err(|Refused { retry_after }| AccountError::Throttled { retry_after })
}

fn locale_of(user: &UserRow) -> Locale {
    Locale::parse(&user.locale).unwrap_or_default()
}

/// What `PATCH /api/me` may change; `None` keeps the stored value.
pub struct ProfileChange {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub locale: Option<Locale>,
}

impl ProfileChange {
    /// The names of the fields it changes, for the audit trail.
    fn fields(&self) -> Vec<&'static str> {
        [
            ("first_name", self.first_name.is_some()),
            ("last_name", self.last_name.is_some()),
            ("locale", self.locale.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}

pub async fn update_profile(
    app: &App,
    who: &Authenticated,
    change: ProfileChange,
    requester: &Requester,
) -> Result<UserRow, AccountError> {
    let changed = change.fields();
    if !changed.is_empty() {
        let event = own_event(
            "account.updated",
            who,
            requester,
            json!({ "fields": changed }),
        );
        atomically(
            &app.db,
            vec![
                store::update_profile(
                    &app.db,
                    &who.user.id,
                    change.first_name.as_ref().map(PersonName::as_str),
                    change.last_name.as_ref().map(PersonName::as_str),
                    change.locale.map(Locale::code),
                )?,
                audit::append(&app.db, &event, app.now)?,
            ],
            "Failed to update a name or language",
        )
        .await?;
    }
    Ok(users::find_by_id(&app.db, &who.user.id)
        .await?
        .unwrap_or_else(|| who.user.clone()))
}

/// Sets a new password: every other session ends, this one continues under a new token (with
/// the same absolute expiry).
pub async fn change_password(
    app: &App,
    who: &Authenticated,
    current: &Password,
    new_password: &Password,
    requester: &Requester,
) -> Result<SessionToken, AccountError> {
    let clear = check_current_password(app, who, current, requester).await?;
    let new_hash = slow_step(|| password::hash(new_password, &mut OsEntropy)).await;
    let expires_at = store::session_expiry(&app.db, &who.token_hash)
        .await?
        .unwrap_or(app.now);
    let mut session = StartedSession::new(app, &who.user.id, requester).replacing(expires_at);
    session.active_contact_id = who.profile.as_ref().map(|p| p.contact_id.clone());
    let notice = email::prepare(
        app,
        &stored_email(&who.user.email, &who.user.id)?,
        Template::PasswordChanged,
        locale_of(&who.user),
        None,
        json!({ "first_name": who.user.first_name, "other_sessions_only": true }),
    )?;
    let event = own_event("password.changed", who, requester, json!({}));
    let batch = vec![
        store::change_password(
            &app.db,
            &who.user.id,
            &who.user.password_hash,
            &new_hash,
            app.now,
        )?,
        store::revoke_sessions_except(&app.db, &who.user.id, None, app.now)?,
        session.insert(app)?,
        clear,
        audit::append(&app.db, &event, app.now)?,
    ];
    let results = email::commit_and_send(app, batch, [notice], "Failed to change a password")
        .await?
        .0;
    if !results.first().is_some_and(wrote) {
        // Another request changed the password between the check and this write.
        return Err(AccountError::WrongPassword);
    }
    Ok(session.token)
}

/// Starts an email change: a code goes to the new address. The answer is the same whether or not
/// the address belongs to another account; that account's owner is told instead, and no code
/// can ever match. An account starts at most five changes an hour (the slot is taken before the
/// password is checked).
pub async fn request_email_change(
    app: &App,
    who: &Authenticated,
    new_email: &Email,
    current: &Password,
    requester: &Requester,
) -> Result<String, AccountError> {
    if new_email.as_str() == who.user.email {
        return Err(AccountError::SameEmail);
    }
    reserve(
        app,
        &EMAIL_CHANGES_PER_ACCOUNT,
        &EMAIL_CHANGES_PER_ACCOUNT.key(&who.user.id),
    )
    .await?;
    let clear = check_current_password(app, who, current, requester).await?;
    let purpose = Purpose::EmailChange.as_str();
    let owner = users::find_by_email(&app.db, new_email.as_str()).await?;
    // A taken address is answered with a decoy: never with the id of a real code.
    let decoy = owner.is_some();
    if let Some(recent) =
        verifications::latest_unused(&app.db, purpose, new_email.as_str(), decoy).await?
    {
        let ours = recent.user_id.as_deref().is_none_or(|id| id == who.user.id);
        if ours && check_resend(recent.last_sent_at, app.now).is_err() {
            atomically(&app.db, vec![clear], "Failed to clear a password budget").await?;
            return Ok(recent.id);
        }
    }
    // The new address's budget, whichever email it gets (the code, or its owner's notice).
    let budget = if decoy {
        EmailPurpose::AccountExists
    } else {
        EmailPurpose::EmailChange
    };
    if let Err(retry_after) = codes::reserve_email(app, budget, new_email.as_str()).await? {
        return Err(AccountError::Throttled { retry_after });
    }
    let (issued, message) = match &owner {
        Some(owner) => {
            let issued = codes::issue(
                app,
                Purpose::EmailChange,
                CodeOwner::Nobody,
                new_email,
                None,
            )?;
            let notice = owner
                .is_active()
                .then(|| {
                    email::prepare(
                        app,
                        new_email,
                        Template::EmailTaken,
                        locale_of(owner),
                        None,
                        json!({ "first_name": owner.first_name }),
                    )
                })
                .transpose()?;
            (issued, notice)
        }
        None => {
            let issued = codes::issue(
                app,
                Purpose::EmailChange,
                CodeOwner::User(&who.user.id),
                new_email,
                None,
            )?;
            let code_email = email::prepare(
                app,
                new_email,
                Template::EmailChangeCode,
                locale_of(&who.user),
                Some(issued.code.expose()),
                json!({ "first_name": who.user.first_name }),
            )?;
            (issued, Some(code_email))
        }
    };
    let event = own_event("email.change_requested", who, requester, json!({}));
    let batch = vec![
        verifications::expire_unused(&app.db, purpose, new_email.as_str(), app.now)?,
        issued.insert,
        clear,
        audit::append(&app.db, &event, app.now)?,
    ];
    email::commit_and_send(app, batch, message, "Failed to start an email change").await?;
    Ok(issued.verification_id)
}

/// Completes an email change with the code sent to the new address; the old one is told.
pub async fn confirm_email_change(
    app: &App,
    who: &Authenticated,
    verification_id: &str,
    code: &OneTimeCode,
    requester: &Requester,
) -> Result<UserRow, AccountError> {
    let found = verifications::find(&app.db, verification_id, Purpose::EmailChange.as_str())
        .await?
        .ok_or(CodeError::NotFound)?;
    if found.user_id.as_deref().is_some_and(|id| id != who.user.id) {
        return Err(CodeError::NotFound.into());
    }
    let verification = codes::check(app, Purpose::EmailChange, verification_id, code).await?;
    if users::find_by_email(&app.db, &verification.email)
        .await?
        .is_some()
    {
        return Err(AccountError::EmailTaken);
    }
    let new_email = Email::parse(&verification.email).map_err(|_| CodeError::NotFound)?;
    let nonce = random_id();
    let notice = email::prepare(
        app,
        &stored_email(&who.user.email, &who.user.id)?,
        Template::EmailChanged,
        locale_of(&who.user),
        None,
        json!({ "first_name": who.user.first_name, "new_email": masked(&new_email) }),
    )?;
    let event = own_event("email.changed", who, requester, json!({}));
    let batch = vec![
        verifications::consume(&app.db, &verification.id, &nonce, app.now)?,
        store::set_email_if_consumed_by(&app.db, &who.user.id, &verification.id, &nonce)?,
        audit::append(&app.db, &event, app.now)?,
    ];
    let results = email::commit_and_send(app, batch, [notice], "Failed to change an email")
        .await?
        .0;
    if !results.first().is_some_and(wrote) {
        return Err(CodeError::Rejected(CodeRejection::AlreadyUsed).into());
    }
    if !results.get(1).is_some_and(wrote) {
        return Err(AccountError::EmailTaken);
    }
    Ok(users::find_by_id(&app.db, &who.user.id)
        .await?
        .unwrap_or_else(|| who.user.clone()))
}

/// An address as the old one's notice shows it: enough to recognise, not to harvest.
fn masked(email: &Email) -> String {
    let (local, domain) = email
        .as_str()
        .split_once('@')
        .unwrap_or((email.as_str(), ""));
    let first: String = local.chars().take(1).collect();
    format!("{first}•••@{domain}")
}

/// A live session as listed in "Mon compte".
pub struct ListedSession {
    pub id: String,
    pub entry: SessionEntry,
    pub current: bool,
}

pub async fn sessions(app: &App, who: &Authenticated) -> Result<Vec<ListedSession>, InfraError> {
    Ok(store::live_sessions(&app.db, &who.user.id, app.now)
        .await?
        .into_iter()
        .map(|entry| ListedSession {
            id: public_id(&entry.token_hash),
            current: entry.token_hash == who.token_hash,
            entry,
        })
        .collect())
}

/// Ends one of the person's sessions; answers whether it was the current one.
pub async fn revoke_session(
    app: &App,
    who: &Authenticated,
    session_id: &str,
    requester: &Requester,
) -> Result<bool, AccountError> {
    let target = sessions(app, who)
        .await?
        .into_iter()
        .find(|s| s.id == session_id)
        .ok_or(AccountError::SessionNotFound)?;
    let event = own_event("session.revoked", who, requester, json!({}));
    atomically(
        &app.db,
        vec![
            store::revoke_session_of(&app.db, &who.user.id, &target.entry.token_hash, app.now)?,
            audit::append(&app.db, &event, app.now)?,
        ],
        "Failed to end a session",
    )
    .await?;
    Ok(target.current)
}

/// "Déconnecter partout ailleurs": every session but this one ends. Answers how many ended.
pub async fn revoke_other_sessions(
    app: &App,
    who: &Authenticated,
    requester: &Requester,
) -> Result<usize, InfraError> {
    let others = sessions(app, who)
        .await?
        .into_iter()
        .filter(|s| !s.current)
        .count();
    let event = own_event(
        "sessions.revoked_others",
        who,
        requester,
        json!({ "count": others }),
    );
    atomically(
        &app.db,
        vec![
            store::revoke_sessions_except(&app.db, &who.user.id, Some(&who.token_hash), app.now)?,
            audit::append(&app.db, &event, app.now)?,
        ],
        "Failed to end the other sessions",
    )
    .await?;
    Ok(others)
}

pub const ACTIVITY_PAGE: i64 = 20;

/// A keyset position in the activity: the last event shown.
pub fn parse_activity_cursor(raw: &str) -> Option<(Millis, String)> {
    let (at, id) = raw.split_once('_')?;
    let at = at.parse::<Millis>().ok().filter(|at| *at >= 0)?;
    let valid_id = !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit());
    valid_id.then(|| (at, id.to_owned()))
}

pub async fn activity(
    app: &App,
    who: &Authenticated,
    after: Option<(Millis, String)>,
) -> Result<KeysetPage<ActivityEntry>, InfraError> {
    let items = store::activity(
        &app.db,
        &who.user.id,
        after.as_ref().map(|(at, id)| (*at, id.as_str())),
        ACTIVITY_PAGE + 1,
    )
    .await?;
    Ok(KeysetPage::of(items, ACTIVITY_PAGE, |e| (e.at, &e.id)))
}

/// Everything held about the person, as one JSON document.
pub async fn export(app: &App, who: &Authenticated) -> Result<Value, InfraError> {
    let data = store::export(&app.db, &who.user.id).await?;
    let mut events = data.events;
    // Details are stored as JSON text: exported as the objects they are.
    for event in &mut events {
        if let Some(text) = event.get("details").and_then(Value::as_str) {
            let parsed = serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
            event["details"] = parsed;
        }
    }
    Ok(json!({
        "exported_at": app.now,
        "account": data.account.into_iter().next(),
        "profiles": data.profiles,
        "authorizations": data.authorizations,
        "access_requests": data.access_requests,
        "linking_requests": data.linking_requests,
        "devices": data.devices,
        "passkeys": data.passkeys,
        "sessions": data.sessions,
        "events": events,
    }))
}

/// Closes the account, unless an organisation would be left without a responsable.
pub async fn close(
    app: &App,
    who: &Authenticated,
    current: &Password,
    requester: &Requester,
) -> Result<(), AccountError> {
    let clear = check_current_password(app, who, current, requester).await?;
    let organisations = store::organisations_only_they_lead(&app.db, &who.user.id).await?;
    if !organisations.is_empty() {
        atomically(&app.db, vec![clear], "Failed to clear a password budget").await?;
        return Err(AccountError::LastResponsable { organisations });
    }
    let notice = email::prepare(
        app,
        &stored_email(&who.user.email, &who.user.id)?,
        Template::AccountClosed,
        locale_of(&who.user),
        None,
        json!({ "first_name": who.user.first_name }),
    )?;
    // The trail keeps the account's random id, which names nobody once the row is erased.
    let event = own_event("account.closed", who, requester, json!({}));
    let mut batch = vec![clear, audit::append(&app.db, &event, app.now)?];
    batch.extend(store::close_account(&app.db, &who.user.id, app.now)?);
    email::commit_and_send(app, batch, [notice], "Failed to close an account").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_cursor_is_an_instant_and_an_event_id() {
        assert_eq!(
            parse_activity_cursor("1700000000000_ab12"),
            Some((1_700_000_000_000, "ab12".to_owned()))
        );
        for bad in ["", "_", "12", "x_ab", "-1_ab", "12_", "12_zz", "12_ab'--"] {
            assert_eq!(parse_activity_cursor(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_old_address_sees_the_new_one_masked() {
        let email = Email::parse("nouvelle.adresse@exemple.ca").unwrap();
        assert_eq!(masked(&email), "n•••@exemple.ca");
    }
}
