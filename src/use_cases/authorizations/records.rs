//! What every change to an authorization or an access request writes besides the change itself:
//! the JSON the API, audit details and domain events show, the audit and domain events written
//! in the same batch, and the email telling the contact afterwards.

use crate::domain::authorization::{is_current, AuthorizationStatus, Level, Origin, Services};
use crate::domain::time::Day;
use crate::domain::Millis;
use crate::email::{self, templates::Template};
use crate::infra::{App, InfraError};
use crate::json;
use crate::storage::access_requests::AccessRequestRow;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::authorizations::AuthorizationRow;
use crate::storage::contacts::ContactRow;
use crate::storage::db::Statement;
use crate::storage::domain_events::{self, DomainEvent};
use crate::storage::{atomically, WrittenNow};
use crate::use_cases::{stored_email, Requester};
use serde::Serialize;
use serde_json::Value;

/// An organisation as a party to an authorization or a file: an employer or an accounting firm.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct OrganisationRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub file_number: &'a str,
}

/// The contact of another organisation an authorization is granted to.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AuthorizedContact<'a> {
    pub id: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
}

/// Where the employer's review of a migrated relation stands.
#[derive(Serialize, Clone, Copy)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Review {
    Pending,
    Confirmed,
}

/// An authorization as the API, the audit details and the domain events show it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Authorization<'a> {
    pub id: &'a str,
    pub employer: OrganisationRef<'a>,
    pub contact: AuthorizedContact<'a>,
    pub firm: OrganisationRef<'a>,
    #[cfg_attr(test, schemars(with = "Vec<crate::domain::authorization::Service>"))]
    pub services: Vec<&'static str>,
    pub level: Level,
    /// The first day (America/Montreal), YYYY-MM-DD.
    pub starts_on: String,
    /// The last day (America/Montreal), YYYY-MM-DD; null when it has no end.
    pub ends_on: Option<String>,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    pub origin: Origin,
    /// `ended` as soon as its end has passed, even before the lifecycle job records it.
    pub status: AuthorizationStatus,
    /// A migrated relation's review; null for a granted authorization.
    pub review: Option<Review>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub revoked_at: Option<Millis>,
}

impl<'a> Authorization<'a> {
    pub fn of(a: &'a AuthorizationRow, now: Millis) -> Authorization<'a> {
        let status = if is_current(a.status, a.ends_at, now) {
            AuthorizationStatus::Active
        } else if a.status == AuthorizationStatus::Active {
            AuthorizationStatus::Ended
        } else {
            a.status
        };
        let review = match (a.origin, a.confirmed_at) {
            (Origin::Migrated, None) => Some(Review::Pending),
            (Origin::Migrated, Some(_)) => Some(Review::Confirmed),
            (Origin::Granted, _) => None,
        };
        Authorization {
            id: &a.id,
            employer: OrganisationRef {
                id: &a.employer_id,
                name: &a.employer_name,
                file_number: &a.file_number,
            },
            contact: AuthorizedContact {
                id: &a.contact_id,
                first_name: &a.contact_first_name,
                last_name: &a.contact_last_name,
                email: &a.contact_email,
            },
            firm: OrganisationRef {
                id: &a.firm_id,
                name: &a.firm_name,
                file_number: &a.firm_file_number,
            },
            services: Services::codes_of(a.services),
            level: a.level,
            starts_on: Day::of(a.starts_at).to_iso(),
            ends_on: a.ends_at.map(|end| Day::ending_at(end).to_iso()),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            origin: a.origin,
            status,
            review,
            created_at: a.created_at,
            updated_at: a.updated_at,
            revoked_at: a.revoked_at,
        }
    }
}

/// A domain event about an authorization: the authorization after the change, and what changed.
#[derive(Serialize)]
pub struct AuthorizationEvent<'a> {
    pub authorization: Authorization<'a>,
    pub details: &'a Value,
}

/// The audit details of a change to an authorization.
#[derive(Serialize)]
struct AuthorizationAudit<'a> {
    authorization_id: &'a str,
    services: &'a [&'static str],
    level: Level,
    details: &'a Value,
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
    let event = AuthorizationEvent {
        authorization: Authorization::of(after, app.now),
        details: &details,
    };
    Ok(vec![
        audit::append_if_written(
            &app.db,
            &AuditEvent {
                action: kind,
                user_id: actor,
                organisation_id: Some(&after.employer_id),
                contact_id: Some(&after.contact_id),
                ip: requester.ip.as_deref(),
                details: json::value_via_text(&AuthorizationAudit {
                    authorization_id: &after.id,
                    services: &event.authorization.services,
                    level: after.level,
                    details: &details,
                }),
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
                firm_id: Some(&after.firm_id),
                payload: json::value_via_text(&event),
            },
            &written,
            app.now,
        )?,
    ])
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
        let to = stored_email(address, template.name())?;
        let pending = email::prepare(app, &to, template, locale, None, params)?;
        atomically(&app.db, vec![pending.insert], "Failed to record an email").await?;
        email::dispatch(app, pending.message).await
    };
    if let Err(error) = sent.await {
        worker::console_error!("email {} not sent: {error}", template.name());
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
                firm_id: Some(&request.firm_id),
                payload,
            },
            &written,
            app.now,
        )?,
    ])
}
