//! The password policy: 12 to 128 characters, not a common password, not containing the email's
//! local part. Passwords are never logged: `Debug` is redacted.

use super::email::Email;
use super::fields::{FieldErrors, Problem};
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use subtle::ConstantTimeEq;

/// Lower-cased common passwords of 8 characters or more, one a line (the 30,000 most frequent
/// passwords of the MIT-licensed zxcvbn frequency lists, plus common French-Canadian choices).
/// Shorter ones already fail the length rule; longer variants are caught by stripping digits and
/// symbols from the ends. Only entries a check can meet are kept: 12 characters or more, or a core
/// that begins and ends with a letter. The list is the static asset
/// `public/data/common-passwords.txt`, read once per isolate, rather than compiled into the worker,
/// where it was a twentieth of the module every cold isolate downloads.
pub struct CommonPasswords(String);

impl CommonPasswords {
    pub fn new(list: String) -> CommonPasswords {
        CommonPasswords(list)
    }

    fn contains(&self, candidate: &str) -> bool {
        self.0.lines().any(|line| line == candidate)
    }
}

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// A password that satisfies the policy, ready to be hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

redacted_debug!(Password);

impl Password {
    /// Checks a new password and its confirmation against the policy. Problems are reported under
    /// `password_field` and `confirmation_field` so screens can show them next to the right input.
    pub fn parse_new(
        password: &str,
        confirmation: &str,
        email: Option<&Email>,
        common: &CommonPasswords,
        password_field: &'static str,
        confirmation_field: &'static str,
        errors: &mut FieldErrors,
    ) -> Option<Password> {
        let checked = Self::check(password, email, common);
        if checked.is_ok() && password != confirmation {
            errors.add(confirmation_field, Problem::PasswordMismatch);
            return None;
        }
        errors.take(password_field, checked)
    }

    fn check(
        password: &str,
        email: Option<&Email>,
        common: &CommonPasswords,
    ) -> Result<Password, Problem> {
        let length = password.chars().count();
        if length == 0 {
            return Err(Problem::Required);
        }
        if length < MIN_CHARS {
            return Err(Problem::PasswordTooShort);
        }
        if length > MAX_CHARS {
            return Err(Problem::PasswordTooLong);
        }
        let lowered = super::unicode::lowercase(password);
        if let Some(email) = email {
            let local = email.local_part();
            if local.chars().count() >= 3 && lowered.contains(local) {
                return Err(Problem::PasswordContainsEmail);
            }
        }
        if is_common(&lowered, common) {
            return Err(Problem::PasswordTooCommon);
        }
        Ok(Password(password.to_owned()))
    }

    /// A password as typed at login: only its size is bounded, so hashing cost stays bounded.
    pub fn parse_attempt(password: &str) -> Result<Password, Problem> {
        match password.chars().count() {
            0 => Err(Problem::Required),
            n if n > MAX_CHARS => Err(Problem::PasswordTooLong),
            _ => Ok(Password(password.to_owned())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// How a stored hash begins: Argon2id, version 0x13, then its parameters.
const PHC_ARGON2ID: &str = "$argon2id$v=19$";
/// Argon2's memory in KiB, passes and lanes: `(m, t, p)`.
type Parameters = (u32, u32, u32);
/// The OWASP parameters every new hash uses: m=19456 KiB, t=2, p=1.
const PARAMETERS: Parameters = (19_456, 2, 1);

/// Argon2id with parameters `(m, t, p)` and an output of `length` bytes.
fn hasher((m, t, p): Parameters, length: usize) -> Option<argon2::Argon2<'static>> {
    let params = argon2::Params::new(m, t, p, Some(length)).ok()?;
    Some(argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

/// The PHC string stored for a password (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`, both in
/// unpadded base64), with a fresh 128-bit salt and a 256-bit hash. Written and read here rather
/// than through the `password-hash` crate, whose parser and second base64 weighed 4 KB gzip.
pub fn hash(password: &Password, entropy: &mut dyn super::Entropy) -> String {
    let mut salt = [0u8; 16];
    entropy.fill(&mut salt);
    let mut output = [0u8; 32];
    hasher(PARAMETERS, output.len())
        .expect("valid Argon2 parameters")
        .hash_password_into(password.expose().as_bytes(), &salt, &mut output)
        .expect("Argon2 hashing succeeds");
    let (m, t, p) = PARAMETERS;
    format!(
        "{PHC_ARGON2ID}m={m},t={t},p={p}${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(output)
    )
}

/// Whether a password matches a stored PHC string: the hash recomputed with its salt and
/// parameters, compared in constant time.
pub fn verify(password: &Password, stored: &str) -> bool {
    let Some((parameters, salt, expected)) = parse_phc(stored) else {
        return false;
    };
    let mut output = vec![0u8; expected.len()];
    hasher(parameters, expected.len()).is_some_and(|argon2| {
        argon2
            .hash_password_into(password.expose().as_bytes(), &salt, &mut output)
            .is_ok()
            && bool::from(output.ct_eq(&expected))
    })
}

/// The parameters, salt and hash of an Argon2id PHC string.
fn parse_phc(stored: &str) -> Option<(Parameters, Vec<u8>, Vec<u8>)> {
    let mut parts = stored.strip_prefix(PHC_ARGON2ID)?.split('$');
    let (parameters, salt, hash) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let mut values = parameters.split(',');
    let mut value = |name: &str| -> Option<u32> { values.next()?.strip_prefix(name)?.parse().ok() };
    let parameters = (value("m=")?, value("t=")?, value("p=")?);
    if values.next().is_some() {
        return None;
    }
    let decode = |text: &str| STANDARD_NO_PAD.decode(text).ok();
    Some((parameters, decode(salt)?, decode(hash)?))
}

fn is_common(lowered: &str, common: &CommonPasswords) -> bool {
    // Counted without a set: collecting into one sorts, and a sort is compiled per element type.
    let mut distinct: Vec<char> = Vec::with_capacity(5);
    for c in lowered.chars() {
        if distinct.len() == 5 {
            break;
        }
        if !distinct.contains(&c) {
            distinct.push(c);
        }
    }
    if distinct.len() < 5 {
        return true;
    }
    let core = lowered.trim_matches(|c: char| !c.is_alphabetic());
    let listed = |candidate: &str| common.contains(candidate);
    listed(lowered) || (core.chars().count() >= 6 && listed(core))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMON_PASSWORDS: &str = include_str!("../../public/data/common-passwords.txt");

    fn check(password: &str, confirmation: &str, email: &str) -> Result<Password, FieldErrors> {
        let email = Email::parse(email).unwrap();
        let mut errors = FieldErrors::default();
        let parsed = Password::parse_new(
            password,
            confirmation,
            Some(&email),
            &CommonPasswords::new(COMMON_PASSWORDS.to_owned()),
            "password",
            "password_confirmation",
            &mut errors,
        );
        parsed.ok_or(errors)
    }

    fn problem(password: &str) -> Option<Problem> {
        check(password, password, "marie.tremblay@exemple.ca")
            .err()
            .and_then(|e| e.get("password"))
    }

    #[test]
    fn a_long_uncommon_password_is_accepted() {
        assert!(check(
            "Trois chats gris dorment",
            "Trois chats gris dorment",
            "marie@exemple.ca"
        )
        .is_ok());
    }

    #[test]
    fn length_is_counted_in_characters_from_12_to_128() {
        assert_eq!(problem(""), Some(Problem::Required));
        assert_eq!(
            problem("Xq7!vR2#pL9"),
            Some(Problem::PasswordTooShort),
            "11 characters"
        );
        assert_eq!(problem("Xq7!vR2#pL9z"), None, "12 characters");
        assert_eq!(
            problem("éèêëàâäôöûüç"),
            None,
            "12 accented characters are 12, not 24"
        );
        assert_eq!(problem(&"Xq7!vR2#".repeat(16)), None, "128 characters");
        assert_eq!(
            problem(&format!("{}a", "Xq7!vR2#".repeat(16))),
            Some(Problem::PasswordTooLong)
        );
    }

    #[test]
    fn common_passwords_and_their_decorated_forms_are_rejected() {
        for password in [
            "qwerty123456",
            "PASSWORD123456",
            "!!Password2024!!",
            "motdepasse123",
            "aaaaaaaaaaaaaaaa",
            "121212121212",
        ] {
            assert_eq!(
                problem(password),
                Some(Problem::PasswordTooCommon),
                "{password}"
            );
        }
    }

    #[test]
    fn every_listed_password_can_be_met_by_the_check() {
        for line in COMMON_PASSWORDS.lines() {
            let whole = line.chars().count() >= MIN_CHARS;
            let core = line.chars().next().is_some_and(char::is_alphabetic)
                && line.chars().last().is_some_and(char::is_alphabetic);
            assert!(whole || core, "{line:?} can never be met: drop it");
        }
    }

    #[test]
    fn a_password_containing_the_email_local_part_is_rejected() {
        assert_eq!(
            problem("xx-Marie.Tremblay-2024"),
            Some(Problem::PasswordContainsEmail)
        );
    }

    #[test]
    fn a_mismatched_confirmation_is_reported_on_the_confirmation_field() {
        let errors = check(
            "Trois chats gris dorment",
            "Trois chats gris dorment!",
            "m@exemple.ca",
        )
        .unwrap_err();
        assert_eq!(
            errors.get("password_confirmation"),
            Some(Problem::PasswordMismatch)
        );
        assert_eq!(errors.get("password"), None);
    }

    #[test]
    fn passwords_never_appear_in_debug_output() {
        let password = Password::parse_attempt("Trois chats gris dorment").unwrap();
        assert!(!format!("{password:?}").contains("chats"));
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify_only_the_same_password() {
        let password = Password::parse_attempt("Trois chats gris dorment").unwrap();
        let stored = hash(
            &password,
            &mut crate::domain::testing::FixedEntropy::new(&[1, 2, 3]),
        );
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify(&password, &stored));
        assert!(!verify(
            &Password::parse_attempt("Trois chats gris dorment.").unwrap(),
            &stored
        ));
        assert!(!verify(&password, "not a hash"));
    }

    #[test]
    fn hashes_are_the_phc_strings_of_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
        let password = Password::parse_attempt("Trois chats gris dorment").unwrap();
        let argon2 = hasher(PARAMETERS, 32).unwrap();
        let salt = SaltString::encode_b64(&[7u8; 16]).unwrap();
        let theirs = argon2
            .hash_password(password.expose().as_bytes(), &salt)
            .unwrap()
            .to_string();
        assert!(verify(&password, &theirs), "{theirs}");
        let ours = hash(
            &password,
            &mut crate::domain::testing::FixedEntropy::new(&[7]),
        );
        assert_eq!(ours, theirs);
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok());
    }

    #[test]
    fn malformed_or_foreign_phc_strings_verify_nothing() {
        let password = Password::parse_attempt("Trois chats gris dorment").unwrap();
        let good = hash(
            &password,
            &mut crate::domain::testing::FixedEntropy::new(&[5]),
        );
        let (head, hash_part) = good.rsplit_once('$').unwrap();
        for stored in [
            good.replace("$argon2id$", "$argon2i$"),
            good.replace("v=19", "v=16"),
            good.replace("m=19456,t=2,p=1", "t=2,m=19456,p=1"),
            good.replace("m=19456,t=2,p=1", "m=19456,t=2,p=1,x=1"),
            good.replace("t=2", "t=3"),
            format!("{head}${}", &hash_part[1..]),
            format!("{good}$extra"),
            format!("{head}$***"),
            String::new(),
        ] {
            assert!(!verify(&password, &stored), "{stored}");
        }
    }

    #[test]
    fn login_attempts_only_bound_the_size() {
        assert!(Password::parse_attempt("short").is_ok());
        assert_eq!(Password::parse_attempt(""), Err(Problem::Required));
        assert_eq!(
            Password::parse_attempt(&"x".repeat(129)),
            Err(Problem::PasswordTooLong)
        );
    }
}
