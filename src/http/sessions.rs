//! Signing in and out, and the current user.

use super::body::{json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::error::ErrorCode;
use super::route::{route, Route};
use super::{Call, Reply};
use crate::domain::email::Email;
use crate::domain::fields::Problem;
use crate::domain::organisation::{OrganisationKind, Role};
use crate::domain::password::Password;
use crate::storage::contacts::ProfileRow;
use crate::storage::users::UserRow;
use crate::use_cases::factors::requires_factor;
use crate::use_cases::profiles::PERSONAL;
use crate::use_cases::sessions::{self, Authenticated, LoginOutcome, Next, SignedIn};
use crate::use_cases::Actor;
use serde::Serialize;

/// The signed-in person, and the profile they act in.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Me<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    #[cfg_attr(test, schemars(extend("enum" = ["fr", "en"])))]
    pub locale: &'a str,
    pub active_profile: Profile<'a>,
    /// How many organisation profiles the account is linked to (the current user, and after a
    /// change of name, language or email).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_profiles: Option<i64>,
    /// Where the portal leads a person who just signed in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Next>,
}

impl<'a> Me<'a> {
    pub fn of(user: &'a UserRow, profile: Option<&'a ProfileRow>) -> Me<'a> {
        Me {
            id: &user.id,
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
            locale: &user.locale,
            active_profile: Profile::of(profile),
            linked_profiles: None,
            next: None,
        }
    }

    /// `user` (as stored now) in the session `who`, with how many profiles the account has.
    pub fn in_session(user: &'a UserRow, who: &'a Authenticated) -> Me<'a> {
        Me {
            linked_profiles: Some(who.linked_profiles),
            ..Me::of(user, who.profile.as_ref())
        }
    }
}

/// A profile the person may act in: their own (personal), or as a contact of an organisation.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Profile<'a> {
    Personal {
        #[cfg_attr(test, schemars(extend("const" = "personal")))]
        id: &'static str,
    },
    Organisation {
        /// The contact's id.
        id: &'a str,
        role: Role,
        /// An employer's contact who may manage its authorizations (responsables always may).
        manages_authorizations: bool,
        organisation: Organisation<'a>,
    },
}

/// The organisation a profile acts for, as its contacts see it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Organisation<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub kind: OrganisationKind,
    pub file_number: &'a str,
}

impl<'a> Organisation<'a> {
    pub fn of(profile: &'a ProfileRow) -> Organisation<'a> {
        Organisation {
            id: &profile.organisation_id,
            name: &profile.organisation_name,
            kind: profile.organisation_kind,
            file_number: &profile.file_number,
        }
    }
}

impl<'a> Profile<'a> {
    pub fn of(profile: Option<&'a ProfileRow>) -> Profile<'a> {
        match profile {
            None => Profile::Personal { id: PERSONAL },
            Some(p) => Profile::Organisation {
                id: &p.contact_id,
                role: p.role,
                manages_authorizations: p.manages_authorizations == 1,
                organisation: Organisation::of(p),
            },
        }
    }
}

/// A profile as JSON, for the organisation's own page: read back from its text, which shares the
/// serialiser the bodies use rather than compiling a second one into a `Value`.
/// The signed-in user with an organisation profile active, or 401/403. The second-factor policy
/// is checked on every request, from the role and organisation the session lookup already joins:
/// a contact promoted to responsable, or whose organisation came to require a factor of all,
/// while signed in without one is refused until they set one up.
pub async fn require_organisation_profile(
    call: &Call,
) -> Result<(Authenticated, ProfileRow), ApiError> {
    let mut who = require_user(call).await?;
    let profile = who
        .profile
        .take()
        .ok_or_else(|| ApiError::new(ErrorCode::OrganisationProfileRequired))?;
    if !who.has_factor && requires_factor(&profile) {
        return Err(ApiError::new(ErrorCode::MfaEnrolmentRequired));
    }
    Ok((who, profile))
}

/// The signed-in user acting in their active profile, as use cases take them; with the session,
/// for the checks that need it (a recent second factor).
pub async fn require_actor(call: &Call) -> Result<(Authenticated, Actor), ApiError> {
    let (who, profile) = require_organisation_profile(call).await?;
    let actor = Actor {
        user_id: who.user.id.clone(),
        profile,
        requester: call.requester.clone(),
    };
    Ok((who, actor))
}

/// The signed-in user, or 401.
pub async fn require_user(call: &Call) -> Result<Authenticated, ApiError> {
    let token = cookies::session_token(&call.req)
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))?;
    sessions::authenticate(&call.app, &token)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated))
}

/// The password was right; the account has a second factor, to give within the challenge.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct FactorChallenge<'a> {
    #[cfg_attr(test, schemars(extend("const" = true)))]
    mfa_required: bool,
    challenge_id: &'a str,
    /// totp when the authenticator app is set up, passkey when the account has one, and
    /// recovery_code.
    #[cfg_attr(
        test,
        schemars(extend("items" = { "enum": ["totp", "passkey", "recovery_code"] }))
    )]
    methods: Vec<&'static str>,
}

pub async fn log_in(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    // An address past the longest deliverable one cannot exist: refused before anything is
    // counted or stored under it.
    let email = fields.parsed("email", |raw| {
        if raw.trim().len() > Email::MAX_LENGTH {
            Err(Problem::TooLong)
        } else {
            Ok(raw.to_owned())
        }
    });
    let password = fields.parsed("password", Password::parse_attempt);
    let (email, password) = fields.finish(|| Some((email?, password?)))?;
    let signed_in = match sessions::log_in(&call.app, &email, &password, &call.requester).await? {
        LoginOutcome::SignedIn(signed_in) => signed_in,
        LoginOutcome::FactorRequired {
            challenge_id,
            methods,
        } => {
            let challenge = FactorChallenge {
                mfa_required: true,
                challenge_id: &challenge_id,
                methods,
            };
            return Ok(Reply::json(202, challenge));
        }
    };
    Ok(signed_in_reply(&signed_in))
}

/// A session just started: who, where to go next, the session cookie and the device cookie.
pub fn signed_in_reply(signed_in: &SignedIn) -> Reply {
    let body = Me {
        next: Some(signed_in.next),
        ..Me::of(&signed_in.user, signed_in.profile.as_ref())
    };
    let reply = Reply::json(200, body).with_cookie(cookies::set_session(&signed_in.token));
    match &signed_in.device {
        Some(device) => reply.with_cookie(cookies::set_device(device)),
        None => reply,
    }
}

pub async fn log_out(call: &Call) -> Result<Reply, ApiError> {
    if let Ok(who) = require_user(call).await {
        sessions::log_out(&call.app, &who, &call.requester).await?;
    }
    Ok(Reply::no_content().with_cookie(cookies::clear_session()))
}

pub async fn me(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    Ok(Reply::json(200, Me::in_session(&who.user, &who)))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/session" => log_in, 200 => Me, 202 => FactorChallenge),
    route!(DELETE "/api/session" => log_out),
    route!(GET "/api/me" => me, 200 => Me),
];
