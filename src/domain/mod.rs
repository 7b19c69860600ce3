//! Pure rules of the portal: validated types and the policies that govern them.
//!
//! Nothing here imports `worker`: time arrives as epoch milliseconds and randomness through
//! [`Entropy`], so every rule is unit-tested natively with `cargo test`.

/// The JSON Schema of a type that serialises itself, written inline where a body uses it:
/// `inline_schema!(Day, schemars::json_schema!({ "type": "string", "format": "date" }))`. Tests
/// only: the API document is derived there, so nothing of it reaches the worker.
macro_rules! inline_schema {
    ($name:ident, $schema:expr) => {
        #[cfg(test)]
        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $schema
            }
        }
    };
}

/// A `Debug` that names the type and never shows its value: secrets, codes and passwords must
/// not reach a log through `{:?}`.
macro_rules! redacted_debug {
    ($name:ident) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}
pub(crate) use redacted_debug;

/// A secret of `$bytes` random bytes kept at rest sealed under the key of `$purpose` (see
/// [`sealing::SealedSecret`]); its `Debug` shows nothing of it.
macro_rules! sealed_secret {
    ($(#[$doc:meta])* $name:ident, $purpose:ident, $bytes:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(Vec<u8>);

        $crate::domain::redacted_debug!($name);

        impl $crate::domain::sealing::SealedSecret for $name {
            const PURPOSE: $crate::domain::secrets::KeyPurpose =
                $crate::domain::secrets::KeyPurpose::$purpose;
            const BYTES: usize = $bytes;

            fn from_bytes(bytes: Vec<u8>) -> $name {
                $name(bytes)
            }

            fn bytes(&self) -> &[u8] {
                &self.0
            }
        }
    };
}
pub(crate) use sealed_secret;

/// An enum stored as one of a few TEXT values (a `CHECK (x IN (...))` column) and shown as the
/// same text in the API: `as_str` and `parse`/`FromStr` are the one mapping between the two, and
/// serde uses it, so storage rows hold the enum and nothing above storage compares strings.
/// `parse` answers `Required` for an empty text and `InvalidChoice` for any other unknown one.
macro_rules! text_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order it is declared (the order lists show them).
            pub const ALL: [$name; [$($text),+].len()] = [$($name::$variant),+];

            pub fn parse(raw: &str) -> Result<$name, $crate::domain::fields::Problem> {
                match raw {
                    $($text => Ok($name::$variant),)+
                    "" => Err($crate::domain::fields::Problem::Required),
                    _ => Err($crate::domain::fields::Problem::InvalidChoice),
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::domain::fields::Problem;

            fn from_str(raw: &str) -> Result<$name, Self::Err> {
                $name::parse(raw)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        inline_schema!($name, schemars::json_schema!({ "enum": [$($text),+] }));

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<$name, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&raw).map_err(|_| {
                    serde::de::Error::custom(format!(concat!("not a ", stringify!($name), ": {:?}"), raw))
                })
            }
        }
    };
}

pub mod api_token;
pub mod audit_trail;
pub mod authorization;
pub mod code;
pub mod device;
pub mod email;
pub mod es256;
pub mod fields;
pub mod flags;
pub mod gcm;
pub mod hmac_sha1;
pub mod legacy;
pub mod lifecycle;
pub mod linking;
pub mod locale;
pub mod mfa;
pub mod migration;
pub mod monthly_report;
pub mod name;
pub mod order;
pub mod organisation;
pub mod paging;
pub mod password;
pub mod request;
pub mod sealing;
pub mod search;
pub mod secrets;
pub mod session;
pub mod throttle;
pub mod time;
pub mod unicode;
pub mod user;
pub mod webauthn;
#[cfg(target_arch = "wasm32")]
mod webcrypto;
pub mod webhook;

pub use unicode::fold_for_search;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// The largest integer a D1 statement receives exactly: arguments reach D1 as JavaScript numbers
/// (2^53 - 1). A number read from a request and bound to a query is refused above it, so a
/// cursor or a sync position out of that range is a 422, never a binding failure.
pub const MAX_BOUND_INTEGER: i64 = 9_007_199_254_740_991;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;

/// A source of cryptographically secure random bytes, injected so rules stay deterministic in tests.
pub trait Entropy {
    fn fill(&mut self, dest: &mut [u8]);
}

/// Whole seconds until `later`, rounded up, never below one: what a client must wait.
pub fn seconds_until(now: Millis, later: Millis) -> u64 {
    let remaining = (later - now).max(1);
    ((remaining + SECOND - 1) / SECOND) as u64
}

/// Lower-case hexadecimal of some bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// HMAC-SHA256 under the server secret over a context (e.g. a record id) and a short secret:
/// how one-time codes and link codes are stored, so equal secrets never share a hash and a
/// leaked table cannot be brute-forced without the key.
pub fn keyed_hash(key: &[u8], context: &str, secret: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(context.as_bytes());
    mac.update(b":");
    mac.update(secret.as_bytes());
    to_hex(&mac.finalize().into_bytes())
}

/// Constant-time check of a secret against its stored [`keyed_hash`], made under any of `keys`
/// (the current key, and those still accepted during a rotation of the server secret).
pub fn keyed_hash_matches(keys: &[Vec<u8>], context: &str, secret: &str, stored: &str) -> bool {
    use subtle::ConstantTimeEq;
    keys.iter().fold(false, |found, key| {
        let matches: bool = keyed_hash(key, context, secret)
            .as_bytes()
            .ct_eq(stored.as_bytes())
            .into();
        found | matches
    })
}

#[cfg(test)]
pub mod testing {
    use super::fields::Problem;
    use super::Entropy;

    /// Asserts that `parse` refuses each raw text with `problem` (each case names why it must).
    pub fn refuses<T: std::fmt::Debug + PartialEq>(
        parse: impl Fn(&str) -> Result<T, Problem>,
        problem: Problem,
        cases: &[(&str, &str)],
    ) {
        for (raw, why) in cases {
            assert_eq!(parse(raw), Err(problem), "{why}: {raw:?}");
        }
    }

    /// Deterministic entropy: yields the given bytes in a loop.
    pub struct FixedEntropy(pub Vec<u8>, pub usize);

    impl FixedEntropy {
        pub fn new(bytes: &[u8]) -> Self {
            Self(bytes.to_vec(), 0)
        }
    }

    impl Entropy for FixedEntropy {
        fn fill(&mut self, dest: &mut [u8]) {
            for byte in dest {
                *byte = self.0[self.1 % self.0.len()];
                self.1 += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_time_is_rounded_up_to_whole_seconds() {
        assert_eq!(seconds_until(0, 1), 1);
        assert_eq!(seconds_until(0, 1_000), 1);
        assert_eq!(seconds_until(0, 1_001), 2);
        assert_eq!(
            seconds_until(5_000, 1_000),
            1,
            "a past instant still asks for one second"
        );
    }

    #[test]
    fn search_folding_ignores_case_and_accents() {
        assert_eq!(fold_for_search("Québec ÉLÉGANT Ça"), "quebec elegant ca");
    }

    #[test]
    fn hex_encoding_is_lower_case_and_two_digits_per_byte() {
        assert_eq!(to_hex(&[0, 15, 255]), "000fff");
    }
}
