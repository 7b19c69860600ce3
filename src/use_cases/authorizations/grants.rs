//! Granting, changing and revoking an authorization.

use super::records::{notify, record, Authorization};
use super::review::{decided, Decision};
use super::{get, invalid, require_administrator, AuthorizationError};
use crate::domain::authorization::{AuthorizationStatus, Origin};
use crate::domain::authorization::{Level, Period, Services};
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::organisation::ContactStatus;
use crate::domain::organisation::FileNumber;
use crate::domain::time::Day;
use crate::email::templates::Template;
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::authorizations::{self, AuthorizationRow, NewAuthorization};
use crate::storage::contacts::{self, ProfileRow};
use crate::storage::db::Statement;
use crate::storage::organisations::{self, OrganisationRow};
use crate::storage::{atomically, wrote};
use crate::use_cases::Actor;

/// What is granted: services, level and period.
pub struct Terms {
    pub services: Services,
    pub level: Level,
    pub period: Period,
}

pub struct Grant {
    pub firm_file_number: FileNumber,
    pub contact_email: Email,
    pub terms: Terms,
}

/// Grants a contact of another organisation access to the employer's file.
pub async fn grant(
    app: &App,
    actor: &Actor,
    grant: Grant,
) -> Result<AuthorizationRow, AuthorizationError> {
    require_administrator(&actor.profile)?;
    let firm = organisations::find_by_file_number(&app.db, grant.firm_file_number.as_str())
        .await?
        .ok_or_else(|| invalid("firm_file_number", Problem::UnknownFileNumber))?;
    if firm.id == actor.profile.organisation_id {
        return Err(invalid("firm_file_number", Problem::NotYourOrganisation));
    }
    let contact = contacts::find_by_email_in(&app.db, &firm.id, grant.contact_email.as_str())
        .await?
        .filter(|c| c.status != ContactStatus::Revoked)
        .ok_or_else(|| invalid("contact_email", Problem::UnknownContact))?;
    let employer = employer_of(app, &actor.profile).await?;
    let parties = Parties {
        employer: &employer,
        firm: &firm,
        contact_id: &contact.id,
    };
    create(
        app,
        actor,
        &parties,
        &grant.terms,
        &random_id(),
        Vec::new(),
        Template::AuthorizationGranted,
    )
    .await
}

/// Who an authorization is between.
pub(super) struct Parties<'a> {
    pub employer: &'a OrganisationRow,
    pub firm: &'a OrganisationRow,
    pub contact_id: &'a str,
}

pub(super) async fn employer_of(
    app: &App,
    profile: &ProfileRow,
) -> Result<OrganisationRow, InfraError> {
    organisations::find(&app.db, &profile.organisation_id)
        .await?
        .ok_or_else(|| InfraError {
            context: "The active profile's organisation is missing".into(),
            cause: profile.organisation_id.clone(),
        })
}

/// Inserts a granted authorization `id` with its records, plus `more` statements in the same
/// batch (an access request's answer), then tells the contact with `template`. An active
/// authorization whose end has passed is ended first.
#[allow(clippy::too_many_arguments)]
pub(super) async fn create(
    app: &App,
    actor: &Actor,
    parties: &Parties<'_>,
    terms: &Terms,
    id: &str,
    more: Vec<Statement>,
    template: Template,
) -> Result<AuthorizationRow, AuthorizationError> {
    let Parties {
        employer,
        firm,
        contact_id,
    } = *parties;
    // An active authorization whose end has passed (the lifecycle job has not run yet) is ended
    // first, with its records, as the job would.
    let mut statements = Vec::new();
    if let Some(existing) = authorizations::find_active(&app.db, &employer.id, contact_id).await? {
        if crate::domain::authorization::is_current(existing.status, existing.ends_at, app.now) {
            return Err(AuthorizationError::Exists {
                authorization_id: existing.id,
            });
        }
        let ended = AuthorizationRow {
            status: AuthorizationStatus::Ended,
            updated_at: app.now,
            ..existing.clone()
        };
        statements.push(authorizations::end(&app.db, &existing.id, app.now)?);
        statements.extend(record(
            app,
            None,
            &actor.requester,
            "authorization.expired",
            &ended,
            json!({}),
        )?);
    }
    let contact = contacts::find_in(&app.db, &firm.id, contact_id)
        .await?
        .ok_or(AuthorizationError::NotFound)?;
    let new = NewAuthorization {
        id,
        employer_id: &employer.id,
        employer_name: &employer.name,
        employer_file_number: &employer.file_number,
        contact_id,
        firm_id: &firm.id,
        services: terms.services.bits(),
        level: terms.level,
        starts_at: terms.period.starts_at(),
        ends_at: terms.period.ends_at(),
        granted_by: &actor.user_id,
    };
    let after = AuthorizationRow {
        id: id.to_owned(),
        employer_id: employer.id.clone(),
        employer_name: employer.name.clone(),
        file_number: employer.file_number.clone(),
        contact_id: contact_id.to_owned(),
        contact_first_name: contact.first_name.clone(),
        contact_last_name: contact.last_name.clone(),
        contact_email: contact.email.clone(),
        firm_id: firm.id.clone(),
        firm_name: firm.name.clone(),
        firm_file_number: firm.file_number.clone(),
        services: new.services,
        level: new.level.to_owned(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        origin: Origin::Granted,
        status: AuthorizationStatus::Active,
        confirmed_at: None,
        created_at: app.now,
        updated_at: app.now,
        revoked_at: None,
        version: 0,
    };
    let insert_at = statements.len();
    statements.push(authorizations::insert_granted(&app.db, &new, app.now)?);
    statements.extend(more);
    statements.extend(record(
        app,
        Some(actor.user_id.as_str()),
        &actor.requester,
        "authorization.granted",
        &after,
        json!({}),
    )?);
    let results = atomically(&app.db, statements, "Failed to grant an authorization").await?;
    if !results.get(insert_at).is_some_and(wrote) {
        let existing = authorizations::find_active(&app.db, &employer.id, contact_id).await?;
        return Err(AuthorizationError::Exists {
            authorization_id: existing.map(|a| a.id).unwrap_or_default(),
        });
    }
    let params = json!({
        "employer_name": employer.name, "file_number": employer.file_number,
        "services": terms.services.codes(), "level": terms.level.as_str(),
        "ends_on": terms.period.ends_on.map(Day::to_iso),
    });
    notify(app, &contact, template, params).await;
    authorizations::find_for_employer(&app.db, &employer.id, id)
        .await?
        .ok_or(AuthorizationError::NotFound)
}

/// A change to an active authorization; `None` members stay as they are. `ends_on: Some(None)`
/// removes the end date.
pub struct Change {
    pub services: Option<Services>,
    pub level: Option<Level>,
    pub ends_on: Option<Option<Day>>,
}

/// Changes `before`, the authorization as [`get`] found it for this actor; answers it as the
/// change left it.
pub async fn change(
    app: &App,
    actor: &Actor,
    before: AuthorizationRow,
    change: Change,
) -> Result<AuthorizationRow, AuthorizationError> {
    require_administrator(&actor.profile)?;
    if !crate::domain::authorization::is_current(before.status, before.ends_at, app.now) {
        return Err(AuthorizationError::Inactive);
    }
    let services = change
        .services
        .or_else(|| Services::from_bits(before.services))
        .ok_or(AuthorizationError::NotFound)?;
    let level = change.level.unwrap_or(before.level);
    let ends_on = match change.ends_on {
        Some(ends_on) => ends_on,
        None => before.ends_at.map(Day::ending_at),
    };
    let period = Period::new(Day::of(before.starts_at), ends_on, app.now)
        .map_err(|problem| invalid("ends_on", problem))?;
    let after = AuthorizationRow {
        services: services.bits(),
        level,
        ends_at: period.ends_at(),
        updated_at: app.now,
        ..before.clone()
    };
    let mut statements = vec![authorizations::update(
        &app.db,
        &actor.profile.organisation_id,
        &before.id,
        after.services,
        after.level,
        after.ends_at,
        app.now,
    )?];
    let before_json = json::value_via_text(&Authorization::of(&before, app.now));
    let details = json!({ "before": before_json });
    statements.extend(record(
        app,
        Some(actor.user_id.as_str()),
        &actor.requester,
        "authorization.changed",
        &after,
        details,
    )?);
    let results = atomically(&app.db, statements, "Failed to change an authorization").await?;
    if !results.first().is_some_and(wrote) {
        return Err(AuthorizationError::Inactive);
    }
    // The update wrote `after`'s columns and nothing else the answer shows (the row stays
    // active, its contact and firm as read; only the sync `version` moved): no read back.
    Ok(after)
}

/// Revokes at once: the contact's next request no longer finds the file. Revoking a revoked
/// authorization answers it unchanged.
pub async fn revoke(
    app: &App,
    actor: &Actor,
    id: &str,
) -> Result<AuthorizationRow, AuthorizationError> {
    let before = get(app, actor, id).await?;
    match before.status {
        AuthorizationStatus::Revoked => return Ok(before),
        AuthorizationStatus::Ended => return Err(AuthorizationError::Inactive),
        AuthorizationStatus::Active => {}
    }
    let statements = decided(app, actor, &before, Decision::Revoke)?;
    atomically(&app.db, statements, "Failed to revoke an authorization").await?;
    get(app, actor, id).await
}
