//! The employer's side: grant, change and revoke authorizations of other organisations'
//! contacts, review migrated relations, answer access requests. Only the employer's responsables
//! and the contacts they made administrators of authorizations may; every query is scoped to the
//! employer of the active profile, so another employer's ids find nothing.

use super::Requester;
use crate::domain::authorization::{may_manage_authorizations, Day, Level, Period, Services};
use crate::domain::email::Email;
use crate::domain::fields::{FieldErrors, Problem};
use crate::domain::organisation::{FileNumber, Role};
use crate::domain::Millis;
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::access_requests::{self, AccessRequestRow, Answer, Side};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::authorizations::{self, AuthorizationRow, EmployerFilter, NewAuthorization};
use crate::storage::contacts::{self, ContactRow, ProfileRow};
use crate::storage::db::Statement;
use crate::storage::domain_events::{self, DomainEvent};
use crate::storage::organisations::{self, OrganisationRow};
use crate::storage::{atomically, wrote, WrittenNow};
use serde_json::Value;

#[derive(Debug)]
pub enum AuthorizationError {
    EmployerProfileRequired,
    AdministratorRequired,
    NotFound,
    Invalid(FieldErrors),
    Exists { authorization_id: String },
    Inactive,
    NotMigrated,
    RequestExpired,
    RequestAnswered,
    Infra(InfraError),
}

impl From<InfraError> for AuthorizationError {
    fn from(error: InfraError) -> Self {
        AuthorizationError::Infra(error)
    }
}

fn invalid(field: &'static str, problem: Problem) -> AuthorizationError {
    let mut fields = FieldErrors::default();
    fields.add(field, problem);
    AuthorizationError::Invalid(fields)
}

/// The active profile acts for an employer and may manage its authorizations.
pub fn require_administrator(profile: &ProfileRow) -> Result<(), AuthorizationError> {
    if profile.organisation_kind != "employer" {
        return Err(AuthorizationError::EmployerProfileRequired);
    }
    let role = Role::parse(&profile.role).unwrap_or(Role::Membre);
    if may_manage_authorizations(role, profile.manages_authorizations == 1) {
        Ok(())
    } else {
        Err(AuthorizationError::AdministratorRequired)
    }
}

/// An authorization as the API, the audit details and the domain events show it.
pub fn authorization_json(a: &AuthorizationRow, now: Millis) -> Value {
    let services = Services::from_bits(a.services).map(Services::codes);
    let status = if crate::domain::authorization::is_current(&a.status, a.ends_at, now)
        || a.status != "active"
    {
        a.status.as_str()
    } else {
        "ended"
    };
    let review = match (a.origin.as_str(), a.confirmed_at) {
        ("migrated", None) => json!("pending"),
        ("migrated", Some(_)) => json!("confirmed"),
        _ => Value::Null,
    };
    json!({
        "id": a.id,
        "employer": { "id": a.employer_id, "name": a.employer_name, "file_number": a.file_number },
        "contact": { "id": a.contact_id, "first_name": a.contact_first_name, "last_name": a.contact_last_name, "email": a.contact_email },
        "firm": { "id": a.firm_id, "name": a.firm_name, "file_number": a.firm_file_number },
        "services": services.unwrap_or_default(),
        "level": a.level,
        "starts_on": Day::of(a.starts_at).to_iso(),
        "ends_on": a.ends_at.map(|end| Day::ending_at(end).to_iso()),
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "origin": a.origin,
        "status": status,
        "review": review,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
        "revoked_at": a.revoked_at,
    })
}

/// The statements recording a change to an authorization: an audit event in both organisations'
/// trails and a domain event, each only if the change was written (`updated_at` = now).
pub fn record(
    app: &App,
    actor: Option<&str>,
    requester: &Requester,
    kind: &str,
    after: &AuthorizationRow,
    details: Value,
) -> Result<Vec<Statement>, InfraError> {
    let written = WrittenNow {
        table: "authorizations",
        column: "updated_at",
        id: &after.id,
    };
    let payload =
        json!({ "authorization": authorization_json(after, app.now), "details": details });
    Ok(vec![
        audit::append_if_written(
            &app.db,
            &AuditEvent {
                action: kind,
                user_id: actor,
                organisation_id: Some(&after.employer_id),
                contact_id: Some(&after.contact_id),
                ip: requester.ip.as_deref(),
                details: json!({ "authorization_id": after.id, "services": payload["authorization"]["services"], "level": after.level, "details": details }),
                counterpart_organisation_id: Some(&after.firm_id),
            },
            &written,
            app.now,
        )?,
        domain_events::append_if_written(
            &app.db,
            &DomainEvent {
                kind,
                employer_id: &after.employer_id,
                firm_id: &after.firm_id,
                payload,
            },
            &written,
            app.now,
        )?,
    ])
}

pub struct ListQuery<'a> {
    pub filter: EmployerFilter<'a>,
    pub page: i64,
    pub page_size: i64,
}

pub async fn list(
    app: &App,
    profile: &ProfileRow,
    query: &ListQuery<'_>,
) -> Result<(Vec<AuthorizationRow>, i64), AuthorizationError> {
    require_administrator(profile)?;
    Ok(authorizations::page_for_employer(
        &app.db,
        &profile.organisation_id,
        &query.filter,
        app.now,
        query.page_size,
        (query.page - 1) * query.page_size,
    )
    .await?)
}

pub async fn get(
    app: &App,
    profile: &ProfileRow,
    id: &str,
) -> Result<AuthorizationRow, AuthorizationError> {
    require_administrator(profile)?;
    authorizations::find_for_employer(&app.db, &profile.organisation_id, id)
        .await?
        .ok_or(AuthorizationError::NotFound)
}

/// What is granted: services, level and period.
pub struct Terms {
    pub services: Services,
    pub level: Level,
    pub period: Period,
}

pub struct Grant {
    pub firm_file_number: FileNumber,
    pub contact_email: crate::domain::email::Email,
    pub terms: Terms,
}

/// Grants a contact of another organisation access to the employer's file.
pub async fn grant(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    grant: Grant,
    requester: &Requester,
) -> Result<AuthorizationRow, AuthorizationError> {
    require_administrator(profile)?;
    let firm = organisations::find_by_file_number(&app.db, grant.firm_file_number.as_str())
        .await?
        .ok_or_else(|| invalid("firm_file_number", Problem::UnknownFileNumber))?;
    if firm.id == profile.organisation_id {
        return Err(invalid("firm_file_number", Problem::NotYourOrganisation));
    }
    let contact = contacts::find_by_email_in(&app.db, &firm.id, grant.contact_email.as_str())
        .await?
        .filter(|c| c.status != "revoked")
        .ok_or_else(|| invalid("contact_email", Problem::UnknownContact))?;
    let employer = employer_of(app, profile).await?;
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
        requester,
        Vec::new(),
        Template::AuthorizationGranted,
    )
    .await
}

/// Who an authorization is between.
struct Parties<'a> {
    employer: &'a OrganisationRow,
    firm: &'a OrganisationRow,
    contact_id: &'a str,
}

async fn employer_of(app: &App, profile: &ProfileRow) -> Result<OrganisationRow, InfraError> {
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
async fn create(
    app: &App,
    actor: &str,
    parties: &Parties<'_>,
    terms: &Terms,
    id: &str,
    requester: &Requester,
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
        if crate::domain::authorization::is_current(&existing.status, existing.ends_at, app.now) {
            return Err(AuthorizationError::Exists {
                authorization_id: existing.id,
            });
        }
        let ended = AuthorizationRow {
            status: "ended".into(),
            updated_at: app.now,
            ..existing.clone()
        };
        statements.push(authorizations::end(&app.db, &existing.id, app.now)?);
        statements.extend(record(
            app,
            None,
            requester,
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
        level: terms.level.as_str(),
        starts_at: terms.period.starts_at(),
        ends_at: terms.period.ends_at(),
        granted_by: actor,
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
        origin: "granted".into(),
        status: "active".into(),
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
        Some(actor),
        requester,
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

/// Emails a contact about a decision already committed.
pub async fn notify(app: &App, contact: &ContactRow, template: Template, params: Value) {
    notify_address(
        app,
        &contact.email,
        contact.locale(),
        &contact.first_name,
        template,
        params,
    )
    .await;
}

/// Emails an address about a decision already committed. The decision stands if the email
/// cannot be queued: the failure is logged.
pub async fn notify_address(
    app: &App,
    address: &str,
    locale: crate::domain::locale::Locale,
    first_name: &str,
    template: Template,
    mut params: Value,
) {
    params["first_name"] = json!(first_name);
    let sent = async {
        let to = Email::parse(address).map_err(|_| InfraError {
            context: "A stored email address does not parse".into(),
            cause: template.name().into(),
        })?;
        let pending = email::prepare(app, &to, template, locale, None, params)?;
        atomically(&app.db, vec![pending.insert], "Failed to record an email").await?;
        email::dispatch(app, pending.message).await
    };
    if let Err(error) = sent.await {
        worker::console_error!("email {} not sent: {error}", template.name());
    }
}

/// A change to an active authorization; `None` members stay as they are. `ends_on: Some(None)`
/// removes the end date.
pub struct Change {
    pub services: Option<Services>,
    pub level: Option<Level>,
    pub ends_on: Option<Option<Day>>,
}

pub async fn change(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    id: &str,
    change: Change,
    requester: &Requester,
) -> Result<AuthorizationRow, AuthorizationError> {
    let before = get(app, profile, id).await?;
    if !crate::domain::authorization::is_current(&before.status, before.ends_at, app.now) {
        return Err(AuthorizationError::Inactive);
    }
    let services = change
        .services
        .or_else(|| Services::from_bits(before.services))
        .ok_or(AuthorizationError::NotFound)?;
    let level = change.level.map(Level::as_str).unwrap_or(&before.level);
    let ends_on = match change.ends_on {
        Some(ends_on) => ends_on,
        None => before.ends_at.map(Day::ending_at),
    };
    let period = Period::new(Day::of(before.starts_at), ends_on, app.now)
        .map_err(|problem| invalid("ends_on", problem))?;
    let after = AuthorizationRow {
        services: services.bits(),
        level: level.to_owned(),
        ends_at: period.ends_at(),
        updated_at: app.now,
        ..before.clone()
    };
    let mut statements = vec![authorizations::update(
        &app.db,
        &profile.organisation_id,
        id,
        after.services,
        &after.level,
        after.ends_at,
        app.now,
    )?];
    let details = json!({ "before": authorization_json(&before, app.now) });
    statements.extend(record(
        app,
        Some(actor),
        requester,
        "authorization.changed",
        &after,
        details,
    )?);
    let results = atomically(&app.db, statements, "Failed to change an authorization").await?;
    if !results.first().is_some_and(wrote) {
        return Err(AuthorizationError::Inactive);
    }
    get(app, profile, id).await
}

/// Revokes at once: the contact's next request no longer finds the file. Revoking a revoked
/// authorization answers it unchanged.
pub async fn revoke(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    id: &str,
    requester: &Requester,
) -> Result<AuthorizationRow, AuthorizationError> {
    let before = get(app, profile, id).await?;
    match before.status.as_str() {
        "revoked" => return Ok(before),
        "ended" => return Err(AuthorizationError::Inactive),
        _ => {}
    }
    let statements = revocation(app, actor, &before, requester)?;
    atomically(&app.db, statements, "Failed to revoke an authorization").await?;
    get(app, profile, id).await
}

fn revocation(
    app: &App,
    actor: &str,
    before: &AuthorizationRow,
    requester: &Requester,
) -> Result<Vec<Statement>, InfraError> {
    let after = AuthorizationRow {
        status: "revoked".into(),
        revoked_at: Some(app.now),
        updated_at: app.now,
        ..before.clone()
    };
    let mut statements = vec![authorizations::revoke(
        &app.db,
        &before.employer_id,
        &before.id,
        app.now,
    )?];
    statements.extend(record(
        app,
        Some(actor),
        requester,
        "authorization.revoked",
        &after,
        json!({}),
    )?);
    Ok(statements)
}

fn confirmation(
    app: &App,
    actor: &str,
    before: &AuthorizationRow,
    requester: &Requester,
) -> Result<Vec<Statement>, InfraError> {
    let after = AuthorizationRow {
        confirmed_at: Some(app.now),
        updated_at: app.now,
        ..before.clone()
    };
    let mut statements = vec![authorizations::confirm(
        &app.db,
        &before.employer_id,
        &before.id,
        app.now,
    )?];
    statements.extend(record(
        app,
        Some(actor),
        requester,
        "authorization.confirmed",
        &after,
        json!({}),
    )?);
    Ok(statements)
}

/// The employer confirms one migrated relation after reviewing it.
pub async fn confirm(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    id: &str,
    requester: &Requester,
) -> Result<AuthorizationRow, AuthorizationError> {
    let before = get(app, profile, id).await?;
    if before.origin != "migrated" {
        return Err(AuthorizationError::NotMigrated);
    }
    if before.confirmed_at.is_some() {
        return Ok(before);
    }
    if !crate::domain::authorization::is_current(&before.status, before.ends_at, app.now) {
        return Err(AuthorizationError::Inactive);
    }
    let statements = confirmation(app, actor, &before, requester)?;
    atomically(&app.db, statements, "Failed to confirm a migrated relation").await?;
    get(app, profile, id).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Revoke,
}

/// Confirms or revokes migrated relations awaiting review: those among `ids`, or all of them.
/// Each batch of relations is written atomically; answers how many were decided.
pub async fn review(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    decision: Decision,
    ids: Option<&[String]>,
    requester: &Requester,
) -> Result<usize, AuthorizationError> {
    require_administrator(profile)?;
    let pending =
        authorizations::pending_review(&app.db, &profile.organisation_id, ids, app.now).await?;
    for chunk in pending.chunks(30) {
        let mut statements = Vec::new();
        for relation in chunk {
            statements.extend(match decision {
                Decision::Confirm => confirmation(app, actor, relation, requester)?,
                Decision::Revoke => revocation(app, actor, relation, requester)?,
            });
        }
        atomically(&app.db, statements, "Failed to review migrated relations").await?;
    }
    Ok(pending.len())
}

// --- Access requests, employer side -----------------------------------------------------------

pub async fn requests(
    app: &App,
    profile: &ProfileRow,
    status: Option<&str>,
    page: i64,
    page_size: i64,
) -> Result<(Vec<AccessRequestRow>, i64), AuthorizationError> {
    require_administrator(profile)?;
    Ok(access_requests::page(
        &app.db,
        &access_requests::PageQuery {
            side: Side::Employer,
            organisation_id: &profile.organisation_id,
            contact_id: None,
            status,
            now: app.now,
            limit: page_size,
            offset: (page - 1) * page_size,
        },
    )
    .await?)
}

async fn pending_request(
    app: &App,
    profile: &ProfileRow,
    id: &str,
) -> Result<AccessRequestRow, AuthorizationError> {
    require_administrator(profile)?;
    let request = access_requests::find_for(
        &app.db,
        Side::Employer,
        &profile.organisation_id,
        id,
        app.now,
    )
    .await?
    .ok_or(AuthorizationError::NotFound)?;
    match request.status.as_str() {
        "pending" => Ok(request),
        "expired" => Err(AuthorizationError::RequestExpired),
        _ => Err(AuthorizationError::RequestAnswered),
    }
}

/// The statements recording the end of an access request (`answered_at` = now): an audit event
/// `action` in both organisations' trails and a domain event `event`, each only if it was written.
/// `actor` is `None` when nobody acted (the lifecycle job expiring it).
pub fn request_records(
    app: &App,
    actor: Option<&str>,
    requester: &Requester,
    (action, event): (&str, &str),
    request: &AccessRequestRow,
    details: Value,
) -> Result<Vec<Statement>, InfraError> {
    let written = WrittenNow {
        table: "access_requests",
        column: "answered_at",
        id: &request.id,
    };
    let payload = json!({ "access_request": { "id": request.id, "employer_id": request.employer_id, "firm_id": request.firm_id, "contact_id": request.contact_id }, "details": details });
    Ok(vec![
        audit::append_if_written(
            &app.db,
            &AuditEvent {
                action,
                user_id: actor,
                organisation_id: Some(&request.employer_id),
                contact_id: Some(&request.contact_id),
                ip: requester.ip.as_deref(),
                details: json!({ "access_request_id": request.id, "details": details }),
                counterpart_organisation_id: Some(&request.firm_id),
            },
            &written,
            app.now,
        )?,
        domain_events::append_if_written(
            &app.db,
            &DomainEvent {
                kind: event,
                employer_id: &request.employer_id,
                firm_id: &request.firm_id,
                payload,
            },
            &written,
            app.now,
        )?,
    ])
}

/// Approves a pending request: the authorization is created with the terms the employer chose.
pub async fn approve(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    id: &str,
    terms: Terms,
    requester: &Requester,
) -> Result<(AccessRequestRow, AuthorizationRow), AuthorizationError> {
    let request = pending_request(app, profile, id).await?;
    let employer = employer_of(app, profile).await?;
    let firm = organisations::find(&app.db, &request.firm_id)
        .await?
        .ok_or(AuthorizationError::NotFound)?;
    let authorization_id = random_id();
    // The answer and its records are written in the authorization's batch: all or nothing.
    let mut more = vec![access_requests::answer(
        &app.db,
        &employer.id,
        id,
        Answer::Approved {
            authorization_id: &authorization_id,
        },
        actor,
        app.now,
    )?];
    more.extend(request_records(
        app,
        Some(actor),
        requester,
        ("access_request.approved", "access_request.answered"),
        &request,
        json!({ "decision": "approved", "authorization_id": authorization_id }),
    )?);
    let parties = Parties {
        employer: &employer,
        firm: &firm,
        contact_id: &request.contact_id,
    };
    let authorization = create(
        app,
        actor,
        &parties,
        &terms,
        &authorization_id,
        requester,
        more,
        Template::AccessApproved,
    )
    .await?;
    let request = access_requests::find_for(&app.db, Side::Employer, &employer.id, id, app.now)
        .await?
        .ok_or(AuthorizationError::NotFound)?;
    Ok((request, authorization))
}

/// Declines a pending request; the contact is told, with the reason if one was given.
pub async fn decline(
    app: &App,
    actor: &str,
    profile: &ProfileRow,
    id: &str,
    reason: &str,
    requester: &Requester,
) -> Result<AccessRequestRow, AuthorizationError> {
    let request = pending_request(app, profile, id).await?;
    let mut statements = vec![access_requests::answer(
        &app.db,
        &profile.organisation_id,
        id,
        Answer::Declined { reason },
        actor,
        app.now,
    )?];
    statements.extend(request_records(
        app,
        Some(actor),
        requester,
        ("access_request.declined", "access_request.answered"),
        &request,
        json!({ "decision": "declined", "reason": reason }),
    )?);
    let results = atomically(&app.db, statements, "Failed to decline an access request").await?;
    if !results.first().is_some_and(wrote) {
        return Err(AuthorizationError::RequestAnswered);
    }
    if let Some(contact) = contacts::find_in(&app.db, &request.firm_id, &request.contact_id).await?
    {
        let params = json!({ "employer_name": request.employer_name, "file_number": request.employer_file_number, "reason": reason });
        notify(app, &contact, Template::AccessDeclined, params).await;
    }
    access_requests::find_for(
        &app.db,
        Side::Employer,
        &profile.organisation_id,
        id,
        app.now,
    )
    .await?
    .ok_or(AuthorizationError::NotFound)
}
