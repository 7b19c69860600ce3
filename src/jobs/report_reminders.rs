//! Reminders that a monthly report is due: from five days before the due date (the 10th, Montreal
//! time) until it passes, one email per firm contact authorized to transmit, listing their files
//! whose report of the last month over is not transmitted, and one per employer responsable whose
//! own report is not. Each is claimed in `monthly_report_reminders` (one row per month and
//! contact) in the batch that queues its email, so it goes out once whatever the number of runs,
//! overlapping or not.

use super::Counts;
use crate::domain::email::Email;
use crate::domain::locale::Locale;
use crate::domain::monthly_report::{reminder_month, Month};
use crate::email::{self, templates::Template};
use crate::infra::{random_id, App, InfraError};
use crate::json;
use crate::storage::report_reminders;
use crate::storage::WrittenNow;
use serde_json::Value;
use worker::console_error;

/// Contacts reminded per run, of each kind, at most (one file listing, one claim and one outbox
/// row each); a longer backlog drains over the next runs.
const PER_RUN: i64 = 25;
/// Files one email lists at most; it says how many more there are.
const LISTED: i64 = 50;

/// One reminder of the run: its claim, and the email that goes out if the claim is written.
struct Reminder {
    claim: String,
    contact_id: String,
    files: i64,
    to: String,
    locale: Option<String>,
    template: Template,
    params: Value,
}

pub async fn run(app: &App, counts: &mut Counts) -> Result<(), InfraError> {
    counts.add("report_reminders", 0);
    let Some(month) = reminder_month(app.now) else {
        return Ok(());
    };
    let key = month.as_string();
    let mut reminders = Vec::new();
    for contact in report_reminders::firm_contacts(&app.db, &key, app.now, PER_RUN).await? {
        let (files, total) =
            report_reminders::firm_files(&app.db, &contact.contact_id, &key, app.now, LISTED)
                .await?;
        if files.is_empty() {
            continue;
        }
        let listed: Vec<Value> = files
            .iter()
            .map(|f| json!({ "employer_name": f.employer_name, "file_number": f.file_number }))
            .collect();
        let mut params = month_params(month, &contact.first_name);
        params["files"] = listed.into();
        params["more"] = (total - files.len() as i64).max(0).into();
        reminders.push(Reminder {
            claim: random_id(),
            contact_id: contact.contact_id,
            files: total,
            to: contact.email,
            locale: contact.locale,
            template: Template::MonthlyReportDue,
            params,
        });
    }
    for contact in report_reminders::employer_responsables(&app.db, &key, PER_RUN).await? {
        let mut params = month_params(month, &contact.first_name);
        params["employer_name"] = contact.employer_name.into();
        params["file_number"] = contact.file_number.into();
        reminders.push(Reminder {
            claim: random_id(),
            contact_id: contact.contact_id,
            files: 1,
            to: contact.email,
            locale: contact.locale,
            template: Template::MonthlyReportDueEmployer,
            params,
        });
    }
    send(app, &key, reminders, counts).await
}

fn month_params(month: Month, first_name: &str) -> Value {
    json!({
        "first_name": first_name,
        "month": month.as_string(),
        "due_on": month.due_on().to_iso(),
    })
}

/// Claims every reminder and queues its email in one batch; sends the emails of the claims this
/// run wrote.
async fn send(
    app: &App,
    month: &str,
    reminders: Vec<Reminder>,
    counts: &mut Counts,
) -> Result<(), InfraError> {
    let mut claims = Vec::new();
    let mut emails = Vec::new();
    for reminder in &reminders {
        let Ok(to) = Email::parse(&reminder.to) else {
            console_error!("report reminders: the stored address of a contact does not parse");
            continue;
        };
        let locale = reminder
            .locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or_default();
        claims.push(report_reminders::claim(
            &app.db,
            &reminder.claim,
            month,
            &reminder.contact_id,
            reminder.files,
            app.now,
        )?);
        let written = WrittenNow {
            table: "monthly_report_reminders",
            column: "sent_at",
            id: &reminder.claim,
        };
        let pending = email::prepare_if_written(
            app,
            &to,
            reminder.template,
            locale,
            reminder.params.clone(),
            &written,
        )?;
        emails.push(pending);
    }
    if claims.is_empty() {
        return Ok(());
    }
    let (_, sent) =
        email::commit_and_send(app, claims, emails, "Failed to record report reminders").await?;
    counts.add("report_reminders", sent);
    Ok(())
}
