//! "Mon compte": the signed-in person's own account (name and language, password, email,
//! sessions, security activity, data export, closing the account).

use super::body::{json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::{me_json, require_user};
use super::{Call, Reply};
use crate::domain::code::OneTimeCode;
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::password::Password;
use crate::domain::time::Day;
use crate::json;
use crate::use_cases::account::{self, ProfileChange};

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
    let mut body = me_json(&user, who.profile.as_ref());
    body["linked_profiles"] = who.linked_profiles.into();
    Ok(Reply::json(200, body))
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
    Ok(Reply::json(
        202,
        json!({
            "verification_id": verification_id,
            "resend_after": crate::domain::code::RESEND_COOLDOWN / crate::domain::SECOND,
        }),
    ))
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
    let mut body = me_json(&user, who.profile.as_ref());
    body["linked_profiles"] = who.linked_profiles.into();
    Ok(Reply::json(200, body))
}

pub async fn list_sessions(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let items: Vec<_> = account::sessions(&call.app, &who)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "created_at": s.entry.created_at,
                "last_seen_at": s.entry.last_seen_at,
                "device": s.entry.device,
                "ip": s.entry.ip,
                "current": s.current,
            })
        })
        .collect();
    Ok(Reply::json(200, json!({ "items": items })))
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
    Ok(Reply::json(200, json!({ "revoked": revoked })))
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
    let items: Vec<_> = page
        .items
        .into_iter()
        .map(|e| json!({ "id": e.id, "at": e.at, "action": e.action, "ip": e.ip }))
        .collect();
    Ok(Reply::json(
        200,
        json!({ "items": items, "next_cursor": page.next_cursor }),
    ))
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
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let current = fields.parsed("current_password", Password::parse_attempt);
    let current = fields.finish(|| current)?;
    crate::use_cases::mfa::require_recent_factor(&call.app, &who)?;
    account::close(&call.app, &who, &current, &call.requester).await?;
    Ok(Reply::no_content().with_cookie(cookies::clear_session()))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(PATCH "/api/me" => update_me),
    route!(DELETE "/api/me" => close),
    route!(POST "/api/me/password" => change_password),
    route!(POST "/api/me/email" => change_email),
    route!(POST "/api/me/email/confirm" => confirm_email),
    route!(GET "/api/me/sessions" => list_sessions),
    route!(DELETE "/api/me/sessions" => revoke_other_sessions),
    route!(DELETE "/api/me/sessions/{id}" => revoke_session),
    route!(GET "/api/me/activity" => activity),
    route!(GET "/api/me/export" => export),
];
