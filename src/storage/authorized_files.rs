//! "Mes dossiers autorisés": the employer files that authorized one contact. Pages are read by
//! keyset, in list order, over the partial indexes `authorizations_contact_name` / `_number`, or,
//! when a search word or the "transmitted" report standing narrows the list, over the range of
//! `authorized_file_keys` that holds that key in name order: either way a page reads about its
//! own rows at any depth. Totals come from counts kept by triggers (`authorized_file_totals`,
//! `authorized_file_key_counts`) whenever one kept count answers the filter exactly. Every query
//! also reports the rows D1 read, for the benchmarks.

use super::{first_count, rows_read, through_keys, unexpected_batch, DynamicQuery};
use crate::domain::authorization::{Level, Origin, Service};
use crate::domain::paging::{Direction, Sort, SortKey};
use crate::domain::search;
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{D1Result, Db, Run, Statement};
use serde::Deserialize;

/// One authorized file, as the list shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct FileRow {
    pub id: String,
    /// The firm's contact the file was authorized to.
    pub contact_id: String,
    pub employer_id: String,
    pub employer_name: String,
    pub file_number: String,
    pub name_key: String,
    pub services: i64,
    pub level: Level,
    pub starts_at: Millis,
    pub ends_at: Option<Millis>,
    pub origin: Origin,
}

impl FileRow {
    /// The value of the sort column: what cursors carry.
    pub fn sort_value(&self, sort: Sort) -> &str {
        match sort.by {
            SortKey::Name => &self.name_key,
            SortKey::Number => &self.file_number,
        }
    }
}

const COLUMNS: &str =
    "a.id, a.contact_id, a.employer_id, a.employer_name, a.file_number, a.name_key, a.services, a.level,
       a.starts_at, a.ends_at, a.origin";

/// What the list is narrowed to.
pub struct FileFilter<'a> {
    pub contact_id: &'a str,
    pub now: Millis,
    /// Folded search words; each must start a word of the name or, digits, occur in the number.
    pub words: &'a [String],
    pub service: Option<Service>,
    /// Only files whose authorization ends before this instant.
    pub ending_before: Option<Millis>,
    pub report: Option<ReportFilter>,
}

/// Only files authorized for the monthly report, by whether the employer transmitted the report
/// of a month (`YYYY-MM`). "Transmitted" reads the key `#YYYY-MM` of `authorized_file_keys` (the
/// files of employers that transmitted it) in list order. "Not transmitted" reads the list in
/// order and checks each row by one probe of the UNIQUE (employer_id, month) index of
/// `monthly_reports`: a page reads its own rows plus the transmitted ones it skips, and its total
/// is the kept count of files with the service less the transmitted key's count.
pub enum ReportFilter {
    Transmitted(String),
    NotTransmitted(String),
    /// A standing no file can have now (late before the due date, to produce after it).
    Nothing,
}

/// The range of `authorized_file_keys` that reads a filtered list.
#[derive(Debug, PartialEq)]
struct Key {
    term: String,
    /// The key's files are exactly the filter's (lapsed ones aside), so its kept count is the total.
    exact: bool,
}

/// The key of the files whose employer transmitted the report of `month`.
fn transmitted_key(month: &str) -> String {
    format!("#{month}")
}

impl FileFilter<'_> {
    fn narrows_beyond_service(&self) -> bool {
        !self.words.is_empty() || self.ending_before.is_some() || self.report.is_some()
    }

    /// The search word that reads the keys (see [`search::keyed_word`]).
    fn indexed_word(&self) -> Option<&str> {
        search::keyed_word(self.words)
    }

    /// Whether the monthly report filter is the only thing that narrows the list (the service
    /// filter aside when it is the monthly report, which the report filter implies).
    fn only_report_filter(&self) -> bool {
        self.words.is_empty()
            && self.ending_before.is_none()
            && matches!(self.service, None | Some(Service::MonthlyReport))
    }

    /// The key that reads the list, if any: a search word's, else the transmitted report's.
    fn key(&self) -> Option<Key> {
        if let Some(word) = self.indexed_word() {
            let term = search::key_of(word);
            let exact = term == word
                && self.words.len() == 1
                && self.service.is_none()
                && self.ending_before.is_none()
                && self.report.is_none();
            return Some(Key { term, exact });
        }
        match &self.report {
            Some(ReportFilter::Transmitted(month)) => Some(Key {
                term: transmitted_key(month),
                exact: self.only_report_filter(),
            }),
            _ => None,
        }
    }

    /// The FROM clause: the contact's authorizations, reached through `key` when there is one
    /// (a range of its keys in name order, each file once), else all of them.
    fn source(&self, key: Option<&Key>, q: &mut DynamicQuery) -> String {
        match key {
            Some(key) => through_keys(
                "authorized_file_keys",
                ("contact_id", &q.text(self.contact_id)),
                &q.text(&key.term),
                "authorizations a",
                ("authorization_id", "a.id"),
            ),
            None => "authorizations a".to_owned(),
        }
    }

    /// The WHERE clause, binding its values into `q`: the current files, or (`lapsed`) those whose
    /// end has passed but that the lifecycle job has not ended yet.
    fn sql(&self, q: &mut DynamicQuery, lapsed: bool) -> String {
        let now = q.number(self.now);
        let mut conditions = vec![
            format!("a.contact_id = {}", q.text(self.contact_id)),
            "a.status = 'active'".to_owned(),
            if lapsed {
                format!("a.ends_at IS NOT NULL AND a.ends_at <= {now}")
            } else {
                format!("(a.ends_at IS NULL OR a.ends_at > {now})")
            },
        ];
        if let Some(service) = self.service {
            conditions.push(format!("(a.services & {}) != 0", q.number(service.bit())));
        }
        if let Some(before) = self.ending_before {
            conditions.push(format!(
                "a.ends_at IS NOT NULL AND a.ends_at <= {}",
                q.number(before)
            ));
        }
        if let Some(report) = &self.report {
            conditions.push(format!(
                "(a.services & {}) != 0",
                q.number(Service::MonthlyReport.bit())
            ));
            match report {
                ReportFilter::Nothing => conditions.push("0".to_owned()),
                ReportFilter::Transmitted(month) | ReportFilter::NotTransmitted(month) => {
                    let negation = match report {
                        ReportFilter::NotTransmitted(_) => "NOT ",
                        _ => "",
                    };
                    conditions.push(format!(
                        "{negation}EXISTS (SELECT 1 FROM monthly_reports r
                           WHERE r.month = {} AND r.employer_id = a.employer_id
                             AND r.transmitted_at IS NOT NULL)",
                        q.text(month)
                    ));
                }
            }
        }
        for word in self.words {
            let in_name = q.text(&format!("% {}%", super::escape_like(word)));
            if search::is_number(word) {
                let in_number = q.text(&format!("%{word}%"));
                conditions.push(format!(
                    "(a.name_key LIKE {in_name} ESCAPE '\\' OR a.file_number LIKE {in_number})"
                ));
            } else {
                conditions.push(format!("a.name_key LIKE {in_name} ESCAPE '\\'"));
            }
        }
        conditions.join(" AND ")
    }
}

/// Where a page starts: a keyset position, an offset (page jump), or the top.
pub enum Start<'a> {
    After {
        direction: Direction,
        key: &'a str,
        id: &'a str,
    },
    Offset(i64),
}

/// Reads up to `limit` files in `sort` order from `start` (backwards for a previous page: the
/// caller reverses them). Answers the rows and the rows D1 read.
pub async fn read(
    db: &Db,
    filter: &FileFilter<'_>,
    sort: Sort,
    start: &Start<'_>,
    limit: i64,
) -> Result<(Vec<FileRow>, usize), InfraError> {
    let result = page_statement(db, filter, sort, start, limit)
        .all("Failed to list authorized files")
        .await?;
    page_rows(&result)
}

/// One page of files and how many match `filter` in all, read in one D1 round trip (the page, the
/// totals and the count of lapsed rows go as one batch). Answers the rows, the total and the rows
/// D1 read.
pub async fn page_with_total(
    db: &Db,
    filter: &FileFilter<'_>,
    sort: Sort,
    start: &Start<'_>,
    limit: i64,
) -> Result<(Vec<FileRow>, i64, usize), InfraError> {
    let counting = Counting::of(filter);
    let mut statements = vec![page_statement(db, filter, sort, start, limit)?];
    statements.extend(counting.statements(db, filter)?);
    let results = db
        .batch(statements)
        .await
        .context("Failed to list authorized files")?;
    let Some((page, counts)) = results.split_first() else {
        return Err(unexpected_batch("Failed to list authorized files"));
    };
    let (rows, read) = page_rows(page)?;
    let (total, counted) = counting.total(counts)?;
    Ok((rows, total, read + counted))
}

fn page_statement(
    db: &Db,
    filter: &FileFilter<'_>,
    sort: Sort,
    start: &Start<'_>,
    limit: i64,
) -> Result<Statement, InfraError> {
    let mut q = DynamicQuery::default();
    let key = filter.key();
    let source = filter.source(key.as_ref(), &mut q);
    let mut sql = format!(
        "SELECT {COLUMNS} FROM {source} WHERE {}",
        filter.sql(&mut q, false)
    );
    // Through the keys, name order is the order of the key's range (its name_key copy and id).
    let (column, id) = match (sort.by, &key) {
        (SortKey::Name, Some(_)) => ("t.name_key", "t.authorization_id"),
        (SortKey::Name, None) => ("a.name_key", "a.id"),
        (SortKey::Number, _) => ("a.file_number", "a.id"),
    };
    let backwards = matches!(
        start,
        Start::After {
            direction: Direction::Previous,
            ..
        }
    );
    // Descending order read backwards is ascending, and so on.
    let descending = sort.descending != backwards;
    let order = if descending { "DESC" } else { "ASC" };
    let mut offset = 0;
    match start {
        Start::After { key, id: after, .. } => {
            let comparison = if descending { "<" } else { ">" };
            sql.push_str(&format!(
                " AND ({column}, {id}) {comparison} ({}, {})",
                q.text(key),
                q.text(after)
            ));
        }
        Start::Offset(n) => offset = *n,
    }
    sql.push_str(&format!(
        " ORDER BY {column} {order}, {id} {order} LIMIT {} OFFSET {}",
        q.number(limit),
        q.number(offset)
    ));
    q.prepare(db, &sql)
}

fn page_rows(result: &D1Result) -> Result<(Vec<FileRow>, usize), InfraError> {
    let rows = result
        .results()
        .context("Failed to read authorized files")?;
    Ok((rows, rows_read(result)))
}

#[derive(Deserialize)]
struct Totals {
    total: i64,
    workforce: i64,
    site_identification: i64,
    status_letter: i64,
    monthly_report: i64,
}

/// How files matching a filter are counted. When one kept count answers the filter exactly, that
/// count less the few rows whose end has passed but that the lifecycle job has not yet ended
/// (those match the filter but are no longer listed); otherwise the matching rows are counted.
enum Counting {
    Matching,
    /// The contact's totals in `authorized_file_totals`, in all or for one service.
    Kept {
        service: Option<Service>,
    },
    /// The count of one key of `authorized_file_keys`, or (`complement`) the files with the
    /// monthly report less it.
    Keyed {
        term: String,
        complement: bool,
    },
}

impl Counting {
    fn of(filter: &FileFilter<'_>) -> Counting {
        if !filter.narrows_beyond_service() {
            return Counting::Kept {
                service: filter.service,
            };
        }
        if let Some(Key { term, exact: true }) = filter.key() {
            return Counting::Keyed {
                term,
                complement: false,
            };
        }
        match &filter.report {
            Some(ReportFilter::NotTransmitted(month)) if filter.only_report_filter() => {
                Counting::Keyed {
                    term: transmitted_key(month),
                    complement: true,
                }
            }
            _ => Counting::Matching,
        }
    }

    fn statements(&self, db: &Db, filter: &FileFilter<'_>) -> Result<Vec<Statement>, InfraError> {
        Ok(match self {
            Counting::Matching => {
                let mut q = DynamicQuery::default();
                let key = filter.key();
                let source = filter.source(key.as_ref(), &mut q);
                let sql = format!(
                    "SELECT COUNT(*) AS n FROM {source} WHERE {}",
                    filter.sql(&mut q, false)
                );
                vec![q.prepare(db, &sql)?]
            }
            Counting::Kept { .. } => vec![
                query!(
                    db,
                    "SELECT total, workforce, site_identification, status_letter, monthly_report
                       FROM authorized_file_totals WHERE contact_id = ?1",
                    filter.contact_id
                )
                .context("Failed to prepare reading the totals of authorized files")?,
                lapsed_statement(db, filter)?,
            ],
            Counting::Keyed { term, complement } => {
                let mut statements = vec![query!(
                    db,
                    "SELECT n FROM authorized_file_key_counts WHERE contact_id = ?1 AND term = ?2",
                    filter.contact_id,
                    term
                )
                .context("Failed to prepare reading the count of a key")?];
                if *complement {
                    statements.push(
                        query!(
                            db,
                            "SELECT monthly_report AS n FROM authorized_file_totals WHERE contact_id = ?1",
                            filter.contact_id
                        )
                        .context("Failed to prepare reading the files with the monthly report")?,
                    );
                }
                statements.push(lapsed_statement(db, filter)?);
                statements
            }
        })
    }

    /// The total from the results of [`Counting::statements`], and the rows D1 read for it.
    fn total(&self, results: &[D1Result]) -> Result<(i64, usize), InfraError> {
        let read = results.iter().map(rows_read).sum();
        match (self, results) {
            (Counting::Matching, [matching]) => Ok((first_count(matching)?, read)),
            (Counting::Kept { service }, [totals, lapsed]) => {
                let kept: Option<Totals> = totals
                    .first_row()
                    .context("Failed to decode the totals of authorized files")?;
                let Some(kept) = kept else {
                    return Ok((0, read));
                };
                let kept_total = match service {
                    None => kept.total,
                    Some(Service::Workforce) => kept.workforce,
                    Some(Service::SiteIdentification) => kept.site_identification,
                    Some(Service::StatusLetter) => kept.status_letter,
                    Some(Service::MonthlyReport) => kept.monthly_report,
                };
                Ok(((kept_total - first_count(lapsed)?).max(0), read))
            }
            (Counting::Keyed { .. }, [key, lapsed]) => {
                Ok(((first_count(key)? - first_count(lapsed)?).max(0), read))
            }
            (Counting::Keyed { .. }, [key, reporting, lapsed]) => {
                let pending = first_count(reporting)? - first_count(key)?;
                Ok(((pending - first_count(lapsed)?).max(0), read))
            }
            _ => Err(unexpected_batch("Failed to list authorized files")),
        }
    }
}

/// Counts the files matching `filter` whose end has passed but that are still active: few, read
/// through `authorizations_contact_ending`.
fn lapsed_statement(db: &Db, filter: &FileFilter<'_>) -> Result<Statement, InfraError> {
    let mut q = DynamicQuery::default();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM authorizations a INDEXED BY authorizations_contact_ending WHERE {}",
        filter.sql(&mut q, true)
    );
    q.prepare(db, &sql)
}

/// Whose current files a lookup reaches: one contact's (its "Mes dossiers autorisés"), or those
/// of every contact of a firm (what the firm's API token reaches).
#[derive(Debug, Clone, Copy)]
pub enum Holder<'a> {
    Contact(&'a str),
    Firm(&'a str),
}

/// One current file of `holder`, by id: another holder's, revoked or ended finds nothing.
pub async fn find(
    db: &Db,
    holder: Holder<'_>,
    id: &str,
    now: Millis,
) -> Result<Option<FileRow>, InfraError> {
    let (column, owner) = match holder {
        Holder::Contact(contact_id) => ("contact_id", contact_id),
        Holder::Firm(firm_id) => ("firm_id", firm_id),
    };
    query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM authorizations a
              WHERE a.id = ?1 AND a.{column} = ?2 AND a.status = 'active' AND (a.ends_at IS NULL OR a.ends_at > ?3)"
        ),
        id,
        owner,
        now
    )
    .row("Failed to look up an authorized file")
.await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(words: &[String]) -> FileFilter<'_> {
        FileFilter {
            contact_id: "c",
            now: 0,
            words,
            service: None,
            ending_before: None,
            report: None,
        }
    }

    #[test]
    fn one_search_word_alone_reads_its_own_key_whose_count_is_the_total() {
        let words = ["gagne".to_owned()];
        let key = Key {
            term: "gagne".to_owned(),
            exact: true,
        };
        assert_eq!(filter(&words).key(), Some(key));
        let with_service = FileFilter {
            service: Some(Service::Workforce),
            ..filter(&words)
        };
        assert_eq!(with_service.key().map(|k| k.exact), Some(false));
        let two = ["gagne".to_owned(), "inc".to_owned()];
        assert_eq!(filter(&two).key().map(|k| k.exact), Some(false));
    }

    #[test]
    fn the_transmitted_standing_reads_its_key_and_the_pending_one_counts_its_complement() {
        let transmitted = FileFilter {
            report: Some(ReportFilter::Transmitted("2026-11".to_owned())),
            ..filter(&[])
        };
        let key = Key {
            term: "#2026-11".to_owned(),
            exact: true,
        };
        assert_eq!(transmitted.key(), Some(key));
        let pending = FileFilter {
            report: Some(ReportFilter::NotTransmitted("2026-11".to_owned())),
            service: Some(Service::MonthlyReport),
            ..filter(&[])
        };
        assert_eq!(pending.key(), None);
        assert!(matches!(
            Counting::of(&pending),
            Counting::Keyed { ref term, complement: true } if term == "#2026-11"
        ));
        let searched = ["gagne".to_owned()];
        let pending_search = FileFilter {
            report: Some(ReportFilter::NotTransmitted("2026-11".to_owned())),
            ..filter(&searched)
        };
        assert!(matches!(Counting::of(&pending_search), Counting::Matching));
    }
}
