//! The monthly report of an employer, for its own contacts and for the firms' contacts it
//! authorized for the "rapport mensuel" service: list the months, read one, save its draft (typed
//! or imported), transmit it for a receipt, open a correction. Who may: the employer's contacts
//! do everything; a firm's contact reads at level "consultation" and also writes at level
//! "consultation et transmission". Another employer's file answers not found.

use super::files::{self, FileError};
use crate::domain::authorization::Level;
use crate::domain::authorization::Service;
use crate::domain::monthly_report::{
    self, receipt_number, Catalog, Entry, Line, LineProblem, Month, RawLine, Standing, Totals,
    VersionStatus, WagesUnit, MAX_LINES,
};
use crate::domain::organisation::OrganisationKind;
use crate::domain::Entropy;
use crate::domain::Millis;
use crate::infra::{App, InfraError, OsEntropy};
use crate::json;
use crate::storage::api_tokens::TokenRow;
use crate::storage::audit::AuditEvent;
use crate::storage::authorized_files::FileRow;
use crate::storage::contacts::ProfileRow;
use crate::storage::domain_events::DomainEvent;
use crate::storage::monthly_reports::{self, Author, MonthRow, StoredReport};
use crate::storage::organisations;
use crate::storage::users::UserRow;
use crate::use_cases::Actor;
use serde::Serialize;

/// The employer whose reports these are.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ReportEmployer<'a> {
    id: &'a str,
    name: &'a str,
    file_number: &'a str,
}

impl<'a> ReportEmployer<'a> {
    pub fn of(access: &'a Access) -> ReportEmployer<'a> {
        ReportEmployer {
            id: &access.employer_id,
            name: &access.employer_name,
            file_number: &access.file_number,
        }
    }
}

/// A version's totals, always computed by the server from its lines.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct MonthlyReportTotals {
    lines: i64,
    regular_hours: f64,
    overtime_hours: f64,
    gross_wages_cents: i64,
}

impl MonthlyReportTotals {
    pub fn of(totals: &Totals) -> MonthlyReportTotals {
        MonthlyReportTotals {
            lines: totals.lines,
            regular_hours: monthly_report::hours_of(totals.regular_quarters),
            overtime_hours: monthly_report::hours_of(totals.overtime_quarters),
            gross_wages_cents: totals.gross_cents,
        }
    }
}

/// The data of the webhooks `monthly_report.transmitted` and `monthly_report.corrected`.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct MonthlyReportEvent<'a> {
    monthly_report: TransmittedReport<'a>,
}

/// A report as its transmission left it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct TransmittedReport<'a> {
    employer: ReportEmployer<'a>,
    /// YYYY-MM
    month: &'a str,
    /// The 15th of the following month (America/Montreal), YYYY-MM-DD
    due_on: String,
    version: i64,
    receipt_number: &'a str,
    /// The receipt number of the version this one corrects; null on a first transmission
    corrects: Option<&'a str>,
    transmitted_at: crate::domain::Millis,
    /// Who transmitted it: a person's name, or an API token's
    transmitted_by: &'a str,
    no_activity: bool,
    totals: MonthlyReportTotals,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("monthly report: not found")]
    NotFound,
    #[error("monthly report: employer profile required")]
    EmployerProfileRequired,
    #[error("monthly report: service not authorized")]
    ServiceNotAuthorized,
    #[error("monthly report: service not started")]
    ServiceNotStarted,
    /// A firm's contact at level "consultation" tried to write.
    #[error("monthly report: transmission not authorized")]
    TransmissionNotAuthorized,
    /// The month is after the current one.
    #[error("monthly report: month ahead")]
    MonthAhead,
    #[error("monthly report: too many lines")]
    TooManyLines,
    /// Lines and the "no activity" declaration at once.
    #[error("monthly report: no activity with lines")]
    NoActivityWithLines,
    #[error("monthly report: invalid")]
    Invalid(Vec<LineProblem>),
    /// The report was transmitted and no correction is open.
    #[error("monthly report: already transmitted")]
    AlreadyTransmitted,
    #[error("monthly report: no draft")]
    NoDraft,
    /// Neither lines nor the "no activity" declaration.
    #[error("monthly report: empty")]
    Empty,
    #[error("monthly report: month not over")]
    MonthNotOver,
    #[error("monthly report: nothing to correct")]
    NothingToCorrect,
    #[error("monthly report: correction open")]
    CorrectionOpen,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

impl From<FileError> for ReportError {
    fn from(error: FileError) -> Self {
        match error {
            FileError::NotFound => ReportError::NotFound,
            FileError::ServiceNotAuthorized => ReportError::ServiceNotAuthorized,
            FileError::ServiceNotStarted => ReportError::ServiceNotStarted,
            FileError::Infra(error) => ReportError::Infra(error),
        }
    }
}

/// Whose reports a request reaches, and whether it may write them.
pub struct Access {
    pub employer_id: String,
    pub employer_name: String,
    pub file_number: String,
    pub may_write: bool,
    /// The firm of the contact acting, when it is not the employer's own.
    pub firm_id: Option<String>,
    /// The contact acting, or whose file a firm's token reaches; none for an employer's token.
    pub contact_id: Option<String>,
}

/// Who saves, transmits or corrects: a signed-in person, or an organisation's API token (in the
/// name of the user who created it, shown as the token's name).
pub struct Writer {
    pub user_id: String,
    pub name: String,
    pub token_id: Option<String>,
}

impl Writer {
    pub fn person(user: &UserRow) -> Writer {
        Writer {
            user_id: user.id.clone(),
            name: format!("{} {}", user.first_name, user.last_name),
            token_id: None,
        }
    }

    pub fn token(token: &TokenRow) -> Writer {
        Writer {
            user_id: token.created_by.clone(),
            name: format!("{} (API)", token.name),
            token_id: Some(token.id.clone()),
        }
    }
}

/// A firm's contact in one of its authorized files: the monthly report service must be usable.
pub async fn for_file(app: &App, actor: &Actor, file_id: &str) -> Result<Access, ReportError> {
    let file = files::open_service(app, actor, file_id, Service::MonthlyReport).await?;
    Ok(of_file(&actor.profile, &file))
}

/// The reports of a file already opened for the monthly report service.
pub fn of_file(profile: &ProfileRow, file: &FileRow) -> Access {
    Access {
        employer_id: file.employer_id.clone(),
        employer_name: file.employer_name.clone(),
        file_number: file.file_number.clone(),
        may_write: file.level == Level::Transmission,
        firm_id: Some(profile.organisation_id.clone()),
        contact_id: Some(profile.contact_id.clone()),
    }
}

/// A firm's API token in a file one of the firm's contacts is authorized on: the monthly report
/// service must be usable there, and the authorization's level says whether it may write.
pub async fn for_token_file(
    app: &App,
    token: &TokenRow,
    file_id: &str,
) -> Result<Access, ReportError> {
    let file =
        files::open_firm_service(app, &token.organisation_id, file_id, Service::MonthlyReport)
            .await?;
    Ok(Access {
        employer_id: file.employer_id,
        employer_name: file.employer_name,
        file_number: file.file_number,
        may_write: file.level == Level::Transmission,
        firm_id: Some(token.organisation_id.clone()),
        contact_id: Some(file.contact_id),
    })
}

/// An employer's API token: its own reports.
pub async fn for_token_employer(app: &App, token: &TokenRow) -> Result<Access, ReportError> {
    if token.organisation_kind != OrganisationKind::Employer {
        return Err(ReportError::EmployerProfileRequired);
    }
    let employer = organisations::find(&app.db, &token.organisation_id)
        .await?
        .ok_or(ReportError::NotFound)?;
    Ok(Access {
        employer_id: employer.id,
        employer_name: employer.name,
        file_number: employer.file_number,
        may_write: true,
        firm_id: None,
        contact_id: None,
    })
}

/// An employer's own contact.
pub fn for_employer(actor: &Actor) -> Result<Access, ReportError> {
    if actor.profile.organisation_kind != OrganisationKind::Employer {
        return Err(ReportError::EmployerProfileRequired);
    }
    Ok(Access {
        employer_id: actor.profile.organisation_id.clone(),
        employer_name: actor.profile.organisation_name.clone(),
        file_number: actor.profile.file_number.clone(),
        may_write: true,
        firm_id: None,
        contact_id: Some(actor.profile.contact_id.clone()),
    })
}

/// Writing rights, checked before a body is read: a reader learns nothing from a refused file.
pub fn writable(access: &Access) -> Result<(), ReportError> {
    if access.may_write {
        Ok(())
    } else {
        Err(ReportError::TransmissionNotAuthorized)
    }
}

/// A month that may hold a report: not after the current month.
pub fn check_month(app: &App, month: Month) -> Result<Month, ReportError> {
    if month > Month::of(app.now) {
        Err(ReportError::MonthAhead)
    } else {
        Ok(month)
    }
}

/// The trades and the regions.
pub async fn lists(app: &App) -> Result<(Vec<Entry>, Vec<Entry>), InfraError> {
    monthly_reports::lists(&app.db).await
}

/// One month of the list.
pub struct MonthSummary {
    pub month: Month,
    pub standing: Standing,
    pub draft: Option<MonthRow>,
    pub transmitted: Option<MonthRow>,
}

impl MonthSummary {
    /// `month` from the employer's stored versions of the months listed.
    fn of(month: Month, rows: &[MonthRow], now: Millis) -> MonthSummary {
        let key = month.as_string();
        let of = |status: VersionStatus| {
            rows.iter()
                .find(|r| r.month == key && r.status == status)
                .cloned()
        };
        let transmitted = of(VersionStatus::Transmitted);
        MonthSummary {
            month,
            standing: Standing::of(transmitted.is_some(), month, now),
            draft: of(VersionStatus::Draft),
            transmitted,
        }
    }
}

/// The employer's months, newest first: the `count` months up to the current one.
pub async fn list(
    app: &App,
    access: &Access,
    count: usize,
) -> Result<Vec<MonthSummary>, InfraError> {
    let months = Month::of(app.now).back(count);
    let (Some(newest), Some(oldest)) = (months.first(), months.last()) else {
        return Ok(Vec::new());
    };
    let rows = monthly_reports::months(&app.db, &access.employer_id, *oldest, *newest).await?;
    Ok(months
        .into_iter()
        .map(|month| MonthSummary::of(month, &rows, app.now))
        .collect())
}

/// The report of a month, as stored (every version, the draft's and transmitted lines).
pub async fn get(app: &App, access: &Access, month: Month) -> Result<StoredReport, ReportError> {
    let month = check_month(app, month)?;
    Ok(monthly_reports::find(&app.db, &access.employer_id, month).await?)
}

fn author(writer: &Writer) -> Author<'_> {
    Author {
        user_id: &writer.user_id,
        name: &writer.name,
    }
}

/// Replaces the month's draft (creating the report) with these lines, all valid, or none saved.
pub async fn save_draft(
    app: &App,
    access: &Access,
    writer: &Writer,
    month: Month,
    no_activity: bool,
    raw: &[RawLine],
    unit: WagesUnit,
) -> Result<StoredReport, ReportError> {
    writable(access)?;
    let month = check_month(app, month)?;
    if raw.len() > MAX_LINES {
        return Err(ReportError::TooManyLines);
    }
    let (trades, regions) = monthly_reports::lists(&app.db).await?;
    let lines: Vec<Line> = monthly_report::validate(raw, &Catalog::new(&trades, &regions), unit)
        .map_err(ReportError::Invalid)?;
    if no_activity && !lines.is_empty() {
        return Err(ReportError::NoActivityWithLines);
    }
    let author = author(writer);
    let saved = monthly_reports::save_draft(
        &app.db,
        &access.employer_id,
        month,
        &author,
        no_activity,
        &lines,
        app.now,
    )
    .await?;
    if !saved {
        return Err(ReportError::AlreadyTransmitted);
    }
    Ok(monthly_reports::find(&app.db, &access.employer_id, month).await?)
}

/// The stored lines as raw lines, to validate them again before they are transmitted.
fn as_raw(report: &StoredReport) -> Vec<RawLine> {
    use monthly_report::Raw;
    report
        .draft_lines
        .iter()
        .map(|l| RawLine {
            number: l.line as usize,
            worker_name: Raw::Text(l.worker_name.clone()),
            worker_id: Raw::Text(l.worker_id.clone()),
            trade: Raw::Text(l.trade.clone()),
            region: Raw::Text(l.region.clone()),
            regular_hours: Raw::Number(monthly_report::hours_of(l.regular_quarters)),
            overtime_hours: Raw::Number(monthly_report::hours_of(l.overtime_quarters)),
            gross_wages: Raw::Number(l.gross_cents as f64),
        })
        .collect()
}

fn audit_event<'a>(
    action: &'a str,
    access: &'a Access,
    writer: &'a Writer,
    ip: Option<&'a str>,
    mut details: serde_json::Value,
) -> AuditEvent<'a> {
    if let Some(token) = &writer.token_id {
        details["token_id"] = token.clone().into();
    }
    AuditEvent {
        action,
        user_id: Some(&writer.user_id),
        organisation_id: Some(&access.employer_id),
        contact_id: access.contact_id.as_deref(),
        ip,
        details,
        counterpart_organisation_id: access.firm_id.as_deref(),
    }
}

/// Transmits the month's draft, validated again from what is stored, for a receipt number.
pub async fn transmit(
    app: &App,
    access: &Access,
    writer: &Writer,
    ip: Option<&str>,
    month: Month,
    idempotency_key: Option<&str>,
) -> Result<(StoredReport, String), ReportError> {
    writable(access)?;
    let month = check_month(app, month)?;
    if !monthly_report::month_is_over(month, app.now) {
        return Err(ReportError::MonthNotOver);
    }
    let report = monthly_reports::find(&app.db, &access.employer_id, month).await?;
    if let Some(receipt) = receipt_of_key(&report, idempotency_key) {
        return Ok((report, receipt));
    }
    let Some(draft) = report.draft() else {
        return Err(if report.transmitted().is_some() {
            ReportError::AlreadyTransmitted
        } else {
            ReportError::NoDraft
        });
    };
    let (trades, regions) = monthly_reports::lists(&app.db).await?;
    let lines = monthly_report::validate(
        &as_raw(&report),
        &Catalog::new(&trades, &regions),
        WagesUnit::Cents,
    )
    .map_err(ReportError::Invalid)?;
    if report.draft_lines.is_empty() && draft.no_activity == 0 {
        return Err(ReportError::Empty);
    }
    let mut random = [0u8; 10];
    OsEntropy.fill(&mut random);
    let receipt = receipt_number(month, &random);
    let corrects = report.transmitted().map(|t| t.receipt_number.clone());
    let action = if corrects.is_some() {
        "monthly_report.corrected"
    } else {
        "monthly_report.transmitted"
    };
    let month_text = month.as_string();
    let corrects = corrects.flatten();
    let details = json!({
        "month": month_text, "receipt_number": receipt, "version": draft.number, "corrects": corrects,
    });
    let audit = audit_event(action, access, writer, ip, details);
    let event = DomainEvent {
        kind: action,
        employer_id: &access.employer_id,
        firm_id: access.firm_id.as_deref(),
        payload: json::value(&MonthlyReportEvent {
            monthly_report: TransmittedReport {
                employer: ReportEmployer::of(access),
                month: &month_text,
                due_on: month.due_on().to_iso(),
                version: draft.number,
                receipt_number: &receipt,
                corrects: corrects.as_deref(),
                transmitted_at: app.now,
                transmitted_by: &writer.name,
                no_activity: draft.no_activity == 1,
                totals: MonthlyReportTotals::of(&Totals::of(&lines)),
            },
        }),
    };
    let author = author(writer);
    let done = monthly_reports::transmit(
        &app.db,
        draft,
        (&receipt, idempotency_key),
        &author,
        &audit,
        &event,
        app.now,
    )
    .await?;
    let report = monthly_reports::find(&app.db, &access.employer_id, month).await?;
    if !done {
        // Another request transmitted the draft meanwhile: the same one, if it had the same key.
        return receipt_of_key(&report, idempotency_key)
            .map(|receipt| (report, receipt))
            .ok_or(ReportError::AlreadyTransmitted);
    }
    Ok((report, receipt))
}

/// The receipt of the version an earlier transmission with this Idempotency-Key made.
fn receipt_of_key(report: &StoredReport, key: Option<&str>) -> Option<String> {
    let key = key?;
    report
        .versions
        .iter()
        .find(|v| v.idempotency_key.as_deref() == Some(key))
        .and_then(|v| v.receipt_number.clone())
}

/// Opens a correction of the month's transmitted report: a new draft holding its lines.
pub async fn correct(
    app: &App,
    access: &Access,
    writer: &Writer,
    ip: Option<&str>,
    month: Month,
) -> Result<StoredReport, ReportError> {
    writable(access)?;
    let month = check_month(app, month)?;
    let report = monthly_reports::find(&app.db, &access.employer_id, month).await?;
    if report.draft().is_some() {
        return Err(if report.transmitted().is_some() {
            ReportError::CorrectionOpen
        } else {
            ReportError::NothingToCorrect
        });
    }
    let Some(transmitted) = report.transmitted() else {
        return Err(ReportError::NothingToCorrect);
    };
    let details = json!({
        "month": month.as_string(), "corrects": transmitted.receipt_number, "version": transmitted.number + 1,
    });
    let event = audit_event(
        "monthly_report.correction_opened",
        access,
        writer,
        ip,
        details,
    );
    let author = author(writer);
    let opened =
        monthly_reports::open_correction(&app.db, &transmitted.id, &author, &event, app.now)
            .await?;
    if !opened {
        return Err(ReportError::CorrectionOpen);
    }
    Ok(monthly_reports::find(&app.db, &access.employer_id, month).await?)
}
