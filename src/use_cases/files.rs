//! "Mes dossiers autorisés": the employer files that authorized the active profile, searched,
//! filtered and paged by keyset; one file and the services the contact may use in it.

use crate::domain::authorization::{search_words, Availability, Service, Services, DAY};
use crate::domain::fields::Problem;
use crate::domain::monthly_report::{Month, Standing};
use crate::domain::paging::{scope, window, Cursor, Direction, PageWindow, Sort};
use crate::domain::secrets::KeyPurpose;
use crate::infra::{App, InfraError};
use crate::storage::authorized_files::{self, FileFilter, FileRow, Holder, ReportFilter, Start};
use crate::storage::contacts::ProfileRow;
use crate::storage::monthly_reports;
use crate::use_cases::Actor;

/// The list's search, filters and order.
pub struct FileQuery {
    pub words: Vec<String>,
    pub service: Option<Service>,
    pub ending_within_days: Option<i64>,
    /// Where the file's report of the last month over stands (files without the service are out).
    pub report_standing: Option<Standing>,
    pub sort: Sort,
}

impl FileQuery {
    pub fn new(
        search: Option<&str>,
        service: Option<Service>,
        ending_within_days: Option<i64>,
        report_standing: Option<Standing>,
        sort: Sort,
    ) -> FileQuery {
        FileQuery {
            words: search.map(search_words).unwrap_or_default(),
            service,
            ending_within_days,
            report_standing,
            sort,
        }
    }

    /// What a cursor of this list is bound to.
    pub fn scope(&self) -> String {
        let ending = self
            .ending_within_days
            .map(|d| d.to_string())
            .unwrap_or_default();
        scope(&[
            self.sort.as_str(),
            &self.words.join(" "),
            self.service.map(Service::as_str).unwrap_or(""),
            &ending,
            self.report_standing.map(Standing::as_str).unwrap_or(""),
        ])
    }

    fn filter<'a>(&'a self, profile: &'a ProfileRow, app: &App) -> FileFilter<'a> {
        FileFilter {
            contact_id: &profile.contact_id,
            now: app.now,
            words: &self.words,
            service: self.service,
            ending_before: self.ending_within_days.map(|days| app.now + days * DAY),
            report: self.report_standing.map(|wanted| {
                let month = Month::of(app.now).previous();
                match wanted.requires_transmitted(month, app.now) {
                    Some(true) => ReportFilter::Transmitted(month.as_string()),
                    Some(false) => ReportFilter::NotTransmitted(month.as_string()),
                    None => ReportFilter::Nothing,
                }
            }),
        }
    }
}

/// Where the requested page starts.
pub enum Position {
    First,
    Cursor(Cursor),
    /// 1-based page number.
    Page(i64),
}

pub struct FilePage {
    pub items: Vec<FileRow>,
    /// The last month over (its report due the 15th of this month), and the employers among the
    /// page's files (those authorized for the monthly report) that transmitted it.
    pub report_month: Month,
    pub reports_transmitted: Vec<String>,
    pub total: i64,
    pub window: PageWindow,
    /// Rows D1 read to answer, for the benchmarks.
    pub rows_read: usize,
}

/// One page of the active profile's files.
pub async fn list(
    app: &App,
    actor: &Actor,
    query: &FileQuery,
    position: &Position,
    page_size: i64,
) -> Result<FilePage, InfraError> {
    let filter = query.filter(&actor.profile, app);
    let (start, direction, first) = match position {
        Position::First => (Start::Offset(0), Direction::Next, 0),
        Position::Page(page) => {
            let offset = (page - 1) * page_size;
            (Start::Offset(offset), Direction::Next, offset)
        }
        Position::Cursor(cursor) => {
            let start = Start::After {
                direction: cursor.direction,
                key: &cursor.key,
                id: &cursor.id,
            };
            let first = match cursor.direction {
                Direction::Next => cursor.position + 1,
                Direction::Previous => cursor.position,
            };
            (start, cursor.direction, first)
        }
    };
    let (mut rows, total, rows_read) =
        authorized_files::page_with_total(&app.db, &filter, query.sort, &start, page_size + 1)
            .await?;
    let keys: Vec<(String, String)> = rows
        .iter()
        .map(|row| (row.sort_value(query.sort).to_owned(), row.id.clone()))
        .collect();
    let window = window(&keys, page_size as usize, direction, first);
    rows.truncate(page_size as usize);
    if direction == Direction::Previous {
        rows.reverse();
    }
    let report_month = Month::of(app.now).previous();
    let reporting: Vec<&str> = rows
        .iter()
        .filter(|row| {
            Services::from_bits(row.services).is_some_and(|s| s.contains(Service::MonthlyReport))
        })
        .map(|row| row.employer_id.as_str())
        .collect();
    let (reports_transmitted, report_rows_read) =
        monthly_reports::transmitted_among(&app.db, report_month, &reporting).await?;
    Ok(FilePage {
        items: rows,
        report_month,
        reports_transmitted,
        total,
        window,
        rows_read: rows_read + report_rows_read,
    })
}

/// Every file of the filtered list, in order, read in keyset chunks (for the CSV export), and the
/// rows D1 read for them.
pub async fn all(
    app: &App,
    actor: &Actor,
    query: &FileQuery,
) -> Result<(Vec<FileRow>, usize), InfraError> {
    const CHUNK: i64 = 1_000;
    let filter = query.filter(&actor.profile, app);
    let mut files: Vec<FileRow> = Vec::new();
    let mut rows_read = 0;
    loop {
        let last = files
            .last()
            .map(|row| (row.sort_value(query.sort).to_owned(), row.id.clone()));
        let start = match &last {
            None => Start::Offset(0),
            Some((key, id)) => Start::After {
                direction: Direction::Next,
                key,
                id,
            },
        };
        let (rows, read) =
            authorized_files::read(&app.db, &filter, query.sort, &start, CHUNK).await?;
        rows_read += read;
        let done = (rows.len() as i64) < CHUNK;
        files.extend(rows);
        if done {
            return Ok((files, rows_read));
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("authorized file: not found")]
    NotFound,
    #[error("authorized file: service not authorized")]
    ServiceNotAuthorized,
    #[error("authorized file: service not started")]
    ServiceNotStarted,
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// One of the active profile's current files; another contact's, revoked or ended: not found.
pub async fn get(app: &App, actor: &Actor, id: &str) -> Result<FileRow, FileError> {
    authorized_files::find(
        &app.db,
        Holder::Contact(&actor.profile.contact_id),
        id,
        app.now,
    )
    .await?
    .ok_or(FileError::NotFound)
}

/// Each service of the portal, and whether this contact may use it in this file.
pub fn services_of(file: &FileRow, now: crate::domain::Millis) -> Vec<(Service, Availability)> {
    let granted = Services::from_bits(file.services);
    Service::ALL
        .into_iter()
        .map(|service| {
            let availability = match granted {
                Some(set) => Availability::of(set, file.starts_at, service, now),
                None => Availability::NotAuthorized,
            };
            (service, availability)
        })
        .collect()
}

/// A service page: the file, provided the contact may use `service` in it now.
pub async fn open_service(
    app: &App,
    actor: &Actor,
    id: &str,
    service: Service,
) -> Result<FileRow, FileError> {
    let file = get(app, actor, id).await?;
    usable(file, service, app.now)
}

/// A file of any contact of the firm `firm_id` (what its API token reaches), provided `service`
/// may be used in it now.
pub async fn open_firm_service(
    app: &App,
    firm_id: &str,
    id: &str,
    service: Service,
) -> Result<FileRow, FileError> {
    let file = authorized_files::find(&app.db, Holder::Firm(firm_id), id, app.now)
        .await?
        .ok_or(FileError::NotFound)?;
    usable(file, service, app.now)
}

fn usable(
    file: FileRow,
    service: Service,
    now: crate::domain::Millis,
) -> Result<FileRow, FileError> {
    let availability = services_of(&file, now)
        .into_iter()
        .find(|(s, _)| *s == service)
        .map(|(_, a)| a);
    match availability {
        Some(Availability::Usable) => Ok(file),
        Some(Availability::NotStarted) => Err(FileError::ServiceNotStarted),
        _ => Err(FileError::ServiceNotAuthorized),
    }
}

/// A cursor from the query string, valid only for this list.
pub fn parse_cursor(app: &App, raw: &str, query: &FileQuery) -> Result<Cursor, Problem> {
    // A cursor handed out before a rotation of the server secret still pages.
    let mut decoded = Err(Problem::InvalidCursor);
    for key in app.config.secrets.accepted_keys(KeyPurpose::Cursor) {
        decoded = Cursor::decode(raw, &query.scope(), &key);
        if decoded.is_ok() {
            break;
        }
    }
    decoded
}

/// The cursor handed to the client for `cursor`.
pub fn cursor_text(app: &App, cursor: &Cursor, query: &FileQuery) -> String {
    cursor.encode(&query.scope(), &app.config.secrets.key(KeyPurpose::Cursor))
}
