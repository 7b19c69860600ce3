//! HTTP: routing, parsing requests into domain types, one error mapping, cookies, CSRF and
//! security headers. Handlers are short scripts: parse, call the use case, respond.

mod access_requests;
mod account;
mod accounts;
#[cfg(test)]
mod api_document;
pub mod body;
mod cookies;
mod csv;
mod dev;
mod employer;
pub mod error;
mod error_code;
mod files;
pub mod i18n;
mod linking;
mod meta;
mod mfa;
mod migration;
mod monthly_reports;
mod my_requests;
mod observe;
mod operator;
mod organisation;
mod passkeys;
mod request_url;
pub mod route;
pub mod router;
mod security;
mod sessions;
mod tokens;
mod webhooks;

use crate::domain::locale::Locale;
use crate::infra::{App, InfraError};
use crate::use_cases::Requester;
use error::{ApiError, ErrorCode};
use worker::{Env, Request, Response, Result};

/// One page of a list: `items`, and how many the filters keep in all.
#[derive(serde::Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(rename = "{T}Page"))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

impl<T: serde::Serialize> Page<T> {
    /// The page as a 200 answer.
    pub fn reply(items: Vec<T>, total: i64, page: i64, page_size: i64) -> Reply {
        let page = Page {
            items,
            total,
            page,
            page_size,
        };
        Reply::json(200, page)
    }
}

/// What a handler answers, turned into a `Response` in one place.
pub struct Reply {
    pub status: u16,
    /// A JSON body, already written.
    pub body: Option<String>,
    pub cookies: Vec<String>,
    pub html: Option<String>,
    /// A file to download: its text, media type and name.
    pub download: Option<(String, &'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON answer: a body type of the feature (its schema is in the API document), or a `Value`.
    pub fn json(status: u16, body: impl serde::Serialize) -> Reply {
        Reply::written(status, crate::json::text(&body))
    }

    /// A JSON answer already written: built once, not once per body type.
    #[inline(never)]
    fn written(status: u16, text: String) -> Reply {
        Reply {
            body: Some(text),
            ..Reply::no_content()
        }
        .with_status(status)
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            cookies: Vec::new(),
            html: None,
            download: None,
            headers: Vec::new(),
        }
    }

    pub fn html(page: String) -> Reply {
        Reply {
            html: Some(page),
            ..Reply::no_content()
        }
        .with_status(200)
    }

    /// A file the browser saves under `filename`.
    pub fn download(text: String, media_type: &'static str, filename: String) -> Reply {
        Reply {
            download: Some((text, media_type, filename)),
            ..Reply::no_content()
        }
        .with_status(200)
    }

    fn with_status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    pub fn with_cookie(mut self, cookie: String) -> Reply {
        self.cookies.push(cookie);
        self
    }
}

/// One request being answered.
pub struct Call {
    pub req: Request,
    pub app: App,
    pub locale: Locale,
    pub requester: Requester,
    /// The values of the route's `{id}` segments.
    pub params: Vec<String>,
}

impl Call {
    /// The route's first `{id}` segment (the router only matches routes that have one).
    pub fn id(&self) -> &str {
        self.params.first().map(String::as_str).unwrap_or_default()
    }

    /// A query-string parameter, trimmed; `None` when absent or blank.
    pub fn query(&self, name: &str) -> Option<String> {
        let value = request_url::query(&self.req.inner().url(), name)?;
        Some(value.trim().to_owned()).filter(|v| !v.is_empty())
    }
}

pub async fn handle(req: Request, env: Env) -> Result<Response> {
    let locale = req
        .headers()
        .get("Accept-Language")
        .ok()
        .flatten()
        .map(|h| Locale::from_accept_language(&h))
        .unwrap_or_default();
    let observed = observe::Observed::start(&req, &env);
    let (status, mut response, html) = match answer(req, &env, locale, &observed).await {
        Ok(reply) => {
            let html = reply.html.is_some();
            (reply.status, to_response(reply)?, html)
        }
        Err(mut error) => {
            if error.status() >= 500 {
                // The id support looks the request's log line up by.
                error = error.with("request_id", observed.request_id.as_str());
            }
            let response = error_response(&error, locale)?;
            (error.status(), response, false)
        }
    };
    security::apply_headers(response.headers_mut(), html);
    observed.finish(&mut response, status);
    Ok(response.with_status(status))
}

async fn answer(
    req: Request,
    env: &Env,
    locale: Locale,
    observed: &observe::Observed,
) -> std::result::Result<Reply, ApiError> {
    // The raw method: worker's `Method` reads an unknown one (say QUERY) as GET.
    let router::Matched { route, params } = router::resolve(&req.inner().method(), &req.path())?;
    security::reject_cross_site(&req)?;
    let db = observed.db.as_ref().map_err(|error| InfraError {
        context: error.context.clone(),
        cause: error.cause.clone(),
    })?;
    let app = App::with_db(env, db.clone()).await?;
    // A deployment left in development mode still keeps its tools (codes, clock) to the machine
    // it runs on.
    let loopback = security::is_loopback_host(request_url::host(&req.inner().url()));
    if route.development_only && !(app.config.development && loopback) {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let requester = Requester {
        ip: header("CF-Connecting-IP"),
        user_agent: header("User-Agent"),
        device: cookies::device_token(&req),
    };
    let mut call = Call {
        req,
        app,
        locale,
        requester,
        params,
    };
    (route.handler)(&mut call).await
}

fn to_response(reply: Reply) -> Result<Response> {
    let mut response = match (reply.html, reply.body, reply.download) {
        (Some(page), _, _) => Response::from_html(page)?,
        (None, Some(body), _) => {
            let mut response = Response::ok(body)?;
            response
                .headers_mut()
                .set("Content-Type", "application/json")?;
            response
        }
        (None, None, Some((text, media_type, filename))) => {
            let mut response = Response::ok(text)?;
            let headers = response.headers_mut();
            headers.set("Content-Type", media_type)?;
            headers.set(
                "Content-Disposition",
                &format!("attachment; filename=\"{filename}\""),
            )?;
            response
        }
        (None, None, None) => Response::empty()?,
    };
    for cookie in reply.cookies {
        response.headers_mut().append("Set-Cookie", &cookie)?;
    }
    for (name, value) in reply.headers {
        response.headers_mut().set(name, &value)?;
    }
    Ok(response)
}

fn error_response(error: &ApiError, locale: Locale) -> Result<Response> {
    let mut reply = Reply::json(error.status(), error.body(locale));
    if let Some(seconds) = error.retry_after {
        reply.headers.push(("Retry-After", seconds.to_string()));
    }
    reply.headers.extend(error.headers.iter().cloned());
    to_response(reply)
}
