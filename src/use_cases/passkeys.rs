//! Passkeys: creating, naming and removing them in "Mon compte", signing in with one without a
//! password, and using one as the second factor (sign-in challenge, step-up).
//!
//! Every ceremony starts with a random challenge stored for five minutes; the answer names it in
//! its client data, and the request that answers deletes it in one statement before checking
//! anything, so a challenge serves once, right or wrong.

use super::factors::{self, change_notice, new_recovery_codes};
use super::sessions::{self, SignedIn};
use super::Requester;
use crate::domain::throttle::{ip_subject, Policy, LOGIN_PER_IP, PASSKEY_CHALLENGES_PER_IP};
use crate::domain::webauthn::{
    self, verify_assertion, verify_registration, Assertion, Registration, Rejection, RelyingParty,
    CHALLENGE_LIFETIME,
};
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::db::Run;
use crate::storage::passkeys::{self, PasskeyRow, Purpose, MAX_PER_USER};
use crate::storage::users::{self, UserRow};
use crate::storage::{atomically, mfa, rate_limits, wrote, WrittenNow};

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("passkeys: not found")]
    NotFound,
    /// The answer proves nothing: unknown or spent challenge, unknown passkey, failed check.
    #[error("passkeys: rejected ({0:?})")]
    Rejected(Rejection),
    #[error("passkeys: limit reached")]
    LimitReached,
    #[error("passkeys: already registered")]
    AlreadyRegistered,
    #[error("passkeys: throttled for {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// A challenge handed to the browser, with what it needs to build its request.
pub struct Ceremony {
    pub challenge: String,
    /// The account's handle (creation only).
    pub user_handle: Option<String>,
    /// The person's registered credentials: excluded at creation, allowed as a second factor.
    pub credentials: Vec<String>,
}

async fn hand_out(
    app: &App,
    purpose: Purpose,
    user: Option<(&str, Option<&str>)>,
) -> Result<String, InfraError> {
    let challenge = webauthn::new_challenge(&mut OsEntropy);
    passkeys::insert_challenge(
        &app.db,
        &challenge,
        purpose,
        user,
        app.now + CHALLENGE_LIFETIME,
        app.now,
    )
    .execute("Failed to store a passkey challenge")
    .await?;
    Ok(challenge)
}

/// Options to create a passkey: the account keeps one random handle for all its passkeys.
pub async fn creation(app: &App, user_id: &str) -> Result<Ceremony, PasskeyError> {
    let existing = passkeys::list(&app.db, user_id).await?;
    if existing.len() as i64 >= MAX_PER_USER {
        return Err(PasskeyError::LimitReached);
    }
    let user_handle = existing.first().map_or_else(
        || webauthn::new_user_handle(&mut OsEntropy),
        |p| p.user_handle.clone(),
    );
    let challenge = hand_out(app, Purpose::Register, Some((user_id, Some(&user_handle)))).await?;
    Ok(Ceremony {
        challenge,
        user_handle: Some(user_handle),
        credentials: existing.into_iter().map(|p| p.credential_id).collect(),
    })
}

/// Reserves a slot of the address's `policy` before anything is evaluated or stored.
async fn reserve(
    app: &App,
    policy: &Policy,
    requester: &Requester,
) -> Result<String, PasskeyError> {
    let key = policy.key(&ip_subject(requester.ip.as_deref().unwrap_or("unknown")));
    match rate_limits::take(&app.db, app.now, &[(policy, &key)]).await? {
        Ok(()) => Ok(key),
        Err(refused) => Err(PasskeyError::Throttled {
            retry_after: refused.retry_after,
        }),
    }
}

/// Options to sign in with any passkey of the portal (discoverable credentials).
pub async fn sign_in_options(app: &App, requester: &Requester) -> Result<Ceremony, PasskeyError> {
    reserve(app, &PASSKEY_CHALLENGES_PER_IP, requester).await?;
    Ok(Ceremony {
        challenge: hand_out(app, Purpose::SignIn, None).await?,
        user_handle: None,
        credentials: Vec::new(),
    })
}

/// Options to prove the second factor of `user_id` with one of their passkeys; `None` when they
/// have none.
pub async fn factor_options(app: &App, user_id: &str) -> Result<Option<Ceremony>, InfraError> {
    let credentials: Vec<String> = passkeys::list(&app.db, user_id)
        .await?
        .into_iter()
        .map(|p| p.credential_id)
        .collect();
    if credentials.is_empty() {
        return Ok(None);
    }
    Ok(Some(Ceremony {
        challenge: hand_out(app, Purpose::Factor, Some((user_id, None))).await?,
        user_handle: None,
        credentials,
    }))
}

/// A passkey as its owner sees it.
pub struct Registered {
    pub passkey: PasskeyRow,
    /// The first recovery codes, when the passkey is the account's first factor.
    pub recovery_codes: Option<Vec<String>>,
}

/// Stores a new passkey after checking it answers this user's creation challenge. The first
/// factor of an account comes with its recovery codes; creating it proved the factor in this
/// session (user verification), so no step-up is asked right after.
pub async fn register(
    app: &App,
    who: &sessions::Authenticated,
    registration: &Registration,
    name: &str,
    rp: &RelyingParty,
    requester: &Requester,
) -> Result<Registered, PasskeyError> {
    let user = &who.user;
    let taken = passkeys::take_challenge(
        &app.db,
        registration.client_data.challenge(),
        Purpose::Register,
        Some(&user.id),
        app.now,
    )
    .await?
    .ok_or(PasskeyError::Rejected(Rejection::WrongChallenge))?;
    let new = verify_registration(registration, &taken.challenge, rp)
        .await
        .map_err(PasskeyError::Rejected)?;
    if passkeys::find_by_credential(&app.db, &new.credential_id)
        .await?
        .is_some()
    {
        return Err(PasskeyError::AlreadyRegistered);
    }
    let factors = factors::factors(app, &user.id).await?;
    if factors.passkeys >= MAX_PER_USER {
        return Err(PasskeyError::LimitReached);
    }
    let id = random_id();
    let user_handle = taken.user_handle.unwrap_or_default();
    let row = WrittenNow {
        table: "passkeys",
        column: "created_at",
        id: &id,
    };
    let mut statements = vec![passkeys::insert(
        &app.db,
        &id,
        &user.id,
        &user_handle,
        &new,
        name,
        app.now,
    )?];
    let recovery_codes = if factors.any() {
        None
    } else {
        let (codes, replace) = new_recovery_codes(app, &user.id)?;
        statements.extend(replace);
        Some(codes)
    };
    let notice = change_notice(app, user, "passkey_added", Some(&row))?;
    statements.extend([
        mfa::mark_factor_verified(&app.db, &who.token_hash, app.now)?,
        audit::append_if_written(
            &app.db,
            &factor_event("mfa.passkey_added", user, &id, requester),
            &row,
            app.now,
        )?,
        notice.insert,
    ]);
    let results = atomically(&app.db, statements, "Failed to store a passkey").await?;
    if !results.first().is_some_and(wrote) {
        return Err(PasskeyError::AlreadyRegistered);
    }
    crate::email::dispatch(app, notice.message).await?;
    Ok(Registered {
        passkey: PasskeyRow {
            id,
            user_id: user.id.clone(),
            credential_id: new.credential_id,
            public_key: new.public_key,
            user_handle,
            sign_count: i64::from(new.sign_count),
            name: name.to_owned(),
            created_at: app.now,
            last_used_at: None,
        },
        recovery_codes,
    })
}

fn factor_event<'a>(
    action: &'a str,
    user: &'a UserRow,
    passkey_id: &str,
    requester: &'a Requester,
) -> AuditEvent<'a> {
    AuditEvent {
        action,
        user_id: Some(&user.id),
        ip: requester.ip.as_deref(),
        details: json!({ "passkey_id": passkey_id }),
        ..Default::default()
    }
}

pub async fn list(app: &App, user_id: &str) -> Result<Vec<PasskeyRow>, InfraError> {
    passkeys::list(&app.db, user_id).await
}

pub async fn rename(app: &App, user_id: &str, id: &str, name: &str) -> Result<(), PasskeyError> {
    let renamed = passkeys::rename(&app.db, user_id, id, name)
        .execute("Failed to rename a passkey")
        .await?;
    if wrote(&renamed) {
        Ok(())
    } else {
        Err(PasskeyError::NotFound)
    }
}

/// Removes one of the person's passkeys; the recovery codes go with the last factor.
pub async fn remove(
    app: &App,
    user: &UserRow,
    id: &str,
    requester: &Requester,
) -> Result<(), PasskeyError> {
    if !passkeys::list(&app.db, &user.id)
        .await?
        .iter()
        .any(|p| p.id == id)
    {
        return Err(PasskeyError::NotFound);
    }
    let notice = change_notice(app, user, "passkey_removed", None)?;
    let results = atomically(
        &app.db,
        vec![
            passkeys::delete(&app.db, &user.id, id)?,
            mfa::delete_recovery_codes_without_factor(&app.db, &user.id)?,
            audit::append(
                &app.db,
                &factor_event("mfa.passkey_removed", user, id, requester),
                app.now,
            )?,
            notice.insert,
        ],
        "Failed to remove a passkey",
    )
    .await?;
    if !results.first().is_some_and(wrote) {
        return Err(PasskeyError::NotFound);
    }
    crate::email::dispatch(app, notice.message).await?;
    Ok(())
}

/// Checks an assertion against a live challenge and the stored passkey, and records its counter.
async fn verify_and_record(
    app: &App,
    assertion: &Assertion,
    purpose: Purpose,
    user_id: Option<&str>,
    rp: &RelyingParty,
) -> Result<PasskeyRow, PasskeyError> {
    let taken = passkeys::take_challenge(
        &app.db,
        assertion.client_data.challenge(),
        purpose,
        user_id,
        app.now,
    )
    .await?
    .ok_or(PasskeyError::Rejected(Rejection::WrongChallenge))?;
    let passkey = passkeys::find_by_credential(&app.db, &assertion.credential_id)
        .await?
        .filter(|p| user_id.is_none_or(|id| p.user_id == id))
        .filter(|p| {
            assertion
                .user_handle
                .as_ref()
                .is_none_or(|handle| *handle == p.user_handle)
        })
        .ok_or(PasskeyError::Rejected(Rejection::UnknownCredential))?;
    let stored_count = u32::try_from(passkey.sign_count).unwrap_or(u32::MAX);
    let count = verify_assertion(
        assertion,
        &taken.challenge,
        rp,
        &passkey.public_key,
        stored_count,
    )
    .await
    .map_err(PasskeyError::Rejected)?;
    let recorded = passkeys::record_use(&app.db, &passkey.id, count, app.now)
        .execute("Failed to record a passkey use")
        .await?;
    if !wrote(&recorded) {
        return Err(PasskeyError::Rejected(Rejection::CounterRegression));
    }
    Ok(passkey)
}

/// Whether an assertion proves the second factor of `user_id` (sign-in challenge, step-up).
pub async fn spend(
    app: &App,
    user_id: &str,
    assertion: &Assertion,
    rp: &RelyingParty,
) -> Result<bool, InfraError> {
    match verify_and_record(app, assertion, Purpose::Factor, Some(user_id), rp).await {
        Ok(_) => Ok(true),
        Err(PasskeyError::Infra(error)) => Err(error),
        Err(_) => Ok(false),
    }
}

/// Signs in with a passkey alone: it is both the account and its factor. The address's slot is
/// taken before anything is checked, as for a password; a success gives it back.
pub async fn sign_in(
    app: &App,
    assertion: &Assertion,
    rp: &RelyingParty,
    requester: &Requester,
) -> Result<SignedIn, PasskeyError> {
    let ip_key = reserve(app, &LOGIN_PER_IP, requester).await?;
    let verified = verify_and_record(app, assertion, Purpose::SignIn, None, rp).await;
    let user = match verified {
        Ok(passkey) => users::find_by_id(&app.db, &passkey.user_id)
            .await?
            .filter(UserRow::is_active)
            .ok_or(PasskeyError::Rejected(Rejection::UnknownCredential)),
        Err(error) => Err(error),
    };
    let user = match user {
        Ok(user) => user,
        Err(PasskeyError::Rejected(rejection)) => {
            audit::append(
                &app.db,
                &AuditEvent {
                    action: "login.failed",
                    ip: requester.ip.as_deref(),
                    details: json!({ "method": "passkey", "reason": format!("{rejection:?}") }),
                    ..Default::default()
                },
                app.now,
            )
            .execute("Failed to record a failed passkey sign-in")
            .await?;
            return Err(PasskeyError::Rejected(rejection));
        }
        Err(error) => return Err(error),
    };
    let mut opening = sessions::Opening::prepare(app, &user.id, true, requester).await?;
    let session = opening.insert_with_factor(app)?;
    let mut statements = opening
        .sign_in_statements(
            app,
            &user,
            requester,
            session,
            json!({ "method": "passkey" }),
        )
        .await?;
    statements.push(rate_limits::release(&app.db, &ip_key)?);
    atomically(
        &app.db,
        statements,
        "Failed to start a session with a passkey",
    )
    .await?;
    let signed_in = opening.signed_in(user);
    signed_in.announce_device(app).await?;
    Ok(signed_in)
}
