//! Personal link credentials: an identifier (`SEL-7KQ2-M9XD`) and a link code of 50 bits
//! (`4F7HK-QW2ZP`) from Crockford's unambiguous base-32 alphabet. They expire after 30 days, serve
//! once, and five wrong codes lock the identifier until the responsible reissues.

use super::fields::Problem;
use super::{Entropy, Millis, HOUR};

/// Crockford base 32: no I, L, O or U, so nothing reads as another character.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LINK_LIFETIME: Millis = 30 * 24 * HOUR;
pub const MAX_WRONG_CODES: i64 = 5;
const CODE_CHARS: usize = 10;
const IDENTIFIER_CHARS: usize = 8;

fn random_chars(entropy: &mut dyn Entropy, count: usize) -> String {
    let mut bytes = vec![0u8; count];
    entropy.fill(&mut bytes);
    // 256 is a multiple of 32: masking keeps every symbol equally likely.
    bytes
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect()
}

/// Typed text in canonical form: upper case, separators dropped, Crockford's look-alikes mapped.
fn canonical(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

fn in_alphabet(text: &str) -> bool {
    text.bytes().all(|b| ALPHABET.contains(&b))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkIdentifier(String);

impl LinkIdentifier {
    pub fn generate(entropy: &mut dyn Entropy) -> LinkIdentifier {
        let chars = random_chars(entropy, IDENTIFIER_CHARS);
        LinkIdentifier(format!("SEL-{}-{}", &chars[..4], &chars[4..]))
    }

    pub fn parse(raw: &str) -> Result<LinkIdentifier, Problem> {
        let text = canonical(raw);
        if text.is_empty() {
            return Err(Problem::Required);
        }
        let body = text
            .strip_prefix("SE1")
            .or_else(|| text.strip_prefix("SEL"))
            .unwrap_or(&text);
        if body.len() != IDENTIFIER_CHARS || !in_alphabet(body) {
            return Err(Problem::InvalidLinkIdentifier);
        }
        Ok(LinkIdentifier(format!("SEL-{}-{}", &body[..4], &body[4..])))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct LinkCode(String);

redacted_debug!(LinkCode);

impl LinkCode {
    pub fn generate(entropy: &mut dyn Entropy) -> LinkCode {
        LinkCode(random_chars(entropy, CODE_CHARS))
    }

    pub fn parse(raw: &str) -> Result<LinkCode, Problem> {
        let text = canonical(raw);
        if text.is_empty() {
            return Err(Problem::Required);
        }
        if text.len() != CODE_CHARS || !in_alphabet(&text) {
            return Err(Problem::InvalidLinkCode);
        }
        Ok(LinkCode(text))
    }

    /// As printed for people: `4F7HK-QW2ZP`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    pub fn keyed_hash(&self, key: &[u8], identifier: &LinkIdentifier) -> String {
        super::keyed_hash(key, identifier.as_str(), &self.0)
    }

    pub fn matches(&self, keys: &[Vec<u8>], identifier: &LinkIdentifier, stored: &str) -> bool {
        super::keyed_hash_matches(keys, identifier.as_str(), &self.0, stored)
    }
}

/// What is known of stored credentials when someone types a code.
#[derive(Debug, Clone, Copy)]
pub struct CredentialState {
    pub expires_at: Millis,
    pub wrong_attempts: i64,
    pub used: bool,
    pub locked: bool,
    pub superseded: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRejection {
    /// Reissued since: the old credentials no longer exist as far as anyone is concerned.
    Superseded,
    Used,
    Locked,
    Expired,
}

impl CredentialState {
    pub fn check_usable(&self, now: Millis) -> Result<(), LinkRejection> {
        if self.superseded {
            Err(LinkRejection::Superseded)
        } else if self.used {
            Err(LinkRejection::Used)
        } else if self.locked || self.wrong_attempts >= MAX_WRONG_CODES {
            Err(LinkRejection::Locked)
        } else if now >= self.expires_at {
            Err(LinkRejection::Expired)
        } else {
            Ok(())
        }
    }

    /// The state shown to the responsible in the contact inventory.
    pub fn label(&self, now: Millis) -> &'static str {
        match self.check_usable(now) {
            Ok(()) => "sent",
            Err(LinkRejection::Used) => "used",
            Err(LinkRejection::Locked) => "locked",
            Err(LinkRejection::Expired | LinkRejection::Superseded) => "expired",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::FixedEntropy;

    #[test]
    fn link_codes_carry_50_bits_from_the_unambiguous_alphabet() {
        let code = LinkCode::generate(&mut FixedEntropy::new(&[
            0, 1, 2, 31, 32, 255, 18, 21, 8, 9,
        ]));
        assert_eq!(code.display(), "012Z0-ZJN89");
        assert_eq!(CODE_CHARS * 5, 50);
        assert!(!code.display().contains(['I', 'L', 'O', 'U']));
    }

    #[test]
    fn typed_codes_forgive_case_hyphens_and_look_alikes() {
        let code = LinkCode::parse("4f7hk-qw2zp").unwrap();
        assert_eq!(code.display(), "4F7HK-QW2ZP");
        assert_eq!(
            LinkCode::parse("O1LIK QW2ZP").unwrap().display(),
            "0111K-QW2ZP"
        );
        assert_eq!(LinkCode::parse(""), Err(Problem::Required));
        assert_eq!(LinkCode::parse("4F7HK"), Err(Problem::InvalidLinkCode));
        assert_eq!(
            LinkCode::parse("4F7HK-QW2ZU"),
            Err(Problem::InvalidLinkCode),
            "U is not in the alphabet"
        );
    }

    #[test]
    fn identifiers_are_normalised() {
        let identifier =
            LinkIdentifier::generate(&mut FixedEntropy::new(&[3, 4, 5, 6, 7, 8, 9, 10]));
        assert_eq!(identifier.as_str(), "SEL-3456-789A");
        assert_eq!(
            LinkIdentifier::parse("sel-3456-789a"),
            Ok(identifier.clone())
        );
        assert_eq!(LinkIdentifier::parse("3456789A"), Ok(identifier));
        assert_eq!(
            LinkIdentifier::parse("SEL-3456"),
            Err(Problem::InvalidLinkIdentifier)
        );
    }

    #[test]
    fn codes_match_only_their_identifier_and_key() {
        let identifier = LinkIdentifier::parse("SEL-3456-789A").unwrap();
        let other = LinkIdentifier::parse("SEL-3456-789B").unwrap();
        let code = LinkCode::parse("4F7HK-QW2ZP").unwrap();
        let stored = code.keyed_hash(b"key", &identifier);
        assert!(code.matches(&[b"key".to_vec()], &identifier, &stored));
        assert!(!code.matches(&[b"key".to_vec()], &other, &stored));
        assert!(!code.matches(&[b"other".to_vec()], &identifier, &stored));
    }

    #[test]
    fn credentials_serve_once_expire_and_lock_after_five_wrong_codes() {
        let fresh = CredentialState {
            expires_at: LINK_LIFETIME,
            wrong_attempts: 0,
            used: false,
            locked: false,
            superseded: false,
        };
        assert_eq!(fresh.check_usable(0), Ok(()));
        assert_eq!(
            fresh.check_usable(LINK_LIFETIME),
            Err(LinkRejection::Expired)
        );
        assert_eq!(
            CredentialState {
                used: true,
                ..fresh
            }
            .check_usable(0),
            Err(LinkRejection::Used)
        );
        assert_eq!(
            CredentialState {
                wrong_attempts: 5,
                ..fresh
            }
            .check_usable(0),
            Err(LinkRejection::Locked)
        );
        assert_eq!(
            CredentialState {
                superseded: true,
                ..fresh
            }
            .check_usable(0),
            Err(LinkRejection::Superseded)
        );
        assert_eq!(fresh.label(0), "sent");
        assert_eq!(
            CredentialState {
                wrong_attempts: 5,
                ..fresh
            }
            .label(0),
            "locked"
        );
    }
}
