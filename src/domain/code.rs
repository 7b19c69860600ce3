//! One-time codes emailed to prove an address or reset a password.
//!
//! Six digits from a CSPRNG, valid ten minutes, single use, stored as a keyed hash. Five wrong
//! tries kill a code (each try takes its slot before the comparison, so
//! concurrent tries cannot exceed five); a per-email failure budget (see [`super::throttle::CODE_FAILURES_PER_EMAIL`])
//! survives resends; a new code can be asked for once a minute.

use super::fields::Problem;
use super::{Entropy, Millis, MINUTE, SECOND};

pub const CODE_LIFETIME: Millis = 10 * MINUTE;
pub const MAX_WRONG_ATTEMPTS: i64 = 5;
pub const RESEND_COOLDOWN: Millis = 60 * SECOND;

/// Six decimal digits.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

redacted_debug!(OneTimeCode);

impl OneTimeCode {
    /// A uniformly random code: 32-bit draws above the largest multiple of 10^6 are rejected so
    /// that no code is likelier than another.
    pub fn generate(entropy: &mut dyn Entropy) -> OneTimeCode {
        const RANGE: u32 = 1_000_000;
        let limit = u32::MAX - (u32::MAX % RANGE);
        loop {
            let mut bytes = [0u8; 4];
            entropy.fill(&mut bytes);
            let draw = u32::from_le_bytes(bytes);
            if draw < limit {
                return OneTimeCode(format!("{:06}", draw % RANGE));
            }
        }
    }

    /// A code as typed: spaces and hyphens are forgiven, anything but six digits is not.
    pub fn parse(raw: &str) -> Result<OneTimeCode, Problem> {
        super::fields::digits(raw, 6..=6, Problem::InvalidCode).map(OneTimeCode)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The stored form: see [`super::keyed_hash`].
    pub fn keyed_hash(&self, key: &[u8], verification_id: &str) -> String {
        super::keyed_hash(key, verification_id, &self.0)
    }

    /// Constant-time comparison with a stored hash.
    pub fn matches(&self, keys: &[Vec<u8>], verification_id: &str, stored_hash: &str) -> bool {
        super::keyed_hash_matches(keys, verification_id, &self.0, stored_hash)
    }
}

/// What is known of a stored code when someone types one.
#[derive(Debug, Clone, Copy)]
pub struct CodeState {
    pub expires_at: Millis,
    pub wrong_attempts: i64,
    pub consumed: bool,
}

/// Why a code can no longer be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRejection {
    AlreadyUsed,
    Expired,
    Exhausted,
}

impl CodeState {
    pub fn check_usable(&self, now: Millis) -> Result<(), CodeRejection> {
        if self.consumed {
            Err(CodeRejection::AlreadyUsed)
        } else if self.wrong_attempts >= MAX_WRONG_ATTEMPTS {
            Err(CodeRejection::Exhausted)
        } else if now >= self.expires_at {
            Err(CodeRejection::Expired)
        } else {
            Ok(())
        }
    }

    /// Tries left, the current one counted (each try is counted before the code is compared).
    pub fn attempts_left(&self) -> i64 {
        (MAX_WRONG_ATTEMPTS - self.wrong_attempts).max(0)
    }
}

/// `Err(wait)` while the resend cooldown runs, with the milliseconds left.
pub fn check_resend(last_sent_at: Millis, now: Millis) -> Result<(), Millis> {
    let allowed_at = last_sent_at + RESEND_COOLDOWN;
    if now < allowed_at {
        Err(allowed_at - now)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::{refuses, FixedEntropy};

    #[test]
    fn generated_codes_have_six_digits_with_leading_zeros() {
        let code = OneTimeCode::generate(&mut FixedEntropy::new(&[7, 0, 0, 0]));
        assert_eq!(code.expose(), "000007");
    }

    #[test]
    fn draws_that_would_bias_the_distribution_are_rejected() {
        // 0xFFFFFFFF is above the last multiple of 10^6, so the next draw (1) is used.
        let code = OneTimeCode::generate(&mut FixedEntropy::new(&[
            0xFF, 0xFF, 0xFF, 0xFF, 1, 0, 0, 0,
        ]));
        assert_eq!(code.expose(), "000001");
    }

    #[test]
    fn typed_codes_forgive_spaces_but_nothing_else() {
        assert_eq!(OneTimeCode::parse(" 123 456 ").unwrap().expose(), "123456");
        assert_eq!(OneTimeCode::parse("123-456").unwrap().expose(), "123456");
        assert_eq!(OneTimeCode::parse(""), Err(Problem::Required));
        let invalid = [
            ("12345", "five digits"),
            ("1234567", "seven digits"),
            ("12345a", "a letter"),
            ("١٢٣٤٥٦", "Arabic-Indic digits"),
        ];
        refuses(OneTimeCode::parse, Problem::InvalidCode, &invalid);
    }

    #[test]
    fn a_code_hashed_under_any_accepted_key_matches() {
        let code = OneTimeCode::parse("123456").unwrap();
        let stored = code.keyed_hash(b"previous", "verification-1");
        let accepted = [b"current".to_vec(), b"previous".to_vec()];
        assert!(code.matches(&accepted, "verification-1", &stored));
        assert!(!code.matches(&accepted[..1], "verification-1", &stored));
    }

    #[test]
    fn the_keyed_hash_matches_only_the_same_code_id_and_key() {
        let code = OneTimeCode::parse("123456").unwrap();
        let stored = code.keyed_hash(b"key", "verification-1");
        assert!(code.matches(&[b"key".to_vec()], "verification-1", &stored));
        assert!(!code.matches(&[b"other key".to_vec()], "verification-1", &stored));
        assert!(!code.matches(&[b"key".to_vec()], "verification-2", &stored));
        assert!(!OneTimeCode::parse("123457").unwrap().matches(
            &[b"key".to_vec()],
            "verification-1",
            &stored
        ));
        assert!(!stored.contains("123456"));
    }

    #[test]
    fn a_code_is_usable_until_it_expires_is_used_or_is_exhausted() {
        let fresh = CodeState {
            expires_at: 10 * MINUTE,
            wrong_attempts: 0,
            consumed: false,
        };
        assert_eq!(fresh.check_usable(10 * MINUTE - 1), Ok(()));
        assert_eq!(fresh.check_usable(10 * MINUTE), Err(CodeRejection::Expired));
        let used = CodeState {
            consumed: true,
            ..fresh
        };
        assert_eq!(used.check_usable(0), Err(CodeRejection::AlreadyUsed));
        let four_wrong = CodeState {
            wrong_attempts: 4,
            ..fresh
        };
        assert_eq!(four_wrong.check_usable(0), Ok(()));
        assert_eq!(four_wrong.attempts_left(), 1);
        let five_wrong = CodeState {
            wrong_attempts: 5,
            ..fresh
        };
        assert_eq!(five_wrong.check_usable(0), Err(CodeRejection::Exhausted));
    }

    #[test]
    fn a_new_code_can_be_sent_once_a_minute() {
        assert_eq!(check_resend(0, 59 * SECOND), Err(SECOND));
        assert_eq!(check_resend(0, 60 * SECOND), Ok(()));
    }
}
