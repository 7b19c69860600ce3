//! One-time codes shared by signup, password reset and email change: issuing, resending, checking.

use crate::domain::code::{check_resend, CodeRejection, OneTimeCode, CODE_LIFETIME};
use crate::domain::email::Email;
use crate::domain::seconds_until;
use crate::domain::secrets::KeyPurpose;
use crate::domain::throttle::{CODE_EMAILS_PER_HOUR, CODE_EMAIL_COOLDOWN, CODE_FAILURES_PER_EMAIL};
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::storage::db::{Run, Statement};
use crate::storage::rate_limits;
use crate::storage::rate_limits::Refused;
use crate::storage::verifications::{
    self, CodeOwner, NewVerification, SignupDetails, VerificationRow,
};

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("one-time code: not found")]
    NotFound,
    #[error("one-time code: invalid (attempts left {attempts_left:?})")]
    Invalid { attempts_left: i64 },
    #[error("one-time code: rejected: {0:?}")]
    Rejected(CodeRejection),
    #[error("one-time code: too many attempts (retry after {retry_after:?})")]
    TooManyAttempts { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
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

/// What an email budget is kept for: a stranger's attempts on an address (a decoy, a notice that
/// the account exists) never spend the budget its owner needs for their own codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailPurpose {
    Signup,
    Reset,
    AccountExists,
    KnownFacts,
    /// A code to the new address of an account changing its email.
    EmailChange,
    /// Resends of a decoy's code: they send nothing, but are refused like real ones.
    Decoy,
}

impl EmailPurpose {
    fn as_str(self) -> &'static str {
        match self {
            EmailPurpose::Signup => "signup",
            EmailPurpose::Reset => "reset",
            EmailPurpose::AccountExists => "account-exists",
            EmailPurpose::KnownFacts => "known-facts",
            EmailPurpose::EmailChange => "email-change",
            EmailPurpose::Decoy => "decoy",
        }
    }
}

/// Takes the slot of one email to `email` for `purpose`: at most one a minute and five an hour.
/// `Err(seconds)`: none may be sent before then. The minute goes first, so a refused burst never
/// spends the hour's budget.
pub async fn reserve_email(
    app: &App,
    purpose: EmailPurpose,
    email: &str,
) -> Result<Result<(), u64>, InfraError> {
    let subject = format!("{}:{}", purpose.as_str(), email);
    let minute = CODE_EMAIL_COOLDOWN.key(&subject);
    let hour = CODE_EMAILS_PER_HOUR.key(&subject);
    let limits = [
        (&CODE_EMAIL_COOLDOWN, minute.as_str()),
        (&CODE_EMAILS_PER_HOUR, hour.as_str()),
    ];
    Ok(rate_limits::take(&app.db, app.now, &limits)
        .await?
        .map_err(|refused| refused.retry_after))
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
    let code_hash = code.keyed_hash(
        &app.config.secrets.key(KeyPurpose::CodeHash),
        &verification_id,
    );
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

#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    #[error("code resend: not found")]
    NotFound,
    #[error("code resend: already used")]
    AlreadyUsed,
    #[error("code resend: too soon (retry after {retry_after:?})")]
    TooSoon { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
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
    let budget = match (purpose, &verification.user_id) {
        (_, None) => EmailPurpose::Decoy,
        (Purpose::Signup, Some(_)) => EmailPurpose::Signup,
        (Purpose::Reset, Some(_)) => EmailPurpose::Reset,
        (Purpose::EmailChange, Some(_)) => EmailPurpose::EmailChange,
    };
    reserve_email(app, budget, &verification.email)
        .await?
        .map_err(|retry_after| ResendError::TooSoon { retry_after })?;
    let code = OneTimeCode::generate(&mut OsEntropy);
    let code_hash = code.keyed_hash(
        &app.config.secrets.key(KeyPurpose::CodeHash),
        &verification.id,
    );
    let replace = verifications::replace_code(
        &app.db,
        &verification.id,
        &code_hash,
        app.now + CODE_LIFETIME,
        app.now,
    )?;
    Ok((verification, code, replace))
}

/// Checks a typed code. Each try first takes its slot from the code (five kill it) and from the
/// email's hourly budget (which survives resends), so concurrent tries cannot exceed either; a
/// success gives the budget's slot back ([`release_budget`]). Decoys never match, and count
/// against a budget of their own: a stranger's decoy never spends the owner's.
pub async fn check(
    app: &App,
    purpose: Purpose,
    verification_id: &str,
    code: &OneTimeCode,
) -> Result<VerificationRow, CodeError> {
    let Some(verification) =
        verifications::reserve_attempt(&app.db, verification_id, purpose.as_str(), app.now).await?
    else {
        let found = verifications::find(&app.db, verification_id, purpose.as_str())
            .await?
            .ok_or(CodeError::NotFound)?;
        found
            .state()
            .check_usable(app.now)
            .map_err(CodeError::Rejected)?;
        // Usable a moment ago: concurrent tries took the last slots.
        return Err(CodeError::Rejected(CodeRejection::Exhausted));
    };
    let budget_key = budget_key(&verification);
    let budget = [(&CODE_FAILURES_PER_EMAIL, budget_key.as_str())];
    if let Err(Refused { retry_after }) = rate_limits::take(&app.db, app.now, &budget).await? {
        verifications::release_attempt(&app.db, &verification.id)
            .execute("Failed to release a code try")
            .await?;
        return Err(CodeError::TooManyAttempts { retry_after });
    }
    let matches = verification.user_id.is_some()
        && code.matches(
            &app.config.secrets.accepted_keys(KeyPurpose::CodeHash),
            &verification.id,
            &verification.code_hash,
        );
    if !matches {
        return Err(CodeError::Invalid {
            attempts_left: verification.state().attempts_left(),
        });
    }
    Ok(verification)
}

/// The failure budget a verification's tries count against.
fn budget_key(verification: &VerificationRow) -> String {
    match verification.user_id {
        Some(_) => CODE_FAILURES_PER_EMAIL.key(&verification.email),
        None => CODE_FAILURES_PER_EMAIL.key(&format!("decoy:{}", verification.email)),
    }
}

/// Gives back the budget slot of a try that matched: only failures spend the budget.
pub fn release_budget(app: &App, verification: &VerificationRow) -> Result<Statement, InfraError> {
    rate_limits::release(&app.db, &budget_key(verification))
}
