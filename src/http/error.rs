//! The one error type of the HTTP layer, and the one place where every use-case error becomes a
//! status and a JSON body `{"error": {"code", "message", "fields"?, ...}}`. 5xx bodies are opaque;
//! their cause is logged.

pub use super::error_code::ErrorCode;
use super::i18n;
use crate::domain::code::CodeRejection;
use crate::domain::fields::{FieldErrors, Problem};
use crate::domain::linking::LinkRejection;
use crate::domain::locale::Locale;
use crate::domain::mfa::ChallengeRejection;
use crate::infra::InfraError;
use crate::json;
use crate::use_cases::access_requests::RequestError;
use crate::use_cases::account::AccountError;
use crate::use_cases::authorizations::AuthorizationError;
use crate::use_cases::codes::{CodeError, ResendError};
use crate::use_cases::files::FileError;
use crate::use_cases::linking::LinkError;
use crate::use_cases::members::MembersError;
use crate::use_cases::mfa::MfaError;
use crate::use_cases::migration::MigrationError;
use crate::use_cases::operator::OperatorError;
use crate::use_cases::passkeys::PasskeyError;
use crate::use_cases::passwords::ResetError;
use crate::use_cases::profiles::SwitchError;
use crate::use_cases::sessions::LoginError;
use crate::use_cases::tokens::TokenError;
use crate::use_cases::webhooks::WebhookError;
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

    /// 429: too many attempts; the next one is allowed in `seconds`.
    pub fn throttled(seconds: u64) -> ApiError {
        ApiError::new(ErrorCode::TooManyAttempts).retry_after(seconds)
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

/// `From<$error> for ApiError` as a table: each variant in `same` answers the code of its own
/// name, each in `renamed` the code it names, each further pattern what it says; `Infra` is always
/// an opaque 500 (its cause logged).
macro_rules! answers {
    (
        $error:ident,
        same: [$($same:ident),* $(,)?],
        renamed: [$($variant:ident => $code:ident),* $(,)?],
        $($pattern:pat => $answer:expr),* $(,)?
    ) => {
        impl From<$error> for ApiError {
            fn from(error: $error) -> Self {
                match error {
                    $($error::$same => ApiError::new(ErrorCode::$same),)*
                    $($error::$variant => ApiError::new(ErrorCode::$code),)*
                    $($pattern => $answer,)*
                    $error::Infra(error) => ApiError::internal(error),
                }
            }
        }
    };
}

/// 401 for a bearer token that does not let its holder in, saying so the OAuth way.
fn invalid_token(code: ErrorCode) -> ApiError {
    let mut error = ApiError::new(code);
    error
        .headers
        .push(("WWW-Authenticate", "Bearer error=\"invalid_token\"".into()));
    error
}

answers!(
    CodeError,
    same: [],
    renamed: [NotFound => VerificationNotFound],
    CodeError::Invalid { attempts_left } => {
        ApiError::new(ErrorCode::InvalidCode).with("attempts_left", attempts_left)
    },
    CodeError::Rejected(CodeRejection::Expired) => ApiError::new(ErrorCode::CodeExpired),
    CodeError::Rejected(CodeRejection::Exhausted) => ApiError::new(ErrorCode::CodeExhausted),
    CodeError::Rejected(CodeRejection::AlreadyUsed) => ApiError::new(ErrorCode::CodeUsed),
    CodeError::TooManyAttempts { retry_after } => ApiError::throttled(retry_after),
);

answers!(
    ResendError,
    same: [],
    renamed: [NotFound => VerificationNotFound, AlreadyUsed => CodeUsed],
    ResendError::TooSoon { retry_after } => {
        ApiError::new(ErrorCode::ResendTooSoon).retry_after(retry_after)
    },
);

impl From<ResetError> for ApiError {
    fn from(error: ResetError) -> Self {
        match error {
            ResetError::Code(error) => error.into(),
            ResetError::InvalidPassword(fields) => ApiError::invalid(fields),
        }
    }
}

answers!(
    LoginError,
    same: [InvalidCredentials],
    renamed: [],
    LoginError::EmailNotVerified { verification_id } => {
        ApiError::new(ErrorCode::EmailNotVerified).with("verification_id", verification_id)
    },
    LoginError::Throttled { retry_after } => ApiError::throttled(retry_after),
);

answers!(
    LinkError,
    same: [ContactRevoked, InvalidLegacyCredentials],
    renamed: [],
    LinkError::NotFound | LinkError::Rejected(LinkRejection::Superseded) => {
        ApiError::new(ErrorCode::LinkNotFound)
    },
    LinkError::InvalidCode { attempts_left } => {
        ApiError::new(ErrorCode::InvalidLinkCode).with("attempts_left", attempts_left)
    },
    LinkError::Rejected(LinkRejection::Locked) => ApiError::new(ErrorCode::LinkLocked),
    LinkError::Rejected(LinkRejection::Expired) => ApiError::new(ErrorCode::LinkExpired),
    LinkError::Rejected(LinkRejection::Used) => ApiError::new(ErrorCode::LinkUsed),
    LinkError::Throttled { retry_after } => ApiError::throttled(retry_after),
);

answers!(
    SwitchError,
    same: [],
    renamed: [NotFound => ProfileNotFound, FactorRequired => MfaEnrolmentRequired],
);

answers!(
    MembersError,
    same: [ResponsableRequired, NotFound, ContactExists, LastResponsable, ContactLinked],
    renamed: [ContactRevoked => ContactAlreadyRevoked],
    MembersError::EmployersOnly => {
        ApiError::invalid_field("manages_authorizations", Problem::EmployersOnly)
    },
);

answers!(
    OperatorError,
    same: [FileNumberTaken, NotFound],
    renamed: [],
);

answers!(
    AuthorizationError,
    same: [EmployerProfileRequired, NotFound, NotMigrated],
    renamed: [
        AdministratorRequired => AuthorizationAdminRequired,
        Inactive => AuthorizationInactive,
        RequestExpired => AccessRequestExpired,
        RequestAnswered => AccessRequestAnswered,
    ],
    AuthorizationError::Invalid(fields) => ApiError::invalid(fields),
    AuthorizationError::Exists { authorization_id } => {
        ApiError::new(ErrorCode::AuthorizationExists).with("authorization_id", authorization_id)
    },
);

answers!(
    RequestError,
    same: [AlreadyAuthorized, NotFound],
    renamed: [
        Unmatched => AccessRequestUnmatched,
        AlreadyPending => AccessRequestPending,
        NotPending => AccessRequestAnswered,
    ],
    RequestError::OwnOrganisation => {
        ApiError::invalid_field("file_number", Problem::NotYourOrganisation)
    },
    RequestError::Throttled { retry_after } => ApiError::throttled(retry_after),
);

answers!(
    FileError,
    same: [NotFound, ServiceNotAuthorized, ServiceNotStarted],
    renamed: [],
);

answers!(
    TokenError,
    same: [NotFound],
    renamed: [],
    TokenError::Members(error) => error.into(),
    TokenError::Invalid => invalid_token(ErrorCode::TokenInvalid),
    TokenError::Expired => invalid_token(ErrorCode::TokenExpired),
    TokenError::Revoked => invalid_token(ErrorCode::TokenRevoked),
    TokenError::MissingScope(scope) => {
        ApiError::new(ErrorCode::TokenScopeMissing).with("required_scope", scope.as_str())
    },
    TokenError::Throttled { retry_after } => {
        ApiError::new(ErrorCode::TooManyRequests).retry_after(retry_after)
    },
);

answers!(
    MigrationError,
    same: [],
    renamed: [RunNotFound => MigrationRunNotFound],
);

answers!(
    WebhookError,
    same: [ResponsableRequired, NotFound],
    renamed: [TooManyEndpoints => WebhookLimitReached, EndpointDisabled => WebhookDisabled],
    WebhookError::Throttled { retry_after } => ApiError::throttled(retry_after),
);

answers!(
    AccountError,
    same: [EmailTaken, SessionNotFound],
    renamed: [],
    AccountError::WrongPassword => {
        ApiError::invalid_field("current_password", Problem::WrongPassword)
    },
    AccountError::Throttled { retry_after } => ApiError::throttled(retry_after),
    AccountError::SameEmail => ApiError::invalid_field("new_email", Problem::SameEmail),
    AccountError::LastResponsable { organisations } => {
        ApiError::new(ErrorCode::LastResponsableAccount).with("organisations", organisations)
    },
    AccountError::Code(error) => error.into(),
);

answers!(
    PasskeyError,
    same: [NotFound],
    renamed: [LimitReached => PasskeyLimitReached, AlreadyRegistered => PasskeyAlreadyRegistered],
    PasskeyError::Rejected(_) => ApiError::new(ErrorCode::PasskeyRejected),
    PasskeyError::Throttled { retry_after } => ApiError::throttled(retry_after),
);

answers!(
    MfaError,
    same: [TotpAlreadyEnabled, TotpNotPending, StepUpRequired],
    renamed: [NotEnabled => MfaNotEnabled, ChallengeNotFound => MfaChallengeNotFound],
    MfaError::InvalidCode { attempts_left } => {
        let error = ApiError::new(ErrorCode::InvalidCode);
        match attempts_left {
            Some(left) => error.with("attempts_left", left),
            None => error,
        }
    },
    MfaError::ChallengeRejected(ChallengeRejection::Expired) => {
        ApiError::new(ErrorCode::MfaChallengeExpired)
    },
    MfaError::ChallengeRejected(ChallengeRejection::Exhausted) => {
        ApiError::new(ErrorCode::MfaChallengeExhausted)
    },
    MfaError::ChallengeRejected(ChallengeRejection::Used) => {
        ApiError::new(ErrorCode::MfaChallengeUsed)
    },
    MfaError::TooManyAttempts { retry_after } => ApiError::throttled(retry_after),
);

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
