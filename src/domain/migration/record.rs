//! Reading the legacy export: one JSON line becomes a typed record, or the reason it is refused.

use crate::domain::authorization::{Level, Service, Services};
use crate::domain::email::Email;
use crate::domain::fields::has_hidden_characters;
use crate::domain::legacy;
use crate::domain::name::PersonName;
use crate::domain::organisation::{FileNumber, LegacyUsername, OrganisationKind, PostalCode, Role};
use crate::domain::time::Day;
use crate::domain::to_hex;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A record longer than this (as compact JSON) is refused: real ones are a few hundred bytes.
pub const MAX_RECORD_BYTES: usize = 4096;

/// The legacy system's service codes and the services they stand for (matched ignoring case).
pub const LEGACY_SERVICE_CODES: [(&str, Service); 4] = [
    ("GMO", Service::Workforce),
    ("IDC", Service::SiteIdentification),
    ("LES", Service::StatusLetter),
    ("RM", Service::MonthlyReport),
];

/// The service of a legacy code (`GMO`, `idc`…) or of an API code (`monthly_report`).
pub fn service_of_code(code: &str) -> Option<Service> {
    let code = code.trim();
    LEGACY_SERVICE_CODES
        .iter()
        .find(|(legacy, _)| legacy.eq_ignore_ascii_case(code))
        .map(|(_, service)| *service)
        .or_else(|| Service::parse(&code.to_ascii_lowercase()).ok())
}

text_enum! {
    /// What a line of the export holds.
    #[derive(Hash, PartialOrd, Ord)]
    pub enum Kind {
        Organisation = "organisation",
        Contact = "contact",
        LegacyCredential = "legacy_credential",
        Relation = "relation",
        /// A line that is not JSON, too long, or an object without a known `type`.
        Unknown = "unknown",
    }
}

text_enum! {
    /// Why a record was not imported.
    #[derive(Hash, PartialOrd, Ord)]
    pub enum Reason {
        MalformedJson = "malformed_json",
        RecordTooLarge = "record_too_large",
        InvalidRecord = "invalid_record",
        InvalidOrganisation = "invalid_organisation",
        InvalidContact = "invalid_contact",
        UnknownFileNumber = "unknown_file_number",
        InvalidUsername = "invalid_username",
        UnsupportedHash = "unsupported_hash",
        HashTooCostly = "hash_too_costly",
        InvalidRelation = "invalid_relation",
        UnknownService = "unknown_service",
        InvalidDates = "invalid_dates",
        MissingEmail = "missing_email",
        UnknownEmployer = "unknown_employer",
        UnknownContact = "unknown_contact",
        AmbiguousContact = "ambiguous_contact",
        SelfAuthorization = "self_authorization",
        Duplicate = "duplicate",
    }
}

/// A refused record: the reason, and the field at fault when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub field: Option<&'static str>,
}

impl Refusal {
    pub(super) fn of(reason: Reason, field: &'static str) -> Refusal {
        Refusal {
            reason,
            field: Some(field),
        }
    }
}

impl From<Reason> for Refusal {
    fn from(reason: Reason) -> Self {
        Refusal {
            reason,
            field: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationRecord {
    pub kind: OrganisationKind,
    pub name: PersonName,
    pub file_number: FileNumber,
    pub postal_code: PostalCode,
    pub email_on_file: Email,
}

/// A person's place in an organisation, as contact and legacy-credential records give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRecord {
    pub file_number: FileNumber,
    pub person: Person,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    pub username: LegacyUsername,
    pub password_hash: String,
    pub file_number: FileNumber,
    pub person: Person,
}

/// How a relation names its contact: a legacy username, or an email (with the firm's number
/// when the email could belong to contacts of several organisations). At least one of the two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactReference {
    pub firm: Option<FileNumber>,
    pub email: Option<Email>,
    pub username: Option<LegacyUsername>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationRecord {
    pub legacy_id: String,
    pub employer: FileNumber,
    pub contact: ContactReference,
    pub services: Services,
    pub level: Level,
    pub starts_on: Day,
    pub ends_on: Option<Day>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Organisation(OrganisationRecord),
    Contact(ContactRecord),
    LegacyCredential(CredentialRecord),
    Relation(RelationRecord),
}

/// What identifies a relation line across runs: its legacy id (when it has a usable one) and a
/// fingerprint of its content, with the content itself to keep when it is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationLine {
    pub legacy_id: Option<String>,
    pub fingerprint: String,
    pub text: String,
}

/// One line of the export, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    pub line: u64,
    pub kind: Kind,
    /// What names the record in a report: file number, email, username or legacy id, as given.
    pub key: Option<String>,
    pub relation: Option<RelationLine>,
    pub record: Result<Record, Refusal>,
}

impl ParsedLine {
    /// A line the client could not read as JSON, or that was too long to send.
    pub fn unreadable(line: u64, reason: Reason) -> ParsedLine {
        ParsedLine {
            line,
            kind: Kind::Unknown,
            key: None,
            relation: None,
            record: Err(reason.into()),
        }
    }

    /// A record of the export, recognised by its `type`.
    pub fn read(line: u64, value: &Value) -> ParsedLine {
        let text = value.to_string();
        if text.len() > MAX_RECORD_BYTES {
            return ParsedLine::unreadable(line, Reason::RecordTooLarge);
        }
        let kind = value
            .get("type")
            .and_then(Value::as_str)
            .and_then(|kind| Kind::parse(kind).ok())
            .filter(|kind| *kind != Kind::Unknown);
        let Some(kind) = kind else {
            return ParsedLine {
                record: Err(Refusal::of(Reason::InvalidRecord, "type")),
                ..ParsedLine::unreadable(line, Reason::InvalidRecord)
            };
        };
        let key_field = match kind {
            Kind::Organisation => "file_number",
            Kind::Contact => "email",
            Kind::LegacyCredential => "username",
            _ => "legacy_id",
        };
        let fields = Fields(value);
        let record = match kind {
            Kind::Organisation => read_organisation(&fields).map(Record::Organisation),
            Kind::Contact => read_contact(&fields).map(Record::Contact),
            Kind::LegacyCredential => read_credential(&fields).map(Record::LegacyCredential),
            _ => read_relation(&fields).map(Record::Relation),
        };
        let relation = (kind == Kind::Relation).then(|| RelationLine {
            legacy_id: legacy_id(&fields).ok(),
            fingerprint: to_hex(&Sha256::digest(text.as_bytes())),
            text,
        });
        ParsedLine {
            line,
            kind,
            key: fields.key(key_field),
            relation,
            record,
        }
    }

    /// An item of the legacy-credentials import: a legacy credential record without `type`.
    pub fn read_legacy_credential(line: u64, value: &Value) -> ParsedLine {
        let fields = Fields(value);
        ParsedLine {
            line,
            kind: Kind::LegacyCredential,
            key: fields.key("username"),
            relation: None,
            record: read_credential(&fields).map(Record::LegacyCredential),
        }
    }
}

/// The members of a record. A member of the wrong type counts as an invalid value.
struct Fields<'a>(&'a Value);

enum Text<'a> {
    Absent,
    Given(&'a str),
    WrongType,
}

impl<'a> Fields<'a> {
    fn at(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    fn text(&self, name: &str) -> Text<'a> {
        match self.at(name) {
            None => Text::Absent,
            Some(Value::String(text)) if text.trim().is_empty() => Text::Absent,
            Some(Value::String(text)) => Text::Given(text),
            Some(_) => Text::WrongType,
        }
    }

    /// A string member as given ("" when absent or not a string).
    fn raw(&self, name: &str) -> &'a str {
        match self.text(name) {
            Text::Given(text) => text,
            _ => "",
        }
    }

    fn key(&self, name: &str) -> Option<String> {
        match self.at(name) {
            Some(Value::String(text)) => Some(text.trim().to_owned()),
            Some(Value::Number(number)) => Some(number.to_string()),
            _ => None,
        }
        .filter(|key| !key.is_empty())
    }

    fn nested(&self, name: &str) -> Fields<'a> {
        Fields(self.at(name).unwrap_or(&Value::Null))
    }
}

fn read_organisation(fields: &Fields) -> Result<OrganisationRecord, Refusal> {
    let invalid = |field| Refusal::of(Reason::InvalidOrganisation, field);
    Ok(OrganisationRecord {
        kind: OrganisationKind::parse(fields.raw("kind")).map_err(|_| invalid("kind"))?,
        name: PersonName::parse(fields.raw("name")).map_err(|_| invalid("name"))?,
        file_number: FileNumber::parse(fields.raw("file_number"))
            .map_err(|_| invalid("file_number"))?,
        postal_code: PostalCode::parse(fields.raw("postal_code"))
            .map_err(|_| invalid("postal_code"))?,
        email_on_file: Email::parse(fields.raw("email")).map_err(|_| invalid("email"))?,
    })
}

fn read_person(fields: &Fields) -> Result<Person, Refusal> {
    let invalid = |field| Refusal::of(Reason::InvalidContact, field);
    Ok(Person {
        first_name: PersonName::parse(fields.raw("first_name"))
            .map_err(|_| invalid("first_name"))?,
        last_name: PersonName::parse(fields.raw("last_name")).map_err(|_| invalid("last_name"))?,
        email: Email::parse(fields.raw("email")).map_err(|_| invalid("email"))?,
        role: Role::parse(fields.raw("role")).map_err(|_| invalid("role"))?,
    })
}

fn known_file_number(fields: &Fields) -> Result<FileNumber, Refusal> {
    FileNumber::parse(fields.raw("file_number"))
        .map_err(|_| Refusal::of(Reason::UnknownFileNumber, "file_number"))
}

fn read_contact(fields: &Fields) -> Result<ContactRecord, Refusal> {
    let person = read_person(fields)?;
    Ok(ContactRecord {
        file_number: known_file_number(fields)?,
        person,
    })
}

fn read_credential(fields: &Fields) -> Result<CredentialRecord, Refusal> {
    let username = LegacyUsername::parse(fields.raw("username"))
        .map_err(|_| Refusal::of(Reason::InvalidUsername, "username"))?;
    let password_hash = fields.raw("password_hash");
    legacy::importable(password_hash).map_err(|refusal| {
        let reason = match refusal {
            legacy::HashRefusal::Unsupported => Reason::UnsupportedHash,
            legacy::HashRefusal::TooCostly => Reason::HashTooCostly,
        };
        Refusal::of(reason, "password_hash")
    })?;
    let person = read_person(&fields.nested("contact"))?;
    Ok(CredentialRecord {
        username,
        password_hash: password_hash.to_owned(),
        file_number: known_file_number(fields)?,
        person,
    })
}

/// A legacy id: a string of at most 64 visible characters, or a whole number.
fn legacy_id(fields: &Fields) -> Result<String, Refusal> {
    let invalid = Refusal::of(Reason::InvalidRelation, "legacy_id");
    match fields.at("legacy_id") {
        Some(Value::String(text)) => {
            let id = text.trim();
            let valid = !id.is_empty() && id.chars().count() <= 64 && !has_hidden_characters(id);
            valid.then(|| id.to_owned()).ok_or(invalid)
        }
        Some(Value::Number(number)) if number.is_u64() => Ok(number.to_string()),
        _ => Err(invalid),
    }
}

/// The services of a relation: a list of codes, or one string of codes separated by commas,
/// semicolons, slashes, vertical bars or spaces. Repeated codes count once.
fn services(fields: &Fields) -> Result<Services, Refusal> {
    let unknown = Refusal::of(Reason::UnknownService, "services");
    let codes: Vec<&str> = match fields.at("services") {
        Some(Value::String(text)) => text
            .split(|c: char| matches!(c, ',' | ';' | '/' | '|') || c.is_whitespace())
            .filter(|code| !code.is_empty())
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().ok_or(unknown))
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    let bits = codes.iter().try_fold(0, |bits, code| {
        service_of_code(code)
            .map(|service| bits | service.bit())
            .ok_or(unknown)
    })?;
    Services::from_bits(bits).ok_or(unknown)
}

fn level(fields: &Fields) -> Result<Level, Refusal> {
    Level::parse(&fields.raw("level").trim().to_ascii_lowercase())
        .map_err(|_| Refusal::of(Reason::InvalidRelation, "level"))
}

/// The start day (required) and the end day (optional), the end not before the start.
fn days(fields: &Fields) -> Result<(Day, Option<Day>), Refusal> {
    let starts_on = Day::parse(fields.raw("starts_on").trim())
        .map_err(|_| Refusal::of(Reason::InvalidDates, "starts_on"))?;
    let invalid_end = Refusal::of(Reason::InvalidDates, "ends_on");
    let ends_on = match fields.text("ends_on") {
        Text::Absent => None,
        Text::Given(raw) => Some(Day::parse(raw.trim()).map_err(|_| invalid_end)?),
        Text::WrongType => return Err(invalid_end),
    };
    if ends_on.is_some_and(|end| end < starts_on) {
        return Err(invalid_end);
    }
    Ok((starts_on, ends_on))
}

/// The contact of a relation. An email that is not an address counts as missing.
fn contact_reference(fields: &Fields) -> Result<ContactReference, Refusal> {
    let username = match fields.text("contact_username") {
        Text::Absent => None,
        _ => Some(
            LegacyUsername::parse(fields.raw("contact_username"))
                .map_err(|_| Refusal::of(Reason::UnknownContact, "contact_username"))?,
        ),
    };
    let email = Email::parse(fields.raw("contact_email")).ok();
    if email.is_none() && username.is_none() {
        return Err(Refusal::of(Reason::MissingEmail, "contact_email"));
    }
    let firm = match fields.text("firm_file_number") {
        Text::Absent => None,
        _ => Some(
            FileNumber::parse(fields.raw("firm_file_number"))
                .map_err(|_| Refusal::of(Reason::UnknownContact, "firm_file_number"))?,
        ),
    };
    Ok(ContactReference {
        firm,
        email,
        username,
    })
}

/// The checks that need no database, in the order the README lists the reasons.
fn read_relation(fields: &Fields) -> Result<RelationRecord, Refusal> {
    let legacy_id = legacy_id(fields)?;
    let level = level(fields)?;
    let services = services(fields)?;
    let (starts_on, ends_on) = days(fields)?;
    let contact = contact_reference(fields)?;
    let employer = FileNumber::parse(fields.raw("employer_file_number"))
        .map_err(|_| Refusal::of(Reason::UnknownEmployer, "employer_file_number"))?;
    Ok(RelationRecord {
        legacy_id,
        employer,
        contact,
        services,
        level,
        starts_on,
        ends_on,
    })
}
