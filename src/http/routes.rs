//! The route table: every path and method the worker answers. The OpenAPI document is checked
//! against this table by a unit test, so the two cannot drift apart.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Health,
    OpenApi,
    SignupValidate,
    Signup,
    SignupVerify,
    SignupResend,
    LogIn,
    LogOut,
    Me,
    PasswordForgot,
    PasswordReset,
    DevMailbox,
    DevMailboxPage,
    DevClock,
    DevDeadLetters,
    DevEnqueueEmail,
}

pub const ROUTES: &[(&str, &str, Route)] = &[
    ("GET", "/api/health", Route::Health),
    ("GET", "/api/openapi.json", Route::OpenApi),
    ("POST", "/api/signup/validate", Route::SignupValidate),
    ("POST", "/api/signup", Route::Signup),
    ("POST", "/api/signup/verify", Route::SignupVerify),
    ("POST", "/api/signup/resend", Route::SignupResend),
    ("POST", "/api/session", Route::LogIn),
    ("DELETE", "/api/session", Route::LogOut),
    ("GET", "/api/me", Route::Me),
    ("POST", "/api/password/forgot", Route::PasswordForgot),
    ("POST", "/api/password/reset", Route::PasswordReset),
    ("GET", "/dev/mailbox", Route::DevMailbox),
    ("GET", "/dev/mailbox/", Route::DevMailboxPage),
    ("POST", "/dev/clock", Route::DevClock),
    ("GET", "/dev/dead-letters", Route::DevDeadLetters),
    ("POST", "/dev/queues/email", Route::DevEnqueueEmail),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    NotFound,
    MethodNotAllowed { allow: Vec<&'static str> },
}

pub fn resolve(method: &str, path: &str) -> Result<Route, Miss> {
    let method = if method == "HEAD" { "GET" } else { method };
    let mut allow = Vec::new();
    for (route_method, route_path, route) in ROUTES {
        if *route_path == path {
            if *route_method == method {
                return Ok(*route);
            }
            allow.push(*route_method);
        }
    }
    if allow.is_empty() {
        Err(Miss::NotFound)
    } else {
        Err(Miss::MethodNotAllowed { allow })
    }
}

impl Route {
    /// Development tools, answered only when ENVIRONMENT is "development".
    pub fn is_development_only(self) -> bool {
        matches!(
            self,
            Route::DevMailbox
                | Route::DevMailboxPage
                | Route::DevClock
                | Route::DevDeadLetters
                | Route::DevEnqueueEmail
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn known_paths_resolve_and_others_say_why_not() {
        assert_eq!(resolve("GET", "/api/me"), Ok(Route::Me));
        assert_eq!(resolve("HEAD", "/api/health"), Ok(Route::Health));
        assert_eq!(resolve("GET", "/api/nope"), Err(Miss::NotFound));
        assert_eq!(
            resolve("PUT", "/api/session"),
            Err(Miss::MethodNotAllowed {
                allow: vec!["POST", "DELETE"]
            })
        );
    }

    #[test]
    fn the_openapi_document_describes_exactly_the_public_routes() {
        let document: serde_json::Value =
            serde_json::from_str(include_str!("openapi.json")).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        let documented: BTreeSet<(String, String)> = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| *k != "parameters")
                    .map(move |method| (method.to_uppercase(), path.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|(method, path, _)| (method.to_string(), path.to_string()))
            .collect();
        assert_eq!(documented, routed, "openapi.json and ROUTES disagree");
    }
}
