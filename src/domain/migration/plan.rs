//! Deciding, record by record, what the import creates, finds already there, or refuses.

use super::record::*;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::authorization::{is_current, Level, Services};
use crate::domain::organisation::OrganisationKind;
use crate::domain::time::Day;
use crate::domain::Millis;
use std::collections::{HashMap, HashSet};

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
    let mut planner = Planner {
        known,
        plan: Plan::default(),
        now,
        new_id,
    };
    for parsed in lines {
        let decided = match parsed.record {
            Err(refusal) => Err(check_duplicate(&parsed, planner.known).unwrap_or(refusal)),
            Ok(Record::Organisation(record)) => Ok(planner.organisation(record)),
            Ok(Record::Contact(record)) => planner.contact(record),
            Ok(Record::LegacyCredential(record)) => planner.credential(record),
            Ok(Record::Relation(ref record)) => planner.relation(&parsed, record),
        };
        let outcome = decided.unwrap_or_else(Outcome::Rejected);
        if let (Outcome::Rejected(refusal), Some(relation)) = (outcome, &parsed.relation) {
            planner.plan.refused_relations.push(RefusedRelation {
                line: parsed.line,
                relation: relation.clone(),
                reason: refusal.reason,
            });
        }
        planner.plan.decisions.push(Decision {
            line: parsed.line,
            kind: parsed.kind,
            key: parsed.key,
            outcome,
        });
    }
    planner.plan
}

/// The state a batch's decisions share: what is known (and grows as lines create), the plan
/// being written, and where new ids come from.
struct Planner<'a> {
    known: &'a mut Known,
    plan: Plan,
    now: Millis,
    new_id: &'a mut dyn FnMut() -> String,
}

impl Planner<'_> {
    fn organisation(&mut self, record: OrganisationRecord) -> Outcome {
        let number = record.file_number.as_str().to_owned();
        if self.known.organisations.contains_key(&number) {
            return Outcome::AlreadyPresent;
        }
        let id = (self.new_id)();
        self.known.organisations.insert(
            number.clone(),
            KnownOrganisation {
                id: id.clone(),
                kind: record.kind.as_str().to_owned(),
                name: record.name.as_str().to_owned(),
                file_number: number,
            },
        );
        self.plan.organisations.push(NewOrganisation { id, record });
        Outcome::Created
    }

    /// The id of the organisation a record names by its file number.
    fn organisation_id(&self, file_number: &str) -> Result<String, Refusal> {
        self.known
            .organisations
            .get(file_number)
            .map(|organisation| organisation.id.clone())
            .ok_or(Refusal::of(Reason::UnknownFileNumber, "file_number"))
    }

    /// The contact of `person` in `organisation_id`, created when the organisation has none with
    /// that email (whatever its status: the import never changes an existing contact).
    fn contact_for(&mut self, person: Person, organisation_id: &str) -> (String, bool) {
        if let Some(contact) = self
            .known
            .contact_in(organisation_id, person.email.as_str())
        {
            return (contact.id.clone(), false);
        }
        let id = (self.new_id)();
        self.known.contacts.push(KnownContact {
            id: id.clone(),
            organisation_id: organisation_id.to_owned(),
            email: person.email.as_str().to_owned(),
            revoked: false,
        });
        self.plan.contacts.push(NewContact {
            id: id.clone(),
            organisation_id: organisation_id.to_owned(),
            person,
        });
        (id, true)
    }

    fn contact(&mut self, record: ContactRecord) -> Result<Outcome, Refusal> {
        let organisation_id = self.organisation_id(record.file_number.as_str())?;
        Ok(match self.contact_for(record.person, &organisation_id) {
            (_, true) => Outcome::Created,
            (_, false) => Outcome::AlreadyPresent,
        })
    }

    fn credential(&mut self, record: CredentialRecord) -> Result<Outcome, Refusal> {
        let organisation_id = self.organisation_id(record.file_number.as_str())?;
        if self.known.usernames.contains_key(record.username.as_str()) {
            return Ok(Outcome::AlreadyPresent);
        }
        let email = record.person.email.as_str().to_owned();
        let (contact_id, _) = self.contact_for(record.person, &organisation_id);
        self.known.usernames.insert(
            record.username.as_str().to_owned(),
            KnownContact {
                id: contact_id.clone(),
                organisation_id: organisation_id.clone(),
                email,
                revoked: false,
            },
        );
        self.plan.credentials.push(NewCredential {
            username: record.username.as_str().to_owned(),
            password_hash: record.password_hash,
            contact_id,
            organisation_id,
        });
        Ok(Outcome::Created)
    }

    fn relation(
        &mut self,
        parsed: &ParsedLine,
        record: &RelationRecord,
    ) -> Result<Outcome, Refusal> {
        if let Some(refusal) = check_duplicate(parsed, self.known) {
            return Err(refusal);
        }
        if self.known.migrated.contains_key(&record.legacy_id) {
            return Ok(Outcome::AlreadyPresent);
        }
        let (employer, contact, ended) = relate(record, self.known, self.now)?;
        let fingerprint = parsed
            .relation
            .as_ref()
            .map(|line| line.fingerprint.clone())
            .unwrap_or_default();
        self.known
            .migrated
            .insert(record.legacy_id.clone(), fingerprint.clone());
        if !ended {
            self.known
                .active
                .insert((employer.id.clone(), contact.id.clone()));
        }
        self.plan.authorizations.push(NewAuthorization {
            id: (self.new_id)(),
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
        Ok(Outcome::Created)
    }
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
    let ended = !is_current(
        AuthorizationStatus::Active,
        record.ends_on.map(Day::end),
        now,
    );
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
