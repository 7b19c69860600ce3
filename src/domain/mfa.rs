//! The second factor: TOTP (RFC 6238 with SHA-1, six digits, 30-second steps, one step of drift
//! either way), single-use recovery codes, the sign-in challenge between the password and the
//! factor, and who must have a factor.
//!
//! A TOTP secret is kept sealed with AES-256-GCM under a key derived from the server secret and
//! bound to its user, so a copy of the table alone yields no codes.

use super::code::OneTimeCode;
use super::fields::Problem;
use super::hmac_sha1;
use super::organisation::{OrganisationKind, Role};
use super::{Entropy, Millis, MINUTE, SECOND};
use subtle::ConstantTimeEq;

const STEP: Millis = 30 * SECOND;
/// Accepted drift between the server's clock and the authenticator's, in steps.
const DRIFT_STEPS: i64 = 1;
pub const ISSUER: &str = "SEL";

/// How long the sign-in challenge between the password and the second factor lives.
pub const CHALLENGE_LIFETIME: Millis = 5 * MINUTE;
/// Codes tried against one challenge; each try is reserved before it is compared.
pub const MAX_CHALLENGE_ATTEMPTS: i64 = 5;
pub const RECOVERY_CODE_COUNT: usize = 10;

/// RFC 4648 base 32, the alphabet authenticator apps expect.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/// Crockford base 32 for recovery codes: no I, L, O or U, so nothing reads as another character.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RECOVERY_CHARS: usize = 10;

sealed_secret!(
    /// A TOTP key: 160 bits, the size RFC 4226 recommends for HMAC-SHA-1.
    TotpSecret,
    TotpSealing,
    20
);

impl TotpSecret {
    /// The secret as an authenticator app takes it: base 32 without padding.
    pub fn base32(&self) -> String {
        let mut out = String::with_capacity(self.0.len().div_ceil(5) * 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &byte in &self.0 {
            buffer = (buffer << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    /// `otpauth://totp/SEL:<account>?secret=…`, the URI a QR code carries.
    pub fn otpauth_uri(&self, account: &str) -> String {
        let label: String =
            url::form_urlencoded::byte_serialize(format!("{ISSUER}:{account}").as_bytes())
                .collect();
        format!(
            "otpauth://totp/{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30",
            self.base32()
        )
    }

    /// The six-digit code of a time step (RFC 4226 dynamic truncation).
    async fn code_at(&self, step: i64) -> Option<u32> {
        let digest = hmac_sha1::sign(&self.0, &step.to_be_bytes()).await?;
        let offset = (digest[19] & 0x0f) as usize;
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        Some(binary % 1_000_000)
    }

    /// The time step a typed code belongs to, if it is the code of the current step or of one
    /// step either side, and later than the last step already used (a code serves once). Every
    /// candidate is compared, in constant time.
    pub async fn matching_step(
        &self,
        code: &OneTimeCode,
        now: Millis,
        last_used_step: i64,
    ) -> Option<i64> {
        let current = now.div_euclid(STEP);
        let mut found = None;
        for step in current - DRIFT_STEPS..=current + DRIFT_STEPS {
            let expected = format!("{:06}", self.code_at(step).await?);
            let equal: bool = expected.as_bytes().ct_eq(code.expose().as_bytes()).into();
            if equal && step > last_used_step && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

/// Seals and opens TOTP secrets at rest.
pub type SealingKey = crate::domain::sealing::SealingKey<TotpSecret>;

/// A single-use recovery code: ten characters of Crockford base 32 (50 bits), shown as
/// `XXXXX-XXXXX`, stored as a keyed hash.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

redacted_debug!(RecoveryCode);

impl RecoveryCode {
    pub fn generate(entropy: &mut dyn Entropy) -> RecoveryCode {
        let mut bytes = [0u8; RECOVERY_CHARS];
        entropy.fill(&mut bytes);
        // 256 is a multiple of 32: masking keeps every symbol equally likely.
        RecoveryCode(
            bytes
                .iter()
                .map(|b| RECOVERY_ALPHABET[(b & 31) as usize] as char)
                .collect(),
        )
    }

    /// A code as typed: case, spaces and hyphens are forgiven, and so are Crockford's look-alikes.
    pub fn parse(raw: &str) -> Result<RecoveryCode, Problem> {
        if raw.len() > 64 {
            return Err(Problem::InvalidCode);
        }
        let canonical: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect();
        if canonical.is_empty() {
            return Err(Problem::Required);
        }
        if canonical.len() != RECOVERY_CHARS
            || !canonical.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
        {
            return Err(Problem::InvalidCode);
        }
        Ok(RecoveryCode(canonical))
    }

    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// The stored form, bound to the code's row: see [`super::keyed_hash`].
    pub fn keyed_hash(&self, key: &[u8], id: &str) -> String {
        super::keyed_hash(key, id, &self.0)
    }

    /// Constant-time comparison with a stored hash.
    pub fn matches(&self, keys: &[Vec<u8>], id: &str, stored_hash: &str) -> bool {
        super::keyed_hash_matches(keys, id, &self.0, stored_hash)
    }
}

/// Whether acting as this profile needs a second factor: any profile of an accounting firm, the
/// responsibles and authorization administrators of every organisation, and every contact of an
/// organisation whose responsable requires it of all.
pub fn profile_requires_factor(
    organisation_kind: OrganisationKind,
    role: Role,
    manages_authorizations: bool,
    required_of_all_contacts: bool,
) -> bool {
    organisation_kind == OrganisationKind::AccountingFirm
        || role == Role::Responsable
        || manages_authorizations
        || required_of_all_contacts
}

/// How recently a session must have proved its factor for a sensitive action (step-up).
pub const STEP_UP_WINDOW: Millis = 10 * MINUTE;

/// Whether a sensitive action may go ahead: an account without a factor is not asked; one with a
/// factor must have proved it in this session within [`STEP_UP_WINDOW`].
pub fn sensitive_action_allowed(
    has_factor: bool,
    factor_verified_at: Option<Millis>,
    now: Millis,
) -> bool {
    !has_factor || factor_verified_at.is_some_and(|at| now - at <= STEP_UP_WINDOW)
}

/// Why a sign-in challenge can no longer take a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeRejection {
    Expired,
    Exhausted,
    Used,
}

/// What is known of a challenge whose try could not be reserved.
pub fn challenge_rejection(
    expires_at: Millis,
    attempts: i64,
    consumed: bool,
    now: Millis,
) -> ChallengeRejection {
    if consumed {
        ChallengeRejection::Used
    } else if now >= expires_at {
        ChallengeRejection::Expired
    } else {
        debug_assert!(attempts >= MAX_CHALLENGE_ATTEMPTS);
        ChallengeRejection::Exhausted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    fn code_at(secret: &TotpSecret, step: i64) -> u32 {
        secret.code_at(step).now_or_never().unwrap().unwrap()
    }

    fn matching_step(
        secret: &TotpSecret,
        code: &OneTimeCode,
        now: Millis,
        last_used_step: i64,
    ) -> Option<i64> {
        secret
            .matching_step(code, now, last_used_step)
            .now_or_never()
            .unwrap()
    }
    use crate::domain::testing::FixedEntropy;

    /// The SHA-1 seed of RFC 6238's test vectors.
    fn rfc_secret() -> TotpSecret {
        TotpSecret(b"12345678901234567890".to_vec())
    }

    fn code(text: &str) -> OneTimeCode {
        OneTimeCode::parse(text).unwrap()
    }

    #[test]
    fn codes_match_the_test_vectors_of_rfc_6238_cut_to_six_digits() {
        let secret = rfc_secret();
        for (seconds, expected) in [
            (59_i64, 287082_u32),
            (1111111109, 81804),
            (1111111111, 50471),
            (1234567890, 5924),
            (2000000000, 279037),
            (20000000000, 353130),
        ] {
            assert_eq!(code_at(&secret, seconds / 30), expected, "at {seconds} s");
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_early_or_late_and_not_two() {
        let secret = rfc_secret();
        let now = 1111111111 * SECOND;
        let step = now / STEP;
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let typed = code(&format!("{:06}", code_at(&secret, step + offset)));
            assert_eq!(
                matching_step(&secret, &typed, now, -1),
                accepted.then_some(step + offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn a_code_of_a_step_already_used_is_refused() {
        let secret = rfc_secret();
        let now = 1234567890 * SECOND;
        let step = now / STEP;
        let typed = code(&format!("{:06}", code_at(&secret, step)));
        assert_eq!(matching_step(&secret, &typed, now, step - 1), Some(step));
        assert_eq!(matching_step(&secret, &typed, now, step), None);
        let earlier = code(&format!("{:06}", code_at(&secret, step - 1)));
        assert_eq!(
            matching_step(&secret, &earlier, now, step),
            None,
            "an older code after a newer one"
        );
    }

    #[test]
    fn the_secret_is_base32_for_authenticator_apps() {
        assert_eq!(rfc_secret().base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = rfc_secret().otpauth_uri("marie@exemple.ca");
        assert_eq!(
            uri,
            "otpauth://totp/SEL%3Amarie%40exemple.ca?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=SEL&algorithm=SHA1&digits=6&period=30"
        );
        assert!(
            !format!("{:?}", rfc_secret()).contains("GEZ"),
            "never in logs"
        );
    }

    #[test]
    fn recovery_codes_are_typed_loosely_and_compared_by_keyed_hash() {
        let generated = RecoveryCode::generate(&mut FixedEntropy::new(&[1, 2, 3, 200]));
        let shown = generated.display();
        assert_eq!(shown.len(), 11);
        assert_eq!(&shown[5..6], "-");
        let typed = RecoveryCode::parse(&format!(" {} ", shown.to_lowercase())).unwrap();
        assert_eq!(typed, generated);
        let hash = generated.keyed_hash(b"key", "row-1");
        assert!(typed.matches(&[b"key".to_vec()], "row-1", &hash));
        assert!(!typed.matches(&[b"key".to_vec()], "row-2", &hash));
        assert_eq!(RecoveryCode::parse(""), Err(Problem::Required));
        assert_eq!(RecoveryCode::parse("ABCDE"), Err(Problem::InvalidCode));
        assert_eq!(
            RecoveryCode::parse("ABCDE-FGHUU"),
            Err(Problem::InvalidCode)
        );
    }

    #[test]
    fn firm_profiles_responsibles_and_administrators_need_a_factor() {
        assert!(profile_requires_factor(
            OrganisationKind::AccountingFirm,
            Role::Membre,
            false,
            false
        ));
        assert!(profile_requires_factor(
            OrganisationKind::Employer,
            Role::Responsable,
            false,
            false
        ));
        assert!(profile_requires_factor(
            OrganisationKind::Employer,
            Role::Membre,
            true,
            false
        ));
        assert!(!profile_requires_factor(
            OrganisationKind::Employer,
            Role::Membre,
            false,
            false
        ));
        assert!(!profile_requires_factor(
            OrganisationKind::Association,
            Role::Membre,
            false,
            false
        ));
    }

    #[test]
    fn an_organisation_may_require_a_factor_of_every_contact() {
        assert!(profile_requires_factor(
            OrganisationKind::Employer,
            Role::Membre,
            false,
            true
        ));
        assert!(profile_requires_factor(
            OrganisationKind::Association,
            Role::Membre,
            false,
            true
        ));
    }

    #[test]
    fn a_sensitive_action_needs_a_factor_proven_in_the_last_ten_minutes() {
        let now = 100 * MINUTE;
        assert!(
            sensitive_action_allowed(false, None, now),
            "no factor, no step-up"
        );
        assert!(
            !sensitive_action_allowed(true, None, now),
            "never proven in this session"
        );
        assert!(sensitive_action_allowed(true, Some(now - 10 * MINUTE), now));
        assert!(!sensitive_action_allowed(
            true,
            Some(now - 10 * MINUTE - 1),
            now
        ));
    }

    #[test]
    fn a_challenge_says_why_it_takes_no_more_codes() {
        assert_eq!(
            challenge_rejection(10, 0, true, 5),
            ChallengeRejection::Used
        );
        assert_eq!(
            challenge_rejection(10, 1, false, 10),
            ChallengeRejection::Expired
        );
        assert_eq!(
            challenge_rejection(10, 5, false, 5),
            ChallengeRejection::Exhausted
        );
    }
}
