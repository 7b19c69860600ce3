//! Reminders 30 and 7 days before an authorization ends, by email to the employer (its
//! administrators of authorizations, or the address on file when none has linked an account) and
//! to the contact (unless revoked), with an `authorization.expiring` domain event. Each reminder
//! is claimed in `authorization_reminders` in the same batch as its emails and its event, so it
//! goes out once whatever the number of runs, overlapping or not.

use super::Counts;
use crate::domain::authorization::{Day, Services};
use crate::domain::email::Email;
use crate::domain::lifecycle::Reminder;
use crate::domain::locale::Locale;
use crate::email::{self, templates::Template, EmailMessage};
use crate::infra::{random_id, App, InfraError};
use crate::storage::authorization_reminders::{self, NewReminder};
use crate::storage::authorizations::{self, AuthorizationRow, ReminderWindow};
use crate::storage::domain_events::{self, DomainEvent};
use crate::storage::{atomically, contacts, organisations, wrote, WrittenNow};
use crate::use_cases::authorizations::authorization_json;
use serde_json::{json, Value};
use std::collections::HashMap;
use worker::console_error;

/// Authorizations reminded per run at most (each with a few emails); a longer backlog drains over
/// the next runs.
const PER_RUN: i64 = 25;

/// Someone an email goes to.
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
    let mut employers: HashMap<String, Vec<Recipient>> = HashMap::new();
    for authorization in &due {
        let Some(reminder) = authorization
            .ends_at
            .and_then(|ends_at| Reminder::due(ends_at, app.now))
        else {
            continue;
        };
        if !employers.contains_key(&authorization.employer_id) {
            let recipients = employer_recipients(app, &authorization.employer_id).await?;
            employers.insert(authorization.employer_id.clone(), recipients);
        }
        let mut recipients: Vec<(&Recipient, Template)> = employers[&authorization.employer_id]
            .iter()
            .map(|recipient| (recipient, Template::AuthorizationExpiringEmployer))
            .collect();
        let contact = contact_recipient(app, authorization).await?;
        recipients.extend(
            contact
                .iter()
                .map(|recipient| (recipient, Template::AuthorizationExpiring)),
        );
        if let Some(emails) = remind(app, authorization, reminder, &recipients).await? {
            counts.add("reminders", 1);
            counts.add("emails", emails);
        }
    }
    Ok(())
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
        .filter(|contact| contact.status != "revoked")
        .map(|contact| Recipient {
            locale: contact.locale(),
            address: contact.email,
            first_name: contact.first_name,
        }))
}

/// Claims the reminder and records its event and emails in one batch, then enqueues the emails.
/// Answers how many emails went out, or `None` when the reminder had already been sent.
async fn remind(
    app: &App,
    authorization: &AuthorizationRow,
    reminder: Reminder,
    recipients: &[(&Recipient, Template)],
) -> Result<Option<usize>, InfraError> {
    let ends_at = authorization.ends_at.unwrap_or_default();
    let ends_on = Day::ending_at(ends_at).to_iso();
    let id = random_id();
    let written = WrittenNow {
        table: "authorization_reminders",
        column: "sent_at",
        id: &id,
    };
    let days_before = reminder.days_before();
    let mut statements = vec![
        authorization_reminders::claim(
            &app.db,
            &NewReminder {
                id: &id,
                authorization_id: &authorization.id,
                days_before,
                ends_at,
            },
            app.now,
        )?,
        domain_events::append_if_written(
            &app.db,
            &DomainEvent {
                kind: "authorization.expiring",
                employer_id: &authorization.employer_id,
                firm_id: &authorization.firm_id,
                payload: json!({
                    "authorization": authorization_json(authorization, app.now),
                    "details": { "days_before": days_before, "ends_on": ends_on },
                }),
            },
            &written,
            app.now,
        )?,
    ];
    let params = json!({
        "employer_name": authorization.employer_name, "file_number": authorization.file_number,
        "firm_name": authorization.firm_name,
        "contact_name": format!("{} {}", authorization.contact_first_name, authorization.contact_last_name),
        "services": Services::from_bits(authorization.services).map(Services::codes).unwrap_or_default(),
        "level": authorization.level, "ends_on": ends_on, "days_before": days_before,
    });
    let mut messages: Vec<EmailMessage> = Vec::new();
    for (recipient, template) in recipients {
        let Ok(to) = Email::parse(&recipient.address) else {
            console_error!(
                "reminder {}: the stored address of a recipient does not parse",
                authorization.id
            );
            continue;
        };
        let mut params: Value = params.clone();
        params["first_name"] = json!(recipient.first_name);
        let pending =
            email::prepare_if_written(app, &to, *template, recipient.locale, params, &written)?;
        statements.push(pending.insert);
        messages.push(pending.message);
    }
    let results = atomically(&app.db, statements, "Failed to record a reminder").await?;
    if !results.first().is_some_and(wrote) {
        return Ok(None);
    }
    email::dispatch_all(app, &messages).await?;
    Ok(Some(messages.len()))
}
