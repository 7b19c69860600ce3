//! Signup screens, code validation and resend, forgotten password.

use super::body::{form, json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::Me;
use super::{Call, Reply};
use crate::domain::code::OneTimeCode;
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::password::{CommonPasswords, Password};
use crate::use_cases::accounts::{self, SignupForm};
use crate::use_cases::passwords;
use crate::use_cases::sessions::Next;
use serde::Serialize;

/// A code was sent to the address, to confirm it with this verification.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CodeSent<'a> {
    pub verification_id: &'a str,
    /// Seconds before another code may be asked for.
    pub resend_after: u64,
}

impl CodeSent<'_> {
    /// 202: the code of `verification_id` is on its way.
    pub fn reply(verification_id: &str) -> Reply {
        let body = CodeSent {
            verification_id,
            resend_after: cooldown_seconds(),
        };
        Reply::json(202, body)
    }
}

/// A new code was sent.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct CodeResent {
    /// Seconds before another code may be asked for.
    retry_after: u64,
}

/// If the address has an account, a reset code was sent to it (the answer is the same either
/// way).
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ResetCodeSent<'a> {
    reset_id: &'a str,
    /// Seconds before another code may be asked for.
    resend_after: u64,
}

/// The password was changed: sign in with the new one.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct PasswordReset {}

/// Screen 1 ("Suivant"): email and password, checked without revealing whether the email is taken.
struct Credentials {
    email: Email,
    password: Password,
}

fn credentials(fields: &mut Fields, common: &CommonPasswords) -> Option<Credentials> {
    let email = fields.parsed("email", Email::parse);
    let password = fields.string("password");
    let confirmation = fields.string("password_confirmation");
    let (password, confirmation) = (password?, confirmation?);
    let password = Password::parse_new(
        &password,
        &confirmation,
        email.as_ref(),
        common,
        "password",
        "password_confirmation",
        &mut fields.errors,
    );
    Some(Credentials {
        email: email?,
        password: password?,
    })
}

pub async fn validate(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let common = crate::infra::common_passwords(&call.app).await?;
    let parsed = credentials(&mut fields, &common);
    fields.finish(|| parsed)?;
    Ok(Reply::no_content())
}

pub async fn sign_up(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let common = crate::infra::common_passwords(&call.app).await?;
    let credentials = credentials(&mut fields, &common);
    let first_name = fields.parsed("first_name", PersonName::parse);
    let last_name = fields.parsed("last_name", PersonName::parse);
    if fields.boolean("accept_terms") == Some(false) {
        fields.errors.add("accept_terms", Problem::TermsNotAccepted);
    }
    let locale = match fields.optional_string("locale") {
        Some(raw) => fields
            .errors
            .take("locale", Locale::parse(&raw).ok_or(Problem::InvalidLocale)),
        None => Some(call.locale),
    };
    let form = fields.finish(|| {
        let Credentials { email, password } = credentials?;
        Some(SignupForm {
            email,
            password,
            first_name: first_name?,
            last_name: last_name?,
            locale: locale?,
        })
    })?;
    let verification_id = accounts::sign_up(&call.app, form, &call.requester).await?;
    Ok(CodeSent::reply(&verification_id))
}

pub async fn verify(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let verification_id = fields.id("verification_id");
    let code = fields.parsed("code", OneTimeCode::parse);
    let (verification_id, code) = fields.finish(|| Some((verification_id?, code?)))?;
    let (user, token, device) =
        accounts::verify(&call.app, &verification_id, &code, &call.requester).await?;
    // A brand-new account has no linked file yet: the guide sends it to "Liaison d'un profil".
    let body = Me {
        next: Some(Next::Link),
        ..Me::of(&user, None)
    };
    Ok(Reply::json(200, body)
        .with_cookie(cookies::set_session(&token))
        .with_cookie(cookies::set_device(&device)))
}

pub async fn resend(call: &mut Call) -> Result<Reply, ApiError> {
    let verification_id = form(&mut call.req, |f| f.id("verification_id")).await?;
    let retry_after = accounts::resend(&call.app, &verification_id).await?;
    Ok(Reply::json(202, CodeResent { retry_after }))
}

pub async fn forgot_password(call: &mut Call) -> Result<Reply, ApiError> {
    let email = form(&mut call.req, |f| f.parsed("email", Email::parse)).await?;
    let reset_id = passwords::forgot(&call.app, &email, &call.requester).await?;
    let body = ResetCodeSent {
        reset_id: &reset_id,
        resend_after: cooldown_seconds(),
    };
    Ok(Reply::json(202, body))
}

pub async fn reset_password(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let reset_id = fields.id("reset_id");
    let code = fields.parsed("code", OneTimeCode::parse);
    let new_password = fields.string("new_password");
    let confirmation = fields.string("new_password_confirmation");
    let (reset_id, code, new_password, confirmation) =
        fields.finish(|| Some((reset_id?, code?, new_password?, confirmation?)))?;
    passwords::reset(
        &call.app,
        &reset_id,
        &code,
        &new_password,
        &confirmation,
        &call.requester,
    )
    .await?;
    Ok(Reply::json(200, PasswordReset {}))
}

fn cooldown_seconds() -> u64 {
    (crate::domain::code::RESEND_COOLDOWN / crate::domain::SECOND) as u64
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/signup/validate" => validate),
    route!(POST "/api/signup" => sign_up, 202 => CodeSent),
    route!(POST "/api/signup/verify" => verify, 200 => Me),
    route!(POST "/api/signup/resend" => resend, 202 => CodeResent),
    route!(POST "/api/password/forgot" => forgot_password, 202 => ResetCodeSent),
    route!(POST "/api/password/reset" => reset_password, 200 => PasswordReset),
];
