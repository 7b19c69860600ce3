//! Cross-site request defence and the security headers of every worker response.

use super::error::{ApiError, ErrorCode};
use worker::{Headers, Method, Request};

/// State changes must come from the portal's own pages: a browser says so with `Sec-Fetch-Site`
/// and `Origin`. Requests without either (API clients, curl) are not cross-site by definition;
/// JSON bodies are also required (see `body::json_object`), which HTML forms cannot send.
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
    if let Some(origin) = header("Origin") {
        let own = req
            .url()
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        if origin != own {
            return Err(ApiError::new(ErrorCode::CrossSiteRequest));
        }
    }
    Ok(())
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
