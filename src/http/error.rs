//! The one error type of the HTTP layer, and the one place where every use-case error becomes a
//! status and a JSON body `{"error": {"code", "message", "fields"?, ...}}`. 5xx bodies are opaque;
//! their cause is logged.

pub use super::error_code::ErrorCode;
use super::i18n;
use crate::domain::code::CodeRejection;
use crate::domain::fields::{FieldErrors, Problem};
use crate::domain::locale::Locale;
use crate::infra::InfraError;
use crate::json;
use crate::use_cases::codes::{CodeError, ResendError};
use crate::use_cases::passwords::ResetError;
use crate::use_cases::sessions::LoginError;
use serde_json::{Map, Value};

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub fields: Option<FieldErrors>,
    /// Extra members of the error object (e.g. `attempts_left`).
    pub extra: Map<String, Value>,
    /// Sent as `Retry-After` and as `retry_after` in the body.
    pub retry_after: Option<u64>,
    /// Extra response headers (e.g. `Allow`).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> ApiError {
        ApiError {
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
            ..ApiError::new(ErrorCode::ValidationFailed)
        }
    }

    pub fn internal(error: InfraError) -> ApiError {
        worker::console_error!("internal error: {error}");
        ApiError::new(ErrorCode::InternalError)
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    pub fn body(&self, locale: Locale) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), self.code.code().into());
        error.insert("message".into(), self.code.message(locale).into());
        if let Some(fields) = &self.fields {
            let mut messages = Map::new();
            for (name, problem) in fields.iter() {
                messages.insert(
                    name.to_owned(),
                    i18n::problem_message(problem, locale).into(),
                );
            }
            error.insert("fields".into(), Value::Object(messages));
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
            CodeError::NotFound => ApiError::new(ErrorCode::VerificationNotFound),
            CodeError::Invalid { attempts_left } => {
                ApiError::new(ErrorCode::InvalidCode).with("attempts_left", attempts_left)
            }
            CodeError::Rejected(CodeRejection::Expired) => ApiError::new(ErrorCode::CodeExpired),
            CodeError::Rejected(CodeRejection::Exhausted) => {
                ApiError::new(ErrorCode::CodeExhausted)
            }
            CodeError::Rejected(CodeRejection::AlreadyUsed) => ApiError::new(ErrorCode::CodeUsed),
            CodeError::TooManyAttempts { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            CodeError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<ResendError> for ApiError {
    fn from(error: ResendError) -> Self {
        match error {
            ResendError::NotFound => ApiError::new(ErrorCode::VerificationNotFound),
            ResendError::AlreadyUsed => ApiError::new(ErrorCode::CodeUsed),
            ResendError::TooSoon { retry_after } => {
                ApiError::new(ErrorCode::ResendTooSoon).retry_after(retry_after)
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
            LoginError::InvalidCredentials => ApiError::new(ErrorCode::InvalidCredentials),
            LoginError::EmailNotVerified { verification_id } => {
                ApiError::new(ErrorCode::EmailNotVerified).with("verification_id", verification_id)
            }
            LoginError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
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
                ApiError::new(ErrorCode::LinkNotFound)
            }
            LinkError::InvalidCode { attempts_left } => {
                ApiError::new(ErrorCode::InvalidLinkCode).with("attempts_left", attempts_left)
            }
            LinkError::Rejected(LinkRejection::Locked) => ApiError::new(ErrorCode::LinkLocked),
            LinkError::Rejected(LinkRejection::Expired) => ApiError::new(ErrorCode::LinkExpired),
            LinkError::Rejected(LinkRejection::Used) => ApiError::new(ErrorCode::LinkUsed),
            LinkError::ContactRevoked => ApiError::new(ErrorCode::ContactRevoked),
            LinkError::InvalidLegacyCredentials => {
                ApiError::new(ErrorCode::InvalidLegacyCredentials)
            }
            LinkError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            LinkError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::profiles::SwitchError> for ApiError {
    fn from(error: crate::use_cases::profiles::SwitchError) -> Self {
        use crate::use_cases::profiles::SwitchError;
        match error {
            SwitchError::NotFound => ApiError::new(ErrorCode::ProfileNotFound),
            SwitchError::FactorRequired => ApiError::new(ErrorCode::MfaEnrolmentRequired),
            SwitchError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::members::MembersError> for ApiError {
    fn from(error: crate::use_cases::members::MembersError) -> Self {
        use crate::use_cases::members::MembersError;
        match error {
            MembersError::ResponsableRequired => ApiError::new(ErrorCode::ResponsableRequired),
            MembersError::NotFound => ApiError::new(ErrorCode::NotFound),
            MembersError::ContactExists => ApiError::new(ErrorCode::ContactExists),
            MembersError::LastResponsable => ApiError::new(ErrorCode::LastResponsable),
            MembersError::ContactLinked => ApiError::new(ErrorCode::ContactLinked),
            MembersError::ContactRevoked => ApiError::new(ErrorCode::ContactAlreadyRevoked),
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
            OperatorError::FileNumberTaken => ApiError::new(ErrorCode::FileNumberTaken),
            OperatorError::NotFound => ApiError::new(ErrorCode::NotFound),
            OperatorError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::authorizations::AuthorizationError> for ApiError {
    fn from(error: crate::use_cases::authorizations::AuthorizationError) -> Self {
        use crate::use_cases::authorizations::AuthorizationError;
        match error {
            AuthorizationError::EmployerProfileRequired => {
                ApiError::new(ErrorCode::EmployerProfileRequired)
            }
            AuthorizationError::AdministratorRequired => {
                ApiError::new(ErrorCode::AuthorizationAdminRequired)
            }
            AuthorizationError::NotFound => ApiError::new(ErrorCode::NotFound),
            AuthorizationError::Invalid(fields) => ApiError::invalid(fields),
            AuthorizationError::Exists { authorization_id } => {
                ApiError::new(ErrorCode::AuthorizationExists)
                    .with("authorization_id", authorization_id)
            }
            AuthorizationError::Inactive => ApiError::new(ErrorCode::AuthorizationInactive),
            AuthorizationError::NotMigrated => ApiError::new(ErrorCode::NotMigrated),
            AuthorizationError::RequestExpired => ApiError::new(ErrorCode::AccessRequestExpired),
            AuthorizationError::RequestAnswered => ApiError::new(ErrorCode::AccessRequestAnswered),
            AuthorizationError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::access_requests::RequestError> for ApiError {
    fn from(error: crate::use_cases::access_requests::RequestError) -> Self {
        use crate::use_cases::access_requests::RequestError;
        match error {
            RequestError::Unmatched => ApiError::new(ErrorCode::AccessRequestUnmatched),
            RequestError::OwnOrganisation => {
                ApiError::invalid_field("file_number", Problem::NotYourOrganisation)
            }
            RequestError::AlreadyAuthorized => ApiError::new(ErrorCode::AlreadyAuthorized),
            RequestError::AlreadyPending => ApiError::new(ErrorCode::AccessRequestPending),
            RequestError::NotFound => ApiError::new(ErrorCode::NotFound),
            RequestError::NotPending => ApiError::new(ErrorCode::AccessRequestAnswered),
            RequestError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            RequestError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::files::FileError> for ApiError {
    fn from(error: crate::use_cases::files::FileError) -> Self {
        use crate::use_cases::files::FileError;
        match error {
            FileError::NotFound => ApiError::new(ErrorCode::NotFound),
            FileError::ServiceNotAuthorized => ApiError::new(ErrorCode::ServiceNotAuthorized),
            FileError::ServiceNotStarted => ApiError::new(ErrorCode::ServiceNotStarted),
            FileError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::tokens::TokenError> for ApiError {
    fn from(error: crate::use_cases::tokens::TokenError) -> Self {
        use crate::use_cases::tokens::TokenError;
        let unauthorized = |code| {
            let mut error = ApiError::new(code);
            error
                .headers
                .push(("WWW-Authenticate", "Bearer error=\"invalid_token\"".into()));
            error
        };
        match error {
            TokenError::Members(error) => error.into(),
            TokenError::NotFound => ApiError::new(ErrorCode::NotFound),
            TokenError::Invalid => unauthorized(ErrorCode::TokenInvalid),
            TokenError::Expired => unauthorized(ErrorCode::TokenExpired),
            TokenError::Revoked => unauthorized(ErrorCode::TokenRevoked),
            TokenError::MissingScope(scope) => {
                ApiError::new(ErrorCode::TokenScopeMissing).with("required_scope", scope.as_str())
            }
            TokenError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyRequests).retry_after(retry_after)
            }
            TokenError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::migration::MigrationError> for ApiError {
    fn from(error: crate::use_cases::migration::MigrationError) -> Self {
        use crate::use_cases::migration::MigrationError;
        match error {
            MigrationError::RunNotFound => ApiError::new(ErrorCode::MigrationRunNotFound),
            MigrationError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::webhooks::WebhookError> for ApiError {
    fn from(error: crate::use_cases::webhooks::WebhookError) -> Self {
        use crate::use_cases::webhooks::WebhookError;
        match error {
            WebhookError::ResponsableRequired => ApiError::new(ErrorCode::ResponsableRequired),
            WebhookError::NotFound => ApiError::new(ErrorCode::NotFound),
            WebhookError::TooManyEndpoints => ApiError::new(ErrorCode::WebhookLimitReached),
            WebhookError::EndpointDisabled => ApiError::new(ErrorCode::WebhookDisabled),
            WebhookError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            WebhookError::Infra(error) => ApiError::internal(error),
        }
    }
}

impl From<crate::use_cases::account::AccountError> for ApiError {
    fn from(error: crate::use_cases::account::AccountError) -> Self {
        use crate::use_cases::account::AccountError;
        match error {
            AccountError::WrongPassword => {
                ApiError::invalid_field("current_password", Problem::WrongPassword)
            }
            AccountError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            AccountError::SameEmail => ApiError::invalid_field("new_email", Problem::SameEmail),
            AccountError::EmailTaken => ApiError::new(ErrorCode::EmailTaken),
            AccountError::SessionNotFound => ApiError::new(ErrorCode::SessionNotFound),
            AccountError::LastResponsable { organisations } => {
                ApiError::new(ErrorCode::LastResponsableAccount)
                    .with("organisations", organisations)
            }
            AccountError::Code(error) => error.into(),
            AccountError::Infra(error) => ApiError::internal(error),
        }
    }
}

/// A monthly report's error. Line problems are answered in the user's language, each with its
/// line, field and code, under `problems`.
pub fn report_error(
    error: crate::use_cases::monthly_reports::ReportError,
    locale: Locale,
) -> ApiError {
    use crate::use_cases::monthly_reports::ReportError;
    match error {
        ReportError::NotFound => ApiError::new(ErrorCode::NotFound),
        ReportError::EmployerProfileRequired => ApiError::new(ErrorCode::EmployerProfileRequired),
        ReportError::ServiceNotAuthorized => ApiError::new(ErrorCode::ServiceNotAuthorized),
        ReportError::ServiceNotStarted => ApiError::new(ErrorCode::ServiceNotStarted),
        ReportError::TransmissionNotAuthorized => {
            ApiError::new(ErrorCode::TransmissionNotAuthorized)
        }
        ReportError::MonthAhead => ApiError::invalid_field("month", Problem::FutureMonth),
        ReportError::TooManyLines => ApiError::new(ErrorCode::MonthlyReportTooManyLines)
            .with("max", crate::domain::monthly_report::MAX_LINES),
        ReportError::NoActivityWithLines => {
            ApiError::new(ErrorCode::MonthlyReportNoActivityWithLines)
        }
        ReportError::Invalid(problems) => {
            let problems: Vec<Value> = problems
                .iter()
                .map(|p| i18n::line_problem_json(p, locale))
                .collect();
            ApiError::invalid(FieldErrors::default()).with("problems", problems)
        }
        ReportError::AlreadyTransmitted => ApiError::new(ErrorCode::MonthlyReportTransmitted),
        ReportError::NoDraft => ApiError::new(ErrorCode::MonthlyReportNoDraft),
        ReportError::Empty => ApiError::new(ErrorCode::MonthlyReportEmpty),
        ReportError::MonthNotOver => ApiError::new(ErrorCode::MonthlyReportMonthNotOver),
        ReportError::NothingToCorrect => ApiError::new(ErrorCode::MonthlyReportNothingToCorrect),
        ReportError::CorrectionOpen => ApiError::new(ErrorCode::MonthlyReportCorrectionOpen),
        ReportError::Infra(error) => ApiError::internal(error),
    }
}
impl From<crate::use_cases::passkeys::PasskeyError> for ApiError {
    fn from(error: crate::use_cases::passkeys::PasskeyError) -> Self {
        use crate::use_cases::passkeys::PasskeyError;
        match error {
            PasskeyError::NotFound => ApiError::new(ErrorCode::NotFound),
            PasskeyError::Rejected(_) => ApiError::new(ErrorCode::PasskeyRejected),
            PasskeyError::LimitReached => ApiError::new(ErrorCode::PasskeyLimitReached),
            PasskeyError::AlreadyRegistered => ApiError::new(ErrorCode::PasskeyAlreadyRegistered),
            PasskeyError::Throttled { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            PasskeyError::Infra(error) => ApiError::internal(error),
        }
    }
}
impl From<crate::use_cases::mfa::MfaError> for ApiError {
    fn from(error: crate::use_cases::mfa::MfaError) -> Self {
        use crate::domain::mfa::ChallengeRejection;
        use crate::use_cases::mfa::MfaError;
        match error {
            MfaError::TotpAlreadyEnabled => ApiError::new(ErrorCode::TotpAlreadyEnabled),
            MfaError::TotpNotPending => ApiError::new(ErrorCode::TotpNotPending),
            MfaError::NotEnabled => ApiError::new(ErrorCode::MfaNotEnabled),
            MfaError::InvalidCode { attempts_left } => {
                let error = ApiError::new(ErrorCode::InvalidCode);
                match attempts_left {
                    Some(left) => error.with("attempts_left", left),
                    None => error,
                }
            }
            MfaError::ChallengeNotFound => ApiError::new(ErrorCode::MfaChallengeNotFound),
            MfaError::ChallengeRejected(ChallengeRejection::Expired) => {
                ApiError::new(ErrorCode::MfaChallengeExpired)
            }
            MfaError::ChallengeRejected(ChallengeRejection::Exhausted) => {
                ApiError::new(ErrorCode::MfaChallengeExhausted)
            }
            MfaError::ChallengeRejected(ChallengeRejection::Used) => {
                ApiError::new(ErrorCode::MfaChallengeUsed)
            }
            MfaError::StepUpRequired => ApiError::new(ErrorCode::StepUpRequired),
            MfaError::TooManyAttempts { retry_after } => {
                ApiError::new(ErrorCode::TooManyAttempts).retry_after(retry_after)
            }
            MfaError::Infra(error) => ApiError::internal(error),
        }
    }
}
