//! "Sélectionnez un profil": the personal profile and one per linked contact; the active one lives
//! in the server-side session, and choosing one rotates the session token.

use super::factors;
use super::sessions::{Authenticated, StartedSession};
use super::Requester;
use crate::domain::session::SessionToken;
use crate::infra::{App, InfraError};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts::{self, ProfileRow};
use crate::storage::{atomically, sessions};

/// The id of the profile that acts for no organisation.
pub const PERSONAL: &str = "personal";

pub async fn list(app: &App, user_id: &str) -> Result<Vec<ProfileRow>, InfraError> {
    contacts::profiles_of(&app.db, user_id).await
}

#[derive(Debug, thiserror::Error)]
pub enum SwitchError {
    #[error("profile switch: not found")]
    NotFound,
    /// The profile needs a second factor and the account has none.
    #[error("profile switch: factor required")]
    FactorRequired,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Makes `profile_id` the active profile: a new session replaces the current one. A profile of
/// an accounting firm, or one that is responsible or administrator, needs a second factor.
pub async fn switch(
    app: &App,
    who: &Authenticated,
    profile_id: &str,
    requester: &Requester,
) -> Result<(Option<ProfileRow>, SessionToken), SwitchError> {
    let profile = if profile_id == PERSONAL {
        None
    } else {
        Some(
            list(app, &who.user.id)
                .await?
                .into_iter()
                .find(|p| p.contact_id == profile_id)
                .ok_or(SwitchError::NotFound)?,
        )
    };
    if profile.as_ref().is_some_and(factors::requires_factor) && !who.has_factor {
        return Err(SwitchError::FactorRequired);
    }
    let mut session = StartedSession::rotated(app, who, requester);
    session.factor_verified_at = who.factor_verified_at;
    session.active_contact_id = profile.as_ref().map(|p| p.contact_id.clone());
    atomically(
        &app.db,
        vec![
            session.insert(app)?,
            sessions::revoke(&app.db, &who.token_hash, app.now)?,
            audit::append(
                &app.db,
                &AuditEvent {
                    action: "profile.selected",
                    user_id: Some(&who.user.id),
                    organisation_id: profile.as_ref().map(|p| p.organisation_id.as_str()),
                    contact_id: profile.as_ref().map(|p| p.contact_id.as_str()),
                    ip: requester.ip.as_deref(),
                    details: json!({}),
                    counterpart_organisation_id: None,
                },
                app.now,
            )?,
        ],
        "Failed to switch profiles",
    )
    .await?;
    Ok((profile, session.token))
}
