//! What signing in, choosing a profile and changing factors need to know about an account's
//! second factors: which it has, whether a profile requires one, the challenge that replaces a
//! session when it does, and what every factor change writes (recovery codes, the owner's
//! notice). A leaf under [`super::sessions`], [`super::mfa`] and [`super::passkeys`].

use super::stored_email;
use crate::domain::locale::Locale;
use crate::domain::mfa::{
    profile_requires_factor, RecoveryCode, CHALLENGE_LIFETIME, RECOVERY_CODE_COUNT,
};
use crate::domain::secrets::KeyPurpose;
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::contacts::ProfileRow;
use crate::storage::db::Statement;
use crate::storage::mfa;
use crate::storage::WrittenNow;

/// Whether acting in this profile needs a second factor (an accounting firm's profile, a responsible,
/// an authorization administrator, any contact of an organisation that requires it of all).
pub fn requires_factor(profile: &ProfileRow) -> bool {
    profile_requires_factor(
        profile.organisation_kind,
        profile.role,
        profile.manages_authorizations == 1,
        profile.mfa_for_all_contacts == 1,
    )
}

/// The second factors of an account.
pub struct Factors {
    pub totp: bool,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
}

impl Factors {
    pub fn any(&self) -> bool {
        self.totp || self.passkeys > 0
    }

    /// The methods a sign-in challenge of this account accepts.
    pub fn methods(&self) -> Vec<&'static str> {
        [
            (self.totp, "totp"),
            (self.passkeys > 0, "passkey"),
            (true, "recovery_code"),
        ]
        .into_iter()
        .filter_map(|(offered, method)| offered.then_some(method))
        .collect()
    }
}

pub async fn factors(app: &App, user_id: &str) -> Result<Factors, InfraError> {
    let summary = mfa::summary(&app.db, user_id).await?;
    Ok(Factors {
        totp: summary.totp_enabled == 1,
        passkeys: summary.passkeys,
        recovery_codes_left: summary.recovery_codes_left,
    })
}

/// Whether the account has a confirmed factor (TOTP or a passkey).
pub async fn has_factor(app: &App, user_id: &str) -> Result<bool, InfraError> {
    Ok(factors(app, user_id).await?.any())
}

/// After a right password on an account with a factor: a challenge instead of a session.
pub fn challenge_statement(app: &App, user_id: &str) -> Result<(String, Statement), InfraError> {
    let id = random_id();
    let statement =
        mfa::insert_challenge(&app.db, &id, user_id, app.now + CHALLENGE_LIFETIME, app.now)?;
    Ok((id, statement))
}

/// Ten fresh codes (as shown once) and the statements that replace the stored set.
pub fn new_recovery_codes(
    app: &App,
    user_id: &str,
) -> Result<(Vec<String>, Vec<Statement>), InfraError> {
    let mut shown = Vec::with_capacity(RECOVERY_CODE_COUNT);
    let mut stored = Vec::with_capacity(RECOVERY_CODE_COUNT);
    for _ in 0..RECOVERY_CODE_COUNT {
        let code = RecoveryCode::generate(&mut OsEntropy);
        let id = random_id();
        stored.push((
            id.clone(),
            code.keyed_hash(&app.config.secrets.key(KeyPurpose::CodeHash), &id),
        ));
        shown.push(code.display());
    }
    Ok((
        shown,
        vec![
            mfa::delete_recovery_codes(&app.db, user_id)?,
            mfa::insert_recovery_codes(&app.db, user_id, &stored, app.now)?,
        ],
    ))
}

/// The email that tells the owner their factors changed (`enabled`, `disabled`,
/// `recovery_codes`, `passkey_added`, `passkey_removed`), in case it was not them; it never
/// carries a secret. With `row`, it goes out only if the batch writes that row.
pub fn change_notice(
    app: &App,
    user: &crate::storage::users::UserRow,
    change: &str,
    row: Option<&WrittenNow>,
) -> Result<email::PendingEmail, InfraError> {
    let to = stored_email(&user.email, &user.id)?;
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let params = json!({ "first_name": user.first_name, "change": change });
    match row {
        None => email::prepare(
            app,
            &to,
            Template::SecondFactorChanged,
            locale,
            None,
            params,
        ),
        Some(row) => {
            email::prepare_if_written(app, &to, Template::SecondFactorChanged, locale, params, row)
        }
    }
}
