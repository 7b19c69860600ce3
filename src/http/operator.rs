//! Operator commands, protected by the OPERATOR_TOKEN secret as a bearer token.

use super::body::{json_object, Fields};
use super::error::ApiError;
use super::error::ErrorCode;
use super::route::{route, Route};
use super::{Call, Reply};
use crate::domain::email::Email;
use crate::domain::name::PersonName;
use crate::domain::organisation::{FileNumber, LegacyUsername, OrganisationKind, PostalCode};
use crate::use_cases::operator::{self, NewOrganisationForm};
use serde::Serialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

/// The organisation created, and the linking credentials its responsible receives.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OrganisationCreated<'a> {
    organisation: OperatorOrganisation<'a>,
    responsible: NewResponsible<'a>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct OperatorOrganisation<'a> {
    id: &'a str,
    kind: OrganisationKind,
    name: &'a str,
    file_number: &'a str,
}

/// The responsible's contact, and the credentials that link an account to it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct NewResponsible<'a> {
    contact_id: &'a str,
    identifier: &'a str,
    code: &'a str,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct LegacyUnlocked<'a> {
    /// In lower case.
    username: &'a str,
    /// Whether a lock was lifted.
    was_locked: bool,
}

pub(super) fn require_operator(call: &Call) -> Result<(), ApiError> {
    let presented = call
        .req
        .headers()
        .get("Authorization")
        .ok()
        .flatten()
        .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned));
    let expected = call.app.config.operator_token.as_deref();
    match (presented, expected) {
        (Some(presented), Some(expected))
            if bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) =>
        {
            Ok(())
        }
        _ => Err(ApiError::new(ErrorCode::OperatorTokenRequired)),
    }
}

pub async fn create_organisation(call: &mut Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let body = json_object(&mut call.req).await?;
    let responsible = match body.get("responsible") {
        Some(Value::Object(object)) => object.clone(),
        _ => Map::new(),
    };
    let mut fields = Fields::new(body);
    let kind = fields.parsed("kind", OrganisationKind::parse);
    let name = fields.parsed("name", |raw| {
        PersonName::parse(raw).map(|n| n.as_str().to_owned())
    });
    let file_number = fields.parsed("file_number", FileNumber::parse);
    let postal_code = fields.parsed("postal_code", PostalCode::parse);
    let email_on_file = fields.parsed("email", Email::parse);
    let mut person = Fields::new(responsible);
    let first_name = person.parsed("first_name", PersonName::parse);
    let last_name = person.parsed("last_name", PersonName::parse);
    let responsible_email = person.parsed("email", Email::parse);
    for (field, problem) in person.errors.iter() {
        let name: &'static str = match field {
            "first_name" => "responsible.first_name",
            "last_name" => "responsible.last_name",
            _ => "responsible.email",
        };
        fields.errors.add(name, problem);
    }
    let form = fields.finish(|| {
        Some(NewOrganisationForm {
            kind: kind?,
            name: name?,
            file_number: file_number?,
            postal_code: postal_code?,
            email_on_file: email_on_file?,
            responsible_first_name: first_name?,
            responsible_last_name: last_name?,
            responsible_email: responsible_email?,
        })
    })?;
    let created = operator::create_organisation(&call.app, form, &call.requester).await?;
    let organisation = &created.organisation;
    let body = OrganisationCreated {
        organisation: OperatorOrganisation {
            id: &organisation.id,
            kind: organisation.kind,
            name: &organisation.name,
            file_number: &organisation.file_number,
        },
        responsible: NewResponsible {
            contact_id: &created.responsible_contact_id,
            identifier: &created.identifier,
            code: &created.code,
        },
    };
    Ok(Reply::json(201, body))
}

/// Lifts the lock of a legacy username (by its username, as its owner gives it on the phone).
pub async fn unlock_legacy(call: &Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let username = LegacyUsername::parse(call.id())
        .map_err(|problem| ApiError::invalid_field("username", problem))?;
    let was_locked = operator::unlock_legacy(&call.app, &username, &call.requester).await?;
    let body = LegacyUnlocked {
        username: username.as_str(),
        was_locked,
    };
    Ok(Reply::json(200, body))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(
        POST "/api/operator/organisations" => create_organisation,
        201 => OrganisationCreated
    ),
    route!(
        POST "/api/operator/legacy-credentials/{username}/unlock" => unlock_legacy,
        200 => LegacyUnlocked
    ),
];
