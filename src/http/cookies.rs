//! The session cookie: `__Host-sel_session`, HttpOnly, Secure, SameSite=Lax, Path=/.

use crate::domain::session::{SessionToken, ABSOLUTE_TIMEOUT, COOKIE_NAME};
use worker::Request;

pub fn session_token(req: &Request) -> Option<SessionToken> {
    let header = req.headers().get("Cookie").ok().flatten()?;
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| SessionToken::parse(value.trim()))
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
