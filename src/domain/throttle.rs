//! Throttles and budgets over fixed one-hour windows of failures: a few failures are free, then
//! each one doubles the wait, and past a hard cap the subject waits for the window to end.

use super::{Millis, HOUR, MINUTE, SECOND};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Prefix of the counter's key, e.g. `login-account`.
    pub name: &'static str,
    pub window: Millis,
    pub free_failures: i64,
    pub max_failures: i64,
    pub max_delay: Millis,
}

/// Wrong passwords for one account: five free, then growing delays, at most 100 in an hour.
pub const LOGIN_PER_ACCOUNT: Policy = Policy {
    name: "login-account",
    window: HOUR,
    free_failures: 5,
    max_failures: 100,
    max_delay: 15 * MINUTE,
};

/// Wrong passwords from one IP address, across accounts.
pub const LOGIN_PER_IP: Policy = Policy {
    name: "login-ip",
    window: HOUR,
    free_failures: 20,
    max_failures: 500,
    max_delay: 15 * MINUTE,
};

/// Passkey sign-in challenges handed to one IP address: each is a row until it expires, so every
/// one counts, and a flood waits like failed sign-ins.
pub const PASSKEY_CHALLENGES_PER_IP: Policy = Policy {
    name: "passkey-challenges-ip",
    window: HOUR,
    free_failures: 60,
    max_failures: 600,
    max_delay: 15 * MINUTE,
};

/// Wrong one-time codes for one email address, across codes and resends: ten an hour.
pub const CODE_FAILURES_PER_EMAIL: Policy = Policy {
    name: "code-failures",
    window: HOUR,
    free_failures: 10,
    max_failures: 10,
    max_delay: HOUR,
};

/// Emails carrying a code or credentials, per recipient and purpose: one a minute ...
pub const CODE_EMAIL_COOLDOWN: Policy = Policy {
    name: "code-email-minute",
    window: MINUTE,
    free_failures: 1,
    max_failures: 1,
    max_delay: MINUTE,
};

/// ... and five an hour, whichever route asks for them.
pub const CODE_EMAILS_PER_HOUR: Policy = Policy {
    name: "code-email-hour",
    window: HOUR,
    free_failures: 5,
    max_failures: 5,
    max_delay: HOUR,
};

/// Requests to link by known facts, per file number: five an hour, whatever their outcome.
pub const HOUR_BUDGET_KNOWN_FACTS: Policy = Policy {
    name: "known-facts",
    window: HOUR,
    free_failures: 5,
    max_failures: 5,
    max_delay: HOUR,
};

/// Legacy passwords tried by one signed-in account, across usernames: twenty an hour.
pub const LEGACY_PER_ACCOUNT: Policy = Policy {
    name: "legacy-account",
    window: HOUR,
    free_failures: 20,
    max_failures: 20,
    max_delay: HOUR,
};

/// Legacy passwords tried from one IP address (an IPv6 /64), across usernames: twenty an hour.
pub const LEGACY_PER_IP: Policy = Policy {
    name: "legacy-ip",
    window: HOUR,
    free_failures: 20,
    max_failures: 20,
    max_delay: HOUR,
};

/// Test events and replays a responsible sends by hand, per endpoint: ten an hour, so the portal
/// cannot be made to send requests to a server at will.
pub const WEBHOOK_MANUAL_SENDS: Policy = Policy {
    name: "webhook-manual",
    window: HOUR,
    free_failures: 10,
    max_failures: 10,
    max_delay: HOUR,
};

/// Access requests whose facts matched no employer file, per requesting contact: ten an hour.
pub const ACCESS_REQUESTS_UNMATCHED: Policy = Policy {
    name: "access-request-unmatched",
    window: HOUR,
    free_failures: 10,
    max_failures: 10,
    max_delay: HOUR,
};

/// Email changes one account may start: five an hour, whatever their outcome, so an account
/// cannot be used to send codes to address after address.
pub const EMAIL_CHANGES_PER_ACCOUNT: Policy = Policy {
    name: "email-change",
    window: HOUR,
    free_failures: 5,
    max_failures: 5,
    max_delay: HOUR,
};

/// New-device sign-in emails to one account: three an hour, so a burst of sign-ins from fresh
/// browsers (someone holding the password, or a script) cannot flood the owner's mailbox. Every
/// new device is still recorded in the account's security activity.
pub const NEW_DEVICE_EMAILS: Policy = Policy {
    name: "new-device-email",
    window: HOUR,
    free_failures: 3,
    max_failures: 3,
    max_delay: HOUR,
};

/// A stored failure counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub window_start: Millis,
    pub count: i64,
    pub last_at: Millis,
}

/// Subjects longer than this are keyed by their SHA-256, so an attacker's long string never
/// lands in the table as is.
const MAX_SUBJECT_BYTES: usize = 128;

/// The subject an IP address is counted under: an IPv4 address as is, an IPv6 address by its /64
/// (one subscriber usually holds a whole /64), anything unparsable by its text.
pub fn ip_subject(ip: &str) -> String {
    match ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(std::net::IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

impl Policy {
    pub fn key(&self, subject: &str) -> String {
        if subject.len() > MAX_SUBJECT_BYTES {
            use sha2::{Digest, Sha256};
            let digest = super::to_hex(&Sha256::digest(subject.as_bytes()));
            format!("{}:sha256:{}", self.name, digest)
        } else {
            format!("{}:{}", self.name, subject)
        }
    }

    /// `Some(instant)` until which the subject must wait, or `None` when it may try now.
    pub fn blocked_until(&self, counter: Option<Counter>, now: Millis) -> Option<Millis> {
        let counter = counter.filter(|c| now < c.window_start + self.window)?;
        let until = if counter.count >= self.max_failures {
            counter.window_start + self.window
        } else if counter.count >= self.free_failures {
            let doublings = (counter.count - self.free_failures).min(30) as u32;
            counter.last_at + (SECOND << doublings).min(self.max_delay)
        } else {
            return None;
        };
        (now < until).then_some(until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter(count: i64, last_at: Millis) -> Option<Counter> {
        Some(Counter {
            window_start: 0,
            count,
            last_at,
        })
    }

    #[test]
    fn the_first_failures_are_free() {
        assert_eq!(LOGIN_PER_ACCOUNT.blocked_until(None, 0), None);
        assert_eq!(LOGIN_PER_ACCOUNT.blocked_until(counter(4, 0), 0), None);
    }

    #[test]
    fn each_failure_past_the_free_ones_doubles_the_delay_up_to_the_cap() {
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(5, 1_000), 1_000),
            Some(2_000)
        );
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(6, 1_000), 1_000),
            Some(3_000)
        );
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(8, 1_000), 1_000),
            Some(9_000)
        );
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(60, 1_000), 1_000),
            Some(1_000 + 15 * MINUTE)
        );
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(6, 1_000), 3_000),
            None,
            "the delay has passed"
        );
    }

    #[test]
    fn at_most_100_failures_per_account_per_hour() {
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(100, 10), 20 * MINUTE),
            Some(HOUR)
        );
    }

    #[test]
    fn a_new_window_forgets_old_failures() {
        assert_eq!(
            LOGIN_PER_ACCOUNT.blocked_until(counter(100, 10), HOUR),
            None
        );
    }

    #[test]
    fn the_code_budget_allows_ten_failures_an_hour() {
        assert_eq!(
            CODE_FAILURES_PER_EMAIL.blocked_until(counter(9, 5), 10),
            None
        );
        assert_eq!(
            CODE_FAILURES_PER_EMAIL.blocked_until(counter(10, 5), 10),
            Some(HOUR)
        );
    }

    #[test]
    fn keys_name_the_policy_and_the_subject() {
        assert_eq!(LOGIN_PER_IP.key("203.0.113.9"), "login-ip:203.0.113.9");
    }

    #[test]
    fn a_long_subject_is_keyed_by_its_hash() {
        let key = LOGIN_PER_ACCOUNT.key(&"a".repeat(10_000));
        assert!(key.starts_with("login-account:sha256:"));
        assert_eq!(key.len(), "login-account:sha256:".len() + 64);
    }

    #[test]
    fn an_ipv6_address_counts_by_its_64_prefix() {
        assert_eq!(
            ip_subject("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            ip_subject("2001:db8:1:2::1"),
            ip_subject("2001:db8:1:2:ffff::9")
        );
        assert_eq!(ip_subject("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(ip_subject("203.0.113.9"), "203.0.113.9");
        assert_eq!(ip_subject("unknown"), "unknown");
    }
}
