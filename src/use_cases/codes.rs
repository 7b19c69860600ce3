//! One-time codes shared by signup, password reset and email change: issuing, resending, checking.

use crate::domain::code::{check_resend, CodeRejection, OneTimeCode, CODE_LIFETIME};
use crate::domain::email::Email;
use crate::domain::seconds_until;
use crate::domain::throttle::CODE_FAILURES_PER_EMAIL;
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::storage::db::Statement;
use crate::storage::verifications::{
    self, CodeOwner, NewVerification, SignupDetails, VerificationRow,
};
use crate::storage::{atomically, rate_limits};

#[derive(Debug)]
pub enum CodeError {
    NotFound,
    Invalid { attempts_left: i64 },
    Rejected(CodeRejection),
    TooManyAttempts { retry_after: u64 },
    Infra(InfraError),
}

impl From<InfraError> for CodeError {
    fn from(error: InfraError) -> Self {
        CodeError::Infra(error)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Signup,
    Reset,
    /// Proving a new address before it replaces an account's email.
    EmailChange,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Signup => "signup",
            Purpose::Reset => "reset",
            Purpose::EmailChange => "email",
        }
    }
}

/// A new code and the statement that stores its hash.
pub struct IssuedCode {
    pub verification_id: String,
    pub code: OneTimeCode,
    pub insert: Statement,
}

pub fn issue(
    app: &App,
    purpose: Purpose,
    owner: CodeOwner,
    email: &Email,
    signup: Option<SignupDetails>,
) -> Result<IssuedCode, InfraError> {
    let verification_id = random_id();
    let code = OneTimeCode::generate(&mut OsEntropy);
    let code_hash = code.keyed_hash(&app.config.code_hash_key, &verification_id);
    let insert = verifications::insert(
        &app.db,
        &NewVerification {
            signup,
            id: &verification_id,
            purpose: purpose.as_str(),
            owner,
            email: email.as_str(),
            code_hash: &code_hash,
            expires_at: app.now + CODE_LIFETIME,
        },
        app.now,
    )?;
    Ok(IssuedCode {
        verification_id,
        code,
        insert,
    })
}

#[derive(Debug)]
pub enum ResendError {
    NotFound,
    AlreadyUsed,
    TooSoon { retry_after: u64 },
    Infra(InfraError),
}

impl From<InfraError> for ResendError {
    fn from(error: InfraError) -> Self {
        ResendError::Infra(error)
    }
}

/// A fresh code for an existing verification, once the cooldown allows it.
pub async fn reissue(
    app: &App,
    purpose: Purpose,
    verification_id: &str,
) -> Result<(VerificationRow, OneTimeCode, Statement), ResendError> {
    let verification = verifications::find(&app.db, verification_id, purpose.as_str())
        .await?
        .ok_or(ResendError::NotFound)?;
    if verification.consumed_at.is_some() {
        return Err(ResendError::AlreadyUsed);
    }
    check_resend(verification.last_sent_at, app.now).map_err(|wait| ResendError::TooSoon {
        retry_after: seconds_until(0, wait),
    })?;
    let code = OneTimeCode::generate(&mut OsEntropy);
    let code_hash = code.keyed_hash(&app.config.code_hash_key, &verification.id);
    let replace = verifications::replace_code(
        &app.db,
        &verification.id,
        &code_hash,
        app.now + CODE_LIFETIME,
        app.now,
    )?;
    Ok((verification, code, replace))
}

/// Checks a typed code. A wrong code counts against the code (five kill it) and against the
/// email's hourly budget (which survives resends). Decoys never match.
pub async fn check(
    app: &App,
    purpose: Purpose,
    verification_id: &str,
    code: &OneTimeCode,
) -> Result<VerificationRow, CodeError> {
    let verification = verifications::find(&app.db, verification_id, purpose.as_str())
        .await?
        .ok_or(CodeError::NotFound)?;
    verification
        .state()
        .check_usable(app.now)
        .map_err(CodeError::Rejected)?;
    let budget_key = CODE_FAILURES_PER_EMAIL.key(&verification.email);
    let failures = rate_limits::find(&app.db, &budget_key).await?;
    if let Some(until) = CODE_FAILURES_PER_EMAIL.blocked_until(failures, app.now) {
        return Err(CodeError::TooManyAttempts {
            retry_after: seconds_until(app.now, until),
        });
    }
    let matches = verification.user_id.is_some()
        && code.matches(
            &app.config.code_hash_key,
            &verification.id,
            &verification.code_hash,
        );
    if !matches {
        atomically(
            &app.db,
            vec![
                verifications::count_wrong_attempt(&app.db, &verification.id)?,
                rate_limits::record_failure(
                    &app.db,
                    &CODE_FAILURES_PER_EMAIL,
                    &budget_key,
                    app.now,
                )?,
            ],
            "Failed to count a wrong code",
        )
        .await?;
        return Err(CodeError::Invalid {
            attempts_left: verification.state().attempts_left_after_failure(),
        });
    }
    Ok(verification)
}
