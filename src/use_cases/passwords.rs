//! "Mot de passe oublié?": a code emailed to the address, then a new password.

use super::codes::{self, CodeError, EmailPurpose, Purpose};
use super::{user_audit, Requester};
use crate::domain::code::{CodeRejection, OneTimeCode};
use crate::domain::email::Email;
use crate::domain::fields::FieldErrors;
use crate::domain::locale::Locale;
use crate::domain::password::{self, Password};
use crate::email;
use crate::email::templates::Template;
use crate::infra::{random_id, slow_step, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::users;
use crate::storage::verifications::{self, CodeOwner};
use crate::storage::{atomically, sessions, wrote};

/// Starts a reset. Unknown addresses get a decoy that answers alike. The address's budget (one
/// email a minute, five an hour, counted for unknown addresses too) is reserved first; inside its
/// wait the latest reset id answers again and nothing is sent.
pub async fn forgot(app: &App, email: &Email, requester: &Requester) -> Result<String, InfraError> {
    let send = codes::reserve_email(app, EmailPurpose::Reset, email.as_str())
        .await?
        .is_ok();
    let user = users::find_by_email(&app.db, email.as_str()).await?;
    if !send {
        if let Some(recent) = verifications::latest_unused(
            &app.db,
            Purpose::Reset.as_str(),
            email.as_str(),
            user.is_none(),
        )
        .await?
        {
            return Ok(recent.id);
        }
    }
    let owner = user
        .as_ref()
        .map_or(CodeOwner::Nobody, |u| CodeOwner::User(&u.id));
    let issued = codes::issue(app, Purpose::Reset, owner, email, None)?;
    let batch = vec![
        // Only the newest reset code of an address works: earlier ones expire now.
        verifications::expire_unused(&app.db, Purpose::Reset.as_str(), email.as_str(), app.now)?,
        issued.insert,
        audit::append(
            &app.db,
            &AuditEvent::of_user(
                "password.reset_requested",
                user.as_ref().map(|u| u.id.as_str()),
                requester.ip.as_deref(),
            ),
            app.now,
        )?,
    ];
    let mut code_email = None;
    if let Some(user) = user.as_ref().filter(|_| send) {
        let locale = Locale::parse(&user.locale).unwrap_or_default();
        code_email = Some(email::prepare(
            app,
            email,
            Template::PasswordResetCode,
            locale,
            Some(issued.code.expose()),
            json!({ "first_name": user.first_name }),
        )?);
    }
    email::commit_and_send(
        app,
        batch,
        code_email,
        "Failed to record a password reset request",
    )
    .await?;
    Ok(issued.verification_id)
}

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("password reset: invalid password: {0:?}")]
    InvalidPassword(FieldErrors),
}

impl From<InfraError> for ResetError {
    fn from(error: InfraError) -> Self {
        ResetError::Code(CodeError::Infra(error))
    }
}

/// Sets the new password once the code checks out; every session of the user ends.
pub async fn reset(
    app: &App,
    reset_id: &str,
    code: &OneTimeCode,
    new_password: &str,
    confirmation: &str,
    requester: &Requester,
) -> Result<(), ResetError> {
    let verification = verifications::find(&app.db, reset_id, Purpose::Reset.as_str())
        .await?
        .ok_or(CodeError::NotFound)?;
    let email = Email::parse(&verification.email).ok();
    let common = crate::infra::common_passwords(app).await?;
    let mut errors = FieldErrors::default();
    let Some(new_password) = Password::parse_new(
        new_password,
        confirmation,
        email.as_ref(),
        &common,
        "new_password",
        "new_password_confirmation",
        &mut errors,
    ) else {
        return Err(ResetError::InvalidPassword(errors));
    };
    let verification = codes::check(app, Purpose::Reset, reset_id, code).await?;
    let user_id = verification.user_id.clone().ok_or(CodeError::NotFound)?;
    let user = users::find_by_id(&app.db, &user_id)
        .await?
        .ok_or(CodeError::NotFound)?;
    let password_hash = slow_step(|| password::hash(&new_password, &mut OsEntropy)).await;
    let nonce = random_id();
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let notice = match &email {
        Some(email) => Some(email::prepare(
            app,
            email,
            Template::PasswordChanged,
            locale,
            None,
            json!({ "first_name": user.first_name }),
        )?),
        None => None,
    };
    let mut batch = vec![
        verifications::consume(&app.db, &verification.id, &nonce, app.now)?,
        codes::release_budget(app, &verification)?,
        users::set_password_if_consumed_by(
            &app.db,
            &user_id,
            &password_hash,
            &verification.id,
            &nonce,
            app.now,
        )?,
        sessions::revoke_all_of_user_if_consumed_by(
            &app.db,
            &user_id,
            &verification.id,
            &nonce,
            app.now,
        )?,
        user_audit(app, "password.reset", &user_id, requester)?,
    ];
    let message = notice.map(|pending| {
        batch.push(pending.insert);
        pending.message
    });
    let results = atomically(&app.db, batch, "Failed to reset a password").await?;
    if !results.first().is_some_and(wrote) {
        return Err(CodeError::Rejected(CodeRejection::AlreadyUsed).into());
    }
    if let Some(message) = message {
        email::dispatch(app, message).await?;
    }
    Ok(())
}
