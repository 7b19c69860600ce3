//! One module per capability. Each orchestrates domain rules, storage and effects, and has its own
//! error type; the HTTP layer maps those errors to statuses in one place (`http::error`).

pub mod access_requests;
pub mod account;
pub mod accounts;
pub mod authorizations;
pub mod codes;
pub mod devices;
pub mod factors;
pub mod files;
pub mod linking;
pub mod members;
pub mod mfa;
pub mod migration;
pub mod monthly_reports;
pub mod my_requests;
pub mod operator;
pub mod passkeys;
pub mod passwords;
pub mod profiles;
pub mod sessions;
pub mod tokens;
pub mod webhooks;

use crate::domain::email::Email;
use crate::domain::Millis;
use crate::infra::{App, InfraError};
use crate::storage::audit::{self, AuditEvent};
use crate::storage::db::Statement;

/// Who is asking, as far as auditing and throttling care.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The browser's device cookie, when it sent a well-formed one (see `use_cases::devices`).
    pub device: Option<crate::domain::device::DeviceToken>,
}

/// Who acts for an organisation: the signed-in user, the profile they act in, and where the
/// request came from. The HTTP layer builds it once per request from the session.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub profile: crate::storage::contacts::ProfileRow,
    pub requester: Requester,
}

/// The audit event of an action `actor` took for the organisation of their active `profile`.
fn organisation_event<'a>(
    action: &'a str,
    actor: &'a str,
    profile: &'a crate::storage::contacts::ProfileRow,
    requester: &'a Requester,
    details: serde_json::Value,
) -> AuditEvent<'a> {
    AuditEvent {
        action,
        user_id: Some(actor),
        organisation_id: Some(&profile.organisation_id),
        ip: requester.ip.as_deref(),
        details,
        ..Default::default()
    }
}

/// The audit statement of an action on a user's own account.
fn user_audit(
    app: &App,
    action: &str,
    user_id: &str,
    requester: &Requester,
) -> Result<Statement, InfraError> {
    audit::append(
        &app.db,
        &AuditEvent::of_user(action, Some(user_id), requester.ip.as_deref()),
        app.now,
    )
}

/// An address the database holds: it parsed when it was stored, so a failure is the
/// infrastructure's (`owner` names the row, for the log).
fn stored_email(address: &str, owner: &str) -> Result<Email, InfraError> {
    Email::parse(address).map_err(|_| InfraError {
        context: "A stored email does not parse".into(),
        cause: owner.to_owned(),
    })
}

/// A page of a list read by keyset: the items, and the cursor of the next page (`<at>_<id>` of
/// the last item shown) when one follows.
pub struct KeysetPage<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> KeysetPage<T> {
    /// From up to `size + 1` items read: the extra one only tells that another page follows.
    fn of(mut items: Vec<T>, size: i64, position: impl Fn(&T) -> (Millis, &str)) -> KeysetPage<T> {
        let more = items.len() as i64 > size;
        items.truncate(size as usize);
        let next_cursor = more
            .then(|| items.last().map(position))
            .flatten()
            .map(|(at, id)| format!("{at}_{id}"));
        KeysetPage { items, next_cursor }
    }
}
