//! The employer's side: grant, change and revoke authorizations of other organisations'
//! contacts, review migrated relations, answer access requests. Only the employer's responsables
//! and the contacts they made administrators of authorizations may; every query is scoped to the
//! employer of the active profile, so another employer's ids find nothing.
//!
//! `grants` creates, changes and revokes; `review` settles relations the legacy migration brought
//! in; `requests` answers the firms' access requests; `records` holds what they all write besides
//! the change itself (the JSON shown, audit and domain events, emails to the contact).

mod grants;
mod records;
mod requests;
mod review;

pub use grants::{change, grant, revoke, Change, Grant, Terms};
pub use records::{
    notify, notify_address, record, request_records, Authorization, AuthorizationEvent,
    OrganisationRef,
};
pub use requests::{approve, decline, requests};
pub use review::{confirm, review, Decision};

use crate::domain::authorization::may_manage_authorizations;
use crate::domain::fields::{FieldErrors, Problem};
use crate::domain::organisation::OrganisationKind;
use crate::infra::{App, InfraError};
use crate::storage::authorizations::{self, AuthorizationRow, EmployerFilter};
use crate::storage::contacts::ProfileRow;
use crate::use_cases::Actor;

#[derive(Debug, thiserror::Error)]
pub enum AuthorizationError {
    #[error("authorization: employer profile required")]
    EmployerProfileRequired,
    #[error("authorization: administrator required")]
    AdministratorRequired,
    #[error("authorization: not found")]
    NotFound,
    #[error("authorization: invalid: {0:?}")]
    Invalid(FieldErrors),
    #[error("authorization: exists (authorization id {authorization_id:?})")]
    Exists { authorization_id: String },
    #[error("authorization: inactive")]
    Inactive,
    #[error("authorization: not migrated")]
    NotMigrated,
    #[error("authorization: request expired")]
    RequestExpired,
    #[error("authorization: request answered")]
    RequestAnswered,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

fn invalid(field: &'static str, problem: Problem) -> AuthorizationError {
    let mut fields = FieldErrors::default();
    fields.add(field, problem);
    AuthorizationError::Invalid(fields)
}

/// The active profile acts for an employer and may manage its authorizations.
pub fn require_administrator(profile: &ProfileRow) -> Result<(), AuthorizationError> {
    if profile.organisation_kind != OrganisationKind::Employer {
        return Err(AuthorizationError::EmployerProfileRequired);
    }
    if may_manage_authorizations(profile.role, profile.manages_authorizations == 1) {
        Ok(())
    } else {
        Err(AuthorizationError::AdministratorRequired)
    }
}

pub struct ListQuery<'a> {
    pub filter: EmployerFilter<'a>,
    pub page: i64,
    pub page_size: i64,
}

pub async fn list(
    app: &App,
    actor: &Actor,
    query: &ListQuery<'_>,
) -> Result<(Vec<AuthorizationRow>, i64), AuthorizationError> {
    require_administrator(&actor.profile)?;
    Ok(authorizations::page_for_employer(
        &app.db,
        &actor.profile.organisation_id,
        &query.filter,
        app.now,
        query.page_size,
        (query.page - 1) * query.page_size,
    )
    .await?)
}

pub async fn get(
    app: &App,
    actor: &Actor,
    id: &str,
) -> Result<AuthorizationRow, AuthorizationError> {
    require_administrator(&actor.profile)?;
    authorizations::find_for_employer(&app.db, &actor.profile.organisation_id, id)
        .await?
        .ok_or(AuthorizationError::NotFound)
}
