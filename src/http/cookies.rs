//! The session cookie `__Host-sel_session` and the device cookie `__Host-sel_device`, both
//! HttpOnly, Secure, SameSite=Lax, Path=/.

use crate::domain::device::{DeviceToken, COOKIE_LIFETIME, DEVICE_COOKIE};
use crate::domain::session::{SessionToken, ABSOLUTE_TIMEOUT, COOKIE_NAME};
use worker::Request;

fn cookie<'a>(header: &'a str, wanted: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim())
}

pub fn session_token(req: &Request) -> Option<SessionToken> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    cookie(&header, COOKIE_NAME).and_then(SessionToken::parse)
}

pub fn device_token(req: &Request) -> Option<DeviceToken> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    cookie(&header, DEVICE_COOKIE).and_then(DeviceToken::parse)
}

/// Set at each sign-in, so a browser in use keeps being recognised.
pub fn set_device(token: &DeviceToken) -> String {
    format!(
        "{DEVICE_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        token.expose(),
        COOKIE_LIFETIME / 1000
    )
}

pub fn set_session(token: &SessionToken) -> String {
    format!(
        "{COOKIE_NAME}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
        token.expose(),
        ABSOLUTE_TIMEOUT / 1000
    )
}

pub fn clear_session() -> String {
    format!("{COOKIE_NAME}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}
