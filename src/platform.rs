//! What the platform gives without any state, for every layer above the domain: the failure type
//! that keeps its cause for the logs, and the random source. A leaf: storage and [`crate::infra`]
//! both build on it.

use crate::domain::Entropy;

/// A failure of the infrastructure (database, queue, network): logged with its cause, shown to
/// users as an opaque 500.
#[derive(Debug, thiserror::Error)]
#[error("{context}: {cause}")]
pub struct InfraError {
    pub context: String,
    pub cause: String,
}

/// `.context("Failed to …")` on every infrastructure step.
pub trait Context<T> {
    fn context(self, what: &str) -> Result<T, InfraError>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: &str) -> Result<T, InfraError> {
        self.map_err(|cause| InfraError {
            context: what.to_owned(),
            cause: cause.to_string(),
        })
    }
}

/// Randomness from the platform's CSPRNG (`crypto.getRandomValues` inside workerd).
pub struct OsEntropy;

impl Entropy for OsEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        getrandom::getrandom(dest).expect("the platform CSPRNG is available");
    }
}

/// A random identifier with 128 bits of entropy, in hex.
pub fn random_id() -> String {
    let mut bytes = [0u8; 16];
    OsEntropy.fill(&mut bytes);
    crate::domain::to_hex(&bytes)
}
