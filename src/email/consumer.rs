//! The email consumer's step: given a queue message and the outbox, decide and perform one
//! delivery. The decisions are pure functions, unit-tested natively; the queue entry point only
//! maps the [`Outcome`] to ack or retry.

use super::providers::{self, SendError};
use super::templates::{Rendered, Template};
use super::EmailMessage;
use crate::domain::email::OutboxStatus;
use crate::domain::locale::Locale;
use crate::infra::{App, InfraError};
use crate::storage::outbox::{self, OutboxRow};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done, or nothing more can ever be done: remove the message.
    Ack,
    /// Try again later.
    Retry { delay_seconds: u32 },
    /// The message can never be delivered: park it in the dead-letter queue.
    DeadLetter { reason: String },
}

/// What to do with a message, given its outbox row.
#[derive(Debug, PartialEq, Eq)]
pub enum Plan {
    Send { template: Template, locale: Locale },
    AlreadyDone,
    Undeliverable(String),
}

pub fn plan(row: Option<&OutboxRow>, message: &EmailMessage) -> Plan {
    let Some(row) = row else {
        return Plan::Undeliverable(format!("no outbox row {}", message.outbox_id));
    };
    if row.status != OutboxStatus::Queued {
        return Plan::AlreadyDone;
    }
    let Some(template) = Template::from_name(&row.template) else {
        return Plan::Undeliverable(format!("unknown template {}", row.template));
    };
    if template.needs_code() && message.code.is_none() {
        return Plan::Undeliverable(format!(
            "template {} needs a code the message lacks",
            row.template
        ));
    }
    Plan::Send {
        template,
        locale: Locale::parse(&row.locale).unwrap_or_default(),
    }
}

/// Exponential backoff from 10 s, doubling per failed attempt, capped at one hour, with up to
/// 20 % jitter (`jitter` in 0..=255) so that retries of many messages spread out.
pub fn retry_delay(failed_attempts: i64, jitter: u8) -> u32 {
    let base = 10u32
        .saturating_mul(1 << failed_attempts.clamp(0, 12))
        .min(3_600);
    base + base / 5 * u32::from(jitter) / 255
}

/// Performs one delivery attempt of one message.
pub async fn deliver(app: &App, message: &EmailMessage) -> Result<Outcome, InfraError> {
    let row = outbox::find(&app.db, &message.outbox_id).await?;
    let (template, locale) = match plan(row.as_ref(), message) {
        Plan::AlreadyDone => return Ok(Outcome::Ack),
        Plan::Undeliverable(reason) => return Ok(Outcome::DeadLetter { reason }),
        Plan::Send { template, locale } => (template, locale),
    };
    let row = row.expect("a send plan has a row");
    let params = serde_json::from_str(&row.params).unwrap_or_default();
    let rendered: Rendered = template.render(locale, &params, message.code.as_deref());
    match providers::send(app, &row, &rendered).await {
        Ok(()) => {
            outbox::mark_sent(&app.db, &row.id, app.now).await?;
            Ok(Outcome::Ack)
        }
        Err(SendError::Permanent(reason)) => {
            outbox::record_failure(&app.db, &row.id, &reason, true).await?;
            Ok(Outcome::DeadLetter { reason })
        }
        Err(SendError::Transient(reason)) => {
            worker::console_warn!("email {} not sent yet: {}", row.id, reason);
            outbox::record_failure(&app.db, &row.id, &reason, false).await?;
            let mut jitter = [0u8; 1];
            crate::domain::Entropy::fill(&mut crate::infra::OsEntropy, &mut jitter);
            Ok(Outcome::Retry {
                delay_seconds: retry_delay(row.attempts, jitter[0]),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: OutboxStatus, template: &str) -> OutboxRow {
        OutboxRow {
            id: "o1".into(),
            to_email: "a@b.ca".into(),
            template: template.into(),
            locale: "en".into(),
            params: "{}".into(),
            status,
            attempts: 0,
        }
    }

    fn message(code: Option<&str>) -> EmailMessage {
        EmailMessage {
            outbox_id: "o1".into(),
            code: code.map(str::to_owned),
        }
    }

    #[test]
    fn a_queued_email_is_sent_in_its_language() {
        assert_eq!(
            plan(
                Some(&row(OutboxStatus::Queued, "signup_code")),
                &message(Some("123456"))
            ),
            Plan::Send {
                template: Template::SignupCode,
                locale: Locale::En
            }
        );
    }

    #[test]
    fn a_redelivered_message_of_a_sent_email_is_not_sent_again() {
        assert_eq!(
            plan(
                Some(&row(OutboxStatus::Sent, "signup_code")),
                &message(Some("123456"))
            ),
            Plan::AlreadyDone
        );
        assert_eq!(
            plan(
                Some(&row(OutboxStatus::Failed, "signup_code")),
                &message(Some("123456"))
            ),
            Plan::AlreadyDone
        );
    }

    #[test]
    fn messages_that_can_never_be_delivered_are_dead_lettered() {
        assert!(matches!(plan(None, &message(None)), Plan::Undeliverable(_)));
        assert!(matches!(
            plan(Some(&row(OutboxStatus::Queued, "nope")), &message(None)),
            Plan::Undeliverable(_)
        ));
        assert!(matches!(
            plan(
                Some(&row(OutboxStatus::Queued, "signup_code")),
                &message(None)
            ),
            Plan::Undeliverable(_)
        ));
    }

    #[test]
    fn retries_back_off_exponentially_with_bounded_jitter() {
        assert_eq!(retry_delay(0, 0), 10);
        assert_eq!(retry_delay(1, 0), 20);
        assert_eq!(retry_delay(3, 0), 80);
        assert_eq!(retry_delay(40, 0), 3_600);
        assert_eq!(retry_delay(0, 255), 12);
        assert_eq!(retry_delay(40, 255), 4_320);
    }
}
