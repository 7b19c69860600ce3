//! What every request gets around its handler: an id, a D1 session that reads the client's own
//! writes (its bookmark comes back in a cookie for browsers and in `x-d1-bookmark` for API
//! clients), and one log line (see [`crate::observability`]).

use super::router;
use crate::infra::{random_id, InfraError};
use crate::observability::{self, RequestLine};
use crate::storage::db::{Bookmark, Db, SessionStart};
use worker::{Env, Method, Request, Response};

/// The header an API client sends its last bookmark in, and reads the next one from.
pub const BOOKMARK_HEADER: &str = "x-d1-bookmark";
/// The browser's copy of its bookmark (not secret: it only says how recent a replica must be).
const BOOKMARK_COOKIE: &str = "__Host-sel_d1";
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// One request, from its arrival to its log line.
pub struct Observed {
    pub request_id: String,
    started_ms: u64,
    method: String,
    route: &'static str,
    carried: Option<Bookmark>,
    by_browser: bool,
    pub db: Result<Db, InfraError>,
}

impl Observed {
    pub fn start(req: &Request, env: &Env) -> Observed {
        let header = req.headers().get(BOOKMARK_HEADER).ok().flatten();
        let cookie = cookie(req, BOOKMARK_COOKIE);
        let carried = header.or(cookie).as_deref().and_then(Bookmark::parse);
        let writes = !matches!(req.method(), Method::Get | Method::Head);
        let start = session_start(writes, carried.clone());
        let by_browser = req.headers().get("Authorization").ok().flatten().is_none();
        Observed {
            request_id: random_id(),
            started_ms: observability::now_ms(),
            method: req.method().to_string(),
            route: route_pattern(&req.inner().method(), &req.path()),
            carried,
            by_browser,
            db: crate::infra::database(env, &start),
        }
    }

    /// Adds the request id and the session's bookmark to the answer, and logs the request.
    pub fn finish(&self, response: &mut Response, status: u16) {
        let headers = response.headers_mut();
        let _ = headers.set(REQUEST_ID_HEADER, &self.request_id);
        let db = self.db.as_ref().ok();
        if let Some(bookmark) = db.and_then(Db::bookmark) {
            let _ = headers.set(BOOKMARK_HEADER, &bookmark);
            let changed = self.carried.as_ref().map(Bookmark::as_str) != Some(bookmark.as_str());
            if self.by_browser && changed && Bookmark::parse(&bookmark).is_some() {
                let _ = headers.append(
                    "Set-Cookie",
                    &format!(
                        "{BOOKMARK_COOKIE}={bookmark}; Path=/; Secure; HttpOnly; SameSite=Lax"
                    ),
                );
            }
        }
        let line = RequestLine {
            request_id: &self.request_id,
            method: &self.method,
            route: self.route,
            status,
            duration_ms: observability::now_ms().saturating_sub(self.started_ms),
            d1: db.map(Db::usage).unwrap_or_default(),
            memory_bytes: observability::memory_bytes(),
        };
        observability::emit(&line.to_json());
    }
}

/// Writes start at the primary; a read starts where the client's last answer left it (so a
/// person reads their own writes), or at any replica when the client brings no bookmark.
fn session_start(writes: bool, carried: Option<Bookmark>) -> SessionStart {
    match carried {
        _ if writes => SessionStart::Primary,
        Some(bookmark) => SessionStart::Bookmark(bookmark),
        None => SessionStart::Unconstrained,
    }
}

/// The pattern of the route `path` matches, for logs; paths no route answers share one name.
fn route_pattern(method: &str, path: &str) -> &'static str {
    router::resolve(method, path)
        .map(|matched| matched.route.path)
        .unwrap_or("(no route)")
}

fn cookie(req: &Request, name: &str) -> Option<String> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_start_at_the_primary_whatever_the_client_carries() {
        let bookmark = Bookmark::parse("0000000a-00000003").unwrap();
        assert_eq!(session_start(true, Some(bookmark)), SessionStart::Primary);
        assert_eq!(session_start(true, None), SessionStart::Primary);
    }

    #[test]
    fn reads_start_at_the_clients_bookmark_or_anywhere_without_one() {
        let bookmark = Bookmark::parse("0000000a-00000003").unwrap();
        assert_eq!(
            session_start(false, Some(bookmark.clone())),
            SessionStart::Bookmark(bookmark)
        );
        assert_eq!(session_start(false, None), SessionStart::Unconstrained);
    }

    #[test]
    fn a_route_is_logged_by_its_pattern_not_its_ids() {
        assert_eq!(
            route_pattern("DELETE", "/api/employer/authorizations/abc123"),
            "/api/employer/authorizations/{id}"
        );
        assert_eq!(route_pattern("GET", "/api/nowhere"), "(no route)");
    }
}
