//! HTTP: routing, parsing requests into domain types, one error mapping, cookies, CSRF and
//! security headers. Handlers are short scripts: parse, call the use case, respond.

mod access_requests;
mod accounts;
pub mod body;
mod cookies;
mod csv;
mod employer;
pub mod error;
mod files;
pub mod i18n;
mod linking;
mod meta;
mod migration;
mod observe;
mod operator;
mod organisation;
pub mod routes;
mod security;
mod sessions;
mod tokens;
mod webhooks;

use crate::domain::locale::Locale;
use crate::infra::{App, InfraError};
use crate::use_cases::Requester;
use error::ApiError;
use routes::{Miss, Route};
use serde_json::Value;
use worker::{Env, Request, Response, Result};

/// What a handler answers, turned into a `Response` in one place.
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub cookie: Option<String>,
    pub html: Option<String>,
    /// A file to download: its text, media type and name.
    pub download: Option<(String, &'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            body: Some(body),
            ..Reply::no_content()
        }
        .with_status(status)
    }

    pub fn no_content() -> Reply {
        Reply {
            status: 204,
            body: None,
            cookie: None,
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
        self.cookie = Some(cookie);
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
        let url = self.req.url().ok()?;
        let value = url
            .query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_owned());
        value.filter(|v| !v.is_empty())
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
            if error.status >= 500 {
                // The id support looks the request's log line up by.
                error = error.with("request_id", observed.request_id.as_str());
            }
            let response = error_response(&error, locale)?;
            (error.status, response, false)
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
    let path = req.path();
    let routes::Matched { route, params } =
        routes::resolve(req.method().as_ref(), &path).map_err(|miss| match miss {
            Miss::NotFound => ApiError::new(404, "not_found"),
            Miss::MethodNotAllowed { allow } => {
                let mut error = ApiError::new(405, "method_not_allowed");
                error.headers.push(("Allow", allow.join(", ")));
                error
            }
        })?;
    security::reject_cross_site(&req)?;
    let db = observed.db.as_ref().map_err(|error| InfraError {
        context: error.context.clone(),
        cause: error.cause.clone(),
    })?;
    let app = App::with_db(env, db.clone()).await?;
    if route.is_development_only() && !app.config.development {
        return Err(ApiError::new(404, "not_found"));
    }
    let header = |name: &str| req.headers().get(name).ok().flatten();
    let requester = Requester {
        ip: header("CF-Connecting-IP"),
        user_agent: header("User-Agent"),
    };
    let mut call = Call {
        req,
        app,
        locale,
        requester,
        params,
    };
    match route {
        Route::Health => meta::health(&call).await,
        Route::OpenApi => Ok(meta::openapi()),
        Route::SignupValidate => accounts::validate(&mut call).await,
        Route::Signup => accounts::sign_up(&mut call).await,
        Route::SignupVerify => accounts::verify(&mut call).await,
        Route::SignupResend => accounts::resend(&mut call).await,
        Route::LogIn => sessions::log_in(&mut call).await,
        Route::LogOut => sessions::log_out(&call).await,
        Route::Me => sessions::me(&call).await,
        Route::PasswordForgot => accounts::forgot_password(&mut call).await,
        Route::PasswordReset => accounts::reset_password(&mut call).await,
        Route::LinkWithCredentials => linking::with_credentials(&mut call).await,
        Route::LinkWithLegacy => linking::with_legacy(&mut call).await,
        Route::LinkByKnownFacts => linking::by_known_facts(&mut call).await,
        Route::Profiles => linking::profiles(&call).await,
        Route::SelectProfile => linking::select_profile(&mut call).await,
        Route::Organisation => organisation::show(&call).await,
        Route::Members => organisation::members(&call).await,
        Route::InviteMember => organisation::invite(&mut call).await,
        Route::Member => organisation::member(&call).await,
        Route::ChangeMember => organisation::change(&mut call).await,
        Route::RevokeMember => organisation::revoke(&call).await,
        Route::ReissueCredentials => organisation::reissue(&call).await,
        Route::OrganisationAudit => organisation::audit(&call).await,
        Route::AuthorizedFiles => files::list(&call).await,
        Route::AuthorizedFilesCsv => files::export(&call).await,
        Route::AuthorizedFile => files::file(&call).await,
        Route::MonthlyReport => files::monthly_report(&call).await,
        Route::AccessRequests => access_requests::list(&call).await,
        Route::RequestAccess => access_requests::create(&mut call).await,
        Route::CancelAccessRequest => access_requests::cancel(&call).await,
        Route::EmployerAuthorizations => employer::authorizations(&call).await,
        Route::GrantAuthorization => employer::grant(&mut call).await,
        Route::EmployerAuthorization => employer::authorization(&call).await,
        Route::ChangeAuthorization => employer::change(&mut call).await,
        Route::RevokeAuthorization => employer::revoke(&call).await,
        Route::ConfirmMigrated => employer::confirm(&call).await,
        Route::ReviewMigrated => employer::review(&mut call).await,
        Route::EmployerAccessRequests => employer::access_requests(&call).await,
        Route::ApproveAccessRequest => employer::approve(&mut call).await,
        Route::DeclineAccessRequest => employer::decline(&mut call).await,
        Route::Tokens => tokens::list(&call).await,
        Route::CreateToken => tokens::create(&mut call).await,
        Route::RevokeToken => tokens::revoke(&call).await,
        Route::OrganisationAuditCsv => organisation::audit_csv(&call).await,
        Route::OperatorCreateOrganisation => operator::create_organisation(&mut call).await,
        Route::OperatorImportLegacy => migration::import_legacy_credentials(&mut call).await,
        Route::OperatorImportMigration => migration::import_batch(&mut call).await,
        Route::OperatorMigrationReport => migration::report(&call).await,
        Route::OperatorUnmigratedRelations => migration::unmigrated_relations(&call).await,
        Route::DevMailbox => crate::dev::mailbox(&call).await,
        Route::DevMailboxPage => crate::dev::mailbox_page(&call).await,
        Route::DevClock => crate::dev::advance_clock(&mut call).await,
        Route::DevDeadLetters => crate::dev::dead_letters(&call).await,
        Route::DevEnqueueEmail => crate::dev::enqueue_email(&mut call, env).await,
        Route::DevJobs => crate::dev::jobs(&call).await,
        Route::Webhooks => webhooks::list(&call).await,
        Route::CreateWebhook => webhooks::create(&mut call).await,
        Route::Webhook => webhooks::show(&call).await,
        Route::ChangeWebhook => webhooks::change(&mut call).await,
        Route::DeleteWebhook => webhooks::delete(&call).await,
        Route::RotateWebhookSecret => webhooks::rotate_secret(&call).await,
        Route::WebhookDeliveries => webhooks::deliveries(&call).await,
        Route::ReplayWebhookDelivery => webhooks::replay(&call).await,
        Route::TestWebhook => webhooks::send_test(&call).await,
    }
}

fn to_response(reply: Reply) -> Result<Response> {
    let mut response = match (reply.html, reply.body, reply.download) {
        (Some(page), _, _) => Response::from_html(page)?,
        (None, Some(body), _) => Response::from_json(&body)?,
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
    if let Some(cookie) = reply.cookie {
        response.headers_mut().append("Set-Cookie", &cookie)?;
    }
    for (name, value) in reply.headers {
        response.headers_mut().set(name, &value)?;
    }
    Ok(response)
}

fn error_response(error: &ApiError, locale: Locale) -> Result<Response> {
    let mut response = Response::from_json(&error.body(locale))?;
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .set("Retry-After", &seconds.to_string())?;
    }
    for (name, value) in &error.headers {
        response.headers_mut().set(name, value)?;
    }
    Ok(response)
}
