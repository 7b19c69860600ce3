//! "Mon organisation": the responsible keeps the inventory of the organisation's contacts. Every
//! query is scoped to the active profile's organisation, so another organisation's ids find nothing.

use super::linking::issue_credentials;
use super::{organisation_event, Actor};
use crate::domain::email::Email;
use crate::domain::name::PersonName;
use crate::domain::organisation::{leaves_a_responsable, Role};
use crate::domain::organisation::{ContactStatus, OrganisationKind};
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts::{
    self, ContactFilter, ContactPage, ContactRow, NewContact, ProfileRow,
};
use crate::storage::db::Statement;
use crate::storage::organisations::{self, OrganisationRow};
use crate::storage::{atomically, domain_events, legacy_credentials, wrote, WrittenNow};

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("members: responsable required")]
    ResponsableRequired,
    #[error("members: not found")]
    NotFound,
    #[error("members: contact exists")]
    ContactExists,
    #[error("members: last responsable")]
    LastResponsable,
    #[error("members: contact linked")]
    ContactLinked,
    #[error("members: contact revoked")]
    ContactRevoked,
    #[error("members: employers only")]
    EmployersOnly,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

pub fn require_responsable(profile: &ProfileRow) -> Result<(), MembersError> {
    match profile.role {
        role if role.may_manage_contacts() => Ok(()),
        _ => Err(MembersError::ResponsableRequired),
    }
}

async fn organisation_of(app: &App, profile: &ProfileRow) -> Result<OrganisationRow, MembersError> {
    organisations::find(&app.db, &profile.organisation_id)
        .await?
        .ok_or(MembersError::NotFound)
}

/// The actor's organisation, for its responsables to manage.
async fn managed_organisation(app: &App, actor: &Actor) -> Result<OrganisationRow, MembersError> {
    require_responsable(&actor.profile)?;
    organisation_of(app, &actor.profile).await
}

/// The organisation's second-factor policy as "Mon organisation" shows it.
pub struct Security {
    /// Whether every contact needs a second factor, not only responsables and administrators.
    pub mfa_for_all_contacts: bool,
    /// Linked contacts without a factor: the ones the policy would stop until they set one up.
    pub linked_without_factor: i64,
}

pub async fn security(app: &App, profile: &ProfileRow) -> Result<Security, MembersError> {
    let organisation = organisation_of(app, profile).await?;
    Ok(Security {
        mfa_for_all_contacts: organisation.mfa_for_all_contacts == 1,
        linked_without_factor: contacts::count_linked_without_factor(&app.db, &organisation.id)
            .await?,
    })
}

/// A responsable requires (or stops requiring) a second factor of every contact. The change
/// applies from each contact's next request; an unchanged setting writes nothing.
pub async fn set_security(
    app: &App,
    actor: &Actor,
    mfa_for_all_contacts: bool,
) -> Result<Security, MembersError> {
    let organisation = managed_organisation(app, actor).await?;
    if (organisation.mfa_for_all_contacts == 1) != mfa_for_all_contacts {
        atomically(
            &app.db,
            vec![
                organisations::set_mfa_for_all_contacts(
                    &app.db,
                    &organisation.id,
                    mfa_for_all_contacts,
                )?,
                audit::append(
                    &app.db,
                    &organisation_event(
                        "organisation.security_changed",
                        &actor.user_id,
                        &actor.profile,
                        &actor.requester,
                        json!({ "mfa_for_all_contacts": mfa_for_all_contacts }),
                    ),
                    app.now,
                )?,
            ],
            "Failed to change an organisation's second-factor policy",
        )
        .await?;
    }
    security(app, &actor.profile).await
}

/// One page of the organisation's contacts; `words` are the search's, folded (see `search_words`).
pub async fn list(
    app: &App,
    actor: &Actor,
    words: Option<&[String]>,
    status: Option<ContactStatus>,
    page: i64,
    page_size: i64,
) -> Result<ContactPage, InfraError> {
    let filter = ContactFilter {
        organisation_id: &actor.profile.organisation_id,
        words,
        status,
    };
    contacts::page(&app.db, &filter, page_size, (page - 1) * page_size).await
}

/// A contact of the organisation, for its responsables to manage.
async fn managed(app: &App, actor: &Actor, id: &str) -> Result<ContactRow, MembersError> {
    require_responsable(&actor.profile)?;
    get(app, actor, id).await
}

pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<ContactRow, MembersError> {
    contacts::find_in(&app.db, &actor.profile.organisation_id, id)
        .await?
        .ok_or(MembersError::NotFound)
}

pub struct Invitation {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub role: Role,
}

fn event<'a>(
    action: &'a str,
    actor: &'a Actor,
    contact_id: &'a str,
    details: serde_json::Value,
) -> AuditEvent<'a> {
    AuditEvent {
        contact_id: Some(contact_id),
        ..organisation_event(
            action,
            &actor.user_id,
            &actor.profile,
            &actor.requester,
            details,
        )
    }
}

/// Adds a contact and emails them personal link credentials.
pub async fn invite(
    app: &App,
    actor: &Actor,
    invitation: Invitation,
) -> Result<ContactRow, MembersError> {
    let organisation = managed_organisation(app, actor).await?;
    if contacts::find_by_email_in(&app.db, &organisation.id, invitation.email.as_str())
        .await?
        .is_some()
    {
        return Err(MembersError::ContactExists);
    }
    let id = random_id();
    let issued = issue_credentials(
        app,
        &organisation,
        &id,
        &invitation.email,
        invitation.first_name.as_str(),
        Template::LinkCredentials,
    )?;
    let mut statements = vec![contacts::insert(
        &app.db,
        &NewContact {
            id: &id,
            organisation_id: &organisation.id,
            first_name: invitation.first_name.as_str(),
            last_name: invitation.last_name.as_str(),
            email: invitation.email.as_str(),
            role: invitation.role,
        },
        app.now,
    )?];
    statements.extend(issued.statements);
    statements.push(audit::append(
        &app.db,
        &event(
            "contact.invited",
            actor,
            &id,
            json!({ "role": invitation.role.as_str() }),
        ),
        app.now,
    )?);
    atomically(&app.db, statements, "Failed to invite a contact").await?;
    email::dispatch(app, issued.message).await?;
    get(app, actor, &id).await
}

/// Sends new credentials; the previous ones die.
pub async fn reissue(app: &App, actor: &Actor, id: &str) -> Result<ContactRow, MembersError> {
    let contact = managed(app, actor, id).await?;
    match contact.status {
        ContactStatus::Linked => return Err(MembersError::ContactLinked),
        ContactStatus::Revoked => return Err(MembersError::ContactRevoked),
        ContactStatus::Invited => {}
    }
    let organisation = organisation_of(app, &actor.profile).await?;
    let email = Email::parse(&contact.email).map_err(|_| MembersError::NotFound)?;
    let issued = issue_credentials(
        app,
        &organisation,
        &contact.id,
        &email,
        &contact.first_name,
        Template::LinkCredentials,
    )?;
    let mut statements = issued.statements;
    statements.push(audit::append(
        &app.db,
        &event("contact.credentials_sent", actor, &contact.id, json!({})),
        app.now,
    )?);
    atomically(&app.db, statements, "Failed to reissue link credentials").await?;
    email::dispatch(app, issued.message).await?;
    get(app, actor, id).await
}

/// Lifts the lock of a contact's legacy username before its delay runs out (the owner called).
pub async fn unlock_legacy(app: &App, actor: &Actor, id: &str) -> Result<ContactRow, MembersError> {
    let contact = managed(app, actor, id).await?;
    atomically(
        &app.db,
        vec![
            legacy_credentials::unlock_of_contact(&app.db, &contact.id)?,
            audit::append(
                &app.db,
                &event("contact.legacy_unlocked", actor, &contact.id, json!({})),
                app.now,
            )?,
        ],
        "Failed to unlock legacy credentials",
    )
    .await?;
    Ok(contact)
}

/// Checked before writing so the audit trail never records a refused change; the guarded UPDATE
/// still protects against two concurrent changes.
async fn ensure_a_responsable_remains(
    app: &App,
    profile: &ProfileRow,
    contact: &ContactRow,
) -> Result<(), MembersError> {
    let target_is_active_responsable =
        contact.role == Role::Responsable && contact.status != ContactStatus::Revoked;
    let active = contacts::count_active_responsables(&app.db, &profile.organisation_id).await?;
    if leaves_a_responsable(active, target_is_active_responsable) {
        Ok(())
    } else {
        Err(MembersError::LastResponsable)
    }
}

/// Writes a change to `contact` that must leave the organisation an active responsable (its
/// first statement, a guarded UPDATE, refuses otherwise), then answers the contact as changed.
async fn write_keeping_a_responsable(
    app: &App,
    actor: &Actor,
    contact: &ContactRow,
    statements: Vec<Statement>,
    what: &str,
) -> Result<ContactRow, MembersError> {
    ensure_a_responsable_remains(app, &actor.profile, contact).await?;
    let results = atomically(&app.db, statements, what).await?;
    if !results.first().is_some_and(wrote) {
        return Err(MembersError::LastResponsable);
    }
    get(app, actor, &contact.id).await
}

/// The organisation's audit trail, for its responsables.
pub async fn audit_trail(
    app: &App,
    actor: &Actor,
    filter: &audit::AuditFilter<'_>,
    page: audit::TrailPage,
    page_size: i64,
) -> Result<audit::AuditPage, MembersError> {
    require_responsable(&actor.profile)?;
    Ok(audit::page_for_organisation(
        &app.db,
        &actor.profile.organisation_id,
        filter,
        page_size,
        page,
    )
    .await?)
}

pub async fn change_role(
    app: &App,
    actor: &Actor,
    id: &str,
    role: Role,
) -> Result<ContactRow, MembersError> {
    let contact = managed(app, actor, id).await?;
    if contact.role == role {
        return Ok(contact);
    }
    let statements = vec![
        contacts::set_role(&app.db, &actor.profile.organisation_id, id, role.as_str())?,
        audit::append(
            &app.db,
            &event(
                "contact.role_changed",
                actor,
                id,
                json!({ "from": contact.role, "to": role.as_str() }),
            ),
            app.now,
        )?,
    ];
    write_keeping_a_responsable(app, actor, &contact, statements, "Failed to change a role").await
}

/// An employer's responsable makes a contact an administrator of its authorizations (they may
/// then grant, change and revoke them), or no longer one.
pub async fn set_manages_authorizations(
    app: &App,
    actor: &Actor,
    id: &str,
    manages: bool,
) -> Result<ContactRow, MembersError> {
    require_responsable(&actor.profile)?;
    if actor.profile.organisation_kind != OrganisationKind::Employer {
        return Err(MembersError::EmployersOnly);
    }
    let contact = get(app, actor, id).await?;
    if (contact.manages_authorizations == 1) == manages {
        return Ok(contact);
    }
    atomically(
        &app.db,
        vec![
            contacts::set_manages_authorizations(
                &app.db,
                &actor.profile.organisation_id,
                id,
                manages,
            )?,
            audit::append(
                &app.db,
                &event(
                    "contact.authorizations_role_changed",
                    actor,
                    id,
                    json!({ "manages_authorizations": manages }),
                ),
                app.now,
            )?,
        ],
        "Failed to change who manages authorizations",
    )
    .await?;
    get(app, actor, id).await
}

/// Ends a contact's access: their profile disappears and sessions acting as it lose it at once
/// (sessions join the contact's status on every request).
pub async fn revoke(app: &App, actor: &Actor, id: &str) -> Result<ContactRow, MembersError> {
    let contact = managed(app, actor, id).await?;
    if contact.status == ContactStatus::Revoked {
        return Ok(contact);
    }
    let statements = vec![
        contacts::revoke(&app.db, &actor.profile.organisation_id, id, app.now)?,
        audit::append(
            &app.db,
            &event("contact.revoked", actor, id, json!({})),
            app.now,
        )?,
        domain_events::append_contact_event_if_written(
            &app.db,
            "contact.revoked",
            &WrittenNow {
                table: "contacts",
                column: "revoked_at",
                id,
            },
            app.now,
        )?,
    ];
    write_keeping_a_responsable(
        app,
        actor,
        &contact,
        statements,
        "Failed to revoke a contact",
    )
    .await
}
