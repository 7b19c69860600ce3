//! What signing in and choosing a profile need to know about an account's second factor: whether
//! it has one, whether a profile requires one, and the challenge that replaces a session when it
//! does. A leaf under [`super::sessions`] and [`super::mfa`], which both build on it.

use crate::domain::mfa::{profile_requires_factor, CHALLENGE_LIFETIME};
use crate::infra::{random_id, App, InfraError};
use crate::storage::contacts::ProfileRow;
use crate::storage::db::Statement;
use crate::storage::mfa;

/// Whether acting in this profile needs a second factor (an accounting firm's profile, a responsible,
/// an authorization administrator).
pub fn requires_factor(profile: &ProfileRow) -> bool {
    profile_requires_factor(
        profile.organisation_kind,
        profile.role,
        profile.manages_authorizations == 1,
    )
}

/// Whether the account has a confirmed factor.
pub async fn has_factor(app: &App, user_id: &str) -> Result<bool, InfraError> {
    Ok(mfa::find_totp(&app.db, user_id)
        .await?
        .is_some_and(|totp| totp.confirmed_at.is_some()))
}

/// After a right password on an account with a factor: a challenge instead of a session.
pub fn challenge_statement(app: &App, user_id: &str) -> Result<(String, Statement), InfraError> {
    let id = random_id();
    let statement =
        mfa::insert_challenge(&app.db, &id, user_id, app.now + CHALLENGE_LIFETIME, app.now)?;
    Ok((id, statement))
}

/// The methods a challenge accepts.
pub const METHODS: [&str; 2] = ["totp", "recovery_code"];
