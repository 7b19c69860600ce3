//! Signing in and out, and recognising the signed-in user on each request.

use super::codes::{self, EmailPurpose, Purpose};
use super::devices;
use super::factors;
use super::{stored_email, user_audit, Requester};
use crate::domain::device::{self, DeviceToken};
use crate::domain::email::Email;
use crate::domain::locale::Locale;
use crate::domain::password::{self, Password};
use crate::domain::session::{SessionTimes, SessionToken};
use crate::domain::throttle::{ip_subject, LOGIN_PER_ACCOUNT, LOGIN_PER_IP};
use crate::domain::Millis;
use crate::email;
use crate::email::templates::Template;
use crate::infra::{slow_step, App, Context, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::contacts::{self, ProfileRow};
use crate::storage::db::{Run, Statement};
use crate::storage::rate_limits::Refused;
use crate::storage::sessions::{self, Consumed, NewSession};
use crate::storage::users::{self, UserRow};
use crate::storage::verifications::{self, CodeOwner};
use crate::storage::{atomically, rate_limits};

/// A session about to be stored: the token goes to the cookie, its hash to D1.
pub struct StartedSession {
    pub token: SessionToken,
    token_hash: String,
    user_id: String,
    /// The profile the session starts with (`None`: personal).
    pub active_contact_id: Option<String>,
    expires_at: Millis,
    ip: Option<String>,
    user_agent: Option<String>,
    device: Option<String>,
    /// When the session proved a second factor: now at a sign-in challenge, the replaced
    /// session's at a profile change.
    pub factor_verified_at: Option<Millis>,
}

impl StartedSession {
    pub fn new(app: &App, user_id: &str, requester: &Requester) -> StartedSession {
        let token = SessionToken::generate(&mut OsEntropy);
        StartedSession {
            token_hash: token.hash(),
            token,
            user_id: user_id.to_owned(),
            active_contact_id: None,
            expires_at: SessionTimes::absolute_expiry(app.now),
            ip: requester.ip.clone(),
            user_agent: requester
                .user_agent
                .as_deref()
                .map(|ua| ua.chars().take(300).collect()),
            device: requester.user_agent.as_deref().and_then(device::label),
            factor_verified_at: None,
        }
    }

    /// The replacement of a session under a new token (a rotation): it ends when the session it
    /// replaces would have, so a rotation never extends the absolute timeout.
    pub fn replacing(mut self, expires_at: Millis) -> StartedSession {
        self.expires_at = expires_at;
        self
    }

    /// The session that replaces `current` (a profile switch): a new token, the same absolute
    /// expiry, so rotating never extends the 12 hours that started at sign-in.
    pub fn rotated(app: &App, current: &Authenticated, requester: &Requester) -> StartedSession {
        StartedSession::new(app, &current.user.id, requester).replacing(current.expires_at)
    }

    /// The stored form of the token: what later statements of the batch find the session by.
    pub fn token_hash(&self) -> &str {
        &self.token_hash
    }

    fn row(&self) -> NewSession<'_> {
        NewSession {
            token_hash: &self.token_hash,
            user_id: &self.user_id,
            active_contact_id: self.active_contact_id.as_deref(),
            expires_at: self.expires_at,
            ip: self.ip.as_deref(),
            user_agent: self.user_agent.as_deref(),
            device: self.device.as_deref(),
            factor_verified_at: self.factor_verified_at,
        }
    }

    pub fn insert(&self, app: &App) -> Result<Statement, InfraError> {
        sessions::insert(&app.db, &self.row(), app.now)
    }

    pub fn insert_if_consumed_by(
        &self,
        app: &App,
        verification_id: &str,
        nonce: &str,
    ) -> Result<Statement, InfraError> {
        let consumed = Consumed::Verification {
            id: verification_id,
            nonce,
        };
        sessions::insert_if_consumed(&app.db, &self.row(), consumed, app.now)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("login: invalid credentials")]
    InvalidCredentials,
    #[error("login: email not verified")]
    EmailNotVerified { verification_id: String },
    #[error("login: throttled for {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Infra(#[from] InfraError),
}

/// A password check that costs the same as a real one, for unknown addresses.
const DECOY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$CQgHBgUJCAcGBQkIBwYFCQ$V76YhijgRpiX+Tu4H47kbqJ8C3+H0zcpIZ+FF6/iJpU";

/// Signs in. Unknown address and wrong password answer alike. Every attempt first takes its slot
/// in the IP address's and the account's counters (which wait longer and longer after a few
/// failures), so a burst cannot get more passwords checked than the counters allow; a success
/// gives its slots back.
pub async fn log_in(
    app: &App,
    email: &str,
    password: &Password,
    requester: &Requester,
) -> Result<LoginOutcome, LoginError> {
    // An address that does not parse cannot exist; it is throttled under its raw spelling.
    let account = Email::parse(email)
        .map(|e| e.as_str().to_owned())
        .unwrap_or_else(|_| crate::domain::unicode::lowercase(email.trim()));
    let account_key = LOGIN_PER_ACCOUNT.key(&account);
    let ip_key = LOGIN_PER_IP.key(&ip_subject(requester.ip.as_deref().unwrap_or("unknown")));
    // The address first: a throttled address never spends the account's budget.
    let limits = [
        (&LOGIN_PER_IP, ip_key.as_str()),
        (&LOGIN_PER_ACCOUNT, account_key.as_str()),
    ];
    if let Err(Refused { retry_after }) = rate_limits::take(&app.db, app.now, &limits).await? {
        return Err(LoginError::Throttled { retry_after });
    }
    let user = users::find_by_email(&app.db, &account).await?;
    let stored_hash = user
        .as_ref()
        .map_or(DECOY_HASH, |u| u.password_hash.as_str());
    let password_ok = slow_step(|| password::verify(password, stored_hash)).await && user.is_some();
    let known_id = user.as_ref().map(|u| u.id.clone());
    let Some(user) = user.filter(|_| password_ok) else {
        audit::append(
            &app.db,
            // The owner of an existing account sees its failures in "Mon compte".
            &AuditEvent::of_user("login.failed", known_id.as_deref(), requester.ip.as_deref())
                .with_details(json!({ "email": account })),
            app.now,
        )
        .execute("Failed to record a failed login")
        .await?;
        return Err(LoginError::InvalidCredentials);
    };
    if !user.is_active() {
        let verification_id = send_fresh_signup_code(app, &user).await?;
        return Err(LoginError::EmailNotVerified { verification_id });
    }
    let factors = factors::factors(app, &user.id).await?;
    if factors.any() {
        // The account's failures are cleared only once the factor is proven too: wrong codes count
        // against the same budget as wrong passwords.
        let (challenge_id, challenge) = factors::challenge_statement(app, &user.id)?;
        atomically(
            &app.db,
            vec![
                challenge,
                user_audit(app, "login.factor_required", &user.id, requester)?,
            ],
            "Failed to start a sign-in challenge",
        )
        .await?;
        return Ok(LoginOutcome::FactorRequired {
            challenge_id,
            methods: factors.methods(),
        });
    }
    let mut opening = Opening::prepare(app, &user.id, false, requester).await?;
    let session = opening.session.insert(app)?;
    let mut statements = opening
        .sign_in_statements(app, &user, requester, session, json!({}))
        .await?;
    statements.extend([
        rate_limits::clear(&app.db, &account_key)?,
        rate_limits::release(&app.db, &ip_key)?,
    ]);
    atomically(&app.db, statements, "Failed to start a session").await?;
    let signed_in = opening.signed_in(user);
    signed_in.announce_device(app).await?;
    Ok(LoginOutcome::SignedIn(Box::new(signed_in)))
}

/// A right password: signed in, or (for an account with a second factor) a challenge to answer.
pub enum LoginOutcome {
    SignedIn(Box<SignedIn>),
    FactorRequired {
        challenge_id: String,
        methods: Vec<&'static str>,
    },
}

/// A session about to start, with the profile it starts with and where the user goes next.
pub struct Opening {
    session: StartedSession,
    next: Next,
    profile: Option<ProfileRow>,
    device: Option<devices::Sighting>,
}

impl Opening {
    /// A user with exactly one profile starts acting as it, unless that profile needs a second
    /// factor the account does not have: then the person is sent to set one up.
    pub async fn prepare(
        app: &App,
        user_id: &str,
        has_factor: bool,
        requester: &Requester,
    ) -> Result<Opening, InfraError> {
        let mut session = StartedSession::new(app, user_id, requester);
        let profiles = contacts::profiles_of(&app.db, user_id).await?;
        let mut next = Next::after_sign_in(profiles.len());
        let mut profile = match <[ProfileRow; 1]>::try_from(profiles) {
            Ok([only]) => Some(only),
            Err(_) => None,
        };
        if !has_factor && profile.as_ref().is_some_and(factors::requires_factor) {
            profile = None;
            next = Next::EnrolFactor;
        }
        session.active_contact_id = profile.as_ref().map(|p| p.contact_id.clone());
        Ok(Opening {
            session,
            next,
            profile,
            device: None,
        })
    }

    /// What every sign-in writes in the batch that starts the session, whatever proved it: the
    /// `session` row (one of the inserts below), the browser it starts in, and the
    /// `login.succeeded` event with `details`. They apply only if the batch does; a new browser
    /// emails the owner once the batch committed ([`SignedIn::announce_device`]).
    pub async fn sign_in_statements(
        &mut self,
        app: &App,
        user: &UserRow,
        requester: &Requester,
        session: Statement,
        details: serde_json::Value,
    ) -> Result<Vec<Statement>, InfraError> {
        let mut sighting =
            devices::sighting(app, user, &self.session.token_hash, requester).await?;
        let mut statements = vec![session];
        statements.append(&mut sighting.statements);
        self.device = Some(sighting);
        statements.push(audit::append(
            &app.db,
            &AuditEvent::of_user("login.succeeded", Some(&user.id), requester.ip.as_deref())
                .with_details(details),
            app.now,
        )?);
        Ok(statements)
    }

    /// The session, having proved its factor now, created only if this request consumed the
    /// sign-in challenge.
    pub fn insert_if_challenge_consumed_by(
        &mut self,
        app: &App,
        challenge_id: &str,
        nonce: &str,
    ) -> Result<Statement, InfraError> {
        self.session.factor_verified_at = Some(app.now);
        let consumed = Consumed::Challenge {
            id: challenge_id,
            nonce,
        };
        sessions::insert_if_consumed(&app.db, &self.session.row(), consumed, app.now)
    }

    /// The session, having proved its factor as it starts (a passkey sign-in).
    pub fn insert_with_factor(&mut self, app: &App) -> Result<Statement, InfraError> {
        self.session.factor_verified_at = Some(app.now);
        self.session.insert(app)
    }

    pub fn signed_in(self, user: UserRow) -> SignedIn {
        let (device, device_email) = self
            .device
            .map(|d| (Some(d.token), d.email))
            .unwrap_or_default();
        SignedIn {
            user,
            token: self.session.token,
            next: self.next,
            profile: self.profile,
            device,
            device_email,
        }
    }
}

/// Where a freshly signed-in user goes: link a file, choose among several, or straight home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Next {
    Link,
    ChooseProfile,
    Home,
    /// The only profile needs a second factor the account does not have yet.
    EnrolFactor,
}

impl Next {
    pub fn after_sign_in(linked_profiles: usize) -> Next {
        match linked_profiles {
            0 => Next::Link,
            1 => Next::Home,
            _ => Next::ChooseProfile,
        }
    }
}

pub struct SignedIn {
    pub user: UserRow,
    pub token: SessionToken,
    pub next: Next,
    /// The profile the session starts with: the only one, when the user has exactly one.
    pub profile: Option<ProfileRow>,
    /// The device cookie to set, when the browser was recognised (or given one).
    pub device: Option<DeviceToken>,
    device_email: Option<email::EmailMessage>,
}

impl SignedIn {
    /// Enqueues the new-device email, once the session is stored.
    pub async fn announce_device(&self, app: &App) -> Result<(), InfraError> {
        match &self.device_email {
            Some(message) => email::dispatch(app, message.clone()).await,
            None => Ok(()),
        }
    }
}

/// Someone proved the password of an account that never validated its address: a new code, within
/// the address's signup email budget; inside its wait the latest code's verification answers.
async fn send_fresh_signup_code(app: &App, user: &UserRow) -> Result<String, InfraError> {
    let email = stored_email(&user.email, &user.id)?;
    let send = codes::reserve_email(app, EmailPurpose::Signup, email.as_str())
        .await?
        .is_ok();
    if !send {
        if let Some(recent) =
            verifications::latest_unused(&app.db, Purpose::Signup.as_str(), email.as_str(), false)
                .await?
        {
            return Ok(recent.id);
        }
    }
    let issued = codes::issue(
        app,
        Purpose::Signup,
        CodeOwner::User(&user.id),
        &email,
        None,
    )?;
    if !send {
        issued
            .insert
            .run()
            .await
            .context("Failed to issue a new signup code")?;
        return Ok(issued.verification_id);
    }
    let locale = Locale::parse(&user.locale).unwrap_or_default();
    let pending = email::prepare(
        app,
        &email,
        Template::SignupCode,
        locale,
        Some(issued.code.expose()),
        json!({ "first_name": user.first_name }),
    )?;
    email::commit_and_send(
        app,
        vec![issued.insert],
        [pending],
        "Failed to issue a new signup code",
    )
    .await?;
    Ok(issued.verification_id)
}

/// The signed-in user behind a session token, with the profile they act as.
pub struct Authenticated {
    pub user: UserRow,
    pub token_hash: String,
    /// When the session ends whatever its activity: 12 hours after sign-in.
    pub expires_at: Millis,
    pub profile: Option<ProfileRow>,
    pub linked_profiles: i64,
    /// Whether the account has a confirmed second factor, and when this session last proved it.
    pub has_factor: bool,
    pub factor_verified_at: Option<Millis>,
}

pub async fn authenticate(
    app: &App,
    token: &SessionToken,
) -> Result<Option<Authenticated>, InfraError> {
    let token_hash = token.hash();
    let Some(found) = sessions::find_with_user(&app.db, &token_hash).await? else {
        return Ok(None);
    };
    let times = found.session.times();
    if !times.is_active(app.now) || !found.user.is_active() {
        return Ok(None);
    }
    if times.should_touch(app.now) {
        let mut statements = vec![sessions::touch(&app.db, &token_hash, app.now)?];
        if let Some(profile) = &found.profile {
            statements.push(contacts::touch(&app.db, &profile.contact_id, app.now)?);
        }
        atomically(&app.db, statements, "Failed to record session activity").await?;
    }
    Ok(Some(Authenticated {
        user: found.user,
        token_hash,
        expires_at: found.session.expires_at,
        profile: found.profile,
        linked_profiles: found.linked_profiles,
        has_factor: found.has_factor,
        factor_verified_at: found.session.factor_verified_at,
    }))
}

pub async fn log_out(
    app: &App,
    who: &Authenticated,
    requester: &Requester,
) -> Result<(), InfraError> {
    atomically(
        &app.db,
        vec![
            sessions::revoke(&app.db, &who.token_hash, app.now)?,
            user_audit(app, "logout", &who.user.id, requester)?,
        ],
        "Failed to end a session",
    )
    .await?;
    Ok(())
}
