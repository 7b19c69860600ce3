//! The legacy migration (README, "Legacy migration"): imports one batch of the legacy export at a
//! time, atomically and idempotently, and reports what a run did and which relations could not be
//! migrated. The legacy-credentials import is the same engine over credential records alone.

use super::Requester;
use crate::domain::authorization::Level;
use crate::domain::migration::{
    plan, Decision, EarlierLine, Known, KnownContact, KnownOrganisation, Outcome, ParsedLine, Plan,
    Reason, Record,
};
use crate::domain::order;
use crate::domain::organisation::ContactStatus;
use crate::domain::organisation::OrganisationKind;
use crate::domain::organisation::Role;
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::atomically;
use crate::storage::contacts::{self, NewContact};
use crate::storage::db::Statement;
use crate::storage::legacy_credentials::{self, NewLegacyCredential};
use crate::storage::migration::{
    self as store, ContactKey, MigrationAudit, OutcomeCount, OutcomeTotal, RefusalRow, RunRow,
};
use crate::storage::organisations::{self, NewOrganisation};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error("migration: run not found")]
    RunNotFound,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// Imports one batch (lines in increasing order). With a run, the batch's outcomes are counted
/// under it and refused relations are recorded; without one (the legacy-credentials import),
/// only the records are written. Answers one decision per line.
pub async fn import(
    app: &App,
    run_id: Option<&str>,
    lines: Vec<ParsedLine>,
    requester: &Requester,
) -> Result<Vec<Decision>, InfraError> {
    let first_line = lines.first().map(|parsed| parsed.line).unwrap_or(0);
    let mut known = known_for(app, run_id, &lines).await?;
    let plan = plan(lines, &mut known, app.now, &mut random_id);
    let mut statements = record_statements(app, &plan, run_id, requester)?;
    if let Some(run_id) = run_id {
        statements.extend(run_statements(app, &plan, run_id, first_line)?);
    }
    if !statements.is_empty() {
        atomically(&app.db, statements, "Failed to import a migration batch").await?;
    }
    Ok(plan.decisions)
}

/// The keys a batch names, each once.
#[derive(Default)]
struct Keys {
    file_numbers: Vec<String>,
    emails: Vec<String>,
    usernames: Vec<String>,
    legacy_ids: Vec<String>,
}

impl Keys {
    fn of(lines: &[ParsedLine]) -> Keys {
        let mut keys = Keys::default();
        for parsed in lines {
            if let Some(id) = parsed.relation.as_ref().and_then(|r| r.legacy_id.clone()) {
                keys.legacy_ids.push(id);
            }
            match &parsed.record {
                Ok(Record::Organisation(record)) => {
                    keys.file_numbers.push(record.file_number.as_str().into())
                }
                Ok(Record::Contact(record)) => {
                    keys.file_numbers.push(record.file_number.as_str().into());
                    keys.emails.push(record.person.email.as_str().into());
                }
                Ok(Record::LegacyCredential(record)) => {
                    keys.file_numbers.push(record.file_number.as_str().into());
                    keys.emails.push(record.person.email.as_str().into());
                    keys.usernames.push(record.username.as_str().into());
                }
                Ok(Record::Relation(record)) => {
                    keys.file_numbers.push(record.employer.as_str().into());
                    let contact = &record.contact;
                    keys.file_numbers
                        .extend(contact.firm.as_ref().map(|f| f.as_str().into()));
                    keys.emails
                        .extend(contact.email.as_ref().map(|e| e.as_str().into()));
                    keys.usernames
                        .extend(contact.username.as_ref().map(|u| u.as_str().into()));
                }
                Err(_) => {}
            }
        }
        for list in [
            &mut keys.file_numbers,
            &mut keys.emails,
            &mut keys.usernames,
            &mut keys.legacy_ids,
        ] {
            order::sort_by(list, |a, b| a.cmp(b));
            list.dedup();
        }
        keys
    }
}

fn known_contact(key: ContactKey) -> KnownContact {
    KnownContact {
        revoked: key.status == ContactStatus::Revoked,
        id: key.id,
        organisation_id: key.organisation_id,
        email: key.email,
    }
}

/// What the database holds about the batch's keys, read in a handful of queries.
async fn known_for(
    app: &App,
    run_id: Option<&str>,
    lines: &[ParsedLine],
) -> Result<Known, InfraError> {
    let keys = Keys::of(lines);
    let db = &app.db;
    let mut known = Known::default();
    if !keys.file_numbers.is_empty() {
        for found in store::organisations_numbered(db, &keys.file_numbers).await? {
            let organisation = KnownOrganisation {
                id: found.id,
                kind: found.kind,
                name: found.name,
                file_number: found.file_number,
            };
            known
                .organisations
                .insert(organisation.file_number.clone(), organisation);
        }
    }
    if !keys.emails.is_empty() {
        known.contacts = store::contacts_with_emails(db, &keys.emails)
            .await?
            .into_iter()
            .map(known_contact)
            .collect();
    }
    if !keys.usernames.is_empty() {
        for found in store::contacts_of_usernames(db, &keys.usernames).await? {
            known
                .usernames
                .insert(found.username, known_contact(found.contact));
        }
    }
    if !keys.legacy_ids.is_empty() {
        for found in store::migrated_relations(db, &keys.legacy_ids).await? {
            known.migrated.insert(found.legacy_id, found.fingerprint);
        }
        if let Some(run_id) = run_id {
            known.refused_in_run = store::refused_in_run(db, run_id, &keys.legacy_ids)
                .await?
                .into_iter()
                .map(|found| EarlierLine {
                    legacy_id: found.legacy_id,
                    line: found.line,
                    fingerprint: found.fingerprint,
                })
                .collect();
        }
        let employer_ids: Vec<String> = known
            .organisations
            .values()
            .filter(|o| o.kind == OrganisationKind::Employer.as_str())
            .map(|o| o.id.clone())
            .collect();
        let contact_ids: Vec<String> = known
            .contacts
            .iter()
            .chain(known.usernames.values())
            .map(|c| c.id.clone())
            .collect();
        if !employer_ids.is_empty() && !contact_ids.is_empty() {
            for pair in store::active_pairs(db, &employer_ids, &contact_ids).await? {
                known.active.insert((pair.employer_id, pair.contact_id));
            }
        }
    }
    Ok(known)
}

/// The audit details of what a batch imported, by kind of record.
#[derive(Serialize)]
#[serde(untagged)]
enum Imported<'a> {
    Organisation {
        run_id: Option<&'a str>,
        file_number: &'a str,
    },
    Contact {
        run_id: Option<&'a str>,
        role: Role,
    },
    Credential {
        run_id: Option<&'a str>,
        username: &'a str,
    },
    Authorization {
        authorization_id: &'a str,
        services: Vec<&'static str>,
        level: Level,
        details: MigratedFrom<'a>,
    },
}

/// Where a migrated authorization came from.
#[derive(Serialize)]
struct MigratedFrom<'a> {
    legacy_id: &'a str,
    run_id: Option<&'a str>,
}

/// The rows a batch creates, with their audit events and domain events.
fn record_statements(
    app: &App,
    plan: &Plan,
    run_id: Option<&str>,
    requester: &Requester,
) -> Result<Vec<Statement>, InfraError> {
    let (db, now) = (&app.db, app.now);
    let mut statements = Vec::new();
    let mut audit = Vec::new();
    if !plan.organisations.is_empty() {
        let rows: Vec<NewOrganisation> = plan
            .organisations
            .iter()
            .map(|o| NewOrganisation {
                id: &o.id,
                kind: o.record.kind,
                name: o.record.name.as_str(),
                file_number: o.record.file_number.as_str(),
                postal_code: o.record.postal_code.as_str(),
                email_on_file: o.record.email_on_file.as_str(),
            })
            .collect();
        statements.push(organisations::insert_many(db, &rows, now)?);
        audit.extend(plan.organisations.iter().map(|o| MigrationAudit {
            action: "organisation.imported",
            organisation_id: &o.id,
            contact_id: None,
            counterpart_organisation_id: None,
            details: json::text(&Imported::Organisation {
                run_id,
                file_number: o.record.file_number.as_str(),
            }),
        }));
    }
    if !plan.contacts.is_empty() {
        let rows: Vec<NewContact> = plan
            .contacts
            .iter()
            .map(|c| NewContact {
                id: &c.id,
                organisation_id: &c.organisation_id,
                first_name: c.person.first_name.as_str(),
                last_name: c.person.last_name.as_str(),
                email: c.person.email.as_str(),
                role: c.person.role,
            })
            .collect();
        statements.push(contacts::insert_many(db, &rows, now)?);
        audit.extend(plan.contacts.iter().map(|c| MigrationAudit {
            action: "contact.imported",
            organisation_id: &c.organisation_id,
            contact_id: Some(&c.id),
            counterpart_organisation_id: None,
            details: json::text(&Imported::Contact {
                run_id,
                role: c.person.role,
            }),
        }));
    }
    if !plan.credentials.is_empty() {
        let rows: Vec<NewLegacyCredential> = plan
            .credentials
            .iter()
            .map(|c| NewLegacyCredential {
                username: &c.username,
                contact_id: &c.contact_id,
                password_hash: &c.password_hash,
            })
            .collect();
        statements.push(legacy_credentials::insert_many(db, &rows, now)?);
        audit.extend(plan.credentials.iter().map(|c| MigrationAudit {
            action: "legacy.imported",
            organisation_id: &c.organisation_id,
            contact_id: Some(&c.contact_id),
            counterpart_organisation_id: None,
            details: json::text(&Imported::Credential {
                run_id,
                username: &c.username,
            }),
        }));
    }
    if !plan.authorizations.is_empty() {
        statements.push(store::insert_authorizations(db, &plan.authorizations, now)?);
        statements.push(store::append_migrated_events(
            db,
            &plan.authorizations,
            run_id,
            now,
        )?);
        audit.extend(plan.authorizations.iter().map(|a| MigrationAudit {
            action: "authorization.migrated",
            organisation_id: &a.employer.id,
            contact_id: Some(&a.contact_id),
            counterpart_organisation_id: Some(&a.firm_id),
            details: json::text(&Imported::Authorization {
                authorization_id: &a.id,
                services: a.services.codes(),
                level: a.level,
                details: MigratedFrom {
                    legacy_id: &a.legacy_id,
                    run_id,
                },
            }),
        }));
    }
    if !audit.is_empty() {
        statements.push(store::append_audit_events(
            db,
            &audit,
            requester.ip.as_deref(),
            now,
        )?);
    }
    Ok(statements)
}

/// The run's bookkeeping: the ledger of migrated relations, refusals resolved and recorded, and
/// the batch's counts.
fn run_statements(
    app: &App,
    plan: &Plan,
    run_id: &str,
    first_line: u64,
) -> Result<Vec<Statement>, InfraError> {
    let (db, now) = (&app.db, app.now);
    let mut statements = vec![store::touch_run(db, run_id, now)?];
    if !plan.authorizations.is_empty() {
        statements.push(store::record_migrated(
            db,
            &plan.authorizations,
            run_id,
            now,
        )?);
        let migrated: Vec<&str> = plan
            .authorizations
            .iter()
            .map(|a| a.legacy_id.as_str())
            .collect();
        statements.push(store::resolve_refusals(db, &migrated, run_id, now)?);
    }
    if !plan.refused_relations.is_empty() {
        statements.push(store::record_refusals(
            db,
            &plan.refused_relations,
            run_id,
            now,
        )?);
    }
    statements.push(store::count_outcomes(
        db,
        run_id,
        first_line,
        &outcome_counts(&plan.decisions),
    )?);
    Ok(statements)
}

/// The decisions counted by kind, outcome and reason.
fn outcome_counts(decisions: &[Decision]) -> Vec<OutcomeCount> {
    let mut counts: BTreeMap<(&'static str, &'static str, &'static str), usize> = BTreeMap::new();
    for decision in decisions {
        let (outcome, reason) = match decision.outcome {
            Outcome::Created => ("created", ""),
            Outcome::AlreadyPresent => ("already_present", ""),
            Outcome::Rejected(refusal) => ("rejected", refusal.reason.as_str()),
        };
        *counts
            .entry((decision.kind.as_str(), outcome, reason))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((kind, outcome, reason), count)| (kind, outcome, reason, count))
        .collect()
}

pub struct RunReport {
    pub run: RunRow,
    pub totals: Vec<OutcomeTotal>,
}

pub async fn report(app: &App, run_id: &str) -> Result<RunReport, MigrationError> {
    let run = store::find_run(&app.db, run_id)
        .await?
        .ok_or(MigrationError::RunNotFound)?;
    let totals = store::run_totals(&app.db, run_id).await?;
    Ok(RunReport { run, totals })
}

/// The relations that could not be migrated, one page at a time.
pub async fn unmigrated_relations(
    app: &App,
    reason: Option<Reason>,
    resolved: Option<bool>,
    page: i64,
    page_size: i64,
) -> Result<(Vec<RefusalRow>, i64), InfraError> {
    store::page_refusals(
        &app.db,
        reason.map(Reason::as_str),
        resolved,
        page_size,
        (page - 1) * page_size,
    )
    .await
}
