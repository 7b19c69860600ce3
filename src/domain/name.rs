//! A person's first or last name as typed: trimmed, NFC-normalised, visible characters only.

use super::fields::{has_hidden_characters, Problem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<PersonName, Problem> {
        let name = super::unicode::nfc(raw.trim());
        if name.is_empty() {
            return Err(Problem::Required);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Problem::TooLong);
        }
        if has_hidden_characters(&name) || !name.chars().any(char::is_alphabetic) {
            return Err(Problem::InvalidName);
        }
        Ok(PersonName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_composed() {
        let decomposed = "Ho\u{0302}te\u{0301}"; // "Hôté" with combining accents
        assert_eq!(PersonName::parse("  Hôté ").unwrap().as_str(), "Hôté");
        assert_eq!(PersonName::parse(decomposed).unwrap().as_str(), "Hôté");
    }

    #[test]
    fn odd_names_are_rejected_with_a_reason() {
        let cases = [
            ("", Problem::Required),
            ("   ", Problem::Required),
            ("Jean\u{202E}", Problem::InvalidName),
            ("Jean\nGuy", Problem::InvalidName),
            ("1234", Problem::InvalidName),
        ];
        for (raw, expected) in cases {
            assert_eq!(PersonName::parse(raw), Err(expected), "{raw:?}");
        }
        assert_eq!(PersonName::parse(&"é".repeat(101)), Err(Problem::TooLong));
    }

    #[test]
    fn real_names_are_accepted() {
        for raw in ["Marie-Ève", "O'Connor", "Nguyễn", "Lê Văn"] {
            assert!(PersonName::parse(raw).is_ok(), "{raw}");
        }
    }
}
