//! The second factor: "Sécurité de connexion" (TOTP, recovery codes), the sign-in challenge and
//! step-up.

use super::body::{json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::{me_json, require_user};
use super::{Call, Reply};
use crate::domain::code::OneTimeCode;
use crate::domain::fields::Problem;
use crate::domain::mfa::RecoveryCode;
use crate::json;
use crate::use_cases::mfa::{self, Proof};

pub async fn status(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let status = mfa::status(&call.app, &who.user.id).await?;
    Ok(Reply::json(
        200,
        json!({
            "totp": { "enabled": status.totp_enabled },
            "passkeys": 0,
            "recovery_codes_left": status.recovery_codes_left,
            "required": status.required,
        }),
    ))
}

pub async fn start_totp(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let (secret, otpauth_uri) = mfa::start_totp(&call.app, &who.user).await?;
    Ok(Reply::json(
        201,
        json!({ "secret": secret, "otpauth_uri": otpauth_uri }),
    ))
}

pub async fn confirm_totp(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let code = fields.parsed("code", OneTimeCode::parse);
    let code = fields.finish(|| code)?;
    let codes = mfa::confirm_totp(&call.app, &who, &code, &call.requester).await?;
    Ok(Reply::json(200, json!({ "recovery_codes": codes })))
}

pub async fn disable_totp(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    mfa::require_recent_factor(&call.app, &who)?;
    mfa::disable_totp(&call.app, &who.user, &call.requester).await?;
    Ok(Reply::no_content())
}

pub async fn regenerate_recovery_codes(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    mfa::require_recent_factor(&call.app, &who)?;
    let codes = mfa::regenerate_recovery_codes(&call.app, &who.user, &call.requester).await?;
    Ok(Reply::json(200, json!({ "recovery_codes": codes })))
}

/// `code` (TOTP) or `recovery_code`, exactly one of them.
fn proof(fields: &mut Fields) -> Option<Proof> {
    let code = fields.optional_parsed("code", OneTimeCode::parse);
    let recovery = fields.optional_parsed("recovery_code", RecoveryCode::parse);
    match (code, recovery) {
        (Some(code), None) => Some(Proof::Totp(code)),
        (None, Some(recovery)) => Some(Proof::Recovery(recovery)),
        (Some(_), Some(_)) => {
            fields.reject("recovery_code", Problem::InvalidChoice);
            None
        }
        (None, None) => {
            if !fields.has("code") && !fields.has("recovery_code") {
                fields.reject("code", Problem::Required);
            }
            None
        }
    }
}

pub async fn answer_challenge(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let challenge_id = fields.id("challenge_id");
    let proof = proof(&mut fields);
    let (challenge_id, proof) = fields.finish(|| Some((challenge_id?, proof?)))?;
    let signed_in =
        mfa::complete_challenge(&call.app, &challenge_id, &proof, &call.requester).await?;
    let mut body = me_json(&signed_in.user, signed_in.profile.as_ref());
    body["next"] = signed_in.next.as_str().into();
    Ok(Reply::json(200, body).with_cookie(cookies::set_session(&signed_in.token)))
}

pub async fn step_up(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let proof = proof(&mut fields);
    let proof = fields.finish(|| proof)?;
    mfa::step_up(&call.app, &who, &proof, &call.requester).await?;
    Ok(Reply::no_content())
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/me/mfa" => status),
    route!(POST "/api/me/mfa/totp" => start_totp),
    route!(DELETE "/api/me/mfa/totp" => disable_totp),
    route!(POST "/api/me/mfa/totp/confirm" => confirm_totp),
    route!(POST "/api/me/mfa/recovery-codes" => regenerate_recovery_codes),
    route!(POST "/api/session/mfa" => answer_challenge),
    route!(POST "/api/session/step-up" => step_up),
];
