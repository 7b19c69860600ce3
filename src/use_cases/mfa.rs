//! The second factor of an account: enrolling TOTP, recovery codes, the sign-in challenge that
//! follows a right password, who must have a factor, and proving it again before a sensitive
//! action (step-up).

use super::factors::{self, change_notice, has_factor, new_recovery_codes, requires_factor};
use super::passkeys;
use super::sessions::{self, Authenticated, SignedIn};
use super::{user_audit, Requester};
use crate::domain::code::OneTimeCode;
use crate::domain::mfa::{
    challenge_rejection, sensitive_action_allowed, ChallengeRejection, RecoveryCode, SealingKey,
    TotpSecret, MAX_CHALLENGE_ATTEMPTS,
};
use crate::domain::sealing::SealedSecret;
use crate::domain::secrets::KeyPurpose;
use crate::domain::throttle::LOGIN_PER_ACCOUNT;
use crate::domain::webauthn::{Assertion, RelyingParty};
use crate::domain::{seconds_until, Millis, MINUTE};
use crate::email;
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts;
use crate::storage::db::Run;
use crate::storage::users::{self, UserRow};
use crate::storage::{atomically, mfa, rate_limits, wrote};

#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error("mfa: TOTP already enabled")]
    TotpAlreadyEnabled,
    #[error("mfa: no TOTP set-up pending")]
    TotpNotPending,
    #[error("mfa: not enabled")]
    NotEnabled,
    /// A wrong code; `attempts_left` when a challenge counts the tries.
    #[error("mfa: invalid code")]
    InvalidCode { attempts_left: Option<i64> },
    #[error("mfa: challenge not found")]
    ChallengeNotFound,
    #[error("mfa: challenge rejected ({0:?})")]
    ChallengeRejected(ChallengeRejection),
    /// A sensitive action: the session must prove the factor again.
    #[error("mfa: step-up required")]
    StepUpRequired,
    #[error("mfa: too many attempts, retry in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// What proves the second factor: a TOTP code, one of the recovery codes, or a passkey's
/// assertion for the relying party of the request.
pub enum Proof {
    Totp(OneTimeCode),
    Recovery(RecoveryCode),
    Passkey(Box<Assertion>, RelyingParty),
}

impl Proof {
    fn method(&self) -> &'static str {
        match self {
            Proof::Totp(_) => "totp",
            Proof::Recovery(_) => "recovery_code",
            Proof::Passkey(..) => "passkey",
        }
    }
}

pub struct Status {
    pub totp_enabled: bool,
    pub passkeys: i64,
    pub recovery_codes_left: i64,
    /// Whether one of the person's profiles needs a factor.
    pub required: bool,
}

pub async fn status(app: &App, user_id: &str) -> Result<Status, InfraError> {
    let factors = factors::factors(app, user_id).await?;
    let profiles = contacts::profiles_of(&app.db, user_id).await?;
    Ok(Status {
        totp_enabled: factors.totp,
        passkeys: factors.passkeys,
        recovery_codes_left: factors.recovery_codes_left,
        required: profiles.iter().any(requires_factor),
    })
}

fn sealing_key(app: &App) -> SealingKey {
    SealingKey::new(&app.config.secrets)
}

/// A new TOTP secret, pending until a first code confirms it: `(secret, otpauth URI)`.
pub async fn start_totp(app: &App, user: &UserRow) -> Result<(String, String), MfaError> {
    if factors::factors(app, &user.id).await?.totp {
        return Err(MfaError::TotpAlreadyEnabled);
    }
    let secret = TotpSecret::generate(&mut OsEntropy);
    let sealed = sealing_key(app)
        .seal(&secret, &user.id, &mut OsEntropy)
        .await;
    let stored = mfa::put_pending_totp(&app.db, &user.id, &sealed, app.now)
        .execute("Failed to store a pending TOTP secret")
        .await?;
    if !wrote(&stored) {
        return Err(MfaError::TotpAlreadyEnabled);
    }
    Ok((secret.base32(), secret.otpauth_uri(&user.email)))
}

/// Confirms the pending secret with a first code; answers the first recovery codes.
pub async fn confirm_totp(
    app: &App,
    who: &Authenticated,
    code: &OneTimeCode,
    requester: &Requester,
) -> Result<Vec<String>, MfaError> {
    let user = &who.user;
    let totp = mfa::find_totp(&app.db, &user.id)
        .await?
        .ok_or(MfaError::TotpNotPending)?;
    if totp.confirmed_at.is_some() {
        return Err(MfaError::TotpNotPending);
    }
    let secret = sealing_key(app)
        .open(&totp.sealed_secret, &user.id)
        .await
        .ok_or_else(|| unreadable_secret(&user.id))?;
    let step = secret
        .matching_step(code, app.now, totp.last_used_step)
        .await
        .ok_or(MfaError::InvalidCode {
            attempts_left: None,
        })?;
    let confirmed = mfa::confirm_totp(&app.db, &user.id, step, app.now)
        .execute("Failed to confirm a TOTP factor")
        .await?;
    if !wrote(&confirmed) {
        return Err(MfaError::TotpNotPending);
    }
    let (codes, mut statements) = new_recovery_codes(app, &user.id)?;
    // The first code proved the factor in this session: no step-up right after enrolling.
    statements.push(mfa::mark_factor_verified(
        &app.db,
        &who.token_hash,
        app.now,
    )?);
    statements.push(user_audit(app, "mfa.totp_enabled", &user.id, requester)?);
    let notice = change_notice(app, user, "enabled", None)?;
    email::commit_and_send(app, statements, [notice], "Failed to store recovery codes").await?;
    Ok(codes)
}

pub async fn disable_totp(
    app: &App,
    user: &UserRow,
    requester: &Requester,
) -> Result<(), MfaError> {
    if mfa::find_totp(&app.db, &user.id).await?.is_none() {
        return Err(MfaError::NotEnabled);
    }
    let notice = change_notice(app, user, "disabled", None)?;
    email::commit_and_send(
        app,
        vec![
            mfa::delete_totp(&app.db, &user.id)?,
            mfa::delete_recovery_codes_without_factor(&app.db, &user.id)?,
            user_audit(app, "mfa.totp_disabled", &user.id, requester)?,
        ],
        [notice],
        "Failed to remove a TOTP factor",
    )
    .await?;
    Ok(())
}

/// A new set of recovery codes; the previous ones stop working.
pub async fn regenerate_recovery_codes(
    app: &App,
    user: &UserRow,
    requester: &Requester,
) -> Result<Vec<String>, MfaError> {
    if !has_factor(app, &user.id).await? {
        return Err(MfaError::NotEnabled);
    }
    let (codes, mut statements) = new_recovery_codes(app, &user.id)?;
    statements.push(user_audit(
        app,
        "mfa.recovery_codes_regenerated",
        &user.id,
        requester,
    )?);
    let notice = change_notice(app, user, "recovery_codes", None)?;
    email::commit_and_send(
        app,
        statements,
        [notice],
        "Failed to replace recovery codes",
    )
    .await?;
    Ok(codes)
}

fn unreadable_secret(user_id: &str) -> InfraError {
    InfraError {
        context: "A stored TOTP secret does not open with the server key".into(),
        cause: user_id.to_owned(),
    }
}

/// Checks a proof against the account's factor and spends it: a TOTP step or a recovery code
/// serves once, even under concurrent requests.
async fn spend_proof(app: &App, user_id: &str, proof: &Proof) -> Result<bool, InfraError> {
    match proof {
        Proof::Totp(code) => {
            let Some(totp) = mfa::find_totp(&app.db, user_id).await? else {
                return Ok(false);
            };
            if totp.confirmed_at.is_none() {
                return Ok(false);
            }
            let secret = sealing_key(app)
                .open(&totp.sealed_secret, user_id)
                .await
                .ok_or_else(|| unreadable_secret(user_id))?;
            let Some(step) = secret
                .matching_step(code, app.now, totp.last_used_step)
                .await
            else {
                return Ok(false);
            };
            let used = mfa::use_totp_step(&app.db, user_id, step)
                .execute("Failed to use a TOTP step")
                .await?;
            Ok(wrote(&used))
        }
        Proof::Recovery(code) => {
            let stored = mfa::unused_recovery_codes(&app.db, user_id).await?;
            // Every stored code is compared, so the time taken says nothing of which matched.
            let matched = stored.iter().fold(None, |found, row| {
                let matches = code.matches(
                    &app.config.secrets.accepted_keys(KeyPurpose::CodeHash),
                    &row.id,
                    &row.code_hash,
                );
                found.or(matches.then_some(row.id.as_str()))
            });
            let Some(id) = matched else {
                return Ok(false);
            };
            let used = mfa::use_recovery_code(&app.db, id, app.now)
                .execute("Failed to use a recovery code")
                .await?;
            Ok(wrote(&used))
        }
        Proof::Passkey(assertion, rp) => passkeys::spend(app, user_id, assertion, rp).await,
    }
}

/// Options to answer a live sign-in challenge with one of the account's passkeys.
pub async fn passkey_options(
    app: &App,
    challenge_id: &str,
) -> Result<passkeys::Ceremony, MfaError> {
    let challenge = mfa::find_challenge(&app.db, challenge_id)
        .await?
        .ok_or(MfaError::ChallengeNotFound)?;
    let live = challenge.consumed_at.is_none()
        && app.now < challenge.expires_at
        && challenge.attempts < MAX_CHALLENGE_ATTEMPTS;
    if !live {
        return Err(MfaError::ChallengeRejected(challenge_rejection(
            challenge.expires_at,
            challenge.attempts,
            challenge.consumed_at.is_some(),
            app.now,
        )));
    }
    passkeys::factor_options(app, &challenge.user_id)
        .await?
        .ok_or(MfaError::NotEnabled)
}

/// Options to step up with one of the signed-in person's passkeys.
pub async fn step_up_passkey_options(
    app: &App,
    who: &Authenticated,
) -> Result<passkeys::Ceremony, MfaError> {
    passkeys::factor_options(app, &who.user.id)
        .await?
        .ok_or(MfaError::NotEnabled)
}

/// Answers a sign-in challenge: the try is reserved first; the right proof starts the session.
pub async fn complete_challenge(
    app: &App,
    challenge_id: &str,
    proof: &Proof,
    requester: &Requester,
) -> Result<SignedIn, MfaError> {
    let Some(reserved) = mfa::reserve_try(&app.db, challenge_id, app.now).await? else {
        let challenge = mfa::find_challenge(&app.db, challenge_id)
            .await?
            .ok_or(MfaError::ChallengeNotFound)?;
        return Err(MfaError::ChallengeRejected(challenge_rejection(
            challenge.expires_at,
            challenge.attempts,
            challenge.consumed_at.is_some(),
            app.now,
        )));
    };
    let user = users::find_by_id(&app.db, &reserved.user_id)
        .await?
        .ok_or(MfaError::ChallengeNotFound)?;
    // Wrong codes count against the account's sign-in budget too: a thief who knows the password
    // cannot open challenge after challenge to try the whole code space.
    let account_key = LOGIN_PER_ACCOUNT.key(&user.email);
    if !spend_proof(app, &user.id, proof).await? {
        atomically(
            &app.db,
            vec![
                rate_limits::count(&app.db, &LOGIN_PER_ACCOUNT, &account_key, app.now)?,
                audit::append(
                    &app.db,
                    &AuditEvent::of_user(
                        "login.factor_failed",
                        Some(&user.id),
                        requester.ip.as_deref(),
                    )
                    .with_details(json!({ "method": proof.method() })),
                    app.now,
                )?,
            ],
            "Failed to record a wrong second factor",
        )
        .await?;
        return Err(MfaError::InvalidCode {
            attempts_left: Some(MAX_CHALLENGE_ATTEMPTS - reserved.attempts),
        });
    }
    let nonce = random_id();
    let mut opening = sessions::Opening::prepare(app, &user.id, true, requester).await?;
    let session = opening.insert_if_challenge_consumed_by(app, challenge_id, &nonce)?;
    // The challenge's consumption comes first: its result says whether this request won it.
    let mut statements = vec![mfa::consume_challenge(
        &app.db,
        challenge_id,
        &nonce,
        app.now,
    )?];
    statements.extend(
        opening
            .sign_in_statements(
                app,
                &user,
                requester,
                session,
                json!({ "factor": proof.method() }),
            )
            .await?,
    );
    statements.push(rate_limits::clear(&app.db, &account_key)?);
    let results = atomically(
        &app.db,
        statements,
        "Failed to start a session after a second factor",
    )
    .await?;
    if !results.first().is_some_and(wrote) {
        return Err(MfaError::ChallengeRejected(ChallengeRejection::Used));
    }
    let signed_in = opening.signed_in(user);
    signed_in.announce_device(app).await?;
    Ok(signed_in)
}

/// Step-up tries of a user per window, each reserved before the code is compared.
const STEP_UP_TRIES: i64 = 5;
const STEP_UP_TRY_WINDOW: Millis = 15 * MINUTE;

/// Before a sensitive action (API tokens, webhooks, authorizations, members, the factors
/// themselves): an account with a factor must have proved it in this session in the last ten
/// minutes. An account without a factor is not asked.
pub fn require_recent_factor(app: &App, who: &Authenticated) -> Result<(), MfaError> {
    if sensitive_action_allowed(who.has_factor, who.factor_verified_at, app.now) {
        Ok(())
    } else {
        Err(MfaError::StepUpRequired)
    }
}

/// Proves the factor again in the current session; its absolute expiry does not move. Five tries
/// per quarter hour, reserved before comparing.
pub async fn step_up(
    app: &App,
    who: &Authenticated,
    proof: &Proof,
    requester: &Requester,
) -> Result<(), MfaError> {
    if !who.has_factor {
        return Err(MfaError::NotEnabled);
    }
    let key = format!("step-up:{}", who.user.id);
    let reserved =
        mfa::reserve_step_up_try(&app.db, &key, STEP_UP_TRY_WINDOW, STEP_UP_TRIES, app.now).await?;
    let Some(tries) = reserved else {
        let start = mfa::step_up_window_start(&app.db, &key).await?;
        return Err(MfaError::TooManyAttempts {
            retry_after: seconds_until(app.now, start.unwrap_or(app.now) + STEP_UP_TRY_WINDOW),
        });
    };
    if !spend_proof(app, &who.user.id, proof).await? {
        atomically(
            &app.db,
            vec![audit::append(
                &app.db,
                &AuditEvent::of_user(
                    "session.step_up_failed",
                    Some(&who.user.id),
                    requester.ip.as_deref(),
                )
                .with_details(json!({ "method": proof.method() })),
                app.now,
            )?],
            "Failed to record a wrong step-up code",
        )
        .await?;
        return Err(MfaError::InvalidCode {
            attempts_left: Some(STEP_UP_TRIES - tries),
        });
    }
    atomically(
        &app.db,
        vec![
            mfa::mark_factor_verified(&app.db, &who.token_hash, app.now)?,
            crate::storage::rate_limits::clear(&app.db, &key)?,
            user_audit(app, "session.stepped_up", &who.user.id, requester)?,
        ],
        "Failed to record a step-up",
    )
    .await?;
    Ok(())
}
