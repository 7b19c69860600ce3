//! Organisation API tokens, for the accounting platforms that sync with SEL: a 256-bit secret shown
//! once, stored as its SHA-256, limited to scopes and to an expiry, and rate-limited per token.

use super::authorization::DAY;
use super::fields::Problem;
use super::flags::Flags;
use super::throttle::Policy;
use super::time::Day;
use super::{Entropy, Millis, MINUTE};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

text_enum! {
    /// What a token may do.
    pub enum Scope {
        AuthorizedFiles = "authorized_files:read",
        Contacts = "contacts:read",
        /// List and read the monthly reports of the files the organisation is authorized on.
        MonthlyReportsRead = "monthly_reports:read",
        /// Draft, import, transmit and correct them (where the authorization's level allows it).
        MonthlyReportsWrite = "monthly_reports:write",
    }
}

super::flags::flag!(Scope);

/// A non-empty set of scopes.
pub type Scopes = Flags<Scope>;

const PREFIX: &str = "sel_";
/// `sel_` and 43 base64url characters: 256 bits.
const LENGTH: usize = 4 + 43;
/// How much of a token lists show, to tell tokens apart.
const SHOWN: usize = 12;

/// A new token: the secret for its owner (once), what lists show, and what is stored.
pub struct IssuedToken {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

impl IssuedToken {
    pub fn generate(entropy: &mut impl Entropy) -> IssuedToken {
        let mut bytes = [0u8; 32];
        entropy.fill(&mut bytes);
        let secret = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        IssuedToken {
            prefix: secret[..SHOWN].to_owned(),
            hash: hash(&secret),
            secret,
        }
    }
}

/// What is stored of a token, and what a presented token is looked up by.
pub fn hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    super::to_hex(&Sha256::digest(token.as_bytes()))
}

/// The token of an `Authorization: Bearer …` header, when it is shaped like one of ours. The
/// scheme's name is case-insensitive (RFC 7235).
pub fn from_header(header: &str) -> Option<&str> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return None;
    }
    let token = rest.trim();
    let shaped = token.len() == LENGTH
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    shaped.then_some(token)
}

/// A token lives until the end of its expiry day, at most a year from today.
pub fn expiry(expires_on: Day, now: Millis) -> Result<Millis, Problem> {
    let today = Day::of(now);
    if expires_on < today {
        return Err(Problem::DateInPast);
    }
    if expires_on.end() > today.start() + 367 * DAY {
        return Err(Problem::TooFarAhead);
    }
    Ok(expires_on.end())
}

/// Requests per token: 600 a minute, then 429 until the minute ends.
pub const REQUESTS_PER_TOKEN: Policy = Policy {
    name: "api-token",
    window: MINUTE,
    free_failures: 600,
    max_failures: 600,
    max_delay: MINUTE,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::FixedEntropy;

    #[test]
    fn tokens_carry_256_bits_and_only_their_hash_is_stored() {
        let token = IssuedToken::generate(&mut FixedEntropy::new(&[7, 200, 33]));
        assert_eq!(token.secret.len(), LENGTH);
        assert!(token.secret.starts_with("sel_"));
        assert_eq!(token.prefix, &token.secret[..12]);
        assert_eq!(token.hash, hash(&token.secret));
        assert_ne!(token.hash, token.secret);
        assert_eq!(
            from_header(&format!("Bearer {}", token.secret)),
            Some(token.secret.as_str())
        );
    }

    #[test]
    fn only_well_shaped_bearer_headers_carry_a_token() {
        let good = format!("sel_{}", "A".repeat(43));
        for header in [
            format!("Bearer {good}"),
            format!("bearer {good}"),
            format!("BEARER  {good} "),
        ] {
            assert_eq!(from_header(&header), Some(good.as_str()), "{header}");
        }
        for bad in [
            good.clone(),
            format!("Basic {good}"),
            format!("Bearer{good}"),
            format!("Bearers {good}"),
            "Bearer ".to_owned(),
            format!("Bearer {}", &good[..40]),
            format!("Bearer xyz_{}", "A".repeat(43)),
            format!("Bearer sel_{}!", "A".repeat(42)),
        ] {
            assert_eq!(from_header(&bad), None, "{bad}");
        }
    }

    #[test]
    fn scopes_parse_from_their_codes() {
        let both = Scopes::parse(&["contacts:read", "authorized_files:read"]).unwrap();
        assert!(both.contains(Scope::Contacts) && both.contains(Scope::AuthorizedFiles));
        assert_eq!(both.codes(), vec!["authorized_files:read", "contacts:read"]);
        assert_eq!(Scopes::parse(&[]), Err(Problem::Required));
        let reports = Scopes::parse(&["monthly_reports:write", "monthly_reports:read"]).unwrap();
        assert!(
            reports.contains(Scope::MonthlyReportsRead)
                && reports.contains(Scope::MonthlyReportsWrite)
        );
        assert!(!reports.contains(Scope::AuthorizedFiles));
        assert_eq!(Scopes::from_bits(reports.bits()), Some(reports));
        assert_eq!(Scopes::from_bits(16), None);
        assert_eq!(Scopes::parse(&["admin"]), Err(Problem::InvalidChoice));
        assert_eq!(
            Scopes::parse(&["contacts:read", "contacts:read"]),
            Err(Problem::DuplicateChoice)
        );
    }

    #[test]
    fn a_token_makes_600_requests_a_minute_then_waits_for_the_minute_to_end() {
        use crate::domain::throttle::Counter;
        let after = |count| {
            Some(Counter {
                window_start: 0,
                count,
                last_at: 30_000,
            })
        };
        let policy = REQUESTS_PER_TOKEN;
        assert_eq!(policy.blocked_until(None, 0), None, "the first request");
        assert_eq!(policy.blocked_until(after(599), 30_000), None, "the 600th");
        assert_eq!(
            policy.blocked_until(after(600), 30_000),
            Some(MINUTE),
            "the 601st waits for the minute to end"
        );
        assert_eq!(
            policy.blocked_until(after(600), MINUTE),
            None,
            "a new minute"
        );
        assert_eq!(policy.key("t1"), "api-token:t1");
    }

    #[test]
    fn a_token_expires_within_a_year() {
        let now = Day::parse("2026-11-27").unwrap().start();
        let day = |s| Day::parse(s).unwrap();
        assert_eq!(expiry(day("2026-11-27"), now), Ok(day("2026-11-27").end()));
        assert_eq!(expiry(day("2026-11-26"), now), Err(Problem::DateInPast));
        assert!(expiry(day("2027-11-27"), now).is_ok());
        assert_eq!(expiry(day("2028-01-01"), now), Err(Problem::TooFarAhead));
    }
}
