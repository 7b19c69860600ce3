//! Signing in and out, and the current user.

use super::body::{json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::error::ErrorCode;
use super::route::{route, Route};
use super::{Call, Reply};
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::password::Password;
use crate::json;
use crate::storage::contacts::ProfileRow;
use crate::storage::users::UserRow;
use crate::use_cases::factors::requires_factor;
use crate::use_cases::profiles::PERSONAL;
use crate::use_cases::sessions::{self, Authenticated, LoginOutcome, SignedIn};
use crate::use_cases::Actor;
use serde_json::Value;

pub fn me_json(user: &UserRow, profile: Option<&ProfileRow>) -> Value {
    json!({
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "locale": user.locale,
        "active_profile": profile_json(profile),
    })
}

/// A profile as the API shows it: the personal one, or an organisation's contact.
pub fn profile_json(profile: Option<&ProfileRow>) -> Value {
    match profile {
        None => json!({ "id": PERSONAL, "kind": "personal" }),
        Some(p) => json!({
            "id": p.contact_id,
            "kind": "organisation",
            "role": p.role,
            "manages_authorizations": p.manages_authorizations == 1,
            "organisation": { "id": p.organisation_id, "name": p.organisation_name, "kind": p.organisation_kind, "file_number": p.file_number },
        }),
    }
}

/// The signed-in user with an organisation profile active, or 401/403. The second-factor policy
/// is checked on every request, from the role and organisation the session lookup already joins:
/// a contact promoted to responsable, or whose organisation came to require a factor of all,
/// while signed in without one is refused until they set one up.
pub async fn require_organisation_profile(
    call: &Call,
) -> Result<(Authenticated, ProfileRow), ApiError> {
    let mut who = require_user(call).await?;
    let profile = who
        .profile
        .take()
        .ok_or_else(|| ApiError::new(ErrorCode::OrganisationProfileRequired))?;
    if !who.has_factor && requires_factor(&profile) {
        return Err(ApiError::new(ErrorCode::MfaEnrolmentRequired));
    }
    Ok((who, profile))
}

/// The signed-in user acting in their active profile, as use cases take them; with the session,
/// for the checks that need it (a recent second factor).
pub async fn require_actor(call: &Call) -> Result<(Authenticated, Actor), ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    let actor = Actor {
        user_id: who.user.id.clone(),
        profile,
        requester: call.requester.clone(),
    };
    Ok((who, actor))
}

/// The signed-in user, or 401.
pub async fn require_user(call: &Call) -> Result<Authenticated, ApiError> {
    let token = cookies::session_token(&call.req)
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
    sessions::authenticate(&call.app, &token)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))
}

pub async fn log_in(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    // An address past the longest deliverable one cannot exist: refused before anything is
    // counted or stored under it.
    let email = fields.parsed("email", |raw| {
        if raw.trim().len() > Email::MAX_LENGTH {
            Err(Problem::TooLong)
        } else {
            Ok(raw.to_owned())
        }
    });
    let password = fields.parsed("password", Password::parse_attempt);
    let (email, password) = fields.finish(|| Some((email?, password?)))?;
    let signed_in = match sessions::log_in(&call.app, &email, &password, &call.requester).await? {
        LoginOutcome::SignedIn(signed_in) => signed_in,
        LoginOutcome::FactorRequired {
            challenge_id,
            methods,
        } => {
            return Ok(Reply::json(
                202,
                json!({ "mfa_required": true, "challenge_id": challenge_id, "methods": methods }),
            ))
        }
    };
    Ok(signed_in_reply(&signed_in))
}

/// A session just started: who, where to go next, the session cookie and the device cookie.
pub fn signed_in_reply(signed_in: &SignedIn) -> Reply {
    let mut body = me_json(&signed_in.user, signed_in.profile.as_ref());
    body["next"] = signed_in.next.as_str().into();
    let reply = Reply::json(200, body).with_cookie(cookies::set_session(&signed_in.token));
    match &signed_in.device {
        Some(device) => reply.with_cookie(cookies::set_device(device)),
        None => reply,
    }
}

pub async fn log_out(call: &Call) -> Result<Reply, ApiError> {
    if let Ok(who) = require_user(call).await {
        sessions::log_out(&call.app, &who, &call.requester).await?;
    }
    Ok(Reply::no_content().with_cookie(cookies::clear_session()))
}

pub async fn me(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut body = me_json(&who.user, who.profile.as_ref());
    body["linked_profiles"] = who.linked_profiles.into();
    Ok(Reply::json(200, body))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/session" => log_in),
    route!(DELETE "/api/session" => log_out),
    route!(GET "/api/me" => me),
];
