//! Authorizations: an employer lets a contact of another organisation use some of its services,
//! at a level, for a period. Also the calendar days those periods are made of (America/Montreal).

use super::fields::Problem;
use super::flags::Flags;
use super::locale::Locale;
use super::organisation::Role;
use super::time::Day;
use super::{Millis, HOUR};

pub const DAY: Millis = 24 * HOUR;

/// A pending access request expires after 21 days.
pub const ACCESS_REQUEST_LIFETIME: Millis = 21 * DAY;

text_enum! {
    /// The services an employer can open to a firm's contact, in the order the portal lists them.
    pub enum Service {
        Workforce = "workforce",
        SiteIdentification = "site_identification",
        StatusLetter = "status_letter",
        MonthlyReport = "monthly_report",
    }
}

super::flags::flag!(Service);

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
pub type Services = Flags<Service>;

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
    use crate::domain::api_token::Scope;

    #[test]
    fn stored_bits_keep_their_meaning() {
        // Sets are stored as sums of bits taken from the declaration order: a reordered enum
        // would silently change what every stored row means.
        use Service::*;
        let services = [Workforce, SiteIdentification, StatusLetter, MonthlyReport];
        assert_eq!(services.map(Service::bit), [1, 2, 4, 8]);
        let scopes = [
            Scope::AuthorizedFiles,
            Scope::Contacts,
            Scope::MonthlyReportsRead,
            Scope::MonthlyReportsWrite,
        ];
        assert_eq!(scopes.map(Scope::bit), [1, 2, 4, 8]);
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
