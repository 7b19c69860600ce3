//! The monthly report ("rapport mensuel"): the same routes for a firm's contact in one of their
//! authorized files (`/api/authorized-files/{id}/monthly-reports`) and for the employer's own
//! contacts (`/api/employer/monthly-reports`), and the trades and regions a line names. An
//! organisation's API token (`Authorization: Bearer`) reaches the same routes within its scopes:
//! a firm's, the files its contacts are authorized on; an employer's, its own reports.

use super::body::{json_object_within, read_body, BodyKind, MAX_IMPORT_BODY_BYTES};
use super::error::{report_error, ApiError, ErrorCode};
use super::route::{route, Route};
use super::sessions::{require_actor, require_user};
use super::{Call, Reply};
use crate::domain::api_token::Scope as TokenScope;
use crate::domain::fields::Problem;
use crate::domain::locale::Locale;
use crate::domain::monthly_report::{
    self, hours_of, Entry, LineProblem, Month, Raw, RawLine, Standing, VersionStatus, WagesUnit,
};
use crate::domain::time::Day;
use crate::domain::Millis;
use crate::storage::monthly_reports::{LineRow, StoredReport, VersionRow};
use crate::use_cases::monthly_reports::{
    self as reports, Access, MonthSummary, MonthlyReportTotals, ReportEmployer, ReportError, Writer,
};
use crate::use_cases::tokens;
use serde::Serialize;
use serde_json::Value;

/// Months the list shows by default, and at most.
const DEFAULT_MONTHS: usize = 12;
const MAX_MONTHS: usize = 60;

/// Where the request reaches the reports: in a firm's authorized file, or the employer's own.
#[derive(Clone, Copy)]
enum Scope {
    File,
    Employer,
}

impl Scope {
    /// The path says which: the same handlers answer `/api/authorized-files/{id}/monthly-reports…`
    /// and `/api/employer/monthly-reports…`.
    fn of(call: &Call) -> Scope {
        if call.req.path().starts_with("/api/authorized-files/") {
            Scope::File
        } else {
            Scope::Employer
        }
    }
}

/// What the route does with the reports: a token needs the matching scope.
#[derive(Clone, Copy)]
enum Need {
    Read,
    Write,
}

/// Who acts (the signed-in user, or the API token of the `Authorization` header) and the reports
/// they reach on this route.
async fn access(call: &Call, need: Need) -> Result<(Writer, Access), ApiError> {
    let scope = Scope::of(call);
    let fail = |e: ReportError| report_error(e, call.locale);
    if let Some(header) = super::tokens::bearer(call) {
        let wanted = match need {
            Need::Read => TokenScope::MonthlyReportsRead,
            Need::Write => TokenScope::MonthlyReportsWrite,
        };
        let token = tokens::authenticate(&call.app, &header, wanted).await?;
        let access = match scope {
            Scope::File => reports::for_token_file(&call.app, &token, call.id()).await,
            Scope::Employer => reports::for_token_employer(&call.app, &token).await,
        }
        .map_err(fail)?;
        return Ok((Writer::token(&token), access));
    }
    let (who, actor) = require_actor(call).await?;
    let access = match scope {
        Scope::File => reports::for_file(&call.app, &actor, call.id()).await,
        Scope::Employer => reports::for_employer(&actor),
    }
    .map_err(fail)?;
    Ok((Writer::person(&who.user), access))
}

/// The `{month}` of the path (its last parameter on every route that has one).
fn month_of(call: &Call) -> Result<Month, ApiError> {
    let raw = call.params.last().map(String::as_str).unwrap_or("");
    Month::parse(raw).ok_or_else(|| ApiError::invalid_field("month", Problem::InvalidMonth))
}

/// Hours as the API shows them: quarter hours, each of a line's at most 300.
#[cfg(test)]
fn hours_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "number", "minimum": 0, "maximum": 300, "multipleOf": 0.25 })
}

/// One line: a worker, trade and region with hours (quarter hours, each at most 300) and gross
/// wages in cents. The same worker_id, trade and region twice is refused.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MonthlyReportLine<'a> {
    #[cfg_attr(test, schemars(range(min = 1)))]
    line: i64,
    #[cfg_attr(test, schemars(length(max = 100)))]
    worker_name: &'a str,
    #[cfg_attr(test, schemars(regex(pattern = r"^[0-9]{6,10}$")))]
    worker_id: &'a str,
    /// A code of GET /api/monthly-reports/lists (a French or English label is accepted on input)
    trade: &'a str,
    /// A construction region's code of GET /api/monthly-reports/lists (a label is accepted on
    /// input)
    region: &'a str,
    #[cfg_attr(test, schemars(schema_with = "hours_schema"))]
    regular_hours: f64,
    #[cfg_attr(test, schemars(schema_with = "hours_schema"))]
    overtime_hours: f64,
    #[cfg_attr(test, schemars(range(min = 0, max = 1_000_000_000)))]
    gross_wages_cents: i64,
}

impl<'a> MonthlyReportLine<'a> {
    fn of(line: &'a LineRow) -> MonthlyReportLine<'a> {
        MonthlyReportLine {
            line: line.line,
            worker_name: &line.worker_name,
            worker_id: &line.worker_id,
            trade: &line.trade,
            region: &line.region,
            regular_hours: hours_of(line.regular_quarters),
            overtime_hours: hours_of(line.overtime_quarters),
            gross_wages_cents: line.gross_cents,
        }
    }
}

/// A version of a report: version 1 is the first draft; a correction opens the next one.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MonthlyReportVersion<'a> {
    id: &'a str,
    #[cfg_attr(test, schemars(range(min = 1)))]
    number: i64,
    status: VersionStatus,
    no_activity: bool,
    totals: MonthlyReportTotals,
    #[cfg_attr(test, schemars(regex(pattern = r"^RM-[0-9]{6}-[2-9A-HJKMNP-Z]{10}$")))]
    receipt_number: Option<&'a str>,
    transmitted_at: Option<Millis>,
    transmitted_by: Option<&'a str>,
    superseded_at: Option<Millis>,
    updated_at: Millis,
    /// The version's lines, on the draft and the transmitted version (not in the history)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "Vec<MonthlyReportLine<'a>>"))]
    lines: Option<Vec<MonthlyReportLine<'a>>>,
}

impl<'a> MonthlyReportVersion<'a> {
    fn of(version: &'a VersionRow, lines: Option<&'a [LineRow]>) -> MonthlyReportVersion<'a> {
        MonthlyReportVersion {
            id: &version.id,
            number: version.number,
            status: version.status,
            no_activity: version.no_activity == 1,
            totals: MonthlyReportTotals::of(&version.totals()),
            receipt_number: version.receipt_number.as_deref(),
            transmitted_at: version.transmitted_at,
            transmitted_by: version.transmitted_by_name.as_deref(),
            superseded_at: version.superseded_at,
            updated_at: version.updated_at,
            lines: lines.map(|lines| lines.iter().map(MonthlyReportLine::of).collect()),
        }
    }
}

/// Where a month's report is: correction means transmitted, with a corrective draft open.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
enum ReportStatus {
    NotStarted,
    Draft,
    Transmitted,
    Correction,
}

impl ReportStatus {
    fn of<T>(draft: Option<T>, transmitted: Option<T>) -> ReportStatus {
        match (draft, transmitted) {
            (None, None) => ReportStatus::NotStarted,
            (Some(_), None) => ReportStatus::Draft,
            (None, Some(_)) => ReportStatus::Transmitted,
            (Some(_), Some(_)) => ReportStatus::Correction,
        }
    }
}

/// A month's report: its draft, its transmitted version and its history.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MonthlyReport<'a> {
    month: Month,
    /// The 15th of the following month (America/Montreal)
    due_on: Day,
    standing: Standing,
    /// Whether the month has ended: only then may its report be transmitted
    month_over: bool,
    status: ReportStatus,
    employer: ReportEmployer<'a>,
    may_write: bool,
    draft: Option<MonthlyReportVersion<'a>>,
    transmitted: Option<MonthlyReportVersion<'a>>,
    /// Every version, newest first (the history)
    versions: Vec<MonthlyReportVersion<'a>>,
    /// Only on a transmission (see MonthlyReportTransmission).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(skip))]
    receipt_number: Option<&'a str>,
}

impl<'a> MonthlyReport<'a> {
    fn of(
        access: &'a Access,
        month: Month,
        report: &'a StoredReport,
        now: Millis,
    ) -> MonthlyReport<'a> {
        let draft = report.draft();
        let transmitted = report.transmitted();
        MonthlyReport {
            month,
            due_on: month.due_on(),
            standing: Standing::of(transmitted.is_some(), month, now),
            month_over: monthly_report::month_is_over(month, now),
            status: ReportStatus::of(draft, transmitted),
            employer: ReportEmployer::of(access),
            may_write: access.may_write,
            draft: draft.map(|v| MonthlyReportVersion::of(v, Some(&report.draft_lines))),
            transmitted: transmitted
                .map(|v| MonthlyReportVersion::of(v, Some(&report.transmitted_lines))),
            versions: report
                .versions
                .iter()
                .map(|v| MonthlyReportVersion::of(v, None))
                .collect(),
            receipt_number: None,
        }
    }
}

// The server writes a transmission as a `MonthlyReport` with its `receipt_number` (one serializer
// for both); this type states that body in the API document.
/// The report once transmitted, and the receipt number this transmission gave (with an
/// Idempotency-Key already used for this report: the receipt of that earlier transmission,
/// nothing transmitted again)
#[cfg(test)]
#[derive(schemars::JsonSchema)]
#[allow(dead_code, reason = "only its schema is used")]
struct MonthlyReportTransmission {
    #[serde(flatten)]
    report: MonthlyReport<'static>,
    #[schemars(regex(pattern = r"^RM-[0-9]{6}-[2-9A-HJKMNP-Z]{10}$"))]
    receipt_number: String,
}

/// A month in the list of an employer's reports.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MonthlyReportMonth<'a> {
    month: Month,
    /// The 15th of the following month (America/Montreal)
    due_on: Day,
    standing: Standing,
    /// Whether the month has ended: only then may its report be transmitted
    month_over: bool,
    status: ReportStatus,
    lines: i64,
    no_activity: bool,
    receipt_number: Option<&'a str>,
    transmitted_at: Option<Millis>,
    version: i64,
}

impl<'a> MonthlyReportMonth<'a> {
    fn of(summary: &'a MonthSummary, now: Millis) -> MonthlyReportMonth<'a> {
        let transmitted = summary.transmitted.as_ref();
        let current = transmitted.or(summary.draft.as_ref());
        let month = summary.month;
        MonthlyReportMonth {
            month,
            due_on: month.due_on(),
            standing: Standing::of(transmitted.is_some(), month, now),
            month_over: monthly_report::month_is_over(month, now),
            status: ReportStatus::of(summary.draft.as_ref(), transmitted),
            lines: current.map(|r| r.line_count).unwrap_or(0),
            no_activity: current.is_some_and(|r| r.no_activity == 1),
            receipt_number: transmitted.and_then(|r| r.receipt_number.as_deref()),
            transmitted_at: transmitted.and_then(|r| r.transmitted_at),
            version: current.map(|r| r.number).unwrap_or(0),
        }
    }
}

/// An employer's months, newest first.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MonthlyReportList<'a> {
    employer: ReportEmployer<'a>,
    may_write: bool,
    items: Vec<MonthlyReportMonth<'a>>,
}

/// A trade or a region, with its label in the request's language and in both.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ListEntry<'a> {
    code: &'a str,
    label: &'a str,
    label_fr: &'a str,
    label_en: &'a str,
}

/// A column of an imported file: the field it fills, and its French and English names.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ImportColumn {
    field: &'static str,
    fr: &'static str,
    en: &'static str,
}

/// The trades and regions a line may name, and the columns an imported file has.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MonthlyReportLists<'a> {
    trades: Vec<ListEntry<'a>>,
    regions: Vec<ListEntry<'a>>,
    import_columns: Vec<ImportColumn>,
    max_lines: usize,
    max_hours: i64,
}

async fn list(call: &Call) -> Result<Reply, ApiError> {
    let (_, access) = access(call, Need::Read).await?;
    let count = match call.query("months") {
        None => DEFAULT_MONTHS,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_MONTHS).contains(n))
            .ok_or_else(|| ApiError::invalid_field("months", Problem::InvalidChoice))?,
    };
    let months = reports::list(&call.app, &access, count).await?;
    let items = months
        .iter()
        .map(|m| MonthlyReportMonth::of(m, call.app.now))
        .collect();
    Ok(Reply::json(
        200,
        MonthlyReportList {
            employer: ReportEmployer::of(&access),
            may_write: access.may_write,
            items,
        },
    ))
}

async fn get(call: &Call) -> Result<Reply, ApiError> {
    let (_, access) = access(call, Need::Read).await?;
    let month = month_of(call)?;
    let report = reports::get(&call.app, &access, month).await;
    report_reply(call, 200, &access, month, report)
}

/// The report of `month` as a use case answered it, or that use case's error.
fn report_reply(
    call: &Call,
    status: u16,
    access: &Access,
    month: Month,
    report: Result<StoredReport, ReportError>,
) -> Result<Reply, ApiError> {
    let report = report.map_err(|e| report_error(e, call.locale))?;
    let body = MonthlyReport::of(access, month, &report, call.app.now);
    Ok(Reply::json(status, body))
}

/// Saves the draft of `month` from lines read from JSON or from a CSV file, and answers it.
async fn store_draft(
    call: &Call,
    who: &Writer,
    access: &Access,
    month: Month,
    no_activity: bool,
    lines: &[RawLine],
    unit: WagesUnit,
) -> Result<Reply, ApiError> {
    let saved = reports::save_draft(&call.app, access, who, month, no_activity, lines, unit).await;
    report_reply(call, 200, access, month, saved)
}

/// A JSON value as a raw field of a line.
fn raw(value: Option<&Value>) -> Raw {
    match value {
        None | Some(Value::Null) => Raw::Missing,
        Some(Value::String(text)) => Raw::Text(text.clone()),
        Some(Value::Number(n)) => n.as_f64().map(Raw::Number).unwrap_or(Raw::Other),
        Some(_) => Raw::Other,
    }
}

/// The lines of a draft's body: each an object, numbered from 1.
fn raw_lines(items: &[Value]) -> Result<Vec<RawLine>, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let mut lines = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let number = index + 1;
        let Value::Object(line) = item else {
            problems.push(LineProblem {
                line: number,
                field: monthly_report::LineField::Line,
                column: None,
                issue: monthly_report::Issue::NotALine,
            });
            continue;
        };
        lines.push(RawLine {
            number,
            worker_name: raw(line.get("worker_name")),
            worker_id: raw(line.get("worker_id")),
            trade: raw(line.get("trade")),
            region: raw(line.get("region")),
            regular_hours: raw(line.get("regular_hours")),
            overtime_hours: raw(line.get("overtime_hours")),
            gross_wages: raw(line.get("gross_wages_cents")),
        });
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

async fn save(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, access) = access(call, Need::Write).await?;
    let month = month_of(call)?;
    reports::writable(&access).map_err(|e| report_error(e, call.locale))?;
    let body = json_object_within(&mut call.req, MAX_IMPORT_BODY_BYTES).await?;
    let mut fields = crate::domain::fields::FieldErrors::default();
    let no_activity = match body.get("no_activity") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(value)) => *value,
        Some(_) => {
            fields.add("no_activity", Problem::NotABoolean);
            false
        }
    };
    let items: &[Value] = match body.get("lines") {
        None | Some(Value::Null) => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            fields.add("lines", Problem::NotAList);
            &[]
        }
    };
    if !fields.is_empty() {
        return Err(ApiError::invalid(fields));
    }
    let fail = |e: ReportError| report_error(e, call.locale);
    if items.len() > monthly_report::MAX_LINES {
        return Err(fail(ReportError::TooManyLines));
    }
    let lines = raw_lines(items).map_err(|p| fail(ReportError::Invalid(p)))?;
    store_draft(
        call,
        &who,
        &access,
        month,
        no_activity,
        &lines,
        WagesUnit::Cents,
    )
    .await
}

async fn import(call: &mut Call) -> Result<Reply, ApiError> {
    let (who, access) = access(call, Need::Write).await?;
    let month = month_of(call)?;
    reports::writable(&access).map_err(|e| report_error(e, call.locale))?;
    const CSV: BodyKind = BodyKind {
        media_type: "text/csv",
        wrong_type: ErrorCode::CsvRequired,
        unreadable: ErrorCode::CsvNotUtf8,
    };
    let bytes = read_body(&mut call.req, &CSV, MAX_IMPORT_BODY_BYTES).await?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::new(ErrorCode::CsvNotUtf8))?;
    let fail = |e: ReportError| report_error(e, call.locale);
    let rows = super::csv::read(&text).map_err(|line| {
        fail(ReportError::Invalid(vec![LineProblem {
            line,
            field: monthly_report::LineField::Line,
            column: None,
            issue: monthly_report::Issue::UnclosedQuote,
        }]))
    })?;
    let lines = monthly_report::lines_of_table(&rows).map_err(|p| fail(ReportError::Invalid(p)))?;
    if lines.len() > monthly_report::MAX_LINES {
        return Err(fail(ReportError::TooManyLines));
    }
    store_draft(
        call,
        &who,
        &access,
        month,
        false,
        &lines,
        WagesUnit::Dollars,
    )
    .await
}

/// The `Idempotency-Key` header: 1 to 100 visible ASCII characters, when present.
fn idempotency_key(call: &Call) -> Result<Option<String>, ApiError> {
    let Some(key) = call.req.headers().get("Idempotency-Key").ok().flatten() else {
        return Ok(None);
    };
    let valid = (1..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(Some(key))
    } else {
        Err(ApiError::invalid_field(
            "Idempotency-Key",
            Problem::InvalidId,
        ))
    }
}

async fn transmit(call: &Call) -> Result<Reply, ApiError> {
    let (who, access) = access(call, Need::Write).await?;
    let month = month_of(call)?;
    let key = idempotency_key(call)?;
    let ip = call.requester.ip.as_deref();
    let (report, receipt) = reports::transmit(&call.app, &access, &who, ip, month, key.as_deref())
        .await
        .map_err(|e| report_error(e, call.locale))?;
    let body = MonthlyReport {
        receipt_number: Some(&receipt),
        ..MonthlyReport::of(&access, month, &report, call.app.now)
    };
    Ok(Reply::json(200, body))
}

async fn correct(call: &Call) -> Result<Reply, ApiError> {
    let (who, access) = access(call, Need::Write).await?;
    let month = month_of(call)?;
    let ip = call.requester.ip.as_deref();
    let report = reports::correct(&call.app, &access, &who, ip, month).await;
    report_reply(call, 201, &access, month, report)
}

fn entries(entries: &[Entry], locale: Locale) -> Vec<ListEntry<'_>> {
    entries
        .iter()
        .map(|e| ListEntry {
            code: &e.code,
            label: locale.pick(&e.label_fr, &e.label_en),
            label_fr: &e.label_fr,
            label_en: &e.label_en,
        })
        .collect()
}

/// The trades and regions a line may name, and the columns an imported file has.
async fn lists(call: &Call) -> Result<Reply, ApiError> {
    require_user(call).await?;
    let (trades, regions) = reports::lists(&call.app).await?;
    let import_columns = monthly_report::LineField::COLUMNS
        .iter()
        .map(|f| {
            let (fr, en) = f.columns();
            ImportColumn {
                field: f.code(),
                fr,
                en,
            }
        })
        .collect();
    Ok(Reply::json(
        200,
        MonthlyReportLists {
            trades: entries(&trades, call.locale),
            regions: entries(&regions, call.locale),
            import_columns,
            max_lines: monthly_report::MAX_LINES,
            max_hours: monthly_report::MAX_HOURS,
        },
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/monthly-reports/lists" => lists, 200 => MonthlyReportLists),
    route!(GET "/api/authorized-files/{id}/monthly-reports" => list, 200 => MonthlyReportList),
    route!(GET "/api/authorized-files/{id}/monthly-reports/{month}" => get, 200 => MonthlyReport),
    route!(PUT "/api/authorized-files/{id}/monthly-reports/{month}" => save, 200 => MonthlyReport),
    route!(POST "/api/authorized-files/{id}/monthly-reports/{month}/import" => import, 200 => MonthlyReport),
    route!(POST "/api/authorized-files/{id}/monthly-reports/{month}/transmit" => transmit, 200 => MonthlyReportTransmission),
    route!(POST "/api/authorized-files/{id}/monthly-reports/{month}/correct" => correct, 201 => MonthlyReport),
    route!(GET "/api/employer/monthly-reports" => list, 200 => MonthlyReportList),
    route!(GET "/api/employer/monthly-reports/{month}" => get, 200 => MonthlyReport),
    route!(PUT "/api/employer/monthly-reports/{month}" => save, 200 => MonthlyReport),
    route!(POST "/api/employer/monthly-reports/{month}/import" => import, 200 => MonthlyReport),
    route!(POST "/api/employer/monthly-reports/{month}/transmit" => transmit, 200 => MonthlyReportTransmission),
    route!(POST "/api/employer/monthly-reports/{month}/correct" => correct, 201 => MonthlyReport),
];
