//! Recognising the browser a person signs in from: a long-lived random cookie, stored hashed per
//! account. A sign-in from a browser the account has never used emails its owner (within a small
//! hourly budget) and shows in their security activity; the very first browser of an account
//! (the one that validated the signup) is recorded without a word.

use super::{stored_email, Requester};
use crate::domain::device::{self, DeviceToken};
use crate::domain::locale::Locale;
use crate::domain::throttle::NEW_DEVICE_EMAILS;
use crate::domain::time::montreal_minute;
use crate::email::{self, templates::Template, EmailMessage};
use crate::infra::{random_id, App, InfraError, OsEntropy};
use crate::json;
use crate::storage::audit::{self, AuditEvent};
use crate::storage::db::Statement;
use crate::storage::users::UserRow;
use crate::storage::{devices, rate_limits, WrittenNow};

/// What a sign-in does about its browser: the cookie to (re)set, the statements for the batch that
/// starts the session, and the email to enqueue once that batch committed.
pub struct Sighting {
    pub token: DeviceToken,
    pub statements: Vec<Statement>,
    pub email: Option<EmailMessage>,
}

/// The browser's token: the one it sent, or a new one.
fn token_of(requester: &Requester) -> DeviceToken {
    requester
        .device
        .clone()
        .unwrap_or_else(|| DeviceToken::generate(&mut OsEntropy))
}

/// The browser of a session about to start (`token_hash`) for `user`.
pub async fn sighting(
    app: &App,
    user: &UserRow,
    token_hash: &str,
    requester: &Requester,
) -> Result<Sighting, InfraError> {
    let token = token_of(requester);
    let device_hash = token.hash();
    let seen = devices::sighting(&app.db, &user.id, &device_hash).await?;
    let id = random_id();
    let mut statements = vec![devices::record_if_session(
        &app.db,
        &id,
        &user.id,
        &device_hash,
        token_hash,
        app.now,
    )?];
    let mut email = None;
    if seen.known == 0 && seen.any == 1 {
        let label = requester.user_agent.as_deref().and_then(device::label);
        let network = requester.ip.as_deref().and_then(device::coarse_ip);
        statements.push(audit::append(
            &app.db,
            &AuditEvent::of_user("login.new_device", Some(&user.id), requester.ip.as_deref())
                .with_details(json!({ "device": label })),
            app.now,
        )?);
        let within_budget = rate_limits::take(
            &app.db,
            app.now,
            &[(&NEW_DEVICE_EMAILS, &NEW_DEVICE_EMAILS.key(&user.id))],
        )
        .await?
        .is_ok();
        if within_budget {
            let pending = new_device_email(app, user, &id, label, network)?;
            statements.push(pending.insert);
            email = Some(pending.message);
        }
    }
    Ok(Sighting {
        token,
        statements,
        email,
    })
}

/// The first browser of a new account (its signup validation): recorded, nothing sent.
pub fn first(
    app: &App,
    user_id: &str,
    token_hash: &str,
    requester: &Requester,
) -> Result<Sighting, InfraError> {
    let token = token_of(requester);
    let statement = devices::record_if_session(
        &app.db,
        &random_id(),
        user_id,
        &token.hash(),
        token_hash,
        app.now,
    )?;
    Ok(Sighting {
        token,
        statements: vec![statement],
        email: None,
    })
}

/// "Nouvelle connexion à votre compte": queued only if the batch records this browser as new.
fn new_device_email(
    app: &App,
    user: &UserRow,
    device_id: &str,
    label: Option<String>,
    network: Option<String>,
) -> Result<email::PendingEmail, InfraError> {
    let to = stored_email(&user.email, &user.id)?;
    email::prepare_if_written(
        app,
        &to,
        Template::NewDeviceSignIn,
        Locale::parse(&user.locale).unwrap_or_default(),
        json!({
            "first_name": user.first_name,
            "at": montreal_minute(app.now),
            "device": label,
            "network": network,
        }),
        &WrittenNow {
            table: "known_devices",
            column: "created_at",
            id: device_id,
        },
    )
}
