//! "Mes dossiers autorisés" for the active profile: the list (JSON and CSV), one file, and the
//! service pages, each checking the authorization on the server.

use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::require_actor;
use super::{Call, Reply};
use crate::domain::authorization::{value_label, Level, Origin, Service, Services};
use crate::domain::fields::{has_hidden_characters, FieldErrors, Problem};
use crate::domain::locale::Locale;
use crate::domain::monthly_report::{Month, Standing};
use crate::domain::paging::Sort;
use crate::domain::time::Day;
use crate::domain::Millis;
use crate::storage::authorized_files::FileRow;
use crate::use_cases::authorizations::OrganisationRef;
use crate::use_cases::files::{self, FileQuery, Position};
use crate::use_cases::monthly_reports as reports;
use serde::Serialize;

const DEFAULT_PAGE_SIZE: i64 = 25;
const MAX_PAGE_SIZE: i64 = 100;

/// A file the contact is authorized for: an employer's, through an authorization.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct AuthorizedFile<'a> {
    id: &'a str,
    employer: OrganisationRef<'a>,
    #[cfg_attr(test, schemars(with = "Vec<Service>"))]
    services: Vec<&'static str>,
    level: Level,
    /// The first day (America/Montreal), YYYY-MM-DD.
    starts_on: String,
    /// The last day (America/Montreal), YYYY-MM-DD; null when it has no end.
    ends_on: Option<String>,
    starts_at: Millis,
    ends_at: Option<Millis>,
    origin: Origin,
    /// In the list only: where the file's report of the last month over stands (due the 15th of
    /// the current month), when the contact may use the monthly report in it; null otherwise
    #[serde(skip_serializing_if = "Option::is_none")]
    monthly_report: Option<Option<ReportStanding>>,
}

impl<'a> AuthorizedFile<'a> {
    fn of(file: &'a FileRow) -> AuthorizedFile<'a> {
        AuthorizedFile {
            id: &file.id,
            employer: OrganisationRef {
                id: &file.employer_id,
                name: &file.employer_name,
                file_number: &file.file_number,
            },
            services: Services::codes_of(file.services),
            level: file.level,
            starts_on: Day::of(file.starts_at).to_iso(),
            ends_on: file.ends_at.map(|end| Day::ending_at(end).to_iso()),
            starts_at: file.starts_at,
            ends_at: file.ends_at,
            origin: file.origin,
            monthly_report: None,
        }
    }
}

/// Where a file's report of the last month over stands.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ReportStanding {
    month: Month,
    due_on: Day,
    standing: Standing,
}

/// Where the file's report of the last due month stands, when the contact may use the monthly
/// report in it (null otherwise).
fn report_standing(file: &FileRow, page: &files::FilePage, now: Millis) -> Option<ReportStanding> {
    let reporting =
        Services::from_bits(file.services).is_some_and(|s| s.contains(Service::MonthlyReport));
    if !reporting {
        return None;
    }
    let transmitted = page.reports_transmitted.contains(&file.employer_id);
    let month = page.report_month;
    Some(ReportStanding {
        month,
        due_on: month.due_on(),
        standing: Standing::of(transmitted, month, now),
    })
}

/// A page of files: rows from..to of total.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct FilePage<'a> {
    items: Vec<AuthorizedFile<'a>>,
    total: i64,
    from: i64,
    to: i64,
    next_cursor: Option<String>,
    prev_cursor: Option<String>,
    page_size: i64,
    sort: &'static str,
}

/// A service of a file, and whether the contact may use it today.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct FileService {
    code: Service,
    name: &'static str,
    usable: bool,
    /// Why it is not usable; null when it is.
    #[cfg_attr(test, schemars(extend("enum" = [null, "not_authorized", "not_started"])))]
    reason: Option<&'static str>,
}

/// One file and its services.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct FileDetail<'a> {
    file: AuthorizedFile<'a>,
    services: Vec<FileService>,
    level: Level,
}

/// A past month's report and where it stands.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ReportPeriod {
    period: Month,
    status: Standing,
}

/// The monthly report service of a file, in short.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct FileMonthlyReport<'a> {
    file: AuthorizedFile<'a>,
    #[cfg_attr(test, schemars(extend("const" = "monthly_report")))]
    service: Service,
    level: Level,
    may_transmit: bool,
    periods: Vec<ReportPeriod>,
}

/// A whole number from the query string within `range`; the problem is recorded otherwise.
fn number(
    call: &Call,
    errors: &mut FieldErrors,
    name: &'static str,
    range: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    let raw = call.query(name)?;
    errors.take(
        name,
        raw.parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or(Problem::InvalidChoice),
    )
}

/// The search, filters and order of the query string.
fn file_query(call: &Call, errors: &mut FieldErrors) -> FileQuery {
    let search: Option<String> = call.query("q").map(|q| q.chars().take(100).collect());
    if search.as_deref().is_some_and(has_hidden_characters) {
        errors.add("q", Problem::InvalidSearch);
    }
    let service = call
        .query("service")
        .and_then(|raw| errors.take("service", Service::parse(&raw)));
    let ending = number(call, errors, "ending_within_days", 1..=366);
    let standing = call
        .query("report_standing")
        .and_then(|raw| errors.take("report_standing", Standing::parse(&raw)));
    let sort = call
        .query("sort")
        .and_then(|raw| errors.take("sort", Sort::parse(&raw)))
        .unwrap_or_default();
    FileQuery::new(search.as_deref(), service, ending, standing, sort)
}

/// In development, how many rows D1 read for the answer (what the benchmarks record).
fn with_rows_read(reply: Reply, call: &Call, rows_read: usize) -> Reply {
    if call.app.config.development {
        reply.with_header("x-d1-rows-read", rows_read.to_string())
    } else {
        reply
    }
}

pub async fn list(call: &Call) -> Result<Reply, ApiError> {
    if let Some(header) = super::tokens::bearer(call) {
        return super::tokens::authorized_files(call, &header).await;
    }
    let (_, actor) = require_actor(call).await?;
    // A session reads pages, not the sync window; its parameters are still checked, so a
    // malformed one is refused here as it is with a token.
    super::tokens::sync_window(call)?;
    let mut errors = FieldErrors::default();
    let query = file_query(call, &mut errors);
    let page_size = number(call, &mut errors, "page_size", 1..=MAX_PAGE_SIZE);
    let page = number(call, &mut errors, "page", 1..=1_000_000);
    let cursor = call
        .query("cursor")
        .and_then(|raw| errors.take("cursor", files::parse_cursor(&call.app, &raw, &query)));
    if call.query("cursor").is_some() && call.query("page").is_some() {
        errors.add("page", Problem::InvalidChoice);
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let position = match (cursor, page) {
        (Some(cursor), _) => Position::Cursor(cursor),
        (None, Some(page)) => Position::Page(page),
        (None, None) => Position::First,
    };
    let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    let found = files::list(&call.app, &actor, &query, &position, page_size).await?;
    let items = found
        .items
        .iter()
        .map(|file| AuthorizedFile {
            monthly_report: Some(report_standing(file, &found, call.app.now)),
            ..AuthorizedFile::of(file)
        })
        .collect();
    let window = &found.window;
    let cursor = |c| files::cursor_text(&call.app, c, &query);
    let reply = Reply::json(
        200,
        FilePage {
            items,
            total: found.total,
            from: window.from,
            to: window.to,
            next_cursor: window.next.as_ref().map(cursor),
            prev_cursor: window.previous.as_ref().map(cursor),
            page_size,
            sort: query.sort.as_str(),
        },
    );
    Ok(with_rows_read(reply, call, found.rows_read))
}

fn csv(files: &[FileRow], locale: Locale) -> String {
    let header = match locale {
        Locale::Fr => [
            "Nom",
            "Numéro d'employeur",
            "Services",
            "Niveau",
            "Date de fin",
            "Origine",
        ],
        Locale::En => [
            "Name",
            "Employer number",
            "Services",
            "Level",
            "End date",
            "Origin",
        ],
    };
    let rows = files.iter().map(|file| {
        let services: Vec<&str> = Services::from_bits(file.services)
            .map(|set| set.iter().map(|s| s.label(locale)).collect())
            .unwrap_or_default();
        vec![
            file.employer_name.clone(),
            file.file_number.clone(),
            services.join(", "),
            value_label(file.level.as_str(), locale).to_owned(),
            file.ends_at
                .map(|end| Day::ending_at(end).to_iso())
                .unwrap_or_default(),
            value_label(file.origin.as_str(), locale).to_owned(),
        ]
    });
    super::csv::document(&header, rows)
}

pub async fn export(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let mut errors = FieldErrors::default();
    let query = file_query(call, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let (found, rows_read) = files::all(&call.app, &actor, &query).await?;
    let name = match call.locale {
        Locale::Fr => "dossiers-autorises",
        Locale::En => "authorized-files",
    };
    let filename = format!("{name}-{}.csv", Day::of(call.app.now).to_iso());
    let reply = Reply::download(
        csv(&found, call.locale),
        "text/csv; charset=utf-8",
        filename,
    );
    Ok(with_rows_read(reply, call, rows_read))
}

pub async fn file(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let file = files::get(&call.app, &actor, call.id()).await?;
    let services = files::services_of(&file, call.app.now)
        .into_iter()
        .map(|(service, availability)| FileService {
            code: service,
            name: service.label(call.locale),
            usable: availability.reason().is_none(),
            reason: availability.reason(),
        })
        .collect();
    Ok(Reply::json(
        200,
        FileDetail {
            file: AuthorizedFile::of(&file),
            services,
            level: file.level,
        },
    ))
}

/// The monthly report of a file in short: open only to a contact authorized for it; the last
/// three months over and where each one's report stands (the full reports are under
/// `/monthly-reports`).
pub async fn monthly_report(call: &Call) -> Result<Reply, ApiError> {
    let (_, actor) = require_actor(call).await?;
    let file = files::open_service(&call.app, &actor, call.id(), Service::MonthlyReport).await?;
    let access = reports::of_file(&actor.profile, &file);
    let months = reports::list(&call.app, &access, 4).await?;
    let periods = months
        .iter()
        .skip(1)
        .map(|m| ReportPeriod {
            period: m.month,
            status: m.standing,
        })
        .collect();
    Ok(Reply::json(
        200,
        FileMonthlyReport {
            file: AuthorizedFile::of(&file),
            service: Service::MonthlyReport,
            level: file.level,
            may_transmit: file.level == Level::Transmission,
            periods,
        },
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(GET "/api/authorized-files" => list, 200 => super::route::OneOf<FilePage, super::tokens::Changes<crate::use_cases::authorizations::Authorization>>),
    route!(GET "/api/authorized-files.csv" => export),
    route!(GET "/api/authorized-files/{id}" => file, 200 => FileDetail),
    route!(GET "/api/authorized-files/{id}/monthly-report" => monthly_report, 200 => FileMonthlyReport),
];
