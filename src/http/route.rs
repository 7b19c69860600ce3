//! What a feature declares about its routes: the `Route` type and the `route!` macro. A leaf, so a
//! feature depends on it and [`super::router`] on the features, never the other way round.

use super::error::ApiError;
use super::{Call, Reply};
use std::future::Future;
use std::pin::Pin;

/// The future a handler returns, borrowing the call it answers.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + 'a>>;
pub type Handler = for<'a> fn(&'a mut Call) -> Answer<'a>;
/// The JSON Schema of a body type, as the API document states it.
#[cfg(test)]
pub type BodySchema = fn(&mut schemars::SchemaGenerator) -> schemars::Schema;

/// The body of a route that answers one of two types (a session and an API token read the same
/// path differently): the document's `oneOf`. Only its schema exists.
#[cfg(test)]
pub struct OneOf<A, B>(std::marker::PhantomData<(A, B)>);

#[cfg(test)]
impl<A: schemars::JsonSchema, B: schemars::JsonSchema> schemars::JsonSchema for OneOf<A, B> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("{}Or{}", A::schema_name(), B::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "oneOf": [generator.subschema_for::<A>(), generator.subschema_for::<B>()]
        })
    }
}

/// One method on one path, and who may reach it.
pub struct Route {
    pub method: &'static str,
    /// The path as the OpenAPI document writes it, with `{name}` parameters.
    pub path: &'static str,
    pub handler: Handler,
    /// Development tools: answered only when ENVIRONMENT is "development", from a loopback host.
    pub development_only: bool,
    /// The JSON bodies the route answers with, per status, as the types the handler serialises
    /// declare them: the API document's response schemas are derived from these (tests only, so
    /// the schema code never reaches the worker).
    #[cfg(test)]
    pub answers: &'static [(u16, BodySchema)],
}

/// `route!(GET "/api/me" => me)`, or `route!(dev GET "/dev/jobs" => jobs)` for a development tool.
/// The handler may take `&Call` or `&mut Call`. `route!(GET "/api/x" => x, 200 => Body)` also names
/// the type of the JSON body answered with that status (one `status => Type` per JSON answer).
macro_rules! route {
    (dev $($route:tt)+) => {
        $crate::http::route::Route {
            development_only: true,
            ..route!($($route)+)
        }
    };
    ($method:ident $path:literal => $handler:path $(, $status:literal => $body:ty)* $(,)?) => {
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
            #[cfg(test)]
            answers: &[$(($status, {
                fn schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                    generator.subschema_for::<$body>()
                }
                schema
            })),*],
        }
    };
}
pub(crate) use route;
