//! What changed since a sync cursor: the `version` every insert or update of an authorization or a
//! contact takes from `sync_counter` (schema.sql), read in order by the organisation's index.

use super::authorizations::{AuthorizationRow, SELECT as AUTHORIZATION_SELECT};
use super::contacts::{self, ContactRow};
use crate::platform::InfraError;
use crate::query;
use crate::storage::db::{Db, Run};

/// The authorizations an organisation is a party to (as the firm of their contact, or as the
/// employer that granted them), every status, changed after `since`, oldest change first. Each
/// side is read by its own `(…, version)` index, at most `limit` rows each.
pub async fn authorizations_of(
    db: &Db,
    organisation_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<AuthorizationRow>, InfraError> {
    query!(
        db,
        &format!(
            "WITH changed AS (
               SELECT id FROM (SELECT id FROM authorizations WHERE firm_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3)
               UNION
               SELECT id FROM (SELECT id FROM authorizations WHERE employer_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3)
             )
             {AUTHORIZATION_SELECT} JOIN changed ch ON ch.id = a.id ORDER BY a.version LIMIT ?3"
        ),
        organisation_id,
        since,
        limit
    )
    .rows("Failed to read the authorization changes")
.await
}

/// The contacts of an organisation changed after `since`, oldest change first.
pub async fn contacts_of(
    db: &Db,
    organisation_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<ContactRow>, InfraError> {
    query!(
        db,
        &format!(
            "{} WHERE c.organisation_id = ?1 AND c.version > ?2 ORDER BY c.version LIMIT ?3",
            contacts::select("contacts c")
        ),
        organisation_id,
        since,
        limit
    )
    .rows("Failed to read the contact changes")
    .await
}
