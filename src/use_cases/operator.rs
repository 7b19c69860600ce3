//! Operator commands: bootstrap an organisation with its first responsible.

use super::linking::issue_credentials;
use super::Requester;
use crate::domain::email::Email;
use crate::domain::legacy;
use crate::domain::name::PersonName;
use crate::domain::organisation::{FileNumber, LegacyUsername, OrganisationKind, PostalCode, Role};
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts::{self, NewContact};
use crate::storage::organisations::{self, NewOrganisation, OrganisationRow};
use crate::storage::{atomically, legacy_credentials};
use serde_json::json;

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

#[derive(Debug)]
pub enum OperatorError {
    FileNumberTaken,
    NotFound,
    Infra(InfraError),
}

impl From<InfraError> for OperatorError {
    fn from(error: InfraError) -> Self {
        OperatorError::Infra(error)
    }
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
        kind: form.kind.as_str().to_owned(),
        name: form.name.clone(),
        file_number: form.file_number.as_str().to_owned(),
        postal_code: form.postal_code.as_str().to_owned(),
        email_on_file: form.email_on_file.as_str().to_owned(),
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
                kind: &organisation.kind,
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
                role: "responsable",
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

/// One record of a legacy export: a legacy login and the person it belongs to.
pub struct LegacyRecord {
    pub username: String,
    pub password_hash: String,
    pub file_number: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub role: String,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub created: usize,
    pub already_present: usize,
    /// (index in the export, username, reason)
    pub rejected: Vec<(usize, String, &'static str)>,
}

/// Imports legacy credentials, each record atomically; running the same export twice changes
/// nothing. A record whose contact does not exist yet creates it (status invited).
pub async fn import_legacy(
    app: &App,
    records: Vec<LegacyRecord>,
    requester: &Requester,
) -> Result<ImportReport, InfraError> {
    let mut report = ImportReport::default();
    for (index, record) in records.into_iter().enumerate() {
        match import_one(app, &record, requester).await? {
            Ok(true) => report.created += 1,
            Ok(false) => report.already_present += 1,
            Err(reason) => report.rejected.push((index, record.username, reason)),
        }
    }
    Ok(report)
}

async fn import_one(
    app: &App,
    record: &LegacyRecord,
    requester: &Requester,
) -> Result<Result<bool, &'static str>, InfraError> {
    let Ok(username) = LegacyUsername::parse(&record.username) else {
        return Ok(Err("invalid_username"));
    };
    if legacy::format_of(&record.password_hash).is_none() {
        return Ok(Err("unsupported_hash"));
    }
    let (Ok(first_name), Ok(last_name), Ok(email), Ok(role)) = (
        PersonName::parse(&record.first_name),
        PersonName::parse(&record.last_name),
        Email::parse(&record.email),
        Role::parse(&record.role),
    ) else {
        return Ok(Err("invalid_contact"));
    };
    let organisation = match FileNumber::parse(&record.file_number) {
        Ok(number) => organisations::find_by_file_number(&app.db, number.as_str()).await?,
        Err(_) => None,
    };
    let Some(organisation) = organisation else {
        return Ok(Err("unknown_file_number"));
    };
    if legacy_credentials::find(&app.db, username.as_str())
        .await?
        .is_some()
    {
        return Ok(Ok(false));
    }
    let mut statements = Vec::new();
    let contact_id =
        match contacts::find_by_email_in(&app.db, &organisation.id, email.as_str()).await? {
            Some(contact) => contact.id,
            None => {
                let id = random_id();
                statements.push(contacts::insert(
                    &app.db,
                    &NewContact {
                        id: &id,
                        organisation_id: &organisation.id,
                        first_name: first_name.as_str(),
                        last_name: last_name.as_str(),
                        email: email.as_str(),
                        role: role.as_str(),
                    },
                    app.now,
                )?);
                id
            }
        };
    statements.push(legacy_credentials::insert(
        &app.db,
        username.as_str(),
        &contact_id,
        &record.password_hash,
        app.now,
    )?);
    statements.push(audit::append(
        &app.db,
        &AuditEvent {
            action: "legacy.imported",
            organisation_id: Some(&organisation.id),
            contact_id: Some(&contact_id),
            ip: requester.ip.as_deref(),
            details: json!({ "username": username.as_str() }),
            ..Default::default()
        },
        app.now,
    )?);
    let results = atomically(&app.db, statements, "Failed to import legacy credentials").await?;
    Ok(Ok(results
        .iter()
        .rev()
        .nth(1)
        .is_some_and(crate::storage::wrote)))
}
