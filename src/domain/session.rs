//! Browser sessions: a 256-bit random token in an HttpOnly cookie, only its SHA-256 stored;
//! idle timeout 30 minutes, absolute timeout 12 hours.

use super::{Entropy, Millis, HOUR, MINUTE};
use sha2::{Digest, Sha256};

pub const IDLE_TIMEOUT: Millis = 30 * MINUTE;
pub const ABSOLUTE_TIMEOUT: Millis = 12 * HOUR;
/// A session's last activity is written at most this often, to keep reads cheap.
pub const TOUCH_INTERVAL: Millis = MINUTE;
pub const COOKIE_NAME: &str = "__Host-sel_session";

#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

redacted_debug!(SessionToken);

impl SessionToken {
    pub fn generate(entropy: &mut dyn Entropy) -> SessionToken {
        let mut bytes = [0u8; 32];
        entropy.fill(&mut bytes);
        SessionToken(super::to_hex(&bytes))
    }

    /// A token from a cookie; anything but 64 lower-case hex digits is no token at all.
    pub fn parse(raw: &str) -> Option<SessionToken> {
        let valid = raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        valid.then(|| SessionToken(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The stored form. The token has 256 bits of entropy, so an unkeyed hash suffices.
    pub fn hash(&self) -> String {
        super::to_hex(&Sha256::digest(self.0.as_bytes()))
    }
}

/// The identifier a session is shown and revoked by in "Mon compte": derived from the stored
/// hash, so the list needs no extra column and the id reveals nothing that opens the session.
pub fn public_id(token_hash: &str) -> String {
    let digest = Sha256::digest(format!("session-id:{token_hash}").as_bytes());
    super::to_hex(&digest[..16])
}

/// The times that decide whether a stored session still lets its holder in.
#[derive(Debug, Clone, Copy)]
pub struct SessionTimes {
    pub last_seen_at: Millis,
    pub expires_at: Millis,
    pub revoked: bool,
}

impl SessionTimes {
    pub fn absolute_expiry(created_at: Millis) -> Millis {
        created_at + ABSOLUTE_TIMEOUT
    }

    pub fn is_active(&self, now: Millis) -> bool {
        !self.revoked && now < self.expires_at && now - self.last_seen_at < IDLE_TIMEOUT
    }

    pub fn should_touch(&self, now: Millis) -> bool {
        now - self.last_seen_at >= TOUCH_INTERVAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::FixedEntropy;

    #[test]
    fn tokens_carry_256_bits_and_only_their_hash_is_stored() {
        let token = SessionToken::generate(&mut FixedEntropy::new(&[0xAB]));
        assert_eq!(token.expose().len(), 64);
        assert_eq!(token.hash().len(), 64);
        assert_ne!(token.hash(), token.expose());
        assert_eq!(SessionToken::parse(token.expose()), Some(token));
    }

    #[test]
    fn a_session_is_named_by_an_id_that_is_neither_its_token_nor_its_hash() {
        let token = SessionToken::generate(&mut FixedEntropy::new(&[0x11]));
        let id = public_id(&token.hash());
        assert_eq!(id.len(), 32);
        assert!(!token.hash().contains(&id) && !token.expose().contains(&id));
        assert_eq!(id, public_id(&token.hash()), "stable");
    }

    #[test]
    fn malformed_cookie_values_are_not_tokens() {
        for raw in ["", "abc", &"G".repeat(64), &"A".repeat(64), &"a".repeat(65)] {
            assert!(SessionToken::parse(raw).is_none(), "{raw}");
        }
    }

    #[test]
    fn a_session_ends_after_30_idle_minutes_12_hours_or_revocation() {
        let created = 0;
        let session = SessionTimes {
            last_seen_at: created,
            expires_at: SessionTimes::absolute_expiry(created),
            revoked: false,
        };
        assert!(session.is_active(IDLE_TIMEOUT - 1));
        assert!(!session.is_active(IDLE_TIMEOUT));
        let busy = SessionTimes {
            last_seen_at: 12 * HOUR - MINUTE,
            ..session
        };
        assert!(busy.is_active(12 * HOUR - 1));
        assert!(
            !busy.is_active(12 * HOUR),
            "activity never extends past the absolute timeout"
        );
        assert!(!SessionTimes {
            revoked: true,
            ..session
        }
        .is_active(1));
    }

    #[test]
    fn last_activity_is_written_at_most_once_a_minute() {
        let session = SessionTimes {
            last_seen_at: 0,
            expires_at: HOUR,
            revoked: false,
        };
        assert!(!session.should_touch(MINUTE - 1));
        assert!(session.should_touch(MINUTE));
    }
}
