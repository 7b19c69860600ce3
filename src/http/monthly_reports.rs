//! The monthly report ("rapport mensuel"): the same routes for a firm's contact in one of their
//! authorized files (`/api/authorized-files/{id}/monthly-reports`) and for the employer's own
//! contacts (`/api/employer/monthly-reports`), and the trades and regions a line names. An
//! organisation's API token (`Authorization: Bearer`) reaches the same routes within its scopes:
//! a firm's, the files its contacts are authorized on; an employer's, its own reports.

use super::body::{json_object_within, MAX_IMPORT_BODY_BYTES};
use super::error::{report_error, ApiError, ErrorCode};
use super::route::{route, Route};
use super::sessions::{require_actor, require_user};
use super::{Call, Reply};
use crate::domain::api_token::Scope as TokenScope;
use crate::domain::fields::Problem;
use crate::domain::locale::Locale;
use crate::domain::monthly_report::{
    self, hours_of, Entry, LineProblem, Month, Raw, RawLine, Standing, WagesUnit,
};
use crate::domain::Millis;
use crate::json;
use crate::storage::monthly_reports::{LineRow, StoredReport, VersionRow};
use crate::use_cases::monthly_reports::{
    self as reports, Access, MonthSummary, ReportError, Writer,
};
use crate::use_cases::tokens;
use serde_json::{Map, Value};

/// Months the list shows by default, and at most.
const DEFAULT_MONTHS: usize = 12;
const MAX_MONTHS: usize = 60;

/// Where the request reaches the reports: in a firm's authorized file, or the employer's own.
#[derive(Clone, Copy)]
enum Scope {
    File,
    Employer,
}

/// What the route does with the reports: a token needs the matching scope.
#[derive(Clone, Copy)]
enum Need {
    Read,
    Write,
}

/// Who acts (the signed-in user, or the API token of the `Authorization` header) and the reports
/// they reach on this route.
async fn access(call: &Call, scope: Scope, need: Need) -> Result<(Writer, Access), ApiError> {
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

/// The `{month}` of the path.
fn month_of(call: &Call, scope: Scope) -> Result<Month, ApiError> {
    let index = match scope {
        Scope::File => 1,
        Scope::Employer => 0,
    };
    let raw = call.params.get(index).map(String::as_str).unwrap_or("");
    Month::parse(raw).ok_or_else(|| ApiError::invalid_field("month", Problem::InvalidMonth))
}

fn totals_json(version: &VersionRow) -> Value {
    let totals = version.totals();
    json!({
        "lines": totals.lines,
        "regular_hours": hours_of(totals.regular_quarters),
        "overtime_hours": hours_of(totals.overtime_quarters),
        "gross_wages_cents": totals.gross_cents,
    })
}

fn line_json(line: &LineRow) -> Value {
    json!({
        "line": line.line,
        "worker_name": line.worker_name,
        "worker_id": line.worker_id,
        "trade": line.trade,
        "region": line.region,
        "regular_hours": hours_of(line.regular_quarters),
        "overtime_hours": hours_of(line.overtime_quarters),
        "gross_wages_cents": line.gross_cents,
    })
}

fn version_json(version: &VersionRow, lines: Option<&[LineRow]>) -> Value {
    let mut json = json!({
        "id": version.id,
        "number": version.number,
        "status": version.status,
        "no_activity": version.no_activity == 1,
        "totals": totals_json(version),
        "receipt_number": version.receipt_number,
        "transmitted_at": version.transmitted_at,
        "transmitted_by": version.transmitted_by_name,
        "superseded_at": version.superseded_at,
        "updated_at": version.updated_at,
    });
    if let Some(lines) = lines {
        json["lines"] = lines.iter().map(line_json).collect::<Vec<_>>().into();
    }
    json
}

fn employer_json(access: &Access) -> Value {
    json!({ "id": access.employer_id, "name": access.employer_name, "file_number": access.file_number })
}

fn month_facts(month: Month, transmitted: bool, now: Millis) -> Map<String, Value> {
    let mut facts = Map::new();
    facts.insert("month".into(), month.as_string().into());
    facts.insert("due_on".into(), month.due_on().to_iso().into());
    facts.insert(
        "standing".into(),
        Standing::of(transmitted, month, now).code().into(),
    );
    facts.insert(
        "month_over".into(),
        monthly_report::month_is_over(month, now).into(),
    );
    facts
}

fn report_json(call: &Call, access: &Access, month: Month, report: &StoredReport) -> Value {
    let draft = report.draft();
    let transmitted = report.transmitted();
    let status = match (draft, transmitted) {
        (None, None) => "not_started",
        (Some(_), None) => "draft",
        (None, Some(_)) => "transmitted",
        (Some(_), Some(_)) => "correction",
    };
    let mut body = month_facts(month, transmitted.is_some(), call.app.now);
    body.insert("employer".into(), employer_json(access));
    body.insert("may_write".into(), access.may_write.into());
    body.insert("status".into(), status.into());
    body.insert(
        "draft".into(),
        draft
            .map(|v| version_json(v, Some(&report.draft_lines)))
            .unwrap_or(Value::Null),
    );
    body.insert(
        "transmitted".into(),
        transmitted
            .map(|v| version_json(v, Some(&report.transmitted_lines)))
            .unwrap_or(Value::Null),
    );
    body.insert(
        "versions".into(),
        report
            .versions
            .iter()
            .map(|v| version_json(v, None))
            .collect::<Vec<_>>()
            .into(),
    );
    Value::Object(body)
}

fn summary_json(summary: &MonthSummary, now: Millis) -> Value {
    let mut body = month_facts(summary.month, summary.transmitted.is_some(), now);
    let status = match (&summary.draft, &summary.transmitted) {
        (None, None) => "not_started",
        (Some(_), None) => "draft",
        (None, Some(_)) => "transmitted",
        (Some(_), Some(_)) => "correction",
    };
    body.insert("status".into(), status.into());
    let current = summary.transmitted.as_ref().or(summary.draft.as_ref());
    body.insert(
        "lines".into(),
        current.map(|r| r.line_count).unwrap_or(0).into(),
    );
    body.insert(
        "no_activity".into(),
        current.is_some_and(|r| r.no_activity == 1).into(),
    );
    body.insert(
        "receipt_number".into(),
        summary
            .transmitted
            .as_ref()
            .and_then(|r| r.receipt_number.clone())
            .into(),
    );
    body.insert(
        "transmitted_at".into(),
        summary
            .transmitted
            .as_ref()
            .and_then(|r| r.transmitted_at)
            .into(),
    );
    body.insert(
        "version".into(),
        current.map(|r| r.number).unwrap_or(0).into(),
    );
    Value::Object(body)
}

async fn list(call: &Call, scope: Scope) -> Result<Reply, ApiError> {
    let (_, access) = access(call, scope, Need::Read).await?;
    let count = match call.query("months") {
        None => DEFAULT_MONTHS,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_MONTHS).contains(n))
            .ok_or_else(|| ApiError::invalid_field("months", Problem::InvalidChoice))?,
    };
    let months = reports::list(&call.app, &access, count).await?;
    let items: Vec<Value> = months
        .iter()
        .map(|m| summary_json(m, call.app.now))
        .collect();
    Ok(Reply::json(
        200,
        json!({ "employer": employer_json(&access), "may_write": access.may_write, "items": items }),
    ))
}

async fn get(call: &Call, scope: Scope) -> Result<Reply, ApiError> {
    let (_, access) = access(call, scope, Need::Read).await?;
    let month = month_of(call, scope)?;
    let report = reports::get(&call.app, &access, month)
        .await
        .map_err(|e| report_error(e, call.locale))?;
    Ok(Reply::json(200, report_json(call, &access, month, &report)))
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

async fn save(call: &mut Call, scope: Scope) -> Result<Reply, ApiError> {
    let (who, access) = access(call, scope, Need::Write).await?;
    let month = month_of(call, scope)?;
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
    let report = reports::save_draft(
        &call.app,
        &access,
        &who,
        month,
        no_activity,
        &lines,
        WagesUnit::Cents,
    )
    .await
    .map_err(fail)?;
    Ok(Reply::json(200, report_json(call, &access, month, &report)))
}

async fn import(call: &mut Call, scope: Scope) -> Result<Reply, ApiError> {
    let (who, access) = access(call, scope, Need::Write).await?;
    let month = month_of(call, scope)?;
    reports::writable(&access).map_err(|e| report_error(e, call.locale))?;
    let media_type = call
        .req
        .headers()
        .get("Content-Type")
        .ok()
        .flatten()
        .unwrap_or_default();
    let media_type = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if media_type != "text/csv" {
        return Err(ApiError::new(ErrorCode::CsvRequired));
    }
    let declared = call
        .req
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_IMPORT_BODY_BYTES) {
        return Err(ApiError::new(ErrorCode::BodyTooLarge));
    }
    let bytes = call
        .req
        .bytes()
        .await
        .map_err(|_| ApiError::new(ErrorCode::CsvNotUtf8))?;
    if bytes.len() > MAX_IMPORT_BODY_BYTES {
        return Err(ApiError::new(ErrorCode::BodyTooLarge));
    }
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
    let report = reports::save_draft(
        &call.app,
        &access,
        &who,
        month,
        false,
        &lines,
        WagesUnit::Dollars,
    )
    .await
    .map_err(fail)?;
    Ok(Reply::json(200, report_json(call, &access, month, &report)))
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

async fn transmit(call: &Call, scope: Scope) -> Result<Reply, ApiError> {
    let (who, access) = access(call, scope, Need::Write).await?;
    let month = month_of(call, scope)?;
    let key = idempotency_key(call)?;
    let ip = call.requester.ip.as_deref();
    let (report, receipt) = reports::transmit(&call.app, &access, &who, ip, month, key.as_deref())
        .await
        .map_err(|e| report_error(e, call.locale))?;
    let mut body = report_json(call, &access, month, &report);
    body["receipt_number"] = receipt.into();
    Ok(Reply::json(200, body))
}

async fn correct(call: &Call, scope: Scope) -> Result<Reply, ApiError> {
    let (who, access) = access(call, scope, Need::Write).await?;
    let month = month_of(call, scope)?;
    let ip = call.requester.ip.as_deref();
    let report = reports::correct(&call.app, &access, &who, ip, month)
        .await
        .map_err(|e| report_error(e, call.locale))?;
    Ok(Reply::json(201, report_json(call, &access, month, &report)))
}

fn entries_json(entries: &[Entry], locale: Locale) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            json!({
                "code": e.code,
                "label": locale.pick(&e.label_fr, &e.label_en),
                "label_fr": e.label_fr,
                "label_en": e.label_en,
            })
        })
        .collect()
}

/// The trades and regions a line may name, and the columns an imported file has.
async fn lists(call: &Call) -> Result<Reply, ApiError> {
    require_user(call).await?;
    let (trades, regions) = reports::lists(&call.app).await?;
    let columns: Vec<Value> = monthly_report::LineField::COLUMNS
        .iter()
        .map(|f| {
            let (fr, en) = f.columns();
            json!({ "field": f.code(), "fr": fr, "en": en })
        })
        .collect();
    Ok(Reply::json(
        200,
        json!({
            "trades": entries_json(&trades, call.locale),
            "regions": entries_json(&regions, call.locale),
            "import_columns": columns,
            "max_lines": monthly_report::MAX_LINES,
            "max_hours": monthly_report::MAX_HOURS,
        }),
    ))
}

async fn file_list(call: &Call) -> Result<Reply, ApiError> {
    list(call, Scope::File).await
}
async fn file_get(call: &Call) -> Result<Reply, ApiError> {
    get(call, Scope::File).await
}
async fn file_save(call: &mut Call) -> Result<Reply, ApiError> {
    save(call, Scope::File).await
}
async fn file_import(call: &mut Call) -> Result<Reply, ApiError> {
    import(call, Scope::File).await
}
async fn file_transmit(call: &Call) -> Result<Reply, ApiError> {
    transmit(call, Scope::File).await
}
async fn file_correct(call: &Call) -> Result<Reply, ApiError> {
    correct(call, Scope::File).await
}
async fn own_list(call: &Call) -> Result<Reply, ApiError> {
    list(call, Scope::Employer).await
}
async fn own_get(call: &Call) -> Result<Reply, ApiError> {
    get(call, Scope::Employer).await
}
async fn own_save(call: &mut Call) -> Result<Reply, ApiError> {
    save(call, Scope::Employer).await
}
async fn own_import(call: &mut Call) -> Result<Reply, ApiError> {
    import(call, Scope::Employer).await
}
async fn own_transmit(call: &Call) -> Result<Reply, ApiError> {
    transmit(call, Scope::Employer).await
}
async fn own_correct(call: &Call) -> Result<Reply, ApiError> {
    correct(call, Scope::Employer).await
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/monthly-reports/lists" => lists),
    route!(GET "/api/authorized-files/{id}/monthly-reports" => file_list),
    route!(GET "/api/authorized-files/{id}/monthly-reports/{month}" => file_get),
    route!(PUT "/api/authorized-files/{id}/monthly-reports/{month}" => file_save),
    route!(POST "/api/authorized-files/{id}/monthly-reports/{month}/import" => file_import),
    route!(POST "/api/authorized-files/{id}/monthly-reports/{month}/transmit" => file_transmit),
    route!(POST "/api/authorized-files/{id}/monthly-reports/{month}/correct" => file_correct),
    route!(GET "/api/employer/monthly-reports" => own_list),
    route!(GET "/api/employer/monthly-reports/{month}" => own_get),
    route!(PUT "/api/employer/monthly-reports/{month}" => own_save),
    route!(POST "/api/employer/monthly-reports/{month}/import" => own_import),
    route!(POST "/api/employer/monthly-reports/{month}/transmit" => own_transmit),
    route!(POST "/api/employer/monthly-reports/{month}/correct" => own_correct),
];
