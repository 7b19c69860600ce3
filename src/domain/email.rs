//! An email address the portal can send to: trimmed, lower-cased, plausibly deliverable.

use super::fields::{has_hidden_characters, Problem};

text_enum! {
    /// Where an email of the outbox is: queued (to send, retries included), sent, or failed
    /// (given up).
    pub enum OutboxStatus {
        Queued = "queued",
        Sent = "sent",
        Failed = "failed",
    }
}

/// A syntactically valid, normalised email address. The only way to get one is [`Email::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LENGTH: usize = 254;

    pub fn parse(raw: &str) -> Result<Email, Problem> {
        let candidate = super::unicode::lowercase(raw.trim());
        if candidate.is_empty() {
            return Err(Problem::Required);
        }
        if candidate.len() > Self::MAX_LENGTH {
            return Err(Problem::TooLong);
        }
        if has_hidden_characters(&candidate) || !candidate.is_ascii() {
            return Err(Problem::InvalidEmail);
        }
        let (local, domain) = candidate.split_once('@').ok_or(Problem::InvalidEmail)?;
        if !is_valid_local_part(local) || !is_valid_domain(domain) {
            return Err(Problem::InvalidEmail);
        }
        Ok(Email(candidate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, which a password must not contain.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map(|(local, _)| local).unwrap_or("")
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~.";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        let email = Email::parse("  Marie.Tremblay@Exemple.QC.ca ").unwrap();
        assert_eq!(email.as_str(), "marie.tremblay@exemple.qc.ca");
        assert_eq!(email.local_part(), "marie.tremblay");
    }

    #[test]
    fn malformed_addresses_are_rejected_with_a_reason() {
        let cases = [
            ("", Problem::Required, "empty"),
            ("   ", Problem::Required, "blank"),
            ("marie", Problem::InvalidEmail, "no @"),
            ("marie@", Problem::InvalidEmail, "no domain"),
            ("@exemple.ca", Problem::InvalidEmail, "no local part"),
            (
                "marie@exemple",
                Problem::InvalidEmail,
                "single-label domain",
            ),
            ("ma rie@exemple.ca", Problem::InvalidEmail, "space"),
            ("marie@@exemple.ca", Problem::InvalidEmail, "two @"),
            ("marie..t@exemple.ca", Problem::InvalidEmail, "double dot"),
            (
                "marie@-exemple.ca",
                Problem::InvalidEmail,
                "label starts with a hyphen",
            ),
            (
                "marié@exemple.ca",
                Problem::InvalidEmail,
                "non-ASCII local part",
            ),
            (
                "marie@exemple.ca\u{202E}",
                Problem::InvalidEmail,
                "bidi override",
            ),
            ("marie\u{0000}@exemple.ca", Problem::InvalidEmail, "NUL"),
            (
                "marie@1.2",
                Problem::InvalidEmail,
                "numeric top-level domain",
            ),
        ];
        for (raw, expected, reason) in cases {
            assert_eq!(Email::parse(raw), Err(expected), "{reason}: {raw:?}");
        }
        let long = format!("{}@exemple.ca", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(Problem::TooLong));
    }

    #[test]
    fn usual_addresses_are_accepted() {
        for raw in [
            "a@b.ca",
            "jean-guy+sel@cabinet-comptable.quebec",
            "o'neil@exemple.com",
        ] {
            assert!(Email::parse(raw).is_ok(), "{raw}");
        }
    }
}
