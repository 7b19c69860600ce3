//! Authorizations: an employer lets a contact of another organisation use some of its services,
//! at a level, for a period. Also the calendar days those periods are made of (America/Montreal).

use super::fields::Problem;
use super::locale::Locale;
use super::organisation::Role;
use super::{Millis, HOUR};
use chrono::{Datelike, NaiveDate, Weekday};

pub const DAY: Millis = 24 * HOUR;

/// A pending access request expires after 21 days.
pub const ACCESS_REQUEST_LIFETIME: Millis = 21 * DAY;

/// The services an employer can open to a firm's contact, in the order the portal lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Workforce,
    SiteIdentification,
    StatusLetter,
    MonthlyReport,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::Workforce,
        Service::SiteIdentification,
        Service::StatusLetter,
        Service::MonthlyReport,
    ];

    pub fn parse(raw: &str) -> Result<Service, Problem> {
        Service::ALL
            .into_iter()
            .find(|s| s.code() == raw)
            .ok_or(if raw.is_empty() {
                Problem::Required
            } else {
                Problem::InvalidChoice
            })
    }

    /// The service's name in the API.
    pub fn code(self) -> &'static str {
        match self {
            Service::Workforce => "workforce",
            Service::SiteIdentification => "site_identification",
            Service::StatusLetter => "status_letter",
            Service::MonthlyReport => "monthly_report",
        }
    }

    /// Its bit in a stored set of services.
    pub fn bit(self) -> i64 {
        match self {
            Service::Workforce => 1,
            Service::SiteIdentification => 2,
            Service::StatusLetter => 4,
            Service::MonthlyReport => 8,
        }
    }
}

impl Service {
    /// The service's name, as the portal shows it.
    pub fn label(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Service::Workforce => ("Gestion de la main-d'œuvre", "Workforce management"),
            Service::SiteIdentification => {
                ("Identification de chantier", "Job-site identification")
            }
            Service::StatusLetter => ("Lettre d'état de situation", "Status letter"),
            Service::MonthlyReport => ("Rapport mensuel", "Monthly report"),
        };
        locale.pick(fr, en)
    }
}

/// The label of an authorization's level or origin, as stored.
pub fn value_label(value: &str, locale: Locale) -> &'static str {
    let (fr, en) = match value {
        "consultation" => ("Consultation", "Consultation"),
        "transmission" => (
            "Consultation et transmission",
            "Consultation and transmission",
        ),
        "granted" => ("Accordée", "Granted"),
        "migrated" => ("Migrée", "Migrated"),
        _ => ("", ""),
    };
    locale.pick(fr, en)
}

/// A non-empty set of services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Services(i64);

impl Services {
    /// From the API's list of service codes: at least one, each known, none twice.
    pub fn parse(codes: &[&str]) -> Result<Services, Problem> {
        let mut bits = 0;
        for code in codes {
            let bit = Service::parse(code)?.bit();
            if bits & bit != 0 {
                return Err(Problem::DuplicateChoice);
            }
            bits |= bit;
        }
        Services::from_bits(bits).ok_or(Problem::Required)
    }

    pub fn from_bits(bits: i64) -> Option<Services> {
        (1..=15).contains(&bits).then_some(Services(bits))
    }

    pub fn bits(self) -> i64 {
        self.0
    }

    pub fn contains(self, service: Service) -> bool {
        self.0 & service.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Service> {
        Service::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(Service::code).collect()
    }
}

text_enum! {
    /// What the contact may do with the authorized services.
    pub enum Level {
        Consultation = "consultation",
        /// Consultation and transmission.
        Transmission = "transmission",
    }
}

text_enum! {
    /// How an authorization came to be: granted in the portal, or brought in by the legacy
    /// migration (then the employer reviews it).
    pub enum Origin {
        Granted = "granted",
        Migrated = "migrated",
    }
}

text_enum! {
    /// An authorization's recorded status; an active one whose end has passed is `Ended` in
    /// every answer even before the lifecycle job records it (see [`is_current`]).
    pub enum AuthorizationStatus {
        Active = "active",
        Ended = "ended",
        Revoked = "revoked",
    }
}

text_enum! {
    /// An access request's status; a pending one past its expiry reads as `Expired`.
    pub enum AccessRequestStatus {
        Pending = "pending",
        Approved = "approved",
        Declined = "declined",
        Cancelled = "cancelled",
        Expired = "expired",
    }
}

/// An employer's responsable always manages its authorizations; another contact only when the
/// responsable made them an administrator of authorizations.
pub fn may_manage_authorizations(role: Role, administrator: bool) -> bool {
    role == Role::Responsable || administrator
}

/// A calendar day in America/Montreal, the portal's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(NaiveDate);

impl Day {
    /// `YYYY-MM-DD`, between the years 1900 and 2999: legacy relations go back decades. (Offsets
    /// before 2007 follow today's daylight-saving rule, so a start in the weeks the rule moved is
    /// off by an hour — harmless for a relation that started long ago.)
    pub fn parse(raw: &str) -> Result<Day, Problem> {
        if raw.is_empty() {
            return Err(Problem::Required);
        }
        let well_formed = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        // Read by hand once the shape is checked: chrono's format-string parser and its tables
        // would otherwise be compiled into the worker for this one format.
        let number = |range: std::ops::Range<usize>| {
            raw.as_bytes()[range]
                .iter()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
        };
        let date = Some(well_formed)
            .filter(|well_formed| *well_formed)
            .and_then(|_| NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10)))
            .filter(|d| (1900..3000).contains(&d.year()))
            .ok_or(Problem::InvalidDate)?;
        Ok(Day(date))
    }

    /// The day an instant falls on in Montreal.
    pub fn of(instant: Millis) -> Day {
        let local = instant + montreal_offset(instant);
        Day(chrono::DateTime::from_timestamp_millis(local)
            .map(|t| t.date_naive())
            .unwrap_or_default())
    }

    /// The instant the day starts (local midnight).
    pub fn start(self) -> Millis {
        let midnight = self
            .0
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default();
        // Midnight is never inside a daylight-saving jump, so one correction is exact.
        let standard = midnight + 5 * HOUR;
        midnight - montreal_offset(standard)
    }

    /// The instant the day ends: the start of the next day.
    pub fn end(self) -> Millis {
        self.0.succ_opt().map(Day).unwrap_or(self).start()
    }

    /// The day before the one an exclusive end instant closes: what an end date shows.
    pub fn ending_at(end: Millis) -> Day {
        Day::of(end - 1)
    }

    pub fn to_iso(self) -> String {
        iso_date(self.0)
    }
}

/// `YYYY-MM-DD`, as chrono's `%Y-%m-%d` writes it (a year outside 0–9999 with its sign), without
/// its formatting machinery.
pub fn iso_date(date: NaiveDate) -> String {
    let year = date.year();
    if (0..10_000).contains(&year) {
        format!("{year:04}-{:02}-{:02}", date.month(), date.day())
    } else {
        format!("{year:+05}-{:02}-{:02}", date.month(), date.day())
    }
}

/// An instant as a Montreal wall-clock time to the minute, `2026-12-07 01:29`.
pub fn montreal_minute(instant: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(instant + montreal_offset(instant))
        .map(|local| local.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Offset of Montreal from UTC at an instant: -4 h in daylight-saving time (from the second Sunday
/// of March at 2:00 to the first Sunday of November at 2:00, the rule since 2007), -5 h otherwise.
fn montreal_offset(instant: Millis) -> Millis {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(instant) else {
        return -5 * HOUR;
    };
    let year = utc.year();
    let sunday = |month: u32, nth: u8| {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Sun, nth)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or_default()
    };
    let dst_starts = sunday(3, 2) + 7 * HOUR; // 2:00 EST
    let dst_ends = sunday(11, 1) + 6 * HOUR; // 2:00 EDT
    if (dst_starts..dst_ends).contains(&instant) {
        -4 * HOUR
    } else {
        -5 * HOUR
    }
}

/// The period of an authorization: from the start of `starts_on` to the end of `ends_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub starts_on: Day,
    pub ends_on: Option<Day>,
}

impl Period {
    /// An end before the start, or already past, is refused (the problem is the end date's).
    pub fn new(starts_on: Day, ends_on: Option<Day>, now: Millis) -> Result<Period, Problem> {
        match ends_on {
            Some(end) if end < starts_on => Err(Problem::EndBeforeStart),
            Some(end) if end < Day::of(now) => Err(Problem::DateInPast),
            _ => Ok(Period { starts_on, ends_on }),
        }
    }

    pub fn starts_at(self) -> Millis {
        self.starts_on.start()
    }

    pub fn ends_at(self) -> Option<Millis> {
        self.ends_on.map(Day::end)
    }
}

/// An active authorization stops counting once its end passes, even before the lifecycle job
/// records it as ended.
pub fn is_current(status: AuthorizationStatus, ends_at: Option<Millis>, now: Millis) -> bool {
    status == AuthorizationStatus::Active && ends_at.is_none_or(|end| end > now)
}

/// Whether a contact may use one service of a file they are authorized on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Usable,
    NotAuthorized,
    NotStarted,
}

impl Availability {
    pub fn of(services: Services, starts_at: Millis, service: Service, now: Millis) -> Self {
        if !services.contains(service) {
            Availability::NotAuthorized
        } else if starts_at > now {
            Availability::NotStarted
        } else {
            Availability::Usable
        }
    }

    /// `None` when usable, else the reason's API name.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Availability::Usable => None,
            Availability::NotAuthorized => Some("not_authorized"),
            Availability::NotStarted => Some("not_started"),
        }
    }
}

/// The name of an employer as "Mes dossiers autorisés" sorts and searches it: a space, then its
/// words folded (lower case, no accents) and separated by single spaces. A query word matches
/// when `' ' + word` occurs in it: a prefix of any word of the name.
pub fn name_key(name: &str) -> String {
    let folded = super::fold_for_search(name);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    format!(" {}", words.join(" "))
}

/// The words of a search, folded like [`name_key`]: at most five, each cut to 40 bytes (LIKE
/// patterns must stay short). A word of digits also matches a fragment of the file number.
pub fn search_words(query: &str) -> Vec<String> {
    name_key(query)
        .split(' ')
        .filter(|w| !w.is_empty())
        .take(5)
        .map(|word| {
            let mut end = word.len().min(40);
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            word[..end].to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_in_montreal_with_daylight_saving() {
        // 2026-12-07 06:29 UTC is 01:29 in Montreal (EST); 2026-07-01 12:00 UTC is 08:00 (EDT).
        assert_eq!(montreal_minute(1_796_624_940_000), "2026-12-07 01:29");
        assert_eq!(montreal_minute(1_782_907_200_000), "2026-07-01 08:00");
    }

    #[test]
    fn services_parse_from_their_codes_once_each() {
        let set = Services::parse(&["monthly_report", "workforce"]).unwrap();
        assert_eq!(set.bits(), 9);
        assert_eq!(set.codes(), vec!["workforce", "monthly_report"]);
        assert_eq!(Services::parse(&[]), Err(Problem::Required));
        assert_eq!(Services::parse(&["payroll"]), Err(Problem::InvalidChoice));
        assert_eq!(
            Services::parse(&["workforce", "workforce"]),
            Err(Problem::DuplicateChoice)
        );
        assert_eq!(Services::from_bits(0), None);
        assert_eq!(Services::from_bits(16), None);
    }

    #[test]
    fn only_responsables_and_administrators_manage_authorizations() {
        assert!(may_manage_authorizations(Role::Responsable, false));
        assert!(may_manage_authorizations(Role::Membre, true));
        assert!(!may_manage_authorizations(Role::Membre, false));
    }

    #[test]
    fn dates_are_written_as_chrono_writes_year_month_day() {
        for (year, month, day) in [
            (2026, 11, 7),
            (1900, 1, 1),
            (999, 12, 31),
            (0, 3, 4),
            (-5, 6, 7),
            (10_000, 2, 29),
            (-262_000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(year, month, day).unwrap();
            assert_eq!(
                iso_date(date),
                date.format("%Y-%m-%d").to_string(),
                "{date:?}"
            );
        }
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(Day::parse("2026-11-27").unwrap().to_iso(), "2026-11-27");
        assert_eq!(Day::parse("1987-04-01").unwrap().to_iso(), "1987-04-01");
        for bad in [
            "2026-2-1",
            "2026-02-30",
            "27/11/2026",
            "1899-12-31",
            "3000-01-01",
            "2026-11-27T00:00",
        ] {
            assert_eq!(Day::parse(bad), Err(Problem::InvalidDate), "{bad}");
        }
        assert_eq!(Day::parse(""), Err(Problem::Required));
    }

    #[test]
    fn days_start_at_montreal_midnight_in_both_seasons() {
        // 2026-01-15 00:00 EST = 05:00 UTC; 2026-07-15 00:00 EDT = 04:00 UTC.
        assert_eq!(Day::parse("2026-01-15").unwrap().start(), 1_768_453_200_000);
        assert_eq!(Day::parse("2026-07-15").unwrap().start(), 1_784_088_000_000);
        // The days of the changes: 2026-03-08 and 2026-11-01 both start before the jump.
        assert_eq!(Day::parse("2026-03-08").unwrap().start(), 1_772_946_000_000);
        assert_eq!(Day::parse("2026-03-09").unwrap().start(), 1_773_028_800_000);
        assert_eq!(Day::parse("2026-11-01").unwrap().start(), 1_793_505_600_000);
        assert_eq!(Day::parse("2026-11-02").unwrap().start(), 1_793_595_600_000);
        let day = Day::parse("2026-11-01").unwrap();
        assert_eq!(
            day.end() - day.start(),
            25 * HOUR,
            "the autumn day has 25 hours"
        );
    }

    #[test]
    fn an_instant_falls_on_its_montreal_day() {
        let day = Day::parse("2026-11-27").unwrap();
        assert_eq!(Day::of(day.start()), day);
        assert_eq!(Day::of(day.end() - 1), day);
        assert_eq!(Day::ending_at(day.end()), day);
        // 2026-11-28 02:00 UTC is still the evening of the 27th in Montreal.
        assert_eq!(Day::of(1_795_831_200_000), day);
    }

    #[test]
    fn periods_end_after_they_start_and_not_in_the_past() {
        let now = Day::parse("2026-11-27").unwrap().start() + HOUR;
        let day = |s| Day::parse(s).unwrap();
        assert!(Period::new(day("2026-11-27"), Some(day("2026-11-27")), now).is_ok());
        assert_eq!(
            Period::new(day("2026-12-01"), Some(day("2026-11-30")), now),
            Err(Problem::EndBeforeStart)
        );
        assert_eq!(
            Period::new(day("2026-11-01"), Some(day("2026-11-26")), now),
            Err(Problem::DateInPast)
        );
        let open = Period::new(day("2026-11-27"), None, now).unwrap();
        assert_eq!(open.ends_at(), None);
    }

    #[test]
    fn an_authorization_stops_counting_when_its_end_passes() {
        assert!(is_current(AuthorizationStatus::Active, None, 5));
        assert!(is_current(AuthorizationStatus::Active, Some(6), 5));
        assert!(!is_current(AuthorizationStatus::Active, Some(5), 5));
        assert!(!is_current(AuthorizationStatus::Revoked, None, 5));
    }

    #[test]
    fn a_service_is_usable_when_granted_and_started() {
        let set = Services::parse(&["monthly_report"]).unwrap();
        let at = |s, start, now| Availability::of(set, start, s, now);
        assert_eq!(at(Service::MonthlyReport, 0, 1), Availability::Usable);
        assert_eq!(at(Service::Workforce, 0, 1), Availability::NotAuthorized);
        assert_eq!(at(Service::MonthlyReport, 2, 1), Availability::NotStarted);
        assert_eq!(Availability::NotStarted.reason(), Some("not_started"));
    }

    #[test]
    fn names_are_keyed_for_word_prefix_search() {
        assert_eq!(
            name_key("Construction-QUÉBEC  inc."),
            " construction quebec inc"
        );
        assert_eq!(search_words("  Québec, 123 "), vec!["quebec", "123"]);
        assert_eq!(search_words("a b c d e f g").len(), 5);
        assert!(search_words(&"é".repeat(60))[0].len() <= 40);
        assert!(search_words("—").is_empty());
    }
}
