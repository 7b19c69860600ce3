//! Routing: each feature module declares its own `ROUTES` with the `route!` macro; `ALL` lists the
//! features once, and `resolve` matches a request against all of them with `matchit`.

use super::error::{ApiError, ErrorCode};

use super::route::Route;

/// Every feature's routes. A new feature module adds its `ROUTES` here; a new route of an existing
/// feature touches only that feature.
const ALL: &[&[Route]] = &[
    super::meta::ROUTES,
    super::accounts::ROUTES,
    super::sessions::ROUTES,
    super::account::ROUTES,
    super::my_requests::ROUTES,
    super::mfa::ROUTES,
    super::passkeys::ROUTES,
    super::linking::ROUTES,
    super::organisation::ROUTES,
    super::tokens::ROUTES,
    super::files::ROUTES,
    super::monthly_reports::ROUTES,
    super::access_requests::ROUTES,
    super::employer::ROUTES,
    super::operator::ROUTES,
    super::migration::ROUTES,
    super::webhooks::ROUTES,
    super::dev::ROUTES,
];

pub fn all() -> impl Iterator<Item = &'static Route> {
    ALL.iter().flat_map(|routes| routes.iter())
}

/// The routes of each distinct path, indexed by `matchit` (built once per isolate).
struct Table {
    paths: matchit::Router<usize>,
    by_path: Vec<Vec<&'static Route>>,
}

impl Table {
    fn build() -> Table {
        let mut paths = matchit::Router::new();
        let mut by_path: Vec<Vec<&'static Route>> = Vec::new();
        let mut seen: Vec<&'static str> = Vec::new();
        for route in all() {
            match seen.iter().position(|path| *path == route.path) {
                Some(index) => by_path[index].push(route),
                None => {
                    paths
                        .insert(matchit_syntax(route.path), seen.len())
                        .unwrap_or_else(|e| panic!("route {} conflicts: {e}", route.path));
                    seen.push(route.path);
                    by_path.push(vec![route]);
                }
            }
        }
        Table { paths, by_path }
    }
}

/// `{id}` as matchit 0.7 writes it (`:id`).
fn matchit_syntax(path: &str) -> String {
    path.replace('{', ":").replace('}', "")
}

thread_local! {
    static TABLE: Table = Table::build();
}

/// A matched route with the values of its parameters, in order.
pub struct Matched {
    pub route: &'static Route,
    pub params: Vec<String>,
}

/// Parameters are ids: short, ASCII letters, digits and hyphens; anything else does not match
/// (and so answers 404) before a handler sees it.
fn is_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The route for `method` on `path`: 404 when no route has the path, 405 with `Allow` when the
/// path exists with other methods. HEAD is answered as GET.
pub fn resolve(method: &str, path: &str) -> Result<Matched, ApiError> {
    TABLE.with(|table| {
        let found = table
            .paths
            .at(path)
            .map_err(|_| ApiError::new(ErrorCode::NotFound))?;
        let params: Vec<String> = found.params.iter().map(|(_, v)| v.to_owned()).collect();
        if !params.iter().all(|p| is_id(p)) {
            return Err(ApiError::new(ErrorCode::NotFound));
        }
        let routes = &table.by_path[*found.value];
        let wanted = if method == "HEAD" { "GET" } else { method };
        match routes.iter().find(|route| route.method == wanted) {
            Some(route) => Ok(Matched { route, params }),
            None => {
                let allow: Vec<&str> = routes.iter().map(|route| route.method).collect();
                let mut error = ApiError::new(ErrorCode::MethodNotAllowed);
                error.headers.push(("Allow", allow.join(", ")));
                Err(error)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn resolved(method: &str, path: &str) -> Result<(&'static str, Vec<String>), ErrorCode> {
        resolve(method, path)
            .map(|m| (m.route.path, m.params))
            .map_err(|e| e.code)
    }

    #[test]
    fn known_paths_resolve_and_others_say_why_not() {
        assert_eq!(resolved("GET", "/api/me"), Ok(("/api/me", vec![])));
        assert_eq!(resolved("HEAD", "/api/health"), Ok(("/api/health", vec![])));
        assert_eq!(
            resolved("POST", "/api/organisation/members/ab12/link-credentials"),
            Ok((
                "/api/organisation/members/{id}/link-credentials",
                vec!["ab12".into()]
            ))
        );
        assert_eq!(
            resolved("POST", "/api/organisation/webhooks/deliveries/d1/replay"),
            Ok((
                "/api/organisation/webhooks/deliveries/{id}/replay",
                vec!["d1".into()]
            ))
        );
        assert_eq!(
            resolved("GET", "/api/organisation/members/a%20b"),
            Err(ErrorCode::NotFound)
        );
        assert_eq!(
            resolved("GET", "/api/organisation/members/"),
            Err(ErrorCode::NotFound)
        );
        assert_eq!(resolved("GET", "/api/nope"), Err(ErrorCode::NotFound));
    }

    #[test]
    fn a_known_path_with_another_method_answers_405_with_allow() {
        let error = resolve("PUT", "/api/session").err().unwrap();
        assert_eq!(error.code, ErrorCode::MethodNotAllowed);
        assert_eq!(error.headers, vec![("Allow", "POST, DELETE".to_owned())]);
        let error = resolve("QUERY", "/api/health").err().unwrap();
        assert_eq!(error.code, ErrorCode::MethodNotAllowed);
    }

    #[test]
    fn no_two_routes_share_a_method_and_path() {
        let mut seen = BTreeSet::new();
        for route in all() {
            assert!(
                seen.insert((route.method, route.path)),
                "{} {} is declared twice",
                route.method,
                route.path
            );
        }
    }

    #[test]
    fn development_tools_live_under_dev_and_nothing_else_does() {
        for route in all() {
            assert_eq!(
                route.development_only,
                route.path.starts_with("/dev/"),
                "{} {}",
                route.method,
                route.path
            );
        }
    }

    #[test]
    fn the_openapi_document_describes_exactly_the_routes() {
        let document: serde_json::Value =
            serde_json::from_str(include_str!("../../public/api/openapi.json")).unwrap();
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
        // The document itself is a static asset, not a route of the worker.
        let mut routed: BTreeSet<(String, String)> = all()
            .map(|route| (route.method.to_owned(), route.path.to_owned()))
            .collect();
        routed.insert(("GET".into(), "/api/openapi.json".into()));
        assert_eq!(
            documented, routed,
            "openapi.json and the route tables disagree"
        );
    }

    #[test]
    fn no_operation_of_the_openapi_document_names_a_parameter_twice() {
        let document: serde_json::Value =
            serde_json::from_str(include_str!("../../public/api/openapi.json")).unwrap();
        for (path, operations) in document["paths"].as_object().unwrap() {
            for (method, operation) in operations.as_object().unwrap() {
                let mut seen = BTreeSet::new();
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    let key = (parameter["name"].to_string(), parameter["in"].to_string());
                    assert!(
                        parameter["name"].is_null() || seen.insert(key),
                        "{method} {path} names {} twice",
                        parameter["name"]
                    );
                }
            }
        }
    }
}
