//! The firm's side of access requests: a contact asks an employer for access to its file, proving
//! they know it (file number and postal code on record), follows the answer, or cancels.

use super::authorizations::{notify, notify_address, request_records};
use super::{Actor, Requester};
use crate::domain::authorization::AccessRequestStatus;
use crate::domain::authorization::{is_current, Services, ACCESS_REQUEST_LIFETIME};
use crate::domain::locale::Locale;
use crate::domain::organisation::OrganisationKind;
use crate::domain::organisation::{FileNumber, PostalCode};
use crate::domain::throttle::ACCESS_REQUESTS_UNMATCHED;
use crate::email::templates::Template;
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::access_requests::{self, AccessRequestRow, NewAccessRequest, PageQuery, Side};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts;
use crate::storage::db::{Run, Statement};
use crate::storage::domain_events::{self, DomainEvent};
use crate::storage::organisations::OrganisationRow;
use crate::storage::rate_limits::Refused;
use crate::storage::{atomically, authorizations, organisations, rate_limits, wrote, WrittenNow};
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// No employer file has this number and postal code (the same answer either way).
    #[error("access request: unmatched")]
    Unmatched,
    #[error("access request: own organisation")]
    OwnOrganisation,
    #[error("access request: already authorized")]
    AlreadyAuthorized,
    #[error("access request: already pending")]
    AlreadyPending,
    #[error("access request: not found")]
    NotFound,
    #[error("access request: not pending")]
    NotPending,
    #[error("access request: throttled (retry after {retry_after:?})")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

pub struct NewRequest {
    pub file_number: FileNumber,
    pub postal_code: PostalCode,
    pub services: Services,
    pub message: String,
}

pub async fn create(
    app: &App,
    actor: &Actor,
    form: NewRequest,
) -> Result<AccessRequestRow, RequestError> {
    let budget = &ACCESS_REQUESTS_UNMATCHED;
    let key = budget.key(&actor.profile.contact_id);
    // Every request takes a slot before the facts are compared (a burst cannot exceed the
    // budget); a request whose facts match gives it back.
    if let Err(Refused { retry_after }) =
        rate_limits::take(&app.db, app.now, &[(budget, &key)]).await?
    {
        return Err(RequestError::Throttled { retry_after });
    }
    let employer = organisations::find_by_file_number(&app.db, form.file_number.as_str())
        .await?
        .filter(|o| {
            o.kind == OrganisationKind::Employer && o.postal_code == form.postal_code.as_str()
        });
    let Some(employer) = employer else {
        return Err(RequestError::Unmatched);
    };
    rate_limits::release(&app.db, &key)
        .execute("Failed to release an access request's slot")
        .await?;
    if employer.id == actor.profile.organisation_id {
        return Err(RequestError::OwnOrganisation);
    }
    let active =
        authorizations::find_active(&app.db, &employer.id, &actor.profile.contact_id).await?;
    if active.is_some_and(|a| is_current(a.status, a.ends_at, app.now)) {
        return Err(RequestError::AlreadyAuthorized);
    }
    let id = random_id();
    let written = WrittenNow {
        table: "access_requests",
        column: "created_at",
        id: &id,
    };
    let payload = json!({ "access_request": { "id": id, "employer_id": employer.id, "firm_id": actor.profile.organisation_id, "contact_id": actor.profile.contact_id, "services": form.services.codes() } });
    // A pending request whose lifetime has passed is recorded as expired first, as the expiry job
    // would have: the new one replaces it.
    let lapsed = access_requests::lapsed_pending_of(
        &app.db,
        &employer.id,
        &actor.profile.contact_id,
        app.now,
    )
    .await?;
    let mut statements = match &lapsed {
        Some(lapsed) => expiry_records(app, lapsed)?,
        None => Vec::new(),
    };
    let inserted = statements.len();
    statements.extend([
        access_requests::insert(
            &app.db,
            &NewAccessRequest {
                id: &id,
                employer_id: &employer.id,
                contact_id: &actor.profile.contact_id,
                firm_id: &actor.profile.organisation_id,
                requested_by: &actor.user_id,
                services: form.services.bits(),
                message: &form.message,
                expires_at: app.now + ACCESS_REQUEST_LIFETIME,
            },
            app.now,
        )?,
        audit::append_if_written(
            &app.db,
            &request_event(
                "access_request.created",
                actor,
                &employer.id,
                json!({ "access_request_id": id, "services": form.services.codes() }),
            ),
            &written,
            app.now,
        )?,
        domain_events::append_if_written(
            &app.db,
            &DomainEvent {
                kind: "access_request.created",
                employer_id: &employer.id,
                firm_id: Some(&actor.profile.organisation_id),
                payload,
            },
            &written,
            app.now,
        )?,
    ]);
    let results = atomically(&app.db, statements, "Failed to record an access request").await?;
    if !results.get(inserted).is_some_and(wrote) {
        return Err(RequestError::AlreadyPending);
    }
    let request = find(app, actor, &id).await?;
    tell_employer(app, &employer, &request).await?;
    Ok(request)
}

/// The audit event of the actor's own request to `employer_id`, in both organisations' trails.
fn request_event<'a>(
    action: &'a str,
    actor: &'a Actor,
    employer_id: &'a str,
    details: Value,
) -> AuditEvent<'a> {
    AuditEvent {
        action,
        user_id: Some(&actor.user_id),
        organisation_id: Some(employer_id),
        contact_id: Some(&actor.profile.contact_id),
        ip: actor.requester.ip.as_deref(),
        details,
        counterpart_organisation_id: Some(&actor.profile.organisation_id),
    }
}

/// Emails the employer's administrators of authorizations about a new request, or the address on
/// file when none has linked an account yet.
async fn tell_employer(
    app: &App,
    employer: &OrganisationRow,
    request: &AccessRequestRow,
) -> Result<(), InfraError> {
    let params = json!({
        "employer_name": employer.name, "file_number": employer.file_number,
        "firm_name": request.firm_name,
        "requester_name": format!("{} {}", request.contact_first_name, request.contact_last_name),
        "services": Services::codes_of(request.services),
        "message": request.message,
    });
    let administrators = contacts::authorization_administrators(&app.db, &employer.id).await?;
    if administrators.is_empty() {
        notify_address(
            app,
            &employer.email_on_file,
            Locale::Fr,
            "",
            Template::AccessRequested,
            params.clone(),
        )
        .await;
    }
    for administrator in &administrators {
        notify(
            app,
            administrator,
            Template::AccessRequested,
            params.clone(),
        )
        .await;
    }
    Ok(())
}

async fn find(app: &App, actor: &Actor, id: &str) -> Result<AccessRequestRow, RequestError> {
    access_requests::find_for(
        &app.db,
        Side::Firm,
        &actor.profile.organisation_id,
        id,
        app.now,
    )
    .await?
    .filter(|r| r.contact_id == actor.profile.contact_id)
    .ok_or(RequestError::NotFound)
}

/// The active contact's requests; a responsable sees every request of the organisation.
pub async fn list(
    app: &App,
    actor: &Actor,
    page: i64,
    page_size: i64,
) -> Result<(Vec<AccessRequestRow>, i64), InfraError> {
    let everyone = actor.profile.role.may_manage_contacts();
    access_requests::page(
        &app.db,
        &PageQuery {
            side: Side::Firm,
            organisation_id: &actor.profile.organisation_id,
            contact_id: (!everyone).then_some(actor.profile.contact_id.as_str()),
            status: None,
            now: app.now,
            limit: page_size,
            offset: (page - 1) * page_size,
        },
    )
    .await
}

/// The requester withdraws a pending request.
pub async fn cancel(app: &App, actor: &Actor, id: &str) -> Result<AccessRequestRow, RequestError> {
    let request = find(app, actor, id).await?;
    if request.status == AccessRequestStatus::Cancelled {
        return Ok(request);
    }
    if request.status != AccessRequestStatus::Pending {
        return Err(RequestError::NotPending);
    }
    let written = WrittenNow {
        table: "access_requests",
        column: "answered_at",
        id,
    };
    let statements = vec![
        access_requests::cancel(&app.db, &actor.profile.contact_id, id, app.now)?,
        audit::append_if_written(
            &app.db,
            &request_event(
                "access_request.cancelled",
                actor,
                &request.employer_id,
                json!({ "access_request_id": id }),
            ),
            &written,
            app.now,
        )?,
    ];
    let results = atomically(&app.db, statements, "Failed to cancel an access request").await?;
    if !results.first().is_some_and(wrote) {
        return Err(RequestError::NotPending);
    }
    find(app, actor, id).await
}

/// A lapsed pending request recorded as expired, with its audit entry in both organisations'
/// trails and its `access_request.expired` domain event (nothing if it was closed meanwhile).
pub fn expiry_records(app: &App, request: &AccessRequestRow) -> Result<Vec<Statement>, InfraError> {
    let mut statements = vec![access_requests::record_expired(
        &app.db,
        &request.id,
        app.now,
    )?];
    statements.extend(request_records(
        app,
        None,
        &Requester::default(),
        ("access_request.expired", "access_request.expired"),
        request,
        json!({ "expires_at": request.expires_at }),
    )?);
    Ok(statements)
}
