//! The monthly report ("rapport mensuel") of an employer: one per month, its lines (worker,
//! trade, region, hours, gross wages) and totals, the month it covers and when it is due. Every
//! line's problems are found at once, each with its line and field, so a user fixes them in one
//! pass. Trades and regions are data (tables of the schema): validation receives their codes.

use super::fields::has_hidden_characters;
use super::time::{iso_date, Day};
use super::{fold_for_search, Millis};
use chrono::NaiveDate;

/// At most this many lines in one report (and in one imported file).
pub const MAX_LINES: usize = 2_000;
/// Regular and overtime hours of one line are each at most this many hours.
pub const MAX_HOURS: i64 = 300;
/// Gross wages of one line: at most 10,000,000.00 $.
pub const MAX_GROSS_CENTS: i64 = 1_000_000_000;
pub const MAX_WORKER_NAME: usize = 100;

/// A calendar month, `YYYY-MM`, from 2000-01 to 2999-12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn parse(raw: &str) -> Option<Month> {
        let bytes = raw.as_bytes();
        let shaped = bytes.len() == 7
            && bytes[4] == b'-'
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let year: i32 = raw[..4].parse().ok()?;
        let month: u32 = raw[5..].parse().ok()?;
        ((2000..3000).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// The month an instant falls in, in Montreal.
    pub fn of(instant: Millis) -> Month {
        let day = Day::of(instant).to_iso();
        Month::parse(&day[..7]).unwrap_or(Month {
            year: 2000,
            month: 1,
        })
    }

    pub fn as_string(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                month: self.month - 1,
                ..self
            }
        }
    }

    fn day(self, day: u32) -> Day {
        let date = NaiveDate::from_ymd_opt(self.year, self.month, day).unwrap_or_default();
        Day::parse(&iso_date(date)).unwrap_or_else(|_| Day::of(0))
    }

    /// The report of a month is due the 15th of the following month (Montreal time).
    pub fn due_on(self) -> Day {
        self.next().day(15)
    }

    /// The instant the report becomes late: the end of its due day.
    pub fn due_at(self) -> Millis {
        self.due_on().end()
    }

    /// The day the reminders of this month's report go out: five days before its due date.
    pub fn reminder_on(self) -> Day {
        self.next().day(15 - REMINDER_DAYS_BEFORE)
    }

    /// The instant the month ends in Montreal: before it, its report cannot be transmitted.
    pub fn ends_at(self) -> Millis {
        self.next().day(1).start()
    }
}

/// How many days before a report's due date its reminders go out.
pub const REMINDER_DAYS_BEFORE: u32 = 5;

text_enum! {
    /// Where a version of a report stands: the draft (at most one), the transmitted version (at
    /// most one), or a transmitted version a later correction replaced.
    pub enum VersionStatus {
        Draft = "draft",
        Transmitted = "transmitted",
        Superseded = "superseded",
    }
}

/// The month whose report the reminders are about at `now`: the last month over, from the start
/// of its reminder day (the 10th, Montreal time) until its due date ends; none outside that span.
pub fn reminder_month(now: Millis) -> Option<Month> {
    let month = Month::of(now).previous();
    (now >= month.reminder_on().start() && now < month.due_at()).then_some(month)
}

/// A month in a body: `YYYY-MM`.
impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_string())
    }
}

inline_schema!(
    Month,
    schemars::json_schema!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" })
);

text_enum! {
    /// Where a report stands for a month, as lists show it.
    pub enum Standing {
        /// Not transmitted, and its due date is to come.
        ToProduce = "to_produce",
        /// Not transmitted, and its due date has passed.
        Late = "late",
        Transmitted = "transmitted",
    }
}

impl Standing {
    pub fn of(transmitted: bool, month: Month, now: Millis) -> Standing {
        if transmitted {
            Standing::Transmitted
        } else if now >= month.due_at() {
            Standing::Late
        } else {
            Standing::ToProduce
        }
    }

    /// What a file's report of `month` must be for the file to stand so at `now`: transmitted
    /// (`Some(true)`), not transmitted (`Some(false)`), or nothing can (`None`): every report not
    /// transmitted is to produce before its due date and late after it, never both.
    pub fn requires_transmitted(self, month: Month, now: Millis) -> Option<bool> {
        match self {
            Standing::Transmitted => Some(true),
            wanted if Standing::of(false, month, now) == wanted => Some(false),
            _ => None,
        }
    }
}

/// A field of a line, as the API and the import name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineField {
    Line,
    WorkerName,
    WorkerId,
    Trade,
    Region,
    RegularHours,
    OvertimeHours,
    GrossWages,
}

impl LineField {
    pub const COLUMNS: [LineField; 7] = [
        LineField::WorkerName,
        LineField::WorkerId,
        LineField::Trade,
        LineField::Region,
        LineField::RegularHours,
        LineField::OvertimeHours,
        LineField::GrossWages,
    ];

    /// The field's name in the JSON API.
    pub fn code(self) -> &'static str {
        match self {
            LineField::Line => "line",
            LineField::WorkerName => "worker_name",
            LineField::WorkerId => "worker_id",
            LineField::Trade => "trade",
            LineField::Region => "region",
            LineField::RegularHours => "regular_hours",
            LineField::OvertimeHours => "overtime_hours",
            LineField::GrossWages => "gross_wages_cents",
        }
    }

    /// The column's name in an imported file, French then English.
    pub fn columns(self) -> (&'static str, &'static str) {
        match self {
            LineField::Line => ("ligne", "line"),
            LineField::WorkerName => ("nom_travailleur", "worker_name"),
            LineField::WorkerId => ("identifiant_travailleur", "worker_id"),
            LineField::Trade => ("metier", "trade"),
            LineField::Region => ("region", "region"),
            LineField::RegularHours => ("heures_regulieres", "regular_hours"),
            LineField::OvertimeHours => ("heures_supplementaires", "overtime_hours"),
            LineField::GrossWages => ("salaire_brut", "gross_wages"),
        }
    }
}

/// Why a line's field was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    Required,
    NotText,
    TooLong,
    InvalidName,
    InvalidWorkerId,
    UnknownTrade,
    UnknownRegion,
    InvalidHours,
    NotQuarterHour,
    TooManyHours,
    InvalidWages,
    TooMuchWages,
    /// The same worker, trade and region as an earlier line (its number).
    Duplicate(usize),
    NotALine,
    /// An imported file's column that is not one of the report's.
    UnknownColumn,
    /// A column of the report missing from an imported file's header.
    MissingColumn,
    /// A column named twice in an imported file's header.
    DuplicateColumn,
    /// An imported line with more or fewer cells than the header.
    WrongCellCount,
    /// A quoted cell of an imported file that never closes.
    UnclosedQuote,
}

impl Issue {
    pub fn code(self) -> &'static str {
        match self {
            Issue::Required => "required",
            Issue::NotText => "not_text",
            Issue::TooLong => "too_long",
            Issue::InvalidName => "invalid_name",
            Issue::InvalidWorkerId => "invalid_worker_id",
            Issue::UnknownTrade => "unknown_trade",
            Issue::UnknownRegion => "unknown_region",
            Issue::InvalidHours => "invalid_hours",
            Issue::NotQuarterHour => "not_quarter_hour",
            Issue::TooManyHours => "too_many_hours",
            Issue::InvalidWages => "invalid_wages",
            Issue::TooMuchWages => "too_much_wages",
            Issue::Duplicate(_) => "duplicate_line",
            Issue::NotALine => "not_a_line",
            Issue::UnknownColumn => "unknown_column",
            Issue::MissingColumn => "missing_column",
            Issue::DuplicateColumn => "duplicate_column",
            Issue::WrongCellCount => "wrong_cell_count",
            Issue::UnclosedQuote => "unclosed_quote",
        }
    }
}

/// One problem: the line (1-based, as the user numbers it), the field, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub field: LineField,
    /// For header problems: the column as written.
    pub column: Option<String>,
    pub issue: Issue,
}

impl LineProblem {
    fn new(line: usize, field: LineField, issue: Issue) -> LineProblem {
        LineProblem {
            line,
            field,
            column: None,
            issue,
        }
    }
}

/// A value as it arrived: JSON gives strings and numbers, an imported file only text.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Missing,
    Text(String),
    Number(f64),
    /// Anything else (a list, an object, a boolean).
    Other,
}

/// How a line's gross wages are written: cents in the API, dollars in an imported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WagesUnit {
    Cents,
    Dollars,
}

/// One line before validation, numbered as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawLine {
    pub number: usize,
    pub worker_name: Raw,
    pub worker_id: Raw,
    pub trade: Raw,
    pub region: Raw,
    pub regular_hours: Raw,
    pub overtime_hours: Raw,
    pub gross_wages: Raw,
}

/// One entry of a list kept as data (a trade or a region): its code and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
}

/// The trades and regions a line may name, each by code or by its French or English label
/// (case and accents ignored).
pub struct Catalog {
    trades: Vec<(String, String)>,
    regions: Vec<(String, String)>,
}

impl Catalog {
    pub fn new(trades: &[Entry], regions: &[Entry]) -> Catalog {
        // A few dozen entries, searched in order (a hash map's code weighs more in the wasm);
        // a later entry's key wins, as it would in a map.
        fn index(entries: &[Entry]) -> Vec<(String, String)> {
            let mut index = Vec::new();
            for entry in entries.iter().rev() {
                for key in [&entry.label_en, &entry.label_fr, &entry.code] {
                    index.push((fold_for_search(key.trim()), entry.code.clone()));
                }
            }
            index
        }
        Catalog {
            trades: index(trades),
            regions: index(regions),
        }
    }
}

/// A valid line: hours in quarter hours, wages in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub worker_name: String,
    pub worker_id: String,
    pub trade: String,
    pub region: String,
    pub regular_quarters: i64,
    pub overtime_quarters: i64,
    pub gross_cents: i64,
}

/// A report's totals, always computed from its lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub lines: i64,
    pub regular_quarters: i64,
    pub overtime_quarters: i64,
    pub gross_cents: i64,
}

impl Totals {
    pub fn of(lines: &[Line]) -> Totals {
        lines.iter().fold(Totals::default(), |t, line| Totals {
            lines: t.lines + 1,
            regular_quarters: t.regular_quarters + line.regular_quarters,
            overtime_quarters: t.overtime_quarters + line.overtime_quarters,
            gross_cents: t.gross_cents + line.gross_cents,
        })
    }
}

/// Hours as a number of quarter hours, for the API (37.25 hours → 149).
pub fn hours_of(quarters: i64) -> f64 {
    quarters as f64 / 4.0
}

fn text(raw: &Raw) -> Result<String, Issue> {
    match raw {
        Raw::Missing => Err(Issue::Required),
        Raw::Text(text) if text.trim().is_empty() => Err(Issue::Required),
        Raw::Text(text) => Ok(text.trim().to_owned()),
        Raw::Number(_) | Raw::Other => Err(Issue::NotText),
    }
}

fn worker_name(raw: &Raw) -> Result<String, Issue> {
    let name = text(raw)?;
    if name.chars().count() > MAX_WORKER_NAME {
        return Err(Issue::TooLong);
    }
    if has_hidden_characters(&name) || !name.chars().any(char::is_alphabetic) {
        return Err(Issue::InvalidName);
    }
    Ok(name.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn worker_id(raw: &Raw) -> Result<String, Issue> {
    let id = match raw {
        Raw::Number(n) if n.fract() == 0.0 && *n >= 0.0 => format!("{n:.0}"),
        other => text(other)?,
    };
    let valid = (6..=10).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(id).ok_or(Issue::InvalidWorkerId)
}

fn listed(raw: &Raw, index: &[(String, String)], unknown: Issue) -> Result<String, Issue> {
    let value = fold_for_search(&text(raw)?);
    index
        .iter()
        .find(|(key, _)| *key == value)
        .map(|(_, code)| code.clone())
        .ok_or(unknown)
}

/// A decimal written with `.` or `,` (an imported file may use either), as hundredths.
fn hundredths(text: &str) -> Option<i64> {
    let text = text.trim().replace([' ', '\u{a0}'], "");
    let (whole, fraction) = match text.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole.to_owned(), fraction.to_owned()),
        None => (text.clone(), String::new()),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 12
        || fraction.len() > 2
        || !digits(&whole)
        || !digits(&fraction)
    {
        return None;
    }
    let cents = format!("{fraction:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + cents.parse::<i64>().ok()?)
}

fn quarters(raw: &Raw) -> Result<i64, Issue> {
    let hundredths = match raw {
        Raw::Missing => return Err(Issue::Required),
        Raw::Number(n) if n.is_finite() && *n >= 0.0 && *n <= 1e9 => (n * 100.0).round() as i64,
        Raw::Number(_) => return Err(Issue::InvalidHours),
        Raw::Text(text) if text.trim().is_empty() => return Err(Issue::Required),
        Raw::Text(text) => hundredths(text).ok_or(Issue::InvalidHours)?,
        Raw::Other => return Err(Issue::InvalidHours),
    };
    if let Raw::Number(n) = raw {
        if (n * 4.0).fract() != 0.0 {
            return Err(Issue::NotQuarterHour);
        }
    }
    if hundredths % 25 != 0 {
        return Err(Issue::NotQuarterHour);
    }
    if hundredths > MAX_HOURS * 100 {
        return Err(Issue::TooManyHours);
    }
    Ok(hundredths / 25)
}

fn cents(raw: &Raw, unit: WagesUnit) -> Result<i64, Issue> {
    let cents = match (raw, unit) {
        (Raw::Missing, _) => return Err(Issue::Required),
        (Raw::Text(text), _) if text.trim().is_empty() => return Err(Issue::Required),
        (Raw::Number(n), WagesUnit::Cents) if n.fract() == 0.0 && *n >= 0.0 => {
            if *n > MAX_GROSS_CENTS as f64 {
                return Err(Issue::TooMuchWages);
            }
            *n as i64
        }
        (Raw::Text(text), WagesUnit::Dollars) => hundredths(text).ok_or(Issue::InvalidWages)?,
        _ => return Err(Issue::InvalidWages),
    };
    if cents > MAX_GROSS_CENTS {
        return Err(Issue::TooMuchWages);
    }
    Ok(cents)
}

/// Where a line's problems are noted as its fields are read.
struct Noted<'a> {
    line: usize,
    problems: &'a mut Vec<LineProblem>,
}

impl Noted<'_> {
    /// The field's value, or `None` with its problem noted.
    fn keep<T>(&mut self, field: LineField, result: Result<T, Issue>) -> Option<T> {
        result
            .map_err(|issue| {
                self.problems
                    .push(LineProblem::new(self.line, field, issue))
            })
            .ok()
    }
}

/// Validates every line at once: every field of every line, then lines that repeat the same
/// worker, trade and region. Either all lines are valid, or every problem is answered, in line
/// and field order.
pub fn validate(
    raw: &[RawLine],
    catalog: &Catalog,
    unit: WagesUnit,
) -> Result<Vec<Line>, Vec<LineProblem>> {
    let mut problems = Vec::new();
    let mut lines = Vec::with_capacity(raw.len());
    // The keys seen so far, sorted, each with its first line.
    let mut seen: Vec<((String, String, String), usize)> = Vec::new();
    for line in raw {
        let mut noted = Noted {
            line: line.number,
            problems: &mut problems,
        };
        let name = noted.keep(LineField::WorkerName, worker_name(&line.worker_name));
        let id = noted.keep(LineField::WorkerId, worker_id(&line.worker_id));
        let trade = noted.keep(
            LineField::Trade,
            listed(&line.trade, &catalog.trades, Issue::UnknownTrade),
        );
        let region = noted.keep(
            LineField::Region,
            listed(&line.region, &catalog.regions, Issue::UnknownRegion),
        );
        let regular = noted.keep(LineField::RegularHours, quarters(&line.regular_hours));
        let overtime = noted.keep(LineField::OvertimeHours, quarters(&line.overtime_hours));
        let gross = noted.keep(LineField::GrossWages, cents(&line.gross_wages, unit));
        if let (Some(id), Some(trade), Some(region)) = (&id, &trade, &region) {
            let key = (id.clone(), trade.clone(), region.clone());
            match seen.binary_search_by(|(seen, _)| seen.cmp(&key)) {
                Ok(found) => problems.push(LineProblem::new(
                    line.number,
                    LineField::WorkerId,
                    Issue::Duplicate(seen[found].1),
                )),
                Err(at) => seen.insert(at, (key, line.number)),
            }
        }
        if let (Some(worker_name), Some(worker_id), Some(trade), Some(region)) =
            (name, id, trade, region)
        {
            if let (Some(regular_quarters), Some(overtime_quarters), Some(gross_cents)) =
                (regular, overtime, gross)
            {
                lines.push(Line {
                    worker_name,
                    worker_id,
                    trade,
                    region,
                    regular_quarters,
                    overtime_quarters,
                    gross_cents,
                });
            }
        }
    }
    super::order::sort_by_key(&mut problems, |p| (p.line, p.field));
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

/// The column a header cell names, in French or English, case, accents, spaces and hyphens
/// ignored.
fn column_of(cell: &str) -> Option<LineField> {
    let key: String = fold_for_search(cell.trim())
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    LineField::COLUMNS.into_iter().find(|field| {
        let (fr, en) = field.columns();
        key == fr || key == en
    })
}

/// The lines of an imported table (its first row is the header, its rows numbered from 2 as in
/// a spreadsheet, blank rows skipped): every header problem, or one raw line per row.
pub fn lines_of_table(rows: &[Vec<String>]) -> Result<Vec<RawLine>, Vec<LineProblem>> {
    let Some((header, body)) = rows.split_first() else {
        return Err(vec![LineProblem::new(
            1,
            LineField::Line,
            Issue::MissingColumn,
        )]);
    };
    let mut problems = Vec::new();
    let mut positions: Vec<(LineField, usize)> = Vec::new();
    let position = |positions: &[(LineField, usize)], field: LineField| {
        positions
            .iter()
            .find(|(known, _)| *known == field)
            .map(|(_, index)| *index)
    };
    for (index, cell) in header.iter().enumerate() {
        let problem = |issue| LineProblem {
            line: 1,
            field: LineField::Line,
            column: Some(cell.chars().take(50).collect()),
            issue,
        };
        match column_of(cell) {
            None => problems.push(problem(Issue::UnknownColumn)),
            Some(field) if position(&positions, field).is_some() => {
                problems.push(problem(Issue::DuplicateColumn))
            }
            Some(field) => {
                positions.push((field, index));
            }
        }
    }
    for field in LineField::COLUMNS {
        if position(&positions, field).is_none() {
            problems.push(LineProblem {
                line: 1,
                field,
                column: Some(field.columns().0.to_owned()),
                issue: Issue::MissingColumn,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut lines = Vec::with_capacity(body.len());
    for (index, row) in body.iter().enumerate() {
        let number = index + 2;
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if row.len() != header.len() {
            problems.push(LineProblem::new(
                number,
                LineField::Line,
                Issue::WrongCellCount,
            ));
            continue;
        }
        let cell = |field: LineField| {
            Raw::Text(position(&positions, field).map_or_else(String::new, |at| row[at].clone()))
        };
        lines.push(RawLine {
            number,
            worker_name: cell(LineField::WorkerName),
            worker_id: cell(LineField::WorkerId),
            trade: cell(LineField::Trade),
            region: cell(LineField::Region),
            regular_hours: cell(LineField::RegularHours),
            overtime_hours: cell(LineField::OvertimeHours),
            gross_wages: cell(LineField::GrossWages),
        });
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

/// A receipt number: the month and ten characters of an unambiguous alphabet, e.g.
/// `RM-202611-7KQ2M9XH4T`.
pub fn receipt_number(month: Month, random: &[u8; 10]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let code: String = random
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("RM-{:04}{:02}-{code}", month.year, month.month)
}

/// Whether a month's report may be transmitted at `now`: once the month is over.
pub fn month_is_over(month: Month, now: Millis) -> bool {
    now >= month.ends_at()
}

impl Month {
    /// This month and the `count - 1` before it, newest first.
    pub fn back(self, count: usize) -> Vec<Month> {
        std::iter::successors(Some(self), |m| Some(m.previous()))
            .take(count)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let entry = |code: &str, fr: &str, en: &str| Entry {
            code: code.into(),
            label_fr: fr.into(),
            label_en: en.into(),
        };
        Catalog::new(
            &[
                entry("electricien", "Électricien", "Electrician"),
                entry(
                    "charpentier_menuisier",
                    "Charpentier-menuisier",
                    "Carpenter-joiner",
                ),
            ],
            &[
                entry("montreal", "Montréal", "Montréal"),
                entry("quebec", "Québec", "Québec"),
            ],
        )
    }

    fn raw(number: usize, id: &str, trade: &str, region: &str) -> RawLine {
        RawLine {
            number,
            worker_name: Raw::Text("Marie Tremblay".into()),
            worker_id: Raw::Text(id.into()),
            trade: Raw::Text(trade.into()),
            region: Raw::Text(region.into()),
            regular_hours: Raw::Number(37.5),
            overtime_hours: Raw::Number(0.0),
            gross_wages: Raw::Number(150_000.0),
        }
    }

    #[test]
    fn a_month_is_written_yyyy_mm_and_nothing_else() {
        assert_eq!(
            Month::parse("2026-11").map(Month::as_string),
            Some("2026-11".into())
        );
        for bad in [
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026/11",
            "1999-12",
            "２０２６-11",
            "2026-11-01",
            "",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?} is not a month");
        }
    }

    #[test]
    fn a_report_is_due_the_fifteenth_of_the_next_month_in_montreal() {
        let november = Month::parse("2026-11").unwrap();
        assert_eq!(november.due_on().to_iso(), "2026-12-15");
        let december = Month::parse("2026-12").unwrap();
        assert_eq!(december.due_on().to_iso(), "2027-01-15");
        // 2026-12-16 00:00 in Montreal (UTC-5) is 05:00 UTC.
        assert_eq!(november.due_at(), 1_797_397_200_000);
    }

    #[test]
    fn a_report_not_transmitted_after_its_due_day_is_late() {
        let october = Month::parse("2026-10").unwrap();
        let due = october.due_at();
        assert_eq!(Standing::of(false, october, due - 1), Standing::ToProduce);
        assert_eq!(Standing::of(false, october, due), Standing::Late);
        assert_eq!(Standing::of(true, october, due), Standing::Transmitted);
    }

    #[test]
    fn reminders_are_about_the_last_month_from_the_10th_until_its_due_date_ends() {
        let october = Month::parse("2026-10").unwrap();
        let day = |s| Day::parse(s).unwrap();
        assert_eq!(october.reminder_on(), day("2026-11-10"));
        assert_eq!(reminder_month(day("2026-11-09").end() - 1), None);
        assert_eq!(reminder_month(day("2026-11-10").start()), Some(october));
        assert_eq!(reminder_month(day("2026-11-15").end() - 1), Some(october));
        assert_eq!(reminder_month(day("2026-11-15").end()), None);
        assert_eq!(
            reminder_month(day("2027-03-10").start()),
            Month::parse("2027-02"),
            "across the change to daylight saving time"
        );
    }

    #[test]
    fn a_standing_filter_asks_for_transmitted_reports_or_for_missing_ones_only_on_its_side_of_the_due_date(
    ) {
        let october = Month::parse("2026-10").unwrap();
        let due = october.due_at();
        for now in [due - 1, due] {
            assert_eq!(
                Standing::Transmitted.requires_transmitted(october, now),
                Some(true)
            );
        }
        assert_eq!(
            Standing::ToProduce.requires_transmitted(october, due - 1),
            Some(false)
        );
        assert_eq!(Standing::ToProduce.requires_transmitted(october, due), None);
        assert_eq!(Standing::Late.requires_transmitted(october, due - 1), None);
        assert_eq!(
            Standing::Late.requires_transmitted(october, due),
            Some(false)
        );
        assert_eq!(Standing::parse("late"), Ok(Standing::Late));
        assert_eq!(
            Standing::parse("LATE"),
            Err(crate::domain::fields::Problem::InvalidChoice)
        );
    }

    #[test]
    fn a_month_can_be_transmitted_only_once_it_is_over() {
        let november = Month::parse("2026-11").unwrap();
        let start_of_december = Day::parse("2026-12-01").unwrap().start();
        assert!(!month_is_over(november, start_of_december - 1));
        assert!(month_is_over(november, start_of_december));
    }

    #[test]
    fn valid_lines_are_normalised_and_their_totals_computed() {
        let mut second = raw(2, "7654321", "Charpentier-menuisier", "QUEBEC");
        second.regular_hours = Raw::Text("10,25".into());
        second.gross_wages = Raw::Text("1 234,5".into());
        let lines = validate(
            &[raw(1, "123456", "electricien", "Montréal"), second],
            &catalog(),
            WagesUnit::Cents,
        );
        assert!(
            lines.is_err(),
            "dollars are refused where cents are expected"
        );
        let mut second = raw(2, "7654321", "Charpentier-menuisier", "QUEBEC");
        second.regular_hours = Raw::Text("10,25".into());
        second.gross_wages = Raw::Text("1 234,5".into());
        let mut first = raw(1, "123456", "electricien", "Montréal");
        first.gross_wages = Raw::Text("1500".into());
        let lines = validate(&[first, second], &catalog(), WagesUnit::Dollars).unwrap();
        assert_eq!(lines[1].trade, "charpentier_menuisier");
        assert_eq!(lines[1].region, "quebec");
        assert_eq!(lines[1].regular_quarters, 41);
        assert_eq!(lines[1].gross_cents, 123_450);
        assert_eq!(
            Totals::of(&lines),
            Totals {
                lines: 2,
                regular_quarters: 150 + 41,
                overtime_quarters: 0,
                gross_cents: 150_000 + 123_450
            }
        );
    }

    #[test]
    fn every_problem_of_every_line_is_reported_with_its_line_and_field() {
        let mut bad = raw(2, "12345", "plombier", "Mars");
        bad.worker_name = Raw::Text("   ".into());
        bad.regular_hours = Raw::Number(300.25);
        bad.overtime_hours = Raw::Number(1.1);
        bad.gross_wages = Raw::Number(-1.0);
        let problems = validate(
            &[raw(1, "123456", "electricien", "montreal"), bad],
            &catalog(),
            WagesUnit::Cents,
        )
        .unwrap_err();
        let found: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.field.code(), p.issue.code()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, "worker_name", "required"),
                (2, "worker_id", "invalid_worker_id"),
                (2, "trade", "unknown_trade"),
                (2, "region", "unknown_region"),
                (2, "regular_hours", "too_many_hours"),
                (2, "overtime_hours", "not_quarter_hour"),
                (2, "gross_wages_cents", "invalid_wages"),
            ]
        );
    }

    #[test]
    fn the_same_worker_trade_and_region_twice_is_a_duplicate_naming_the_first_line() {
        let problems = validate(
            &[
                raw(1, "123456", "electricien", "montreal"),
                raw(2, "123456", "electricien", "quebec"),
                raw(3, "123456", "Électricien", "Montréal"),
            ],
            &catalog(),
            WagesUnit::Cents,
        )
        .unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].issue),
            (3, Issue::Duplicate(1))
        );
    }

    #[test]
    fn hours_are_at_most_three_hundred_in_quarter_hours() {
        assert_eq!(quarters(&Raw::Number(300.0)), Ok(1200));
        assert_eq!(quarters(&Raw::Text("0.75".into())), Ok(3));
        assert_eq!(
            quarters(&Raw::Text("300,25".into())),
            Err(Issue::TooManyHours)
        );
        assert_eq!(
            quarters(&Raw::Text("1.3".into())),
            Err(Issue::NotQuarterHour)
        );
        assert_eq!(quarters(&Raw::Text("-2".into())), Err(Issue::InvalidHours));
        assert_eq!(
            quarters(&Raw::Text("1.255".into())),
            Err(Issue::InvalidHours)
        );
        assert_eq!(quarters(&Raw::Number(f64::NAN)), Err(Issue::InvalidHours));
        assert_eq!(quarters(&Raw::Other), Err(Issue::InvalidHours));
    }

    #[test]
    fn a_worker_identifier_is_six_to_ten_digits() {
        assert_eq!(worker_id(&Raw::Text("123456".into())), Ok("123456".into()));
        assert_eq!(
            worker_id(&Raw::Number(1234567890.0)),
            Ok("1234567890".into())
        );
        for bad in ["12345", "12345678901", "12345a", "123 456", "١٢٣٤٥٦"] {
            assert_eq!(
                worker_id(&Raw::Text(bad.into())),
                Err(Issue::InvalidWorkerId),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn wages_are_bounded_and_never_negative() {
        assert_eq!(
            cents(&Raw::Number(MAX_GROSS_CENTS as f64), WagesUnit::Cents),
            Ok(MAX_GROSS_CENTS)
        );
        assert_eq!(
            cents(&Raw::Number(MAX_GROSS_CENTS as f64 + 1.0), WagesUnit::Cents),
            Err(Issue::TooMuchWages)
        );
        assert_eq!(
            cents(&Raw::Number(1.5), WagesUnit::Cents),
            Err(Issue::InvalidWages)
        );
        assert_eq!(
            cents(&Raw::Text("12.345".into()), WagesUnit::Dollars),
            Err(Issue::InvalidWages)
        );
        assert_eq!(
            cents(&Raw::Text("10000000.01".into()), WagesUnit::Dollars),
            Err(Issue::TooMuchWages)
        );
    }

    #[test]
    fn an_imported_header_is_read_in_french_or_english_in_any_order() {
        let rows = vec![
            vec![
                "Salaire brut",
                "worker_id",
                "Nom-travailleur",
                "MÉTIER",
                "region",
                "heures_regulieres",
                "overtime_hours",
            ]
            .into_iter()
            .map(String::from)
            .collect(),
            vec!["100", "123456", "Ana", "electricien", "montreal", "1", "0"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<String>>(),
        ];
        let lines = lines_of_table(&rows).unwrap();
        assert_eq!(lines[0].number, 2);
        assert_eq!(lines[0].gross_wages, Raw::Text("100".into()));
        assert_eq!(lines[0].worker_name, Raw::Text("Ana".into()));
    }

    #[test]
    fn header_problems_name_every_unknown_missing_or_repeated_column() {
        let rows = vec![vec!["nom_travailleur", "worker_name", "couleur"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<String>>()];
        let problems = lines_of_table(&rows).unwrap_err();
        let issues: Vec<Issue> = problems.iter().map(|p| p.issue).collect();
        assert_eq!(
            issues
                .iter()
                .filter(|i| **i == Issue::DuplicateColumn)
                .count(),
            1
        );
        assert_eq!(
            issues
                .iter()
                .filter(|i| **i == Issue::UnknownColumn)
                .count(),
            1
        );
        assert_eq!(
            issues
                .iter()
                .filter(|i| **i == Issue::MissingColumn)
                .count(),
            6
        );
    }

    #[test]
    fn an_imported_row_with_the_wrong_number_of_cells_is_rejected_by_its_line() {
        let header: Vec<String> = LineField::COLUMNS
            .iter()
            .map(|f| f.columns().1.to_owned())
            .collect();
        let problems = lines_of_table(&[header, vec!["only".into()]]).unwrap_err();
        assert_eq!(
            (problems[0].line, problems[0].issue),
            (2, Issue::WrongCellCount)
        );
    }

    #[test]
    fn a_receipt_number_names_the_month_and_avoids_ambiguous_characters() {
        let receipt = receipt_number(
            Month::parse("2026-11").unwrap(),
            &[0, 1, 2, 3, 4, 5, 6, 7, 8, 30],
        );
        assert_eq!(receipt, "RM-202611-23456789AZ");
    }
}
