//! "Liaison d'un profil" and "Sélectionnez un profil".

use super::body::{form, json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::route::{route, Route};
use super::sessions::{require_user, Me, Profile};
use super::{Call, Reply};
use crate::domain::linking::{LinkCode, LinkIdentifier};
use crate::domain::organisation::{FileNumber, LegacyUsername, PostalCode};
use crate::use_cases::{linking, profiles};
use serde::Serialize;

/// The profile the account was just linked to.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct LinkedProfile<'a> {
    profile: Profile<'a>,
}

/// The request was taken: if the facts match an organisation, its responsible receives it.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct LinkRequested {}

/// The profiles the person may act in: their personal one first.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct ProfileList<'a> {
    items: Vec<Profile<'a>>,
    /// The id of the profile the session acts in ("personal" for the personal one).
    active: &'a str,
}

pub async fn with_credentials(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let identifier = fields.parsed("identifier", LinkIdentifier::parse);
    let code = fields.parsed("code", LinkCode::parse);
    let (identifier, code) = fields.finish(|| Some((identifier?, code?)))?;
    let profile =
        linking::with_credentials(&call.app, &who.user.id, &identifier, &code, &call.requester)
            .await?;
    let profile = Profile::of(Some(&profile));
    Ok(Reply::json(200, LinkedProfile { profile }))
}

pub async fn with_legacy(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let username = fields.parsed("username", LegacyUsername::parse);
    let password = fields.parsed("password", crate::domain::password::Password::parse_attempt);
    let (username, password) = fields.finish(|| Some((username?, password?)))?;
    let profile = linking::with_legacy(
        &call.app,
        &who.user.id,
        &username,
        password.expose(),
        &call.requester,
    )
    .await?;
    let profile = Profile::of(Some(&profile));
    Ok(Reply::json(200, LinkedProfile { profile }))
}

pub async fn by_known_facts(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let file_number = fields.parsed("file_number", FileNumber::parse);
    let postal_code = fields.parsed("postal_code", PostalCode::parse);
    let (file_number, postal_code) = fields.finish(|| Some((file_number?, postal_code?)))?;
    linking::by_known_facts(
        &call.app,
        &who.user.id,
        &file_number,
        &postal_code,
        &call.requester,
    )
    .await?;
    Ok(Reply::json(202, LinkRequested {}))
}

pub async fn profiles(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let linked = profiles::list(&call.app, &who.user.id).await?;
    let items = std::iter::once(Profile::of(None))
        .chain(linked.iter().map(|p| Profile::of(Some(p))))
        .collect();
    let active = who
        .profile
        .as_ref()
        .map_or(profiles::PERSONAL, |p| p.contact_id.as_str());
    Ok(Reply::json(200, ProfileList { items, active }))
}

pub async fn select_profile(call: &mut Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    let profile_id = form(&mut call.req, |f| f.id("profile_id")).await?;
    let (profile, token) = profiles::switch(&call.app, &who, &profile_id, &call.requester).await?;
    Ok(Reply::json(200, Me::of(&who.user, profile.as_ref()))
        .with_cookie(cookies::set_session(&token)))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/links/credentials" => with_credentials, 200 => LinkedProfile),
    route!(POST "/api/links/legacy" => with_legacy, 200 => LinkedProfile),
    route!(POST "/api/links/known-facts" => by_known_facts, 202 => LinkRequested),
    route!(GET "/api/profiles" => profiles, 200 => ProfileList),
    route!(PUT "/api/session/profile" => select_profile, 200 => Me),
];
