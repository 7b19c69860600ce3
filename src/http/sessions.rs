//! Signing in and out, and the current user.

use super::body::{json_object, Fields};
use super::cookies;
use super::error::ApiError;
use super::{Call, Reply};
use crate::domain::password::Password;
use crate::storage::users::UserRow;
use crate::use_cases::sessions::{self, Authenticated};
use serde_json::{json, Value};

pub fn me_json(user: &UserRow) -> Value {
    json!({ "id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name, "locale": user.locale })
}

/// The signed-in user, or 401.
pub async fn require_user(call: &Call) -> Result<Authenticated, ApiError> {
    let token =
        cookies::session_token(&call.req).ok_or_else(|| ApiError::new(401, "unauthenticated"))?;
    sessions::authenticate(&call.app, &token)
        .await?
        .ok_or_else(|| ApiError::new(401, "unauthenticated"))
}

pub async fn log_in(call: &mut Call) -> Result<Reply, ApiError> {
    let mut fields = Fields::new(json_object(&mut call.req).await?);
    let email = fields.string("email");
    let password = fields.parsed("password", Password::parse_attempt);
    let (email, password) = fields.finish(|| Some((email?, password?)))?;
    let (user, token) = sessions::log_in(&call.app, &email, &password, &call.requester).await?;
    Ok(Reply::json(200, me_json(&user)).with_cookie(cookies::set_session(&token)))
}

pub async fn log_out(call: &Call) -> Result<Reply, ApiError> {
    if let Ok(who) = require_user(call).await {
        sessions::log_out(&call.app, &who, &call.requester).await?;
    }
    Ok(Reply::no_content().with_cookie(cookies::clear_session()))
}

pub async fn me(call: &Call) -> Result<Reply, ApiError> {
    let who = require_user(call).await?;
    Ok(Reply::json(200, me_json(&who.user)))
}
