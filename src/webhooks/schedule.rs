//! What one delivery attempt's answer means, and when to try again: the retry schedule of the
//! Standard Webhooks specification (5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h), stretched to
//! about three days, with up to 20 % jitter so that retries to a recovering receiver spread out.

use crate::domain::webhook::{DeliveryStatus, DisabledReason, Failure};
use crate::domain::{Millis, SECOND};

/// The wait before each retry, in seconds: after the first failed attempt, 5 s; after the
/// second, 5 min; and so on. When it is exhausted the delivery has failed (≈ 2.8 days in all).
pub const RETRY_DELAYS: [i64; 11] = [
    5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000,
];

/// What an attempt achieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 2xx: the receiver has it.
    Delivered,
    /// 410 Gone: the receiver asks never to be called again; the endpoint is disabled at once.
    Gone,
    /// Anything else (including redirects, which are never followed): try again later. `error`
    /// is the detail, in English, for operators.
    Failed { kind: Failure, error: String },
}

/// Why a fetch that got no answer failed, from the platform's message, which is not kept: the
/// log stores the kind and [`failed_fetch_detail`] only (bounded, and never another server's text).
pub fn failed_fetch(message: &str) -> Failure {
    let message = message.to_ascii_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| message.contains(w));
    if says(&[
        "dns",
        "resolve",
        "not known",
        "no such host",
        "enotfound",
        "getaddrinfo",
    ]) {
        Failure::Dns
    } else if says(&["tls", "ssl", "certificate", "handshake"]) {
        Failure::Tls
    } else if says(&[
        "connect",
        "refused",
        "reset",
        "connection lost",
        "network",
        "unreachable",
    ]) {
        Failure::Connect
    } else {
        Failure::Unreachable
    }
}

/// The English detail the delivery log keeps for a fetch that got no answer.
pub fn failed_fetch_detail(kind: Failure) -> &'static str {
    match kind {
        Failure::Dns => "the receiver's name did not resolve",
        Failure::Tls => "the TLS handshake with the receiver failed",
        Failure::Connect => "no connection to the receiver",
        _ => "the request failed before any answer",
    }
}

/// The meaning of a status code the receiver answered.
pub fn classify(status: u16) -> Verdict {
    match status {
        200..=299 => Verdict::Delivered,
        410 => Verdict::Gone,
        300..=399 => Verdict::Failed {
            kind: Failure::Redirect,
            error: format!("redirect ({status}) not followed"),
        },
        _ => Verdict::Failed {
            kind: Failure::Status,
            error: format!("answered {status}"),
        },
    }
}

/// After a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    RetryIn(Millis),
    GiveUp,
}

/// `failed_attempts` counts the attempts of this round (the first sending, or a manual replay),
/// including the one that just failed; `jitter` (0..=255) adds up to 20 % to the wait.
pub fn after_failure(failed_attempts: i64, jitter: u8) -> Next {
    let index = usize::try_from(failed_attempts - 1).unwrap_or(0);
    match RETRY_DELAYS.get(index) {
        Some(seconds) => {
            let base = seconds * SECOND;
            Next::RetryIn(base + base / 5 * i64::from(jitter) / 255)
        }
        None => Next::GiveUp,
    }
}

/// Where a delivery stands after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conclusion {
    /// Pending when a retry is scheduled.
    pub status: DeliveryStatus,
    pub retry_in: Option<Millis>,
    /// Why the endpoint must be disabled now, if it must: gone or failing.
    pub disable: Option<DisabledReason>,
}

/// `round_attempts` includes the attempt just made.
pub fn conclude(verdict: &Verdict, round_attempts: i64, jitter: u8) -> Conclusion {
    let done = |status, disable| Conclusion {
        status,
        retry_in: None,
        disable,
    };
    match verdict {
        Verdict::Delivered => done(DeliveryStatus::Succeeded, None),
        Verdict::Gone => done(DeliveryStatus::Failed, Some(DisabledReason::Gone)),
        Verdict::Failed { .. } => match after_failure(round_attempts, jitter) {
            Next::RetryIn(wait) => Conclusion {
                status: DeliveryStatus::Pending,
                retry_in: Some(wait),
                disable: None,
            },
            Next::GiveUp => done(DeliveryStatus::Failed, Some(DisabledReason::Failing)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fetch_that_got_no_answer_is_classified_by_what_failed() {
        for (message, kind) in [
            ("DNS lookup failed", Failure::Dns),
            ("getaddrinfo ENOTFOUND hooks.example.com", Failure::Dns),
            ("TLS peer's certificate is not trusted", Failure::Tls),
            ("SSL handshake failed", Failure::Tls),
            ("connect(): Connection refused", Failure::Connect),
            ("Network connection lost.", Failure::Connect),
            ("internal error", Failure::Unreachable),
        ] {
            assert_eq!(failed_fetch(message), kind, "{message}");
        }
        assert!(!failed_fetch_detail(Failure::Dns).contains("hooks.example.com"));
    }
    use crate::domain::HOUR;

    #[test]
    fn two_hundreds_deliver_gone_disables_and_everything_else_is_retried() {
        assert_eq!(classify(200), Verdict::Delivered);
        assert_eq!(classify(204), Verdict::Delivered);
        assert_eq!(classify(410), Verdict::Gone);
        for status in [301, 302, 307, 308] {
            assert_eq!(
                classify(status),
                Verdict::Failed {
                    kind: Failure::Redirect,
                    error: format!("redirect ({status}) not followed")
                }
            );
        }
        for status in [400, 401, 404, 429, 500, 503] {
            assert!(
                matches!(
                    classify(status),
                    Verdict::Failed {
                        kind: Failure::Status,
                        ..
                    }
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn retries_follow_the_standard_schedule_and_grow() {
        let waits: Vec<Next> = (1..=3).map(|n| after_failure(n, 0)).collect();
        assert_eq!(
            waits,
            [
                Next::RetryIn(5 * SECOND),
                Next::RetryIn(300 * SECOND),
                Next::RetryIn(1_800 * SECOND)
            ]
        );
        assert_eq!(after_failure(11, 0), Next::RetryIn(10 * HOUR));
        assert_eq!(after_failure(12, 0), Next::GiveUp, "twelve attempts in all");
    }

    #[test]
    fn the_schedule_spans_about_three_days() {
        let total: i64 = RETRY_DELAYS.iter().sum::<i64>() * SECOND;
        assert!((60 * HOUR..=80 * HOUR).contains(&total), "{total}");
        let with_jitter: i64 = (1..=11)
            .map(|n| match after_failure(n, 255) {
                Next::RetryIn(wait) => wait,
                Next::GiveUp => 0,
            })
            .sum();
        assert_eq!(with_jitter, total + total / 5);
    }

    #[test]
    fn jitter_adds_at_most_a_fifth() {
        assert_eq!(after_failure(2, 255), Next::RetryIn(360 * SECOND));
        assert_eq!(
            after_failure(2, 128),
            Next::RetryIn(300_000 + 60_000 * 128 / 255)
        );
    }

    #[test]
    fn a_delivery_succeeds_retries_or_fails_and_says_when_to_disable_the_endpoint() {
        let failed = Verdict::Failed {
            kind: Failure::Status,
            error: "answered 500".into(),
        };
        assert_eq!(
            conclude(&Verdict::Delivered, 3, 0),
            Conclusion {
                status: DeliveryStatus::Succeeded,
                retry_in: None,
                disable: None
            }
        );
        assert_eq!(
            conclude(&failed, 1, 0),
            Conclusion {
                status: DeliveryStatus::Pending,
                retry_in: Some(5 * SECOND),
                disable: None
            }
        );
        assert_eq!(
            conclude(&failed, 12, 0),
            Conclusion {
                status: DeliveryStatus::Failed,
                retry_in: None,
                disable: Some(DisabledReason::Failing)
            },
            "retries exhausted"
        );
        assert_eq!(
            conclude(&Verdict::Gone, 1, 0),
            Conclusion {
                status: DeliveryStatus::Failed,
                retry_in: None,
                disable: Some(DisabledReason::Gone)
            },
            "410 disables at once"
        );
    }
}
