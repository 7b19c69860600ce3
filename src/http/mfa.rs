//! The second factor: "Sécurité de connexion" (TOTP, recovery codes), the sign-in challenge and
//! step-up.

use super::body::{form, json_object, Fields};
use super::error::ApiError;
use super::passkeys::{relying_party, request_options};
use super::route::{route, Route};
use super::sessions::{require_user, signed_in_reply};
use super::{Call, Reply};
use crate::domain::code::OneTimeCode;
use crate::domain::fields::Problem;
use crate::domain::mfa::RecoveryCode;
use crate::domain::webauthn::{Assertion, RelyingParty};
use crate::use_cases::mfa::{self, Proof};
use serde::Serialize;

/// The person's second factors.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct FactorStatus {
    totp: TotpStatus,
    /// Passkeys registered.
    #[cfg_attr(test, schemars(range(min = 0, max = 10)))]
    passkeys: i64,
    #[cfg_attr(test, schemars(range(min = 0, max = 10)))]
    recovery_codes_left: i64,
    /// Whether a profile of the person needs a factor: any accounting-firm profile, and
    /// responsibles or authorization administrators of any organisation.
    required: bool,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct TotpStatus {
    enabled: bool,
}

/// An authenticator app's secret, to confirm with a code it shows.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct TotpSetup<'a> {
    /// Base 32 (RFC 4648, no padding), 160 bits.
    secret: &'a str,
    /// otpauth://totp/SEL:<email>?secret=…&issuer=SEL&algorithm=SHA1&digits=6&period=30
    otpauth_uri: &'a str,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RecoveryCodes<'a> {
    /// Shown once. Each serves once; typing ignores case, spaces and hyphens.
    #[cfg_attr(
        test,
        schemars(
            length(min = 10, max = 10),
            inner(regex(pattern = r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$"))
        )
    )]
    recovery_codes: &'a [String],
}

pub async fn status(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let status = mfa::status(&call.app, &who.user.id).await?;
    let body = FactorStatus {
        totp: TotpStatus {
            enabled: status.totp_enabled,
        },
        passkeys: status.passkeys,
        recovery_codes_left: status.recovery_codes_left,
        required: status.required,
    };
    Ok(Reply::json(200, body))
}

pub async fn start_totp(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    // Adding TOTP next to a passkey is a change of the factors.
    mfa::require_recent_factor(&call.app, &who)?;
    let (secret, otpauth_uri) = mfa::start_totp(&call.app, &who.user).await?;
    let body = TotpSetup {
        secret: &secret,
        otpauth_uri: &otpauth_uri,
    };
    Ok(Reply::json(201, body))
}

pub async fn confirm_totp(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let code = form(&mut call.req, |f| f.parsed("code", OneTimeCode::parse)).await?;
    let codes = mfa::confirm_totp(&call.app, &who, &code, &call.requester).await?;
    Ok(Reply::json(
        200,
        RecoveryCodes {
            recovery_codes: &codes,
        },
    ))
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
    Ok(Reply::json(
        200,
        RecoveryCodes {
            recovery_codes: &codes,
        },
    ))
}

/// `code` (TOTP), `recovery_code` or `credential` (a passkey's assertion), exactly one of them.
fn proof(fields: &mut Fields, rp: RelyingParty) -> Option<Proof> {
    const NAMES: [&str; 3] = ["code", "recovery_code", "credential"];
    let given: Vec<&'static str> = NAMES.into_iter().filter(|name| fields.has(name)).collect();
    match given.as_slice() {
        [] => fields.reject("code", Problem::Required),
        [_] => {}
        [.., extra] => fields.reject(extra, Problem::InvalidChoice),
    }
    let given = given.len();
    let code = fields.optional_parsed("code", OneTimeCode::parse);
    let recovery = fields.optional_parsed("recovery_code", RecoveryCode::parse);
    let passkey = fields
        .has("credential")
        .then(|| fields.parsed_value("credential", Assertion::from_json));
    if given != 1 {
        return None;
    }
    code.map(Proof::Totp)
        .or(recovery.map(Proof::Recovery))
        .or(passkey
            .flatten()
            .map(|assertion| Proof::Passkey(Box::new(assertion), rp)))
}

pub async fn answer_challenge(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let challenge_id = fields.id("challenge_id");
    let proof = proof(&mut fields, relying_party(call));
    let (challenge_id, proof) = fields.finish(|| Some((challenge_id?, proof?)))?;
    let signed_in =
        mfa::complete_challenge(&call.app, &challenge_id, &proof, &call.requester).await?;
    Ok(signed_in_reply(&signed_in))
}

pub async fn step_up(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let rp = relying_party(call);
    let proof = form(&mut call.req, |f| proof(f, rp)).await?;
    mfa::step_up(&call.app, &who, &proof, &call.requester).await?;
    Ok(Reply::no_content())
}

pub async fn challenge_passkey_options(call: &mut Call) -> Result<Reply, ApiError> {
    let challenge_id = form(&mut call.req, |f| f.id("challenge_id")).await?;
    let ceremony = mfa::passkey_options(&call.app, &challenge_id).await?;
    Ok(Reply::json(200, request_options(call, &ceremony)))
}

pub async fn step_up_passkey_options(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let ceremony = mfa::step_up_passkey_options(&call.app, &who).await?;
    Ok(Reply::json(200, request_options(call, &ceremony)))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/me/mfa" => status, 200 => FactorStatus),
    route!(POST "/api/me/mfa/totp" => start_totp, 201 => TotpSetup),
    route!(DELETE "/api/me/mfa/totp" => disable_totp),
    route!(POST "/api/me/mfa/totp/confirm" => confirm_totp, 200 => RecoveryCodes),
    route!(POST "/api/me/mfa/recovery-codes" => regenerate_recovery_codes, 200 => RecoveryCodes),
    route!(POST "/api/session/mfa" => answer_challenge, 200 => super::sessions::Me),
    route!(
        POST "/api/session/mfa/passkey/options" => challenge_passkey_options,
        200 => super::passkeys::PasskeyRequestOptions
    ),
    route!(POST "/api/session/step-up" => step_up),
    route!(
        POST "/api/session/step-up/passkey/options" => step_up_passkey_options,
        200 => super::passkeys::PasskeyRequestOptions
    ),
];
