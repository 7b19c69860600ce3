//! Creating an account: the two signup screens, the emailed code, its resend.

use super::codes::{self, CodeError, EmailPurpose, Purpose, ResendError};
use super::devices;
use super::sessions::StartedSession;
use super::{user_audit, Requester};
use crate::domain::device::DeviceToken;
use crate::domain::email::Email;
use crate::domain::locale::Locale;
use crate::domain::name::PersonName;
use crate::domain::password::{self, Password};
use crate::domain::session::SessionToken;
use crate::email;
use crate::email::templates::Template;
use crate::infra::{slow_step, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::users::{self, NewUser, UserRow};
use crate::storage::verifications::{self, CodeOwner, SignupDetails};
use crate::storage::{atomically, wrote};

pub struct SignupForm {
    pub email: Email,
    pub password: Password,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub locale: Locale,
}

/// Starts a signup. The answer is the same whether or not the address is taken: a taken address
/// gets a decoy verification, and its owner an email saying someone tried. Either email is sent
/// at most once a minute and five times an hour (separate budgets, so a stranger's signups never
/// spend the owner's); inside the budget's wait the latest verification answers again.
pub async fn sign_up(
    app: &App,
    form: SignupForm,
    requester: &Requester,
) -> Result<String, InfraError> {
    let password_hash = slow_step(|| password::hash(&form.password, &mut OsEntropy)).await;
    let existing = users::find_by_email(&app.db, form.email.as_str()).await?;
    let owner = existing.filter(UserRow::is_active);
    let budget = match owner {
        Some(_) => EmailPurpose::AccountExists,
        None => EmailPurpose::Signup,
    };
    let send = codes::reserve_email(app, budget, form.email.as_str())
        .await?
        .is_ok();
    if !send {
        if let Some(recent) = verifications::latest_unused(
            &app.db,
            Purpose::Signup.as_str(),
            form.email.as_str(),
            owner.is_some(),
        )
        .await?
        {
            return Ok(recent.id);
        }
    }
    let (issued, pending_email, statements) = match owner {
        Some(owner) => {
            let issued = codes::issue(app, Purpose::Signup, CodeOwner::Nobody, &form.email, None)?;
            let owner_locale = Locale::parse(&owner.locale).unwrap_or_default();
            let notice = email::prepare(
                app,
                &form.email,
                Template::AccountExists,
                owner_locale,
                None,
                json!({ "first_name": owner.first_name }),
            )?;
            let attempt = user_audit(app, "signup.address_taken", &owner.id, requester)?;
            (issued, notice, vec![attempt])
        }
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            let user = users::insert_pending_if_absent(
                &app.db,
                &NewUser {
                    id: &id,
                    email: form.email.as_str(),
                    password_hash: &password_hash,
                    first_name: form.first_name.as_str(),
                    last_name: form.last_name.as_str(),
                    locale: form.locale.code(),
                },
                app.now,
            )?;
            let issued = codes::issue(
                app,
                Purpose::Signup,
                CodeOwner::PendingUserWithEmail,
                &form.email,
                Some(SignupDetails {
                    password_hash: &password_hash,
                    first_name: form.first_name.as_str(),
                    last_name: form.last_name.as_str(),
                    locale: form.locale.code(),
                }),
            )?;
            let code_email = email::prepare(
                app,
                &form.email,
                Template::SignupCode,
                form.locale,
                Some(issued.code.expose()),
                json!({ "first_name": form.first_name.as_str() }),
            )?;
            (issued, code_email, vec![user])
        }
    };
    let mut batch = statements;
    batch.push(issued.insert);
    let to_send = send.then_some(pending_email);
    email::commit_and_send(app, batch, to_send, "Failed to record a signup").await?;
    Ok(issued.verification_id)
}

/// Validates the emailed code: the account becomes active and a session starts.
pub async fn verify(
    app: &App,
    verification_id: &str,
    code: &crate::domain::code::OneTimeCode,
    requester: &Requester,
) -> Result<(UserRow, SessionToken, DeviceToken), CodeError> {
    let verification = codes::check(app, Purpose::Signup, verification_id, code).await?;
    let user_id = verification.user_id.clone().ok_or(CodeError::NotFound)?;
    let nonce = crate::infra::random_id();
    let session = StartedSession::new(app, &user_id, requester);
    let device = devices::first(app, &user_id, session.token_hash(), requester)?;
    let mut statements = vec![
        verifications::consume(&app.db, &verification.id, &nonce, app.now)?,
        users::activate_if_consumed_by(&app.db, &user_id, &verification.id, &nonce, app.now)?,
        codes::release_budget(app, &verification)?,
        session.insert_if_consumed_by(app, &verification.id, &nonce)?,
        user_audit(app, "signup.verified", &user_id, requester)?,
    ];
    statements.extend(device.statements);
    let results = atomically(&app.db, statements, "Failed to activate an account").await?;
    if !results.first().is_some_and(wrote) {
        return Err(CodeError::Rejected(
            crate::domain::code::CodeRejection::AlreadyUsed,
        ));
    }
    let user = users::find_by_id(&app.db, &user_id)
        .await?
        .ok_or(CodeError::NotFound)?;
    Ok((user, session.token, device.token))
}

/// Sends a new code (the old one dies). Decoys go through the same motions without an email.
pub async fn resend(app: &App, verification_id: &str) -> Result<u64, ResendError> {
    let (verification, code, replace) =
        codes::reissue(app, Purpose::Signup, verification_id).await?;
    let mut code_email = None;
    if let Some(user) = match &verification.user_id {
        Some(id) => users::find_by_id(&app.db, id).await?,
        None => None,
    } {
        let email = Email::parse(&user.email).map_err(|_| ResendError::NotFound)?;
        let locale = Locale::parse(&user.locale).unwrap_or_default();
        code_email = Some(email::prepare(
            app,
            &email,
            Template::SignupCode,
            locale,
            Some(code.expose()),
            json!({ "first_name": user.first_name }),
        )?);
    }
    email::commit_and_send(app, vec![replace], code_email, "Failed to replace a code").await?;
    Ok(crate::domain::code::RESEND_COOLDOWN as u64 / 1000)
}
