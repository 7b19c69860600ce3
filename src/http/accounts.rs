//! Signup screens, code validation and resend, forgotten password.

use super::body::{json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::me_json;
use super::{Call, Reply};
use crate::domain::code::OneTimeCode;
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::password::{CommonPasswords, Password};
use crate::json;
use crate::use_cases::accounts::{self, SignupForm};
use crate::use_cases::passwords;
use crate::use_cases::sessions::Next;

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
    Ok(Reply::json(
        202,
        json!({ "verification_id": verification_id, "resend_after": cooldown_seconds() }),
    ))
}

pub async fn verify(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let verification_id = fields.id("verification_id");
    let code = fields.parsed("code", OneTimeCode::parse);
    let (verification_id, code) = fields.finish(|| Some((verification_id?, code?)))?;
    let (user, token, device) =
        accounts::verify(&call.app, &verification_id, &code, &call.requester).await?;
    // A brand-new account has no linked file yet: the guide sends it to "Liaison d'un profil".
    let mut body = me_json(&user, None);
    body["next"] = Next::Link.as_str().into();
    Ok(Reply::json(200, body)
        .with_cookie(cookies::set_session(&token))
        .with_cookie(cookies::set_device(&device)))
}

pub async fn resend(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let verification_id = fields.id("verification_id");
    let verification_id = fields.finish(|| verification_id)?;
    let retry_after = accounts::resend(&call.app, &verification_id).await?;
    Ok(Reply::json(202, json!({ "retry_after": retry_after })))
}

pub async fn forgot_password(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let email = fields.parsed("email", Email::parse);
    let email = fields.finish(|| email)?;
    let reset_id = passwords::forgot(&call.app, &email, &call.requester).await?;
    Ok(Reply::json(
        202,
        json!({ "reset_id": reset_id, "resend_after": cooldown_seconds() }),
    ))
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
    Ok(Reply::json(200, json!({})))
}

fn cooldown_seconds() -> u64 {
    (crate::domain::code::RESEND_COOLDOWN / crate::domain::SECOND) as u64
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/signup/validate" => validate),
    route!(POST "/api/signup" => sign_up),
    route!(POST "/api/signup/verify" => verify),
    route!(POST "/api/signup/resend" => resend),
    route!(POST "/api/password/forgot" => forgot_password),
    route!(POST "/api/password/reset" => reset_password),
];
