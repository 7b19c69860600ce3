//! Operator commands: bootstrap an organisation with its first responsible.

use super::linking::issue_credentials;
use super::Requester;
use crate::domain::email::Email;
use crate::domain::name::PersonName;
use crate::domain::organisation::{FileNumber, LegacyUsername, OrganisationKind, PostalCode, Role};
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts::{self, NewContact};
use crate::storage::organisations::{self, NewOrganisation, OrganisationRow};
use crate::storage::{atomically, legacy_credentials, wrote};

pub struct NewOrganisationForm {
    pub kind: OrganisationKind,
    pub name: String,
    pub file_number: FileNumber,
    pub postal_code: PostalCode,
    pub email_on_file: Email,
    pub responsible_first_name: PersonName,
    pub responsible_last_name: PersonName,
    pub responsible_email: Email,
}

pub struct CreatedOrganisation {
    pub organisation: OrganisationRow,
    pub responsible_contact_id: String,
    pub identifier: String,
    pub code: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("operator: file number taken")]
    FileNumberTaken,
    #[error("operator: not found")]
    NotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

pub async fn create_organisation(
    app: &App,
    form: NewOrganisationForm,
    requester: &Requester,
) -> Result<CreatedOrganisation, OperatorError> {
    if organisations::find_by_file_number(&app.db, form.file_number.as_str())
        .await?
        .is_some()
    {
        return Err(OperatorError::FileNumberTaken);
    }
    let organisation = OrganisationRow {
        id: random_id(),
        kind: form.kind,
        name: form.name.clone(),
        file_number: form.file_number.as_str().to_owned(),
        postal_code: form.postal_code.as_str().to_owned(),
        email_on_file: form.email_on_file.as_str().to_owned(),
        mfa_for_all_contacts: 0,
    };
    let contact_id = random_id();
    let issued = issue_credentials(
        app,
        &organisation,
        &contact_id,
        &form.responsible_email,
        form.responsible_first_name.as_str(),
        Template::LinkCredentials,
    )?;
    let mut statements = vec![
        organisations::insert(
            &app.db,
            &NewOrganisation {
                id: &organisation.id,
                kind: organisation.kind,
                name: &organisation.name,
                file_number: &organisation.file_number,
                postal_code: &organisation.postal_code,
                email_on_file: &organisation.email_on_file,
            },
            app.now,
        )?,
        contacts::insert(
            &app.db,
            &NewContact {
                id: &contact_id,
                organisation_id: &organisation.id,
                first_name: form.responsible_first_name.as_str(),
                last_name: form.responsible_last_name.as_str(),
                email: form.responsible_email.as_str(),
                role: Role::Responsable,
            },
            app.now,
        )?,
    ];
    statements.extend(issued.statements);
    statements.push(audit::append(
        &app.db,
        &AuditEvent {
            action: "organisation.created",
            organisation_id: Some(&organisation.id),
            contact_id: Some(&contact_id),
            ip: requester.ip.as_deref(),
            details: json!({ "by": "operator" }),
            ..Default::default()
        },
        app.now,
    )?);
    atomically(&app.db, statements, "Failed to create an organisation").await?;
    email::dispatch(app, issued.message).await?;
    Ok(CreatedOrganisation {
        organisation,
        responsible_contact_id: contact_id,
        identifier: issued.identifier.as_str().to_owned(),
        code: issued.code.display(),
    })
}

/// The operator lifts the lock of a legacy username before its delay runs out (its owner called
/// the commission): its tries start over, the count of past locks stays (the next lock is longer).
/// `true` when it was locked.
pub async fn unlock_legacy(
    app: &App,
    username: &LegacyUsername,
    requester: &Requester,
) -> Result<bool, OperatorError> {
    let legacy = legacy_credentials::find(&app.db, username.as_str())
        .await?
        .ok_or(OperatorError::NotFound)?;
    let results = atomically(
        &app.db,
        vec![
            legacy_credentials::unlock(&app.db, &legacy.username)?,
            audit::append(
                &app.db,
                &AuditEvent {
                    action: "contact.legacy_unlocked",
                    organisation_id: Some(&legacy.organisation_id),
                    contact_id: Some(&legacy.contact_id),
                    ip: requester.ip.as_deref(),
                    details: json!({ "by": "operator", "username": legacy.username }),
                    ..Default::default()
                },
                app.now,
            )?,
        ],
        "Failed to unlock a legacy username",
    )
    .await?;
    Ok(results.first().is_some_and(wrote))
}
