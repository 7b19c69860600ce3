//! Passkeys: the person's own in "Mon compte", signing in with one, and the WebAuthn options
//! the browser needs for each ceremony (JSON, binary members in base64url).

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::request_url;
use super::route::{route, Route};
use super::sessions::{require_user, signed_in_reply};
use super::{Call, Reply};
use crate::domain::webauthn::{
    self, Assertion, Registration, RelyingParty, CHALLENGE_LIFETIME, ES256,
};
use crate::json;
use crate::storage::passkeys::PasskeyRow;
use crate::use_cases::mfa;
use crate::use_cases::passkeys::{self, Ceremony};
use serde_json::Value;

/// The relying party is the host the page was served from (a passkey works only where it was
/// made), and the origin is that page's.
pub fn relying_party(call: &Call) -> RelyingParty {
    let url = call.req.inner().url();
    RelyingParty {
        id: request_url::host(&url).to_owned(),
        origin: request_url::origin(&url),
    }
}

fn credential_list(ids: &[String]) -> Value {
    ids.iter()
        .map(|id| json!({ "type": "public-key", "id": id }))
        .collect()
}

/// `PublicKeyCredentialRequestOptions`: user verification required, and the allowed
/// credentials (none: any discoverable passkey of this host).
pub fn request_options(call: &Call, ceremony: &Ceremony) -> Value {
    json!({
        "challenge": ceremony.challenge,
        "rpId": relying_party(call).id,
        "timeout": CHALLENGE_LIFETIME,
        "userVerification": "required",
        "allowCredentials": credential_list(&ceremony.credentials),
    })
}

fn passkey_json(passkey: &PasskeyRow) -> Value {
    json!({
        "id": passkey.id,
        "name": passkey.name,
        "created_at": passkey.created_at,
        "last_used_at": passkey.last_used_at,
    })
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let passkeys = passkeys::list(&call.app, &who.user.id).await?;
    let items: Vec<Value> = passkeys.iter().map(passkey_json).collect();
    Ok(Reply::json(200, json!({ "items": items })))
}

pub async fn creation_options(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    mfa::require_recent_factor(&call.app, &who)?;
    let ceremony = passkeys::creation(&call.app, &who.user.id).await?;
    let user = &who.user;
    Ok(Reply::json(
        200,
        json!({
            "challenge": ceremony.challenge,
            "rp": { "id": relying_party(call).id, "name": "SEL" },
            "user": {
                "id": ceremony.user_handle,
                "name": user.email,
                "displayName": format!("{} {}", user.first_name, user.last_name),
            },
            "pubKeyCredParams": [{ "type": "public-key", "alg": ES256 }],
            "timeout": CHALLENGE_LIFETIME,
            "excludeCredentials": credential_list(&ceremony.credentials),
            "authenticatorSelection": {
                "residentKey": "required",
                "requireResidentKey": true,
                "userVerification": "required",
            },
            "attestation": "none",
        }),
    ))
}

pub async fn register(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    mfa::require_recent_factor(&call.app, &who)?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let registration = fields.parsed_value("credential", Registration::from_json);
    let name = fields.parsed("name", webauthn::parse_name);
    let (registration, name) = fields.finish(|| Some((registration?, name?)))?;
    let rp = relying_party(call);
    let registered =
        passkeys::register(&call.app, &who, &registration, &name, &rp, &call.requester).await?;
    let mut body = passkey_json(&registered.passkey);
    if let Some(codes) = registered.recovery_codes {
        body["recovery_codes"] = codes.into();
    }
    Ok(Reply::json(201, body))
}

pub async fn rename(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let name = fields.parsed("name", webauthn::parse_name);
    let name = fields.finish(|| name)?;
    passkeys::rename(&call.app, &who.user.id, call.id(), &name).await?;
    Ok(Reply::no_content())
}

pub async fn remove(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    mfa::require_recent_factor(&call.app, &who)?;
    passkeys::remove(&call.app, &who.user, call.id(), &call.requester).await?;
    Ok(Reply::no_content())
}

pub async fn sign_in_options(call: &Call) -> Result<Reply, ApiError> {
    let ceremony = passkeys::sign_in_options(&call.app, &call.requester).await?;
    Ok(Reply::json(200, request_options(call, &ceremony)))
}

pub async fn sign_in(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let assertion = fields.parsed_value("credential", Assertion::from_json);
    let assertion = fields.finish(|| assertion)?;
    let rp = relying_party(call);
    let signed_in = passkeys::sign_in(&call.app, &assertion, &rp, &call.requester).await?;
    Ok(signed_in_reply(&signed_in))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/me/passkeys" => list),
    route!(POST "/api/me/passkeys" => register),
    route!(POST "/api/me/passkeys/options" => creation_options),
    route!(PATCH "/api/me/passkeys/{id}" => rename),
    route!(DELETE "/api/me/passkeys/{id}" => remove),
    route!(POST "/api/session/passkey/options" => sign_in_options),
    route!(POST "/api/session/passkey" => sign_in),
];
