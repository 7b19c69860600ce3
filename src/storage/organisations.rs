use crate::domain::organisation::OrganisationKind;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct OrganisationRow {
    pub id: String,
    pub kind: OrganisationKind,
    pub name: String,
    pub file_number: String,
    pub postal_code: String,
    pub email_on_file: String,
    /// 1 when its responsable requires a second factor of every contact.
    pub mfa_for_all_contacts: i64,
}

const COLUMNS: &str =
    "id, kind, name, file_number, postal_code, email_on_file, mfa_for_all_contacts";

pub struct NewOrganisation<'a> {
    pub id: &'a str,
    pub kind: OrganisationKind,
    pub name: &'a str,
    pub file_number: &'a str,
    pub postal_code: &'a str,
    pub email_on_file: &'a str,
}

pub fn insert(
    db: &Db,
    organisation: &NewOrganisation,
    now: Millis,
) -> Result<Statement, InfraError> {
    insert_many(db, std::slice::from_ref(organisation), now)
}

const INSERT: super::InsertMany = super::InsertMany {
    table: "organisations",
    columns: &[
        "id",
        "kind",
        "name",
        "name_search",
        "file_number",
        "postal_code",
        "email_on_file",
    ],
    stamp: "created_at",
};

/// Inserts many organisations in one statement (see [`super::InsertMany`]).
pub fn insert_many(
    db: &Db,
    organisations: &[NewOrganisation],
    now: Millis,
) -> Result<Statement, InfraError> {
    let rows = organisations.iter().map(|o| {
        crate::json!([
            o.id,
            o.kind,
            o.name,
            crate::domain::authorization::name_key(o.name),
            o.file_number,
            o.postal_code,
            o.email_on_file
        ])
    });
    INSERT.statement(
        db,
        rows.collect(),
        now,
        "Failed to prepare the creation of organisations",
    )
}

pub async fn find_by_file_number(
    db: &Db,
    file_number: &str,
) -> Result<Option<OrganisationRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM organisations WHERE file_number = ?1"),
        file_number
    )
    .row("Failed to look up an organisation by file number")
    .await
}

pub async fn find(db: &Db, id: &str) -> Result<Option<OrganisationRow>, InfraError> {
    query!(
        db,
        &format!("SELECT {COLUMNS} FROM organisations WHERE id = ?1"),
        id
    )
    .row("Failed to look up an organisation")
    .await
}

/// Whether every contact of the organisation needs a second factor; writes only a change, so the
/// caller can tell (and audit) whether anything changed.
pub fn set_mfa_for_all_contacts(
    db: &Db,
    id: &str,
    required: bool,
) -> Result<Statement, InfraError> {
    query!(
        db,
        "UPDATE organisations SET mfa_for_all_contacts = ?2 WHERE id = ?1 AND mfa_for_all_contacts != ?2",
        id,
        i64::from(required)
    )
    .context("Failed to prepare changing an organisation's second-factor policy")
}
