//! Sets of choices stored as the sum of their bits: an authorization's services, a token's scopes.

use super::fields::Problem;
use std::marker::PhantomData;

/// One choice of such a set: its bit, its code in the API, and how a code is read.
pub trait Flag: Copy + 'static {
    /// Every choice, in the order lists show them.
    const EVERY: &'static [Self];
    fn bit(self) -> i64;
    fn code(self) -> &'static str;
    /// The choice a code names (each kind says what an unknown code is).
    fn from_code(code: &str) -> Result<Self, Problem>;
}

/// Makes a `text_enum!` a choice of such a set: the bit of each value is its place in the
/// declaration (1, 2, 4, ...), so the declared order must never change.
macro_rules! flag {
    ($name:ident) => {
        impl $name {
            /// Its bit in a stored set.
            pub fn bit(self) -> i64 {
                1 << self as i64
            }
        }

        impl $crate::domain::flags::Flag for $name {
            const EVERY: &'static [$name] = &$name::ALL;

            fn bit(self) -> i64 {
                $name::bit(self)
            }

            fn code(self) -> &'static str {
                self.as_str()
            }

            fn from_code(code: &str) -> Result<$name, Problem> {
                $name::parse(code)
            }
        }
    };
}
pub(crate) use flag;

/// A non-empty set of choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flags<F>(i64, PhantomData<F>);

impl<F: Flag> Flags<F> {
    /// From the API's list of codes: at least one, each known, none twice.
    pub fn parse(codes: &[&str]) -> Result<Self, Problem> {
        let mut bits = 0;
        for code in codes {
            let bit = F::from_code(code)?.bit();
            if bits & bit != 0 {
                return Err(Problem::DuplicateChoice);
            }
            bits |= bit;
        }
        Self::from_bits(bits).ok_or(Problem::Required)
    }

    /// From the stored sum; `None` for an empty set or an unknown bit.
    pub fn from_bits(bits: i64) -> Option<Self> {
        let every = F::EVERY.iter().fold(0, |all, f| all | f.bit());
        (bits != 0 && bits & !every == 0).then_some(Flags(bits, PhantomData))
    }

    pub fn bits(self) -> i64 {
        self.0
    }

    pub fn contains(self, flag: F) -> bool {
        self.0 & flag.bit() != 0
    }

    pub fn iter(self) -> impl Iterator<Item = F> {
        F::EVERY.iter().copied().filter(move |f| self.contains(*f))
    }

    pub fn codes(self) -> Vec<&'static str> {
        self.iter().map(F::code).collect()
    }

    /// The API codes of a stored sum: none for an empty or unknown one.
    pub fn codes_of(bits: i64) -> Vec<&'static str> {
        Self::from_bits(bits).map(Self::codes).unwrap_or_default()
    }
}
