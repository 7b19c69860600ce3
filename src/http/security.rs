//! Cross-site request defence and the security headers of every worker response.

use super::error::{ApiError, ErrorCode};
use super::request_url;
use crate::domain::session::COOKIE_NAME;
use worker::{Headers, Method, Request};

/// State changes must come from the portal's own pages: a browser says so with `Sec-Fetch-Site`
/// and `Origin` (every browser the portal supports sends at least one on a write). A write that
/// carries the session cookie but neither header did not come from a page of the portal and is
/// refused; bearer-token clients (API, curl) send no cookie and are not affected. JSON bodies are
/// also required (see `body::json_object`), which HTML forms cannot send.
pub fn reject_cross_site(req: &Request) -> Result<(), ApiError> {
    if matches!(req.method(), Method::Get | Method::Head | Method::Options) {
        return Ok(());
    }
    let header = |name: &str| req.headers().get(name).ok().flatten();
    if let Some(site) = header("Sec-Fetch-Site") {
        if !matches!(site.as_str(), "same-origin" | "none") {
            return Err(ApiError::new(ErrorCode::CrossSiteRequest));
        }
    }
    let origin = header("Origin");
    if let Some(origin) = &origin {
        let own = request_url::origin(&req.inner().url());
        if *origin != own {
            return Err(ApiError::new(ErrorCode::CrossSiteRequest));
        }
    }
    let with_session_cookie = header("Cookie").is_some_and(|cookies| {
        cookies
            .split(';')
            .filter_map(|pair| pair.trim_start().strip_prefix(COOKIE_NAME))
            .any(|rest| rest.starts_with('='))
    });
    let said_where_from = origin.is_some() || header("Sec-Fetch-Site").is_some();
    if with_session_cookie && !said_where_from && header("Authorization").is_none() {
        return Err(ApiError::new(ErrorCode::CrossSiteRequest));
    }
    Ok(())
}

/// Whether a request's host names this very machine (`/dev/*` answers only then).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Headers for responses produced by the worker (static assets get theirs from `public/_headers`).
pub fn apply_headers(headers: &Headers, html: bool) {
    let csp = if html {
        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    } else {
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    };
    for (name, value) in [
        ("Content-Security-Policy", csp),
        (
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
    ] {
        let _ = headers.set(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hosts_of_this_machine_are_loopback() {
        for host in [
            "127.0.0.1",
            "127.0.0.2",
            "localhost",
            "LOCALHOST",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "sel.example",
            "10.0.0.1",
            "localhost.example",
            "[2001:db8::1]",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
