//! What a feature declares about its routes: the `Route` type and the `route!` macro. A leaf, so a
//! feature depends on it and [`super::router`] on the features, never the other way round.

use super::error::ApiError;
use super::{Call, Reply};
use std::future::Future;
use std::pin::Pin;

/// The future a handler returns, borrowing the call it answers.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + 'a>>;
pub type Handler = for<'a> fn(&'a mut Call) -> Answer<'a>;

/// One method on one path, and who may reach it.
pub struct Route {
    pub method: &'static str,
    /// The path as the OpenAPI document writes it, with `{name}` parameters.
    pub path: &'static str,
    pub handler: Handler,
    /// Development tools: answered only when ENVIRONMENT is "development", from a loopback host.
    pub development_only: bool,
}

/// `route!(GET "/api/me" => me)`, or `route!(dev GET "/dev/jobs" => jobs)` for a development tool.
/// The handler may take `&Call` or `&mut Call`.
macro_rules! route {
    (dev $method:ident $path:literal => $handler:path) => {
        $crate::http::route::Route {
            development_only: true,
            ..route!($method $path => $handler)
        }
    };
    ($method:ident $path:literal => $handler:path) => {
        $crate::http::route::Route {
            method: stringify!($method),
            path: $path,
            handler: {
                fn handle(call: &mut $crate::http::Call) -> $crate::http::route::Answer<'_> {
                    Box::pin($handler(call))
                }
                handle
            },
            development_only: false,
        }
    };
}
pub(crate) use route;
