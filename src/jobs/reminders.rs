//! Reminders 30 and 7 days before an authorization ends, by email to the employer (its
//! administrators of authorizations, or the address on file when none has linked an account) and
//! to the contact (unless revoked), with an `authorization.expiring` domain event. Each reminder
//! is claimed in `authorization_reminders` in the same batch as its event and the run's emails, so
//! it goes out once whatever the number of runs, overlapping or not. A run sends each recipient one
//! email listing all of their reminders (a member authorized by many employers whose
//! authorizations end together gets a digest, not one email per file).

use super::Counts;
use crate::domain::authorization::Services;
use crate::domain::email::Email;
use crate::domain::lifecycle::Reminder;
use crate::domain::locale::Locale;
use crate::domain::organisation::ContactStatus;
use crate::domain::time::Day;
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::authorization_reminders::{self, NewReminder};
use crate::storage::authorizations::{self, AuthorizationRow, ReminderWindow};
use crate::storage::db::Statement;
use crate::storage::domain_events::{self, DomainEvent};
use crate::storage::{contacts, organisations, wrote, WrittenNow};
use crate::use_cases::authorizations::{Authorization, AuthorizationEvent};
use serde_json::Value;
use worker::console_error;

/// Authorizations reminded per run at most (two statements each, plus one email per recipient); a
/// longer backlog drains over the next runs.
const PER_RUN: i64 = 50;

/// Someone an email goes to.
#[derive(Clone)]
struct Recipient {
    address: String,
    locale: Locale,
    first_name: String,
}

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    let [first, last] = Reminder::ALL;
    let window = ReminderWindow {
        now: app.now,
        first_days: first.days_before(),
        first_by: first.due_if_ending_by(app.now),
        last_days: last.days_before(),
        last_by: last.due_if_ending_by(app.now),
    };
    counts.add("reminders", 0);
    counts.add("emails", 0);
    let due = authorizations::due_for_reminder(&app.db, &window, PER_RUN).await?;
    // At most a run's few dozen employers, searched in order.
    let mut employers: Vec<(String, Vec<Recipient>)> = Vec::new();
    let mut statements = Vec::new();
    let mut claims = Vec::new();
    let mut digests = Digests::default();
    for authorization in &due {
        let Some(reminder) = authorization
            .ends_at
            .and_then(|ends_at| Reminder::due(ends_at, app.now))
        else {
            continue;
        };
        let known = employers
            .iter()
            .position(|(id, _)| *id == authorization.employer_id);
        let employer = match known {
            Some(employer) => employer,
            None => {
                let recipients = employer_recipients(app, &authorization.employer_id).await?;
                employers.push((authorization.employer_id.clone(), recipients));
                employers.len() - 1
            }
        };
        let claim = random_id();
        let item = reminded(authorization, reminder);
        claims.push(statements.len());
        statements.extend(claim_statements(app, authorization, &claim, &item)?);
        for recipient in &employers[employer].1 {
            digests.add(
                recipient,
                Template::AuthorizationExpiringEmployer,
                &claim,
                &item,
            );
        }
        if let Some(contact) = contact_recipient(app, authorization).await? {
            digests.add(&contact, Template::AuthorizationExpiring, &claim, &item);
        }
    }
    let mut emails = Vec::new();
    for digest in digests.0 {
        let Ok(to) = Email::parse(&digest.recipient.address) else {
            console_error!("reminders: the stored address of a recipient does not parse");
            continue;
        };
        // Overlapping runs read the same due reminders and claim all of a digest or none of it:
        // its first claim stands for the others.
        let written = WrittenNow {
            table: "authorization_reminders",
            column: "sent_at",
            id: &digest.first_claim,
        };
        let pending = email::prepare_if_written(
            app,
            &to,
            digest.template,
            digest.recipient.locale,
            digest.params(),
            &written,
        )?;
        emails.push(pending);
    }
    if statements.is_empty() {
        return Ok(());
    }
    let (results, sent) =
        email::commit_and_send(app, statements, emails, "Failed to record reminders").await?;
    counts.add(
        "reminders",
        claims
            .iter()
            .filter(|&&index| results.get(index).is_some_and(wrote))
            .count(),
    );
    counts.add("emails", sent);
    Ok(())
}

/// What one reminder says about its authorization, as the email lists it.
fn reminded(authorization: &AuthorizationRow, reminder: Reminder) -> Value {
    json!({
        "employer_name": authorization.employer_name, "file_number": authorization.file_number,
        "firm_name": authorization.firm_name,
        "contact_name": format!("{} {}", authorization.contact_first_name, authorization.contact_last_name),
        "services": Services::codes_of(authorization.services),
        "level": authorization.level,
        "ends_on": Day::ending_at(authorization.ends_at.unwrap_or_default()).to_iso(),
        "days_before": reminder.days_before(),
    })
}

/// The emails of a run: one per recipient and template, listing every reminder of theirs.
#[derive(Default)]
struct Digests(Vec<Digest>);

struct Digest {
    recipient: Recipient,
    template: Template,
    /// The claim of its first reminder: the email goes out if this run wrote it.
    first_claim: String,
    items: Vec<Value>,
}

impl Digests {
    fn add(&mut self, recipient: &Recipient, template: Template, claim: &str, item: &Value) {
        let index = match self.0.iter().position(|digest| {
            digest.template == template && digest.recipient.address == recipient.address
        }) {
            Some(index) => index,
            None => {
                self.0.push(Digest {
                    recipient: recipient.clone(),
                    template,
                    first_claim: claim.to_owned(),
                    items: Vec::new(),
                });
                self.0.len() - 1
            }
        };
        self.0[index].items.push(item.clone());
    }
}

impl Digest {
    /// One reminder: its fields, as the single-reminder email shows them; several: the list.
    fn params(&self) -> Value {
        let mut params = match self.items.as_slice() {
            [only] => only.clone(),
            items => json!({ "reminders": items }),
        };
        params["first_name"] = json!(self.recipient.first_name);
        params
    }
}

/// The employer's administrators of authorizations, or its address on file when none has linked.
async fn employer_recipients(app: &App, employer_id: &str) -> Result<Vec<Recipient>, InfraError> {
    let administrators = contacts::authorization_administrators(&app.db, employer_id).await?;
    if !administrators.is_empty() {
        return Ok(administrators
            .into_iter()
            .map(|contact| Recipient {
                locale: contact.locale(),
                address: contact.email,
                first_name: contact.first_name,
            })
            .collect());
    }
    Ok(organisations::find(&app.db, employer_id)
        .await?
        .map(|employer| Recipient {
            address: employer.email_on_file,
            locale: Locale::Fr,
            first_name: String::new(),
        })
        .into_iter()
        .collect())
}

/// The authorized contact, unless revoked by their organisation.
async fn contact_recipient(
    app: &App,
    authorization: &AuthorizationRow,
) -> Result<Option<Recipient>, InfraError> {
    let contact =
        contacts::find_in(&app.db, &authorization.firm_id, &authorization.contact_id).await?;
    Ok(contact
        .filter(|contact| contact.status != ContactStatus::Revoked)
        .map(|contact| Recipient {
            locale: contact.locale(),
            address: contact.email,
            first_name: contact.first_name,
        }))
}

/// Claims the reminder (`claim` is the new row's id) and records its `authorization.expiring`
/// event if the claim was written.
fn claim_statements(
    app: &App,
    authorization: &AuthorizationRow,
    claim: &str,
    item: &Value,
) -> Result<Vec<Statement>, InfraError> {
    let written = WrittenNow {
        table: "authorization_reminders",
        column: "sent_at",
        id: claim,
    };
    Ok(vec![
        authorization_reminders::claim(
            &app.db,
            &NewReminder {
                id: claim,
                authorization_id: &authorization.id,
                days_before: item["days_before"].as_i64().unwrap_or_default(),
                ends_at: authorization.ends_at.unwrap_or_default(),
            },
            app.now,
        )?,
        domain_events::append_if_written(
            &app.db,
            &DomainEvent {
                kind: "authorization.expiring",
                employer_id: &authorization.employer_id,
                firm_id: Some(&authorization.firm_id),
                payload: json::value_via_text(&AuthorizationEvent {
                    authorization: Authorization::of(authorization, app.now),
                    details: &json!({ "days_before": item["days_before"], "ends_on": item["ends_on"] }),
                }),
            },
            &written,
            app.now,
        )?,
    ])
}
