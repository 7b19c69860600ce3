use crate::domain::Millis;
use crate::infra::{Context, InfraError};
use serde::Deserialize;
use worker::{query, D1Database, D1PreparedStatement};

#[derive(Debug, Clone, Deserialize)]
pub struct OrganisationRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub file_number: String,
    pub postal_code: String,
    pub email_on_file: String,
}

const COLUMNS: &str = "id, kind, name, file_number, postal_code, email_on_file";

pub struct NewOrganisation<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub file_number: &'a str,
    pub postal_code: &'a str,
    pub email_on_file: &'a str,
}

pub fn insert(
    db: &D1Database,
    organisation: &NewOrganisation,
    now: Millis,
) -> Result<D1PreparedStatement, InfraError> {
    query!(
        db,
        "INSERT INTO organisations (id, kind, name, name_search, file_number, postal_code, email_on_file, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        organisation.id,
        organisation.kind,
        organisation.name,
        crate::domain::fold_for_search(organisation.name),
        organisation.file_number,
        organisation.postal_code,
        organisation.email_on_file,
        now
    )
    .context("Failed to prepare the creation of an organisation")
}

pub async fn find_by_file_number(
    db: &D1Database,
    file_number: &str,
) -> Result<Option<OrganisationRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM organisations WHERE file_number = ?1"),
        file_number
    )
    .context("Failed to prepare the organisation lookup by file number")?
    .first(None)
    .await
    .context("Failed to look up an organisation by file number")
}

pub async fn find(db: &D1Database, id: &str) -> Result<Option<OrganisationRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM organisations WHERE id = ?1"),
        id
    )
    .context("Failed to prepare the organisation lookup")?
    .first(None)
    .await
    .context("Failed to look up an organisation")
}
