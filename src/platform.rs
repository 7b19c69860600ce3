//! What the platform gives without any state, for every layer above the domain: the failure type
//! that keeps its cause for the logs, the random source, and turns for slow steps. A leaf: storage
//! and [`crate::infra`] both build on it.

use crate::domain::Entropy;
use std::cell::Cell;

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
        self.map_err(|cause| infra_error(what, &cause))
    }
}

/// The error itself, built once for every result and cause type.
#[inline(never)]
fn infra_error(what: &str, cause: &dyn std::fmt::Display) -> InfraError {
    InfraError {
        context: what.to_owned(),
        cause: cause.to_string(),
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

thread_local! {
    /// How many slow steps this isolate has run (see [`slow_step`]).
    static SLOW_STEPS_RUN: Cell<u64> = const { Cell::new(0) };
}

/// Runs `step`, a password hash (50–300 ms of CPU on the isolate's one thread), once the runtime
/// has had a turn of its own since the previous one. The runtime reads its sockets and moves its
/// clock forward only between turns: forty hashes run back to back (a burst of logins) held it for
/// seconds, after which its keep-alive timers, armed on a clock that had not moved, closed
/// connections whose next request was already sent (wrangler dev's proxy answered those 503). The
/// total CPU is the same; other requests are served between hashes, and one Argon2 block is in
/// memory at a time.
pub async fn slow_step<T>(step: impl FnOnce() -> T) -> T {
    wait_for_slow_turn().await;
    step()
}

/// A timer fires only after the runtime has polled, so a step runs only when no other ran since
/// its own timer was armed: between two steps the runtime always polls. Nothing is held across the
/// wait, so a request cancelled while waiting leaves nothing behind. Not generic, so that its
/// code is in the module once.
async fn wait_for_slow_turn() {
    loop {
        let seen = SLOW_STEPS_RUN.get();
        worker::Delay::from(std::time::Duration::ZERO).await;
        if SLOW_STEPS_RUN.get() == seen {
            break;
        }
    }
    SLOW_STEPS_RUN.set(SLOW_STEPS_RUN.get().wrapping_add(1));
}

/// A POST of `body` to `url` with `headers`, for the worker's outgoing calls (the email provider,
/// webhooks). Built on the runtime's own `RequestInit` rather than workers-rs's, whose conversion
/// brings the code of every Cloudflare `cf` option into the module though none is used. Errors
/// read as workers-rs's `Request::new_with_init` words them.
pub fn post_request(
    url: &str,
    headers: &worker::Headers,
    body: &str,
    redirect: worker::web_sys::RequestRedirect,
) -> worker::Result<worker::Request> {
    let init = worker::web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(headers.as_ref());
    init.set_redirect(redirect);
    init.set_body(&worker::wasm_bindgen::JsValue::from_str(body));
    worker::web_sys::Request::new_with_str_and_init(url, &init)
        .map(worker::Request::from)
        .map_err(|e| {
            worker::Error::JsError(
                e.as_string()
                    .unwrap_or_else(|| "invalid URL or options for Request".to_string()),
            )
        })
}
