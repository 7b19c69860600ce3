//! "Mes dossiers autorisés": the employer files that authorized one contact. Pages are read by
//! keyset over the partial indexes `authorizations_contact_name` / `_number`, so a page reads about
//! its own rows at any depth; totals come from `authorized_file_totals` when no search narrows the
//! list; a search reads the range of `authorization_terms` its longest word starts, so it reads
//! about its matches, not all the contact's files. Every query also reports the rows D1 read, for
//! the benchmarks.

use super::{rows_read, DynamicQuery};
use crate::domain::authorization::{Level, Origin, Service};
use crate::domain::paging::{Direction, Sort, SortKey};
use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Statement};
use serde::Deserialize;
use worker::D1Result;

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
/// of a month (`YYYY-MM`). The page is still read in list order by keyset, and each row it reads
/// is checked by one probe of the UNIQUE (employer_id, month) index of `monthly_reports`: a page
/// reads its own rows plus those it skips, never the reports of other employers or months. The
/// plan (tests/e2e/report_standing_filter.test.mjs checks it):
///   SEARCH a USING INDEX authorizations_contact_name (contact_id=?)
///   CORRELATED SCALAR SUBQUERY
///     SEARCH r USING INDEX sqlite_autoindex_monthly_reports_2 (employer_id=? AND month=?)
pub enum ReportFilter {
    Transmitted(String),
    NotTransmitted(String),
    /// A standing no file can have now (late before the due date, to produce after it).
    Nothing,
}

/// The shortest word that reads the terms index: it holds number suffixes of 3 digits or more (see
/// `authorization_terms` in schema.sql), and a shorter prefix matches so many files that reading
/// them in list order, until the page is full, costs less than reading every match through the index.
const MIN_INDEXED_CHARS: usize = 3;

impl FileFilter<'_> {
    fn narrows_beyond_service(&self) -> bool {
        !self.words.is_empty() || self.ending_before.is_some() || self.report.is_some()
    }

    /// The search word that reads the terms index: the longest, as the longest prefix is likely
    /// the rarest. Every word is still checked against each row by [`Self::sql`].
    fn indexed_word(&self) -> Option<&str> {
        self.words
            .iter()
            .map(|w| (w.chars().count(), w))
            .filter(|(chars, _)| *chars >= MIN_INDEXED_CHARS)
            .max_by_key(|(chars, _)| *chars)
            .map(|(_, w)| w.as_str())
    }

    /// The FROM clause: the contact's authorizations, reached through the terms that start with
    /// the indexed word when there is one (a range of the index, each file once), else all of them.
    fn source(&self, q: &mut DynamicQuery) -> String {
        match self.indexed_word() {
            Some(word) => format!(
                "(SELECT DISTINCT authorization_id FROM authorization_terms
                   WHERE contact_id = {} AND term >= {} AND term < {}) t
                 CROSS JOIN authorizations a ON a.id = t.authorization_id",
                q.text(self.contact_id),
                q.text(word),
                // Above every term that starts with `word`: no character sorts after U+10FFFF.
                q.text(&format!("{word}\u{10FFFF}"))
            ),
            None => "authorizations a".to_owned(),
        }
    }

    /// The WHERE clause, binding its values into `q`.
    fn sql(&self, q: &mut DynamicQuery) -> String {
        let now = q.number(self.now);
        let mut conditions = vec![
            format!("a.contact_id = {}", q.text(self.contact_id)),
            "a.status = 'active'".to_owned(),
            format!("(a.ends_at IS NULL OR a.ends_at > {now})"),
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
            if word.bytes().all(|b| b.is_ascii_digit()) {
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
    let result = page_statement(db, filter, sort, start, limit)?
        .all()
        .await
        .context("Failed to list authorized files")?;
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
        return Err(unexpected_batch());
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
    let source = filter.source(&mut q);
    let mut sql = format!(
        "SELECT {COLUMNS} FROM {source} WHERE {}",
        filter.sql(&mut q)
    );
    let column = match sort.by {
        SortKey::Name => "a.name_key",
        SortKey::Number => "a.file_number",
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
        Start::After { key, id, .. } => {
            let comparison = if descending { "<" } else { ">" };
            sql.push_str(&format!(
                " AND ({column}, a.id) {comparison} ({}, {})",
                q.text(key),
                q.text(id)
            ));
        }
        Start::Offset(n) => offset = *n,
    }
    sql.push_str(&format!(
        " ORDER BY {column} {order}, a.id {order} LIMIT {} OFFSET {}",
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

/// How files matching a filter are counted. With a search or an end filter, the matching rows
/// are counted. Otherwise the totals kept by triggers answer, less the few rows whose end has
/// passed but that the lifecycle job has not yet ended.
enum Counting {
    Matching,
    Kept { service: Option<Service> },
}

impl Counting {
    fn of(filter: &FileFilter<'_>) -> Counting {
        if filter.narrows_beyond_service() {
            Counting::Matching
        } else {
            Counting::Kept {
                service: filter.service,
            }
        }
    }

    fn statements(&self, db: &Db, filter: &FileFilter<'_>) -> Result<Vec<Statement>, InfraError> {
        Ok(match self {
            Counting::Matching => {
                let mut q = DynamicQuery::default();
                let source = filter.source(&mut q);
                let sql = format!(
                    "SELECT COUNT(*) AS n FROM {source} WHERE {}",
                    filter.sql(&mut q)
                );
                vec![q.prepare(db, &sql)?]
            }
            Counting::Kept { service } => vec![
                query!(
                    db,
                    "SELECT total, workforce, site_identification, status_letter, monthly_report
                       FROM authorized_file_totals WHERE contact_id = ?1",
                    filter.contact_id
                )
                .context("Failed to prepare reading the totals of authorized files")?,
                query!(
                    db,
                    "SELECT COUNT(*) AS n FROM authorizations
                      WHERE contact_id = ?1 AND status = 'active' AND ends_at IS NOT NULL
                        AND ends_at <= ?2 AND (?3 = 0 OR (services & ?3) != 0)",
                    filter.contact_id,
                    filter.now,
                    service.map_or(0, Service::bit)
                )
                .context("Failed to prepare counting lapsed authorizations")?,
            ],
        })
    }

    /// The total from the results of [`Counting::statements`], and the rows D1 read for it.
    fn total(&self, results: &[D1Result]) -> Result<(i64, usize), InfraError> {
        let read = results.iter().map(rows_read).sum();
        match (self, results) {
            (Counting::Matching, [matching]) => Ok((first_count(matching)?, read)),
            (Counting::Kept { service }, [totals, lapsed]) => {
                let kept: Option<Totals> = totals
                    .results()
                    .context("Failed to decode the totals of authorized files")?
                    .into_iter()
                    .next();
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
            _ => Err(unexpected_batch()),
        }
    }
}

fn unexpected_batch() -> InfraError {
    InfraError {
        context: "Failed to list authorized files".to_owned(),
        cause: "D1 answered a batch with an unexpected number of results".to_owned(),
    }
}

fn first_count(result: &D1Result) -> Result<i64, InfraError> {
    #[derive(Deserialize)]
    struct Count {
        n: i64,
    }
    let rows: Vec<Count> = result.results().context("Failed to decode a count")?;
    Ok(rows.first().map(|c| c.n).unwrap_or(0))
}

/// A current file of any contact of the firm `firm_id`, by id: what the firm's API token reaches.
pub async fn find_for_firm(
    db: &Db,
    firm_id: &str,
    id: &str,
    now: Millis,
) -> Result<Option<FileRow>, InfraError> {
    query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM authorizations a
              WHERE a.id = ?1 AND a.firm_id = ?2 AND a.status = 'active' AND (a.ends_at IS NULL OR a.ends_at > ?3)"
        ),
        id,
        firm_id,
        now
    )
    .context("Failed to prepare the firm's authorized file lookup")?
    .first(None)
    .await
    .context("Failed to look up a firm's authorized file")
}

/// One of the contact's current files, by id.
pub async fn find(
    db: &Db,
    contact_id: &str,
    id: &str,
    now: Millis,
) -> Result<Option<FileRow>, InfraError> {
    query!(
        db,
        &format!(
            "SELECT {COLUMNS} FROM authorizations a
              WHERE a.id = ?1 AND a.contact_id = ?2 AND a.status = 'active' AND (a.ends_at IS NULL OR a.ends_at > ?3)"
        ),
        id,
        contact_id,
        now
    )
    .context("Failed to prepare the authorized file lookup")?
    .first(None)
    .await
    .context("Failed to look up an authorized file")
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
    fn the_longest_word_reads_the_index() {
        let words = ["constr".to_owned(), "queb".to_owned(), "12345".to_owned()];
        assert_eq!(filter(&words).indexed_word(), Some("constr"));
    }

    #[test]
    fn words_shorter_than_three_characters_scan_unless_a_longer_word_reads_the_index() {
        for short in [["12".to_owned()], ["é".to_owned()], ["ab".to_owned()]] {
            assert_eq!(filter(&short).indexed_word(), None, "{short:?}");
        }
        let mixed = ["12".to_owned(), "élan".to_owned()];
        assert_eq!(filter(&mixed).indexed_word(), Some("élan"));
        let three_digits = ["123".to_owned()];
        assert_eq!(filter(&three_digits).indexed_word(), Some("123"));
    }
}
