//! "Mon compte": the signed-in person's own account (name and language, password, email,
//! sessions, security activity, data export, closing the account).

use super::accounts::CodeSent;
use super::body::{form, json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::{require_user, Me};
use super::{Call, Reply};
use crate::domain::code::OneTimeCode;
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::password::Password;
use crate::domain::time::Day;
use crate::domain::Millis;
use crate::use_cases::account::{self, ProfileChange};
use serde::Serialize;

/// A session of the account: a browser signed in, until it signs out or is ended.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AccountSession<'a> {
    id: &'a str,
    created_at: Millis,
    last_seen_at: Millis,
    /// Browser and system recognised from the user agent at sign-in.
    #[cfg_attr(test, schemars(length(max = 40)))]
    device: Option<&'a str>,
    ip: Option<&'a str>,
    /// The session of this request.
    current: bool,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AccountSessions<'a> {
    items: Vec<AccountSession<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct SessionsEnded {
    /// How many other sessions were ended.
    revoked: usize,
}

/// Something that happened to the account, as its security activity shows it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AccountEvent<'a> {
    id: &'a str,
    at: Millis,
    /// e.g. login.succeeded, login.failed, password.changed, password.check_failed,
    /// email.change_requested, email.changed, session.revoked, sessions.revoked_others,
    /// account.updated
    action: &'a str,
    ip: Option<&'a str>,
}

/// A page of the security activity, newest first.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AccountActivity<'a> {
    items: Vec<AccountEvent<'a>>,
    /// The `cursor` of the next page; null on the last.
    next_cursor: Option<&'a str>,
}

pub async fn update_me(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let first_name = fields.optional_parsed("first_name", PersonName::parse);
    let last_name = fields.optional_parsed("last_name", PersonName::parse);
    let locale = fields.optional_parsed("locale", |raw| {
        Locale::parse(raw).ok_or(Problem::InvalidLocale)
    });
    let change = fields.finish(|| {
        Some(ProfileChange {
            first_name,
            last_name,
            locale,
        })
    })?;
    let user = account::update_profile(&call.app, &who, change, &call.requester).await?;
    Ok(Reply::json(200, Me::in_session(&user, &who)))
}

pub async fn change_password(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let current = fields.parsed("current_password", Password::parse_attempt);
    let new_password = fields.string("new_password");
    let confirmation = fields.string("new_password_confirmation");
    let email = Email::parse(&who.user.email).ok();
    let common = crate::infra::common_passwords(&call.app).await?;
    let new_password = match (new_password, confirmation) {
        (Some(new_password), Some(confirmation)) => Password::parse_new(
            &new_password,
            &confirmation,
            email.as_ref(),
            &common,
            "new_password",
            "new_password_confirmation",
            &mut fields.errors,
        ),
        _ => None,
    };
    let (current, new_password) = fields.finish(|| Some((current?, new_password?)))?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let token =
        account::change_password(&call.app, &who, &current, &new_password, &call.requester).await?;
    Ok(Reply::no_content().with_cookie(cookies::set_session(&token)))
}

pub async fn change_email(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let new_email = fields.parsed("new_email", Email::parse);
    let current = fields.parsed("current_password", Password::parse_attempt);
    let (new_email, current) = fields.finish(|| Some((new_email?, current?)))?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    let verification_id =
        account::request_email_change(&call.app, &who, &new_email, &current, &call.requester)
            .await?;
    Ok(CodeSent::reply(&verification_id))
}

pub async fn confirm_email(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let verification_id = fields.id("verification_id");
    let code = fields.parsed("code", OneTimeCode::parse);
    let (verification_id, code) = fields.finish(|| Some((verification_id?, code?)))?;
    let user =
        account::confirm_email_change(&call.app, &who, &verification_id, &code, &call.requester)
            .await?;
    Ok(Reply::json(200, Me::in_session(&user, &who)))
}

pub async fn list_sessions(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let sessions = account::sessions(&call.app, &who).await?;
    let items = sessions
        .iter()
        .map(|s| AccountSession {
            id: &s.id,
            created_at: s.entry.created_at,
            last_seen_at: s.entry.last_seen_at,
            device: s.entry.device.as_deref(),
            ip: s.entry.ip.as_deref(),
            current: s.current,
        })
        .collect();
    Ok(Reply::json(200, AccountSessions { items }))
}

pub async fn revoke_session(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let session_id = call.id().to_owned();
    let was_current =
        account::revoke_session(&call.app, &who, &session_id, &call.requester).await?;
    let reply = Reply::no_content();
    Ok(if was_current {
        reply.with_cookie(cookies::clear_session())
    } else {
        reply
    })
}

pub async fn revoke_other_sessions(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let revoked = account::revoke_other_sessions(&call.app, &who, &call.requester).await?;
    Ok(Reply::json(200, SessionsEnded { revoked }))
}

pub async fn activity(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let after = match call.query("cursor") {
        Some(raw) => Some(
            account::parse_activity_cursor(&raw)
                .ok_or_else(|| ApiError::invalid_field("cursor", Problem::InvalidCursor))?,
        ),
        None => None,
    };
    let page = account::activity(&call.app, &who, after).await?;
    let items = page
        .items
        .iter()
        .map(|e| AccountEvent {
            id: &e.id,
            at: e.at,
            action: &e.action,
            ip: e.ip.as_deref(),
        })
        .collect();
    let next_cursor = page.next_cursor.as_deref();
    Ok(Reply::json(200, AccountActivity { items, next_cursor }))
}

pub async fn export(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let data = account::export(&call.app, &who).await?;
    let text = serde_json::to_string_pretty(&data).unwrap_or_default();
    let filename = format!("sel-mes-donnees-{}.json", Day::of(call.app.now).to_iso());
    Ok(Reply::download(text, "application/json", filename))
}

pub async fn close(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let current = form(&mut call.req, |f| {
        f.parsed("current_password", Password::parse_attempt)
    })
    .await?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    account::close(&call.app, &who, &current, &call.requester).await?;
    Ok(Reply::no_content().with_cookie(cookies::clear_session()))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(PATCH "/api/me" => update_me, 200 => Me),
    route!(DELETE "/api/me" => close),
    route!(POST "/api/me/password" => change_password),
    route!(POST "/api/me/email" => change_email, 202 => CodeSent),
    route!(POST "/api/me/email/confirm" => confirm_email, 200 => Me),
    route!(GET "/api/me/sessions" => list_sessions, 200 => AccountSessions),
    route!(DELETE "/api/me/sessions" => revoke_other_sessions, 200 => SessionsEnded),
    route!(DELETE "/api/me/sessions/{id}" => revoke_session),
    route!(GET "/api/me/activity" => activity, 200 => AccountActivity),
    route!(GET "/api/me/export" => export),
];
