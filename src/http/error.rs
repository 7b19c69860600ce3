//! The one error type of the HTTP layer, and the one place where every use-case error becomes a
//! status and a JSON body `{"error": {"code", "message", "fields"?, ...}}`. 5xx bodies are opaque;
//! their cause is logged.

use super::i18n;
use crate::domain::code::CodeRejection;
use crate::domain::fields::{FieldErrors, Problem};
use crate::domain::locale::Locale;
use crate::infra::InfraError;
use crate::use_cases::codes::{CodeError, ResendError};
use crate::use_cases::passwords::ResetError;
use crate::use_cases::sessions::LoginError;
use serde_json::{json, Map, Value};

#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub fields: Option<FieldErrors>,
    /// Extra members of the error object (e.g. `attempts_left`).
    pub extra: Map<String, Value>,
    /// Sent as `Retry-After` and as `retry_after` in the body.
    pub retry_after: Option<u64>,
    /// Extra response headers (e.g. `Allow`).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str) -> ApiError {
        ApiError {
            status,
            code,
            fields: None,
            extra: Map::new(),
            retry_after: None,
            headers: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// 422 naming a single field.
    pub fn invalid_field(field: &'static str, problem: Problem) -> ApiError {
        let mut fields = FieldErrors::default();
        fields.add(field, problem);
        ApiError::invalid(fields)
    }

    pub fn invalid(fields: FieldErrors) -> ApiError {
        ApiError {
            fields: Some(fields),
            ..ApiError::new(422, "validation_failed")
        }
    }

    pub fn internal(error: InfraError) -> ApiError {
        worker::console_error!("internal error: {error}");
        ApiError::new(500, "internal_error")
    }

    pub fn body(&self, locale: Locale) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), self.code.into());
        error.insert(
            "message".into(),
            i18n::error_message(self.code, locale).into(),
        );
        if let Some(fields) = &self.fields {
            let fields: Map<String, Value> = fields
                .iter()
                .map(|(name, problem)| {
                    (
                        name.to_owned(),
                        i18n::problem_message(problem, locale).into(),
                    )
                })
                .collect();
            error.insert("fields".into(), Value::Object(fields));
        }
        if let Some(seconds) = self.retry_after {
            error.insert("retry_after".into(), seconds.into());
        }
        error.extend(self.extra.clone());
        json!({ "error": error })
    }
}

impl From<InfraError> for ApiError {
    fn from(error: InfraError) -> Self {
        ApiError::internal(error)
    }
}

impl From<FieldErrors> for ApiError {
    fn from(fields: FieldErrors) -> Self {
        ApiError::invalid(fields)
    }
}

impl From<CodeError> for ApiError {
    fn from(error: CodeError) -> Self {
        match error {
            CodeError::NotFound => ApiError::new(404, "verification_not_found"),
            CodeError::Invalid { attempts_left } => {
                ApiError::new(422, "invalid_code").with("attempts_left", attempts_left)
            }
            CodeError::Rejected(CodeRejection::Expired) => ApiError::new(410, "code_expired"),
            CodeError::Rejected(CodeRejection::Exhausted) => ApiError::new(410, "code_exhausted"),
            CodeError::Rejected(CodeRejection::AlreadyUsed) => ApiError::new(410, "code_used"),
            CodeError::TooManyAttempts { retry_after } => {
                ApiError::new(429, "too_many_attempts").retry_after(retry_after)
            }
            CodeError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<ResendError> for ApiError {
    fn from(error: ResendError) -> Self {
        match error {
            ResendError::NotFound => ApiError::new(404, "verification_not_found"),
            ResendError::AlreadyUsed => ApiError::new(410, "code_used"),
            ResendError::TooSoon { retry_after } => {
                ApiError::new(429, "resend_too_soon").retry_after(retry_after)
            }
            ResendError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<ResetError> for ApiError {
    fn from(error: ResetError) -> Self {
        match error {
            ResetError::Code(error) => error.into(),
            ResetError::InvalidPassword(fields) => ApiError::invalid(fields),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => ApiError::new(401, "invalid_credentials"),
            LoginError::EmailNotVerified { verification_id } => {
                ApiError::new(403, "email_not_verified").with("verification_id", verification_id)
            }
            LoginError::Throttled { retry_after } => {
                ApiError::new(429, "too_many_attempts").retry_after(retry_after)
            }
            LoginError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::linking::LinkError> for ApiError {
    fn from(error: crate::use_cases::linking::LinkError) -> Self {
        use crate::domain::linking::LinkRejection;
        use crate::use_cases::linking::LinkError;
        match error {
            LinkError::NotFound | LinkError::Rejected(LinkRejection::Superseded) => {
                ApiError::new(404, "link_not_found")
            }
            LinkError::InvalidCode { attempts_left } => {
                ApiError::new(422, "invalid_link_code").with("attempts_left", attempts_left)
            }
            LinkError::Rejected(LinkRejection::Locked) => ApiError::new(423, "link_locked"),
            LinkError::Rejected(LinkRejection::Expired) => ApiError::new(410, "link_expired"),
            LinkError::Rejected(LinkRejection::Used) => ApiError::new(410, "link_used"),
            LinkError::ContactRevoked => ApiError::new(403, "contact_revoked"),
            LinkError::InvalidLegacyCredentials => ApiError::new(401, "invalid_legacy_credentials"),
            LinkError::Throttled { retry_after } => {
                ApiError::new(429, "too_many_attempts").retry_after(retry_after)
            }
            LinkError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::profiles::SwitchError> for ApiError {
    fn from(error: crate::use_cases::profiles::SwitchError) -> Self {
        use crate::use_cases::profiles::SwitchError;
        match error {
            SwitchError::NotFound => ApiError::new(404, "profile_not_found"),
            SwitchError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::members::MembersError> for ApiError {
    fn from(error: crate::use_cases::members::MembersError) -> Self {
        use crate::use_cases::members::MembersError;
        match error {
            MembersError::ResponsableRequired => ApiError::new(403, "responsable_required"),
            MembersError::NotFound => ApiError::new(404, "not_found"),
            MembersError::ContactExists => ApiError::new(409, "contact_exists"),
            MembersError::LastResponsable => ApiError::new(409, "last_responsable"),
            MembersError::ContactLinked => ApiError::new(409, "contact_linked"),
            MembersError::ContactRevoked => ApiError::new(409, "contact_revoked"),
            MembersError::EmployersOnly => {
                ApiError::invalid_field("manages_authorizations", Problem::EmployersOnly)
            }
            MembersError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::operator::OperatorError> for ApiError {
    fn from(error: crate::use_cases::operator::OperatorError) -> Self {
        use crate::use_cases::operator::OperatorError;
        match error {
            OperatorError::FileNumberTaken => ApiError::new(409, "file_number_taken"),
            OperatorError::NotFound => ApiError::new(404, "not_found"),
            OperatorError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::authorizations::AuthorizationError> for ApiError {
    fn from(error: crate::use_cases::authorizations::AuthorizationError) -> Self {
        use crate::use_cases::authorizations::AuthorizationError;
        match error {
            AuthorizationError::EmployerProfileRequired => {
                ApiError::new(403, "employer_profile_required")
            }
            AuthorizationError::AdministratorRequired => {
                ApiError::new(403, "authorization_admin_required")
            }
            AuthorizationError::NotFound => ApiError::new(404, "not_found"),
            AuthorizationError::Invalid(fields) => ApiError::invalid(fields),
            AuthorizationError::Exists { authorization_id } => {
                ApiError::new(409, "authorization_exists")
                    .with("authorization_id", authorization_id)
            }
            AuthorizationError::Inactive => ApiError::new(409, "authorization_inactive"),
            AuthorizationError::NotMigrated => ApiError::new(409, "not_migrated"),
            AuthorizationError::RequestExpired => ApiError::new(410, "access_request_expired"),
            AuthorizationError::RequestAnswered => ApiError::new(409, "access_request_answered"),
            AuthorizationError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::access_requests::RequestError> for ApiError {
    fn from(error: crate::use_cases::access_requests::RequestError) -> Self {
        use crate::use_cases::access_requests::RequestError;
        match error {
            RequestError::Unmatched => ApiError::new(422, "access_request_unmatched"),
            RequestError::OwnOrganisation => {
                ApiError::invalid_field("file_number", Problem::NotYourOrganisation)
            }
            RequestError::AlreadyAuthorized => ApiError::new(409, "already_authorized"),
            RequestError::AlreadyPending => ApiError::new(409, "access_request_pending"),
            RequestError::NotFound => ApiError::new(404, "not_found"),
            RequestError::NotPending => ApiError::new(409, "access_request_answered"),
            RequestError::Throttled { retry_after } => {
                ApiError::new(429, "too_many_attempts").retry_after(retry_after)
            }
            RequestError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::files::FileError> for ApiError {
    fn from(error: crate::use_cases::files::FileError) -> Self {
        use crate::use_cases::files::FileError;
        match error {
            FileError::NotFound => ApiError::new(404, "not_found"),
            FileError::ServiceNotAuthorized => ApiError::new(403, "service_not_authorized"),
            FileError::ServiceNotStarted => ApiError::new(403, "service_not_started"),
            FileError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::tokens::TokenError> for ApiError {
    fn from(error: crate::use_cases::tokens::TokenError) -> Self {
        use crate::use_cases::tokens::TokenError;
        let unauthorized = |code| {
            let mut error = ApiError::new(401, code);
            error
                .headers
                .push(("WWW-Authenticate", "Bearer error=\"invalid_token\"".into()));
            error
        };
        match error {
            TokenError::Members(error) => error.into(),
            TokenError::NotFound => ApiError::new(404, "not_found"),
            TokenError::Invalid => unauthorized("token_invalid"),
            TokenError::Expired => unauthorized("token_expired"),
            TokenError::Revoked => unauthorized("token_revoked"),
            TokenError::MissingScope(scope) => {
                ApiError::new(403, "token_scope_missing").with("required_scope", scope.code())
            }
            TokenError::Throttled { retry_after } => {
                ApiError::new(429, "too_many_requests").retry_after(retry_after)
            }
            TokenError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::migration::MigrationError> for ApiError {
    fn from(error: crate::use_cases::migration::MigrationError) -> Self {
        use crate::use_cases::migration::MigrationError;
        match error {
            MigrationError::RunNotFound => ApiError::new(404, "migration_run_not_found"),
            MigrationError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::webhooks::WebhookError> for ApiError {
    fn from(error: crate::use_cases::webhooks::WebhookError) -> Self {
        use crate::use_cases::webhooks::WebhookError;
        match error {
            WebhookError::ResponsableRequired => ApiError::new(403, "responsable_required"),
            WebhookError::NotFound => ApiError::new(404, "not_found"),
            WebhookError::TooManyEndpoints => ApiError::new(409, "webhook_limit_reached"),
            WebhookError::EndpointDisabled => ApiError::new(409, "webhook_disabled"),
            WebhookError::Infra(error) => ApiError::internal(error),
        }
    }
}
