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
    LinkWithCredentials,
    LinkWithLegacy,
    LinkByKnownFacts,
    Profiles,
    SelectProfile,
    Organisation,
    Members,
    InviteMember,
    Member,
    ChangeMember,
    RevokeMember,
    ReissueCredentials,
    OrganisationAudit,
    AuthorizedFiles,
    AuthorizedFilesCsv,
    AuthorizedFile,
    MonthlyReport,
    AccessRequests,
    RequestAccess,
    CancelAccessRequest,
    EmployerAuthorizations,
    GrantAuthorization,
    EmployerAuthorization,
    ChangeAuthorization,
    RevokeAuthorization,
    ConfirmMigrated,
    ReviewMigrated,
    EmployerAccessRequests,
    ApproveAccessRequest,
    DeclineAccessRequest,
    Tokens,
    CreateToken,
    RevokeToken,
    OrganisationAuditCsv,
    OperatorCreateOrganisation,
    OperatorImportLegacy,
    OperatorImportMigration,
    OperatorMigrationReport,
    OperatorUnmigratedRelations,
    DevMailbox,
    DevMailboxPage,
    DevClock,
    DevDeadLetters,
    DevEnqueueEmail,
    DevJobs,
    Webhooks,
    CreateWebhook,
    Webhook,
    ChangeWebhook,
    DeleteWebhook,
    RotateWebhookSecret,
    WebhookDeliveries,
    ReplayWebhookDelivery,
    TestWebhook,
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
    ("POST", "/api/links/credentials", Route::LinkWithCredentials),
    ("POST", "/api/links/legacy", Route::LinkWithLegacy),
    ("POST", "/api/links/known-facts", Route::LinkByKnownFacts),
    ("GET", "/api/profiles", Route::Profiles),
    ("PUT", "/api/session/profile", Route::SelectProfile),
    ("GET", "/api/organisation", Route::Organisation),
    ("GET", "/api/organisation/members", Route::Members),
    ("POST", "/api/organisation/members", Route::InviteMember),
    ("GET", "/api/organisation/members/{id}", Route::Member),
    (
        "PATCH",
        "/api/organisation/members/{id}",
        Route::ChangeMember,
    ),
    (
        "DELETE",
        "/api/organisation/members/{id}",
        Route::RevokeMember,
    ),
    (
        "POST",
        "/api/organisation/members/{id}/link-credentials",
        Route::ReissueCredentials,
    ),
    ("GET", "/api/organisation/audit", Route::OrganisationAudit),
    (
        "GET",
        "/api/organisation/audit.csv",
        Route::OrganisationAuditCsv,
    ),
    ("GET", "/api/organisation/tokens", Route::Tokens),
    ("POST", "/api/organisation/tokens", Route::CreateToken),
    (
        "DELETE",
        "/api/organisation/tokens/{id}",
        Route::RevokeToken,
    ),
    ("GET", "/api/authorized-files", Route::AuthorizedFiles),
    (
        "GET",
        "/api/authorized-files.csv",
        Route::AuthorizedFilesCsv,
    ),
    ("GET", "/api/authorized-files/{id}", Route::AuthorizedFile),
    (
        "GET",
        "/api/authorized-files/{id}/monthly-report",
        Route::MonthlyReport,
    ),
    ("GET", "/api/access-requests", Route::AccessRequests),
    ("POST", "/api/access-requests", Route::RequestAccess),
    (
        "DELETE",
        "/api/access-requests/{id}",
        Route::CancelAccessRequest,
    ),
    (
        "GET",
        "/api/employer/authorizations",
        Route::EmployerAuthorizations,
    ),
    (
        "POST",
        "/api/employer/authorizations",
        Route::GrantAuthorization,
    ),
    (
        "GET",
        "/api/employer/authorizations/{id}",
        Route::EmployerAuthorization,
    ),
    (
        "PATCH",
        "/api/employer/authorizations/{id}",
        Route::ChangeAuthorization,
    ),
    (
        "DELETE",
        "/api/employer/authorizations/{id}",
        Route::RevokeAuthorization,
    ),
    (
        "POST",
        "/api/employer/authorizations/{id}/confirm",
        Route::ConfirmMigrated,
    ),
    (
        "POST",
        "/api/employer/migrated-relations/review",
        Route::ReviewMigrated,
    ),
    (
        "GET",
        "/api/employer/access-requests",
        Route::EmployerAccessRequests,
    ),
    (
        "POST",
        "/api/employer/access-requests/{id}/approve",
        Route::ApproveAccessRequest,
    ),
    (
        "POST",
        "/api/employer/access-requests/{id}/decline",
        Route::DeclineAccessRequest,
    ),
    (
        "POST",
        "/api/operator/organisations",
        Route::OperatorCreateOrganisation,
    ),
    (
        "POST",
        "/api/operator/legacy-credentials",
        Route::OperatorImportLegacy,
    ),
    (
        "POST",
        "/api/operator/migrations",
        Route::OperatorImportMigration,
    ),
    (
        "GET",
        "/api/operator/migrations/{id}",
        Route::OperatorMigrationReport,
    ),
    (
        "GET",
        "/api/operator/unmigrated-relations",
        Route::OperatorUnmigratedRelations,
    ),
    ("GET", "/dev/mailbox", Route::DevMailbox),
    ("GET", "/dev/mailbox/", Route::DevMailboxPage),
    ("POST", "/dev/clock", Route::DevClock),
    ("GET", "/dev/dead-letters", Route::DevDeadLetters),
    ("POST", "/dev/queues/email", Route::DevEnqueueEmail),
    ("GET", "/dev/jobs", Route::DevJobs),
    ("GET", "/api/organisation/webhooks", Route::Webhooks),
    ("POST", "/api/organisation/webhooks", Route::CreateWebhook),
    ("GET", "/api/organisation/webhooks/{id}", Route::Webhook),
    (
        "PATCH",
        "/api/organisation/webhooks/{id}",
        Route::ChangeWebhook,
    ),
    (
        "DELETE",
        "/api/organisation/webhooks/{id}",
        Route::DeleteWebhook,
    ),
    (
        "POST",
        "/api/organisation/webhooks/{id}/rotate-secret",
        Route::RotateWebhookSecret,
    ),
    (
        "GET",
        "/api/organisation/webhooks/{id}/deliveries",
        Route::WebhookDeliveries,
    ),
    (
        "POST",
        "/api/organisation/webhooks/deliveries/{id}/replay",
        Route::ReplayWebhookDelivery,
    ),
    (
        "POST",
        "/api/organisation/webhooks/{id}/test",
        Route::TestWebhook,
    ),
];

#[derive(Debug, PartialEq, Eq)]
pub enum Miss {
    NotFound,
    MethodNotAllowed { allow: Vec<&'static str> },
}

/// A matched route with the values of its `{id}` segments, in order.
#[derive(Debug, PartialEq, Eq)]
pub struct Matched {
    pub route: Route,
    pub params: Vec<String>,
}

/// The values of a pattern's `{…}` segments when `path` matches it. Parameters are ids: short,
/// ASCII letters, digits and hyphens; anything else does not match (and so answers 404).
fn match_pattern(pattern: &str, path: &str) -> Option<Vec<String>> {
    let (mut wanted, mut given) = (pattern.split('/'), path.split('/'));
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if w.starts_with('{') => {
                let valid = !g.is_empty()
                    && g.len() <= 64
                    && g.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !valid {
                    return None;
                }
                params.push(g.to_owned());
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

pub fn resolve(method: &str, path: &str) -> Result<Matched, Miss> {
    let method = if method == "HEAD" { "GET" } else { method };
    let mut allow = Vec::new();
    for (route_method, route_path, route) in ROUTES {
        if let Some(params) = match_pattern(route_path, path) {
            if *route_method == method {
                return Ok(Matched {
                    route: *route,
                    params,
                });
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
                | Route::DevJobs
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn known_paths_resolve_and_others_say_why_not() {
        assert_eq!(resolve("GET", "/api/me").map(|m| m.route), Ok(Route::Me));
        assert_eq!(
            resolve("HEAD", "/api/health").map(|m| m.route),
            Ok(Route::Health)
        );
        assert_eq!(
            resolve("POST", "/api/organisation/members/ab12/link-credentials"),
            Ok(Matched {
                route: Route::ReissueCredentials,
                params: vec!["ab12".into()]
            })
        );
        assert_eq!(
            resolve("GET", "/api/organisation/members/a%20b"),
            Err(Miss::NotFound)
        );
        assert_eq!(
            resolve("GET", "/api/organisation/members/"),
            Err(Miss::NotFound)
        );
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
