//! The legacy export (README, "Legacy migration"): its records, the legacy service codes, and the
//! rules that decide, record by record, what the import creates, finds already there, or refuses
//! and why. Pure: the use case hands in what the database already holds and fresh ids.

use super::authorization::{is_current, Day, Level, Service, Services};
use super::email::Email;
use super::fields::has_hidden_characters;
use super::legacy;
use super::name::PersonName;
use super::organisation::{FileNumber, LegacyUsername, OrganisationKind, PostalCode, Role};
use super::{to_hex, Millis};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

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

/// What a line of the export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Organisation,
    Contact,
    LegacyCredential,
    Relation,
    /// A line that is not JSON, too long, or an object without a known `type`.
    Unknown,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Organisation,
        Kind::Contact,
        Kind::LegacyCredential,
        Kind::Relation,
        Kind::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Contact => "contact",
            Kind::LegacyCredential => "legacy_credential",
            Kind::Relation => "relation",
            Kind::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// Why a record was not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    MalformedJson,
    RecordTooLarge,
    InvalidRecord,
    InvalidOrganisation,
    InvalidContact,
    UnknownFileNumber,
    InvalidUsername,
    UnsupportedHash,
    HashTooCostly,
    InvalidRelation,
    UnknownService,
    InvalidDates,
    MissingEmail,
    UnknownEmployer,
    UnknownContact,
    AmbiguousContact,
    SelfAuthorization,
    Duplicate,
}

impl Reason {
    pub const ALL: [Reason; 18] = [
        Reason::MalformedJson,
        Reason::RecordTooLarge,
        Reason::InvalidRecord,
        Reason::InvalidOrganisation,
        Reason::InvalidContact,
        Reason::UnknownFileNumber,
        Reason::InvalidUsername,
        Reason::UnsupportedHash,
        Reason::HashTooCostly,
        Reason::InvalidRelation,
        Reason::UnknownService,
        Reason::InvalidDates,
        Reason::MissingEmail,
        Reason::UnknownEmployer,
        Reason::UnknownContact,
        Reason::AmbiguousContact,
        Reason::SelfAuthorization,
        Reason::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MalformedJson => "malformed_json",
            Reason::RecordTooLarge => "record_too_large",
            Reason::InvalidRecord => "invalid_record",
            Reason::InvalidOrganisation => "invalid_organisation",
            Reason::InvalidContact => "invalid_contact",
            Reason::UnknownFileNumber => "unknown_file_number",
            Reason::InvalidUsername => "invalid_username",
            Reason::UnsupportedHash => "unsupported_hash",
            Reason::HashTooCostly => "hash_too_costly",
            Reason::InvalidRelation => "invalid_relation",
            Reason::UnknownService => "unknown_service",
            Reason::InvalidDates => "invalid_dates",
            Reason::MissingEmail => "missing_email",
            Reason::UnknownEmployer => "unknown_employer",
            Reason::UnknownContact => "unknown_contact",
            Reason::AmbiguousContact => "ambiguous_contact",
            Reason::SelfAuthorization => "self_authorization",
            Reason::Duplicate => "duplicate",
        }
    }

    pub fn parse(raw: &str) -> Option<Reason> {
        Reason::ALL
            .into_iter()
            .find(|reason| reason.as_str() == raw)
    }
}

/// A refused record: the reason, and the field at fault when one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub field: Option<&'static str>,
}

impl Refusal {
    fn of(reason: Reason, field: &'static str) -> Refusal {
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
            .and_then(Kind::parse)
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

// --- Deciding ----------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownOrganisation {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub file_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownContact {
    pub id: String,
    pub organisation_id: String,
    pub email: String,
    pub revoked: bool,
}

/// A relation line already refused earlier in the same run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierLine {
    pub legacy_id: String,
    pub line: u64,
    pub fingerprint: String,
}

/// What the database holds about the keys of a batch; the decisions add to it as they create.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// By file number.
    pub organisations: HashMap<String, KnownOrganisation>,
    /// Every contact, of any organisation, with an email named in the batch.
    pub contacts: Vec<KnownContact>,
    /// By legacy username.
    pub usernames: HashMap<String, KnownContact>,
    /// Migrated relations: legacy id → fingerprint of the record they came from.
    pub migrated: HashMap<String, String>,
    pub refused_in_run: Vec<EarlierLine>,
    /// Active authorizations: (employer id, contact id).
    pub active: HashSet<(String, String)>,
}

impl Known {
    fn contact_in(&self, organisation_id: &str, email: &str) -> Option<&KnownContact> {
        self.contacts
            .iter()
            .find(|c| c.organisation_id == organisation_id && c.email == email)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    AlreadyPresent,
    Rejected(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub line: u64,
    pub kind: Kind,
    pub key: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub id: String,
    pub record: OrganisationRecord,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub id: String,
    pub organisation_id: String,
    pub person: Person,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    pub username: String,
    pub password_hash: String,
    pub contact_id: String,
    pub organisation_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuthorization {
    pub id: String,
    pub line: u64,
    pub legacy_id: String,
    pub fingerprint: String,
    pub employer: KnownOrganisation,
    pub contact_id: String,
    pub firm_id: String,
    pub services: Services,
    pub level: Level,
    pub starts_on: Day,
    pub ends_on: Option<Day>,
    /// Its end date is already past: migrated as history, status 'ended'.
    pub ended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRelation {
    pub line: u64,
    pub relation: RelationLine,
    pub reason: Reason,
}

/// What a batch does: a decision per line, and the rows to write.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    pub decisions: Vec<Decision>,
    pub organisations: Vec<NewOrganisation>,
    pub contacts: Vec<NewContact>,
    pub credentials: Vec<NewCredential>,
    pub authorizations: Vec<NewAuthorization>,
    pub refused_relations: Vec<RefusedRelation>,
}

/// Decides every line in order; a record may rely on what an earlier line of the batch creates.
pub fn plan(
    lines: Vec<ParsedLine>,
    known: &mut Known,
    now: Millis,
    new_id: &mut dyn FnMut() -> String,
) -> Plan {
    let mut plan = Plan::default();
    for parsed in lines {
        let outcome = match parsed.record {
            Err(refusal) => check_duplicate(&parsed, known)
                .map(Outcome::Rejected)
                .unwrap_or(Outcome::Rejected(refusal)),
            Ok(Record::Organisation(record)) => {
                decide_organisation(record, known, &mut plan, new_id)
            }
            Ok(Record::Contact(record)) => decide_contact(record, known, &mut plan, new_id),
            Ok(Record::LegacyCredential(record)) => {
                decide_credential(record, known, &mut plan, new_id)
            }
            Ok(Record::Relation(ref record)) => {
                decide_relation(&parsed, record, known, &mut plan, now, new_id)
            }
        };
        if let (Outcome::Rejected(refusal), Some(relation)) = (outcome, &parsed.relation) {
            plan.refused_relations.push(RefusedRelation {
                line: parsed.line,
                relation: relation.clone(),
                reason: refusal.reason,
            });
        }
        plan.decisions.push(Decision {
            line: parsed.line,
            kind: parsed.kind,
            key: parsed.key,
            outcome,
        });
    }
    plan
}

fn decide_organisation(
    record: OrganisationRecord,
    known: &mut Known,
    plan: &mut Plan,
    new_id: &mut dyn FnMut() -> String,
) -> Outcome {
    let number = record.file_number.as_str().to_owned();
    if known.organisations.contains_key(&number) {
        return Outcome::AlreadyPresent;
    }
    let id = new_id();
    known.organisations.insert(
        number.clone(),
        KnownOrganisation {
            id: id.clone(),
            kind: record.kind.as_str().to_owned(),
            name: record.name.as_str().to_owned(),
            file_number: number,
        },
    );
    plan.organisations.push(NewOrganisation { id, record });
    Outcome::Created
}

/// The contact of `person` in `organisation_id`, created when the organisation has none with
/// that email (whatever its status: the import never changes an existing contact).
fn contact_for(
    person: Person,
    organisation_id: &str,
    known: &mut Known,
    plan: &mut Plan,
    new_id: &mut dyn FnMut() -> String,
) -> (String, bool) {
    if let Some(contact) = known.contact_in(organisation_id, person.email.as_str()) {
        return (contact.id.clone(), false);
    }
    let id = new_id();
    known.contacts.push(KnownContact {
        id: id.clone(),
        organisation_id: organisation_id.to_owned(),
        email: person.email.as_str().to_owned(),
        revoked: false,
    });
    plan.contacts.push(NewContact {
        id: id.clone(),
        organisation_id: organisation_id.to_owned(),
        person,
    });
    (id, true)
}

fn decide_contact(
    record: ContactRecord,
    known: &mut Known,
    plan: &mut Plan,
    new_id: &mut dyn FnMut() -> String,
) -> Outcome {
    let Some(organisation) = known.organisations.get(record.file_number.as_str()) else {
        return Outcome::Rejected(Refusal::of(Reason::UnknownFileNumber, "file_number"));
    };
    let organisation_id = organisation.id.clone();
    match contact_for(record.person, &organisation_id, known, plan, new_id) {
        (_, true) => Outcome::Created,
        (_, false) => Outcome::AlreadyPresent,
    }
}

fn decide_credential(
    record: CredentialRecord,
    known: &mut Known,
    plan: &mut Plan,
    new_id: &mut dyn FnMut() -> String,
) -> Outcome {
    let Some(organisation) = known.organisations.get(record.file_number.as_str()) else {
        return Outcome::Rejected(Refusal::of(Reason::UnknownFileNumber, "file_number"));
    };
    if known.usernames.contains_key(record.username.as_str()) {
        return Outcome::AlreadyPresent;
    }
    let organisation_id = organisation.id.clone();
    let email = record.person.email.as_str().to_owned();
    let (contact_id, _) = contact_for(record.person, &organisation_id, known, plan, new_id);
    known.usernames.insert(
        record.username.as_str().to_owned(),
        KnownContact {
            id: contact_id.clone(),
            organisation_id: organisation_id.clone(),
            email,
            revoked: false,
        },
    );
    plan.credentials.push(NewCredential {
        username: record.username.as_str().to_owned(),
        password_hash: record.password_hash,
        contact_id,
        organisation_id,
    });
    Outcome::Created
}

/// A legacy id seen before with other content: already migrated from another record, or
/// refused on an earlier line of this run. `None` when this line is new or the same again.
fn check_duplicate(parsed: &ParsedLine, known: &Known) -> Option<Refusal> {
    let relation = parsed.relation.as_ref()?;
    let id = relation.legacy_id.as_ref()?;
    let migrated_otherwise = known
        .migrated
        .get(id)
        .is_some_and(|fingerprint| *fingerprint != relation.fingerprint);
    let refused_otherwise = known.refused_in_run.iter().any(|earlier| {
        earlier.legacy_id == *id
            && earlier.line < parsed.line
            && earlier.fingerprint != relation.fingerprint
    });
    (migrated_otherwise || refused_otherwise).then(|| Refusal::of(Reason::Duplicate, "legacy_id"))
}

fn decide_relation(
    parsed: &ParsedLine,
    record: &RelationRecord,
    known: &mut Known,
    plan: &mut Plan,
    now: Millis,
    new_id: &mut dyn FnMut() -> String,
) -> Outcome {
    if let Some(refusal) = check_duplicate(parsed, known) {
        return Outcome::Rejected(refusal);
    }
    if known.migrated.contains_key(&record.legacy_id) {
        return Outcome::AlreadyPresent;
    }
    let (employer, contact, ended) = match relate(record, known, now) {
        Ok(parties) => parties,
        Err(refusal) => return Outcome::Rejected(refusal),
    };
    let fingerprint = parsed
        .relation
        .as_ref()
        .map(|line| line.fingerprint.clone())
        .unwrap_or_default();
    known
        .migrated
        .insert(record.legacy_id.clone(), fingerprint.clone());
    if !ended {
        known
            .active
            .insert((employer.id.clone(), contact.id.clone()));
    }
    plan.authorizations.push(NewAuthorization {
        id: new_id(),
        line: parsed.line,
        legacy_id: record.legacy_id.clone(),
        fingerprint,
        employer,
        contact_id: contact.id,
        firm_id: contact.organisation_id,
        services: record.services,
        level: record.level,
        starts_on: record.starts_on,
        ends_on: record.ends_on,
        ended,
    });
    Outcome::Created
}

/// The checks that need the database: the employer, the contact, and that the relation is new.
/// Answers the employer, the contact, and whether the relation already ended.
fn relate(
    record: &RelationRecord,
    known: &Known,
    now: Millis,
) -> Result<(KnownOrganisation, KnownContact, bool), Refusal> {
    let employer = known
        .organisations
        .get(record.employer.as_str())
        .filter(|organisation| organisation.kind == OrganisationKind::Employer.as_str())
        .ok_or(Refusal::of(Reason::UnknownEmployer, "employer_file_number"))?;
    let contact = find_contact(&record.contact, known)?;
    if contact.organisation_id == employer.id {
        return Err(Refusal::of(Reason::SelfAuthorization, "firm_file_number"));
    }
    let ended = !is_current("active", record.ends_on.map(Day::end), now);
    if !ended
        && known
            .active
            .contains(&(employer.id.clone(), contact.id.clone()))
    {
        return Err(Refusal::of(Reason::Duplicate, "contact_email"));
    }
    Ok((employer.clone(), contact.clone(), ended))
}

/// The one contact a relation names. A username and an email must name the same contact, and
/// a firm given must be theirs; an email alone must not match contacts of several organisations.
/// Revoked contacts are not candidates.
fn find_contact<'a>(
    reference: &ContactReference,
    known: &'a Known,
) -> Result<&'a KnownContact, Refusal> {
    let unknown = |field| Refusal::of(Reason::UnknownContact, field);
    let ambiguous = |field| Refusal::of(Reason::AmbiguousContact, field);
    let firm = match &reference.firm {
        Some(number) => Some(
            known
                .organisations
                .get(number.as_str())
                .map(|organisation| organisation.id.as_str())
                .ok_or(unknown("firm_file_number"))?,
        ),
        None => None,
    };
    let by_username = reference.username.as_ref().and_then(|username| {
        known
            .usernames
            .get(username.as_str())
            .filter(|contact| !contact.revoked)
    });
    if let Some(contact) = by_username {
        if reference
            .email
            .as_ref()
            .is_some_and(|email| email.as_str() != contact.email)
        {
            return Err(ambiguous("contact_username"));
        }
        if firm.is_some_and(|firm| firm != contact.organisation_id) {
            return Err(ambiguous("firm_file_number"));
        }
        return Ok(contact);
    }
    let Some(email) = &reference.email else {
        return Err(unknown("contact_username"));
    };
    let mut candidates = known.contacts.iter().filter(|contact| {
        contact.email == email.as_str()
            && !contact.revoked
            && firm.is_none_or(|firm| firm == contact.organisation_id)
    });
    match (candidates.next(), candidates.next()) {
        (Some(contact), None) => Ok(contact),
        (None, _) => Err(unknown("contact_email")),
        (Some(_), Some(_)) => Err(ambiguous("contact_email")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: Millis = 1_795_790_000_000; // 2026-11-27, Montreal

    fn relation(overrides: Value) -> Value {
        let mut base = json!({
            "type": "relation", "legacy_id": "R-1", "employer_file_number": "2000001",
            "firm_file_number": "1000001", "contact_email": "marie@cabinet.example",
            "services": ["GMO", "rm"], "level": "consultation", "starts_on": "2020-01-01", "ends_on": null,
        });
        for (key, value) in overrides.as_object().unwrap() {
            base[key] = value.clone();
        }
        base
    }

    fn refusal(value: Value) -> Option<(Reason, Option<&'static str>)> {
        ParsedLine::read(1, &value)
            .record
            .err()
            .map(|r| (r.reason, r.field))
    }

    #[test]
    fn legacy_service_codes_map_to_services_ignoring_case() {
        assert_eq!(service_of_code("GMO"), Some(Service::Workforce));
        assert_eq!(service_of_code(" idc "), Some(Service::SiteIdentification));
        assert_eq!(service_of_code("Les"), Some(Service::StatusLetter));
        assert_eq!(service_of_code("rm"), Some(Service::MonthlyReport));
        assert_eq!(
            service_of_code("monthly_report"),
            Some(Service::MonthlyReport)
        );
        assert_eq!(service_of_code("PAIE"), None);
        assert_eq!(service_of_code(""), None);
    }

    #[test]
    fn services_come_as_a_list_or_a_separated_string_and_repeat_harmlessly() {
        for (services, bits) in [
            (json!(["GMO", "RM"]), 9),
            (json!("GMO;RM"), 9),
            (json!("gmo, idc | les/rm"), 15),
            (json!(["RM", "rm"]), 8),
        ] {
            let parsed = ParsedLine::read(1, &relation(json!({ "services": services })));
            let Ok(Record::Relation(record)) = parsed.record else {
                panic!("{services} should parse: {:?}", parsed.record)
            };
            assert_eq!(record.services.bits(), bits, "{services}");
        }
        for services in [
            json!([]),
            json!("GMO,PAIE"),
            json!([1]),
            json!(null),
            json!({}),
        ] {
            assert_eq!(
                refusal(relation(json!({ "services": services }))),
                Some((Reason::UnknownService, Some("services"))),
                "{services}"
            );
        }
    }

    #[test]
    fn a_relation_record_parses_into_typed_values() {
        let parsed = ParsedLine::read(
            7,
            &relation(
                json!({ "level": "Transmission", "ends_on": "2030-06-30", "contact_email": " Marie@Cabinet.example " }),
            ),
        );
        assert_eq!(parsed.kind, Kind::Relation);
        assert_eq!(parsed.key.as_deref(), Some("R-1"));
        let Ok(Record::Relation(record)) = parsed.record else {
            panic!("{:?}", parsed.record)
        };
        assert_eq!(record.level, Level::Transmission);
        assert_eq!(record.employer.as_str(), "2000001");
        assert_eq!(
            record.contact.email.as_ref().map(Email::as_str),
            Some("marie@cabinet.example")
        );
        assert_eq!(
            record.contact.firm.as_ref().map(FileNumber::as_str),
            Some("1000001")
        );
        assert_eq!(record.starts_on.to_iso(), "2020-01-01");
        assert_eq!(
            record.ends_on.map(Day::to_iso).as_deref(),
            Some("2030-06-30")
        );
        let numeric = ParsedLine::read(1, &relation(json!({ "legacy_id": 4242 })));
        assert_eq!(numeric.relation.unwrap().legacy_id.as_deref(), Some("4242"));
    }

    #[test]
    fn a_refused_relation_says_why_and_which_field_in_the_documented_order() {
        use Reason::*;
        let cases = [
            (r#"{"legacy_id": null}"#, InvalidRelation, "legacy_id"),
            (r#"{"legacy_id": "R\u202e1"}"#, InvalidRelation, "legacy_id"),
            (r#"{"level": "admin"}"#, InvalidRelation, "level"),
            (
                r#"{"services": "XYZ", "starts_on": "hier"}"#,
                UnknownService,
                "services",
            ),
            (r#"{"starts_on": null}"#, InvalidDates, "starts_on"),
            (r#"{"starts_on": "2020-02-30"}"#, InvalidDates, "starts_on"),
            (r#"{"ends_on": "2019-12-31"}"#, InvalidDates, "ends_on"),
            (r#"{"ends_on": 20200101}"#, InvalidDates, "ends_on"),
            (r#"{"contact_email": ""}"#, MissingEmail, "contact_email"),
            (
                r#"{"contact_email": "inconnu"}"#,
                MissingEmail,
                "contact_email",
            ),
            (
                r#"{"contact_email": null, "employer_file_number": "x"}"#,
                MissingEmail,
                "contact_email",
            ),
            (
                r#"{"employer_file_number": "12"}"#,
                UnknownEmployer,
                "employer_file_number",
            ),
            (
                r#"{"firm_file_number": "abc"}"#,
                UnknownContact,
                "firm_file_number",
            ),
            (
                r#"{"contact_username": "zz99"}"#,
                UnknownContact,
                "contact_username",
            ),
        ];
        for (overrides, reason, field) in cases {
            let overrides: Value = serde_json::from_str(overrides).unwrap();
            assert_eq!(
                refusal(relation(overrides.clone())),
                Some((reason, Some(field))),
                "{overrides}"
            );
        }
    }

    #[test]
    fn lines_without_a_known_type_or_too_long_are_refused_as_unknown() {
        for value in [
            json!(42),
            json!([]),
            json!({}),
            json!({ "type": "invoice" }),
            json!({ "type": "unknown" }),
        ] {
            let parsed = ParsedLine::read(3, &value);
            assert_eq!(parsed.kind, Kind::Unknown, "{value}");
            assert_eq!(
                parsed.record.unwrap_err().reason,
                Reason::InvalidRecord,
                "{value}"
            );
        }
        let long = relation(json!({ "note": "x".repeat(MAX_RECORD_BYTES) }));
        assert_eq!(
            ParsedLine::read(3, &long).record.unwrap_err().reason,
            Reason::RecordTooLarge
        );
    }

    #[test]
    fn organisation_contact_and_credential_records_name_their_faulty_field() {
        let organisation = json!({ "type": "organisation", "kind": "employer", "name": "Boréal inc.", "file_number": "2000001", "postal_code": "G1K 3A1", "email": "info@boreal.example" });
        assert!(matches!(
            ParsedLine::read(1, &organisation).record,
            Ok(Record::Organisation(_))
        ));
        let mut bad = organisation.clone();
        bad["postal_code"] = json!("99999");
        assert_eq!(
            refusal(bad),
            Some((Reason::InvalidOrganisation, Some("postal_code")))
        );

        let contact = json!({ "type": "contact", "file_number": "1000001", "first_name": "Émile", "last_name": "Côté", "email": "emile@cabinet.example", "role": "membre" });
        assert!(matches!(
            ParsedLine::read(1, &contact).record,
            Ok(Record::Contact(_))
        ));
        let mut bad = contact.clone();
        bad["role"] = json!(7);
        assert_eq!(refusal(bad), Some((Reason::InvalidContact, Some("role"))));
        let mut bad = contact;
        bad["file_number"] = json!("n/a");
        assert_eq!(
            refusal(bad),
            Some((Reason::UnknownFileNumber, Some("file_number")))
        );

        let credential = json!({ "username": "ER123456", "password_hash": "md5$x", "file_number": "1000001",
            "contact": { "first_name": "A", "last_name": "B", "email": "a@b.example", "role": "membre" } });
        let parsed = ParsedLine::read_legacy_credential(0, &credential);
        assert_eq!(parsed.kind, Kind::LegacyCredential);
        assert_eq!(parsed.key.as_deref(), Some("ER123456"));
        assert_eq!(parsed.record.unwrap_err().reason, Reason::UnsupportedHash);
    }

    #[test]
    fn the_fingerprint_of_a_relation_ignores_member_order_but_not_content() {
        let a = ParsedLine::read(
            1,
            &json!({ "type": "relation", "legacy_id": "R-1", "level": "consultation" }),
        );
        let b = ParsedLine::read(
            9,
            &json!({ "level": "consultation", "legacy_id": "R-1", "type": "relation" }),
        );
        let c = ParsedLine::read(
            1,
            &json!({ "type": "relation", "legacy_id": "R-1", "level": "transmission" }),
        );
        let fingerprint = |p: &ParsedLine| p.relation.as_ref().unwrap().fingerprint.clone();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }

    // --- Deciding ----------------------------------------------------------------------------

    fn organisation(id: &str, kind: &str, number: &str) -> KnownOrganisation {
        KnownOrganisation {
            id: id.into(),
            kind: kind.into(),
            name: format!("Organisation {id}"),
            file_number: number.into(),
        }
    }

    fn contact(id: &str, organisation_id: &str, email: &str) -> KnownContact {
        KnownContact {
            id: id.into(),
            organisation_id: organisation_id.into(),
            email: email.into(),
            revoked: false,
        }
    }

    /// An employer (2000001), two firms (1000001, 1000002) and some contacts.
    fn known() -> Known {
        let mut known = Known::default();
        for (id, kind, number) in [
            ("employer", "employer", "2000001"),
            ("firm", "accounting_firm", "1000001"),
            ("other-firm", "accounting_firm", "1000002"),
        ] {
            known
                .organisations
                .insert(number.into(), organisation(id, kind, number));
        }
        known.contacts = vec![
            contact("marie", "firm", "marie@cabinet.example"),
            contact("luc", "firm", "luc@cabinet.example"),
            contact("luc-ailleurs", "other-firm", "luc@cabinet.example"),
            contact("patron", "employer", "patron@boreal.example"),
        ];
        known.usernames.insert(
            "ci100".into(),
            contact("luc", "firm", "luc@cabinet.example"),
        );
        known
    }

    fn decide(values: &[Value], known: &mut Known) -> (Vec<Outcome>, Plan) {
        let lines = values
            .iter()
            .enumerate()
            .map(|(i, v)| ParsedLine::read(i as u64 + 1, v))
            .collect();
        let mut serial = 0;
        let plan = plan(lines, known, NOW, &mut || {
            serial += 1;
            format!("id-{serial}")
        });
        (plan.decisions.iter().map(|d| d.outcome).collect(), plan)
    }

    fn rejected(reason: Reason) -> impl Fn(&Outcome) -> bool {
        move |outcome| matches!(outcome, Outcome::Rejected(r) if r.reason == reason)
    }

    #[test]
    fn a_relation_to_a_known_contact_becomes_a_migrated_authorization() {
        let mut known = known();
        let (outcomes, plan) = decide(&[relation(json!({}))], &mut known);
        assert_eq!(outcomes, vec![Outcome::Created]);
        let created = &plan.authorizations[0];
        assert_eq!(
            (
                created.employer.id.as_str(),
                created.contact_id.as_str(),
                created.firm_id.as_str()
            ),
            ("employer", "marie", "firm")
        );
        assert_eq!(
            created.services.codes(),
            vec!["workforce", "monthly_report"]
        );
        assert!(!created.ended);
        assert!(known.active.contains(&("employer".into(), "marie".into())));
    }

    #[test]
    fn a_relation_whose_end_is_past_is_migrated_as_ended() {
        let (outcomes, plan) = decide(
            &[relation(json!({ "ends_on": "2021-12-31" }))],
            &mut known(),
        );
        assert_eq!(outcomes, vec![Outcome::Created]);
        assert!(plan.authorizations[0].ended);
    }

    #[test]
    fn each_relation_that_cannot_be_migrated_has_its_reason() {
        use Reason::*;
        let cases = [
            (
                "employer number unknown",
                r#"{"employer_file_number": "2999999"}"#,
                UnknownEmployer,
            ),
            (
                "employer number is a firm's",
                r#"{"employer_file_number": "1000002"}"#,
                UnknownEmployer,
            ),
            (
                "no such email in the firm",
                r#"{"contact_email": "x@cabinet.example"}"#,
                UnknownContact,
            ),
            (
                "firm unknown",
                r#"{"firm_file_number": "1999999"}"#,
                UnknownContact,
            ),
            (
                "contact revoked",
                r#"{"contact_email": "gone@cabinet.example"}"#,
                UnknownContact,
            ),
            (
                "email in two firms, no firm",
                r#"{"firm_file_number": null, "contact_email": "luc@cabinet.example"}"#,
                AmbiguousContact,
            ),
            (
                "username and email differ",
                r#"{"contact_username": "ci100"}"#,
                AmbiguousContact,
            ),
            (
                "username of another firm",
                r#"{"contact_email": null, "contact_username": "CI100", "firm_file_number": "1000002"}"#,
                AmbiguousContact,
            ),
            (
                "the employer's own contact",
                r#"{"firm_file_number": "2000001", "contact_email": "patron@boreal.example"}"#,
                SelfAuthorization,
            ),
        ];
        for (why, overrides, reason) in cases {
            let mut known = known();
            let mut gone = contact("gone", "firm", "gone@cabinet.example");
            gone.revoked = true;
            known.contacts.push(gone);
            let overrides: Value = serde_json::from_str(overrides).unwrap();
            let (outcomes, plan) = decide(&[relation(overrides)], &mut known);
            assert!(rejected(reason)(&outcomes[0]), "{why}: {:?}", outcomes[0]);
            assert!(plan.authorizations.is_empty(), "{why}");
            assert_eq!(
                plan.refused_relations.len(),
                1,
                "{why}: the refusal is kept"
            );
        }
    }

    #[test]
    fn a_username_alone_or_with_its_own_email_finds_the_contact() {
        for overrides in [
            json!({ "contact_email": null, "firm_file_number": null, "contact_username": "ci100" }),
            json!({ "contact_email": "LUC@cabinet.example", "firm_file_number": null, "contact_username": "ci100" }),
        ] {
            let (outcomes, plan) = decide(&[relation(overrides.clone())], &mut known());
            assert_eq!(outcomes, vec![Outcome::Created], "{overrides}");
            assert_eq!(plan.authorizations[0].contact_id, "luc");
        }
    }

    #[test]
    fn the_same_legacy_id_twice_is_already_present_when_equal_and_a_duplicate_otherwise() {
        let mut known = known();
        let (outcomes, _) = decide(
            &[
                relation(json!({})),
                relation(json!({})),
                relation(json!({ "level": "transmission" })),
            ],
            &mut known,
        );
        assert_eq!(outcomes[0], Outcome::Created);
        assert_eq!(outcomes[1], Outcome::AlreadyPresent);
        assert!(rejected(Reason::Duplicate)(&outcomes[2]));

        let (again, plan) = decide(&[relation(json!({}))], &mut known);
        assert_eq!(
            again,
            vec![Outcome::AlreadyPresent],
            "a later run finds it migrated"
        );
        assert!(plan.authorizations.is_empty());
    }

    #[test]
    fn a_relation_for_a_pair_already_authorized_is_a_duplicate_unless_it_already_ended() {
        let mut known = known();
        known.active.insert(("employer".into(), "marie".into()));
        let (outcomes, _) = decide(
            &[
                relation(json!({ "legacy_id": "R-2" })),
                relation(json!({ "legacy_id": "R-3", "ends_on": "2021-01-01" })),
            ],
            &mut known,
        );
        assert!(rejected(Reason::Duplicate)(&outcomes[0]));
        assert_eq!(
            outcomes[1],
            Outcome::Created,
            "an ended relation is history, not a second grant"
        );
    }

    #[test]
    fn a_legacy_id_refused_earlier_in_the_run_with_other_content_is_a_duplicate() {
        let mut known = known();
        known.refused_in_run.push(EarlierLine {
            legacy_id: "R-1".into(),
            line: 0,
            fingerprint: "other".into(),
        });
        let (outcomes, _) = decide(&[relation(json!({ "services": "PAIE" }))], &mut known);
        assert!(
            rejected(Reason::Duplicate)(&outcomes[0]),
            "{:?}",
            outcomes[0]
        );
        known.refused_in_run[0].line = 5;
        let (outcomes, _) = decide(&[relation(json!({}))], &mut known);
        assert_eq!(
            outcomes,
            vec![Outcome::Created],
            "a later line does not make an earlier one a duplicate"
        );
    }

    #[test]
    fn records_can_rely_on_what_earlier_lines_of_the_batch_create() {
        let mut known = Known::default();
        let lines = [
            json!({ "type": "organisation", "kind": "employer", "name": "Boréal", "file_number": "2000009", "postal_code": "G1K 3A1", "email": "info@boreal.example" }),
            json!({ "type": "organisation", "kind": "accounting_firm", "name": "Cabinet", "file_number": "1000009", "postal_code": "H2X 1Y4", "email": "info@cabinet.example" }),
            json!({ "type": "contact", "file_number": "1000009", "first_name": "Marie", "last_name": "Tremblay", "email": "marie@cabinet.example", "role": "responsable" }),
            json!({ "type": "legacy_credential", "username": "ci9", "password_hash": "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=", "file_number": "1000009",
                    "contact": { "first_name": "Marie", "last_name": "Tremblay", "email": "marie@cabinet.example", "role": "responsable" } }),
            relation(
                json!({ "employer_file_number": "2000009", "firm_file_number": null, "contact_email": null, "contact_username": "ci9" }),
            ),
            json!({ "type": "contact", "file_number": "1000009", "first_name": "Marie", "last_name": "Tremblay", "email": "MARIE@cabinet.example", "role": "membre" }),
        ];
        let (outcomes, plan) = decide(&lines, &mut known);
        assert_eq!(
            outcomes,
            vec![
                Outcome::Created,
                Outcome::Created,
                Outcome::Created,
                Outcome::Created,
                Outcome::Created,
                Outcome::AlreadyPresent
            ]
        );
        assert_eq!(
            plan.contacts.len(),
            1,
            "the credential reuses the contact of line 3"
        );
        assert_eq!(plan.credentials[0].contact_id, plan.contacts[0].id);
        assert_eq!(plan.authorizations[0].contact_id, plan.contacts[0].id);
        assert_eq!(plan.authorizations[0].employer.id, plan.organisations[0].id);
    }

    #[test]
    fn a_known_username_is_already_present_and_an_unknown_organisation_refused() {
        let mut known = known();
        let credential = |username: &str, number: &str| {
            json!({ "type": "legacy_credential", "username": username,
            "password_hash": "pbkdf2_sha256$1$salt$VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw=", "file_number": number,
            "contact": { "first_name": "Luc", "last_name": "G", "email": "luc@cabinet.example", "role": "membre" } })
        };
        let (outcomes, plan) = decide(
            &[
                credential("CI100", "1000001"),
                credential("ci200", "1999999"),
                credential("ci300", "1000001"),
            ],
            &mut known,
        );
        assert_eq!(outcomes[0], Outcome::AlreadyPresent);
        assert!(rejected(Reason::UnknownFileNumber)(&outcomes[1]));
        assert_eq!(outcomes[2], Outcome::Created);
        assert!(
            plan.contacts.is_empty(),
            "luc is already a contact of the firm"
        );
        assert_eq!(plan.credentials[0].contact_id, "luc");
    }

    #[test]
    fn every_reason_and_kind_has_a_distinct_name_that_parses_back() {
        for reason in Reason::ALL {
            assert_eq!(Reason::parse(reason.as_str()), Some(reason));
        }
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Reason::parse("nope"), None);
    }
}
