//! Passkeys: the person's own in "Mon compte", signing in with one, and the WebAuthn options
//! the browser needs for each ceremony (JSON, binary members in base64url).

use super::body::{form, json_object, Fields};
use super::error::ApiError;
use super::request_url;
use super::route::{route, Route};
use super::sessions::{require_user, signed_in_reply};
use super::{Call, Reply};
use crate::domain::webauthn::{
    self, Assertion, Registration, RelyingParty, CHALLENGE_LIFETIME, ES256,
};
use crate::domain::Millis;
use crate::storage::passkeys::PasskeyRow;
use crate::use_cases::mfa;
use crate::use_cases::passkeys::{self, Ceremony};
use serde::Serialize;

/// The relying party is the host the page was served from (a passkey works only where it was
/// made), and the origin is that page's.
pub fn relying_party(call: &Call) -> RelyingParty {
    let url = call.req.inner().url();
    RelyingParty {
        id: request_url::host(&url).to_owned(),
        origin: request_url::origin(&url),
    }
}

/// A credential allowed or excluded by a ceremony.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct PasskeyCredential<'a> {
    #[serde(rename = "type")]
    #[cfg_attr(test, schemars(extend("const" = "public-key")))]
    kind: &'static str,
    /// The credential id, base64url without padding.
    id: &'a str,
}

fn credential_list(ids: &[String]) -> Vec<PasskeyCredential<'_>> {
    ids.iter()
        .map(|id| PasskeyCredential {
            kind: "public-key",
            id,
        })
        .collect()
}

/// PublicKeyCredentialRequestOptions as JSON (base64url without padding for binary members):
/// pass to navigator.credentials.get after decoding challenge and allowCredentials[].id.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PasskeyRequestOptions<'a> {
    /// 32 random bytes, base64url without padding; answers once within 5 minutes.
    challenge: &'a str,
    /// The host the request was made to.
    rp_id: String,
    #[cfg_attr(test, schemars(extend("const" = 300000)))]
    timeout: Millis,
    #[cfg_attr(test, schemars(extend("const" = "required")))]
    user_verification: &'static str,
    /// Empty for a discoverable sign-in; the person's passkeys for a second factor.
    allow_credentials: Vec<PasskeyCredential<'a>>,
}

/// `PublicKeyCredentialRequestOptions`: user verification required, and the allowed
/// credentials (none: any discoverable passkey of this host).
pub fn request_options<'a>(call: &Call, ceremony: &'a Ceremony) -> PasskeyRequestOptions<'a> {
    PasskeyRequestOptions {
        challenge: &ceremony.challenge,
        rp_id: relying_party(call).id,
        timeout: CHALLENGE_LIFETIME,
        user_verification: "required",
        allow_credentials: credential_list(&ceremony.credentials),
    }
}

/// PublicKeyCredentialCreationOptions as JSON (base64url without padding for challenge, user.id
/// and excludeCredentials[].id): pass to navigator.credentials.create once decoded.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct PasskeyCreationOptions<'a> {
    challenge: &'a str,
    rp: PasskeyRelyingParty,
    user: PasskeyUser<'a>,
    pub_key_cred_params: [PasskeyAlgorithm; 1],
    #[cfg_attr(test, schemars(extend("const" = 300000)))]
    timeout: Millis,
    /// The person's passkeys, not to be registered twice.
    exclude_credentials: Vec<PasskeyCredential<'a>>,
    authenticator_selection: PasskeySelection,
    #[cfg_attr(test, schemars(extend("const" = "none")))]
    attestation: &'static str,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct PasskeyRelyingParty {
    /// The host the request was made to.
    id: String,
    #[cfg_attr(test, schemars(extend("const" = "SEL")))]
    name: &'static str,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct PasskeyUser<'a> {
    /// The account's handle.
    id: &'a str,
    /// The account's email.
    name: &'a str,
    display_name: String,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct PasskeyAlgorithm {
    #[serde(rename = "type")]
    #[cfg_attr(test, schemars(extend("const" = "public-key")))]
    kind: &'static str,
    /// ES256.
    #[cfg_attr(test, schemars(extend("const" = -7)))]
    alg: i64,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct PasskeySelection {
    #[cfg_attr(test, schemars(extend("const" = "required")))]
    resident_key: &'static str,
    #[cfg_attr(test, schemars(extend("const" = true)))]
    require_resident_key: bool,
    #[cfg_attr(test, schemars(extend("const" = "required")))]
    user_verification: &'static str,
}

/// A passkey of the person.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Passkey<'a> {
    /// The portal's id of the passkey (not the credential id).
    id: &'a str,
    #[cfg_attr(test, schemars(length(min = 1, max = 60)))]
    name: &'a str,
    created_at: Millis,
    /// The last sign-in or second-factor proof with it.
    last_used_at: Option<Millis>,
}

impl<'a> Passkey<'a> {
    fn of(passkey: &'a PasskeyRow) -> Passkey<'a> {
        Passkey {
            id: &passkey.id,
            name: &passkey.name,
            created_at: passkey.created_at,
            last_used_at: passkey.last_used_at,
        }
    }
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct PasskeyList<'a> {
    #[cfg_attr(test, schemars(length(max = 10)))]
    items: Vec<Passkey<'a>>,
}

/// The passkey registered.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RegisteredPasskey<'a> {
    #[serde(flatten)]
    passkey: Passkey<'a>,
    /// Only when the passkey is the account's first factor: shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(length(min = 10, max = 10)))]
    recovery_codes: Option<&'a [String]>,
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let passkeys = passkeys::list(&call.app, &who.user.id).await?;
    let items = passkeys.iter().map(Passkey::of).collect();
    Ok(Reply::json(200, PasskeyList { items }))
}

pub async fn creation_options(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    mfa::require_recent_factor(&call.app, &who)?;
    let ceremony = passkeys::creation(&call.app, &who.user.id).await?;
    let user = &who.user;
    let options = PasskeyCreationOptions {
        challenge: &ceremony.challenge,
        rp: PasskeyRelyingParty {
            id: relying_party(call).id,
            name: "SEL",
        },
        user: PasskeyUser {
            id: ceremony.user_handle.as_deref().unwrap_or_default(),
            name: &user.email,
            display_name: format!("{} {}", user.first_name, user.last_name),
        },
        pub_key_cred_params: [PasskeyAlgorithm {
            kind: "public-key",
            alg: ES256,
        }],
        timeout: CHALLENGE_LIFETIME,
        exclude_credentials: credential_list(&ceremony.credentials),
        authenticator_selection: PasskeySelection {
            resident_key: "required",
            require_resident_key: true,
            user_verification: "required",
        },
        attestation: "none",
    };
    Ok(Reply::json(200, options))
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
    let body = RegisteredPasskey {
        passkey: Passkey::of(&registered.passkey),
        recovery_codes: registered.recovery_codes.as_deref(),
    };
    Ok(Reply::json(201, body))
}

pub async fn rename(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let name = form(&mut call.req, |f| f.parsed("name", webauthn::parse_name)).await?;
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
    let assertion = form(&mut call.req, |f| {
        f.parsed_value("credential", Assertion::from_json)
    })
    .await?;
    let rp = relying_party(call);
    let signed_in = passkeys::sign_in(&call.app, &assertion, &rp, &call.requester).await?;
    Ok(signed_in_reply(&signed_in))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/me/passkeys" => list, 200 => PasskeyList),
    route!(POST "/api/me/passkeys" => register, 201 => RegisteredPasskey),
    route!(POST "/api/me/passkeys/options" => creation_options, 200 => PasskeyCreationOptions),
    route!(PATCH "/api/me/passkeys/{id}" => rename),
    route!(DELETE "/api/me/passkeys/{id}" => remove),
    route!(POST "/api/session/passkey/options" => sign_in_options, 200 => PasskeyRequestOptions),
    route!(POST "/api/session/passkey" => sign_in, 200 => super::sessions::Me),
];
