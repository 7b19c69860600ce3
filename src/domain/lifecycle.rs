//! The rules of scheduled work: how long what can no longer be used is kept, and when an
//! authorization's end is announced.

use super::authorization::DAY;
use super::{Millis, HOUR, MINUTE};

/// Expired codes and ended sessions are kept this long for investigation.
pub const CODE_AND_SESSION_RETENTION: Millis = DAY;
/// An account whose email was never proven is deleted this long after its last signup attempt.
pub const UNVERIFIED_ACCOUNT_LIFETIME: Millis = 7 * DAY;
/// Link credentials that can no longer be used (used, superseded, locked or expired) are kept this
/// long after that, except the latest ones of a contact still invited (see `link_credentials`).
pub const SPENT_CREDENTIALS_RETENTION: Millis = 30 * DAY;
/// Emails the outbox is done with (sent or given up) are kept this long after they were decided.
pub const OUTBOX_RETENTION: Millis = 30 * DAY;
/// Webhook deliveries (and their attempts) are kept 30 days once delivered or given up.
pub const DELIVERY_LOG_RETENTION: Millis = 30 * DAY;
/// The development mailbox keeps delivered emails this long.
pub const MAILBOX_RETENTION: Millis = 7 * DAY;
/// A queued email never attempted this long after it was decided lost its queue message (messages
/// are delivered within seconds; one-time codes have expired by then anyway).
pub const STRANDED_EMAIL_AFTER: Millis = 15 * MINUTE;
/// The record of each scheduled run is kept this long.
pub const JOB_RUN_RETENTION: Millis = 30 * DAY;

/// A reminder that an authorization ends soon, sent to the employer and to the contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    ThirtyDays,
    SevenDays,
}

/// Reminders are sent from this hour of their day (America/Montreal, give or take the hour of a
/// daylight-saving change): in the morning rather than at midnight.
const REMINDER_HOUR: Millis = 7 * HOUR;

impl Reminder {
    /// Earliest first.
    pub const ALL: [Reminder; 2] = [Reminder::ThirtyDays, Reminder::SevenDays];

    /// How many days of access are left when it is sent, the last day included.
    pub fn days_before(self) -> i64 {
        match self {
            Reminder::ThirtyDays => 30,
            Reminder::SevenDays => 7,
        }
    }

    /// The instant it becomes due for an authorization that ends at `ends_at` (the start of the
    /// day after its last day): the morning `days_before` days before that.
    pub fn due_at(self, ends_at: Millis) -> Millis {
        ends_at - self.days_before() * DAY + REMINDER_HOUR
    }

    /// The latest end for which it is due at `now`: what a query for due reminders looks for.
    pub fn due_if_ending_by(self, now: Millis) -> Millis {
        now + self.days_before() * DAY - REMINDER_HOUR
    }

    /// The reminder due at `now`, if any: the latest one whose time has come, while the
    /// authorization lasts. A reminder that was missed (the authorization was granted, or its end
    /// moved, after its time) is not sent once a later one is due.
    pub fn due(ends_at: Millis, now: Millis) -> Option<Reminder> {
        if now >= ends_at {
            return None;
        }
        Reminder::ALL
            .into_iter()
            .rev()
            .find(|reminder| now >= reminder.due_at(ends_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::Day;

    #[test]
    fn reminders_fall_due_on_the_morning_30_and_7_days_before_the_end() {
        // Last day 2026-12-31: the authorization ends at 2027-01-01 00:00 in Montreal.
        let ends_at = Day::parse("2026-12-31").unwrap().end();
        let morning = |day: &str| Day::parse(day).unwrap().start() + 7 * HOUR;
        assert_eq!(Reminder::ThirtyDays.due_at(ends_at), morning("2026-12-02"));
        assert_eq!(Reminder::SevenDays.due_at(ends_at), morning("2026-12-25"));
        let cases = [
            (morning("2026-12-02") - 1, None, "before the 30-day morning"),
            (
                morning("2026-12-02"),
                Some(Reminder::ThirtyDays),
                "the 30-day morning",
            ),
            (
                morning("2026-12-24"),
                Some(Reminder::ThirtyDays),
                "between the two",
            ),
            (
                morning("2026-12-25"),
                Some(Reminder::SevenDays),
                "the 7-day morning",
            ),
            (ends_at - 1, Some(Reminder::SevenDays), "the last instant"),
            (ends_at, None, "once it has ended"),
        ];
        for (now, expected, why) in cases {
            assert_eq!(Reminder::due(ends_at, now), expected, "{why}");
        }
    }

    #[test]
    fn the_query_window_agrees_with_the_due_time() {
        let ends_at = Day::parse("2026-12-31").unwrap().end();
        for reminder in Reminder::ALL {
            let due_at = reminder.due_at(ends_at);
            assert!(
                ends_at <= reminder.due_if_ending_by(due_at),
                "{reminder:?} at its time"
            );
            assert!(
                ends_at > reminder.due_if_ending_by(due_at - 1),
                "{reminder:?} just before"
            );
        }
    }

    #[test]
    fn a_short_authorization_gets_only_the_reminder_that_is_due() {
        let ends_at = Day::parse("2026-12-31").unwrap().end();
        let granted = Day::parse("2026-12-27").unwrap().start() + 9 * HOUR;
        assert_eq!(Reminder::due(ends_at, granted), Some(Reminder::SevenDays));
    }

    #[test]
    fn reminders_count_the_days_of_access_left() {
        assert_eq!(
            Reminder::ALL.map(Reminder::days_before),
            [30, 7],
            "earliest first"
        );
    }
}
