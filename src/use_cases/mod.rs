//! One module per capability. Each orchestrates domain rules, storage and effects, and has its own
//! error type; the HTTP layer maps those errors to statuses in one place (`http::error`).

pub mod access_requests;
pub mod accounts;
pub mod authorizations;
pub mod codes;
pub mod files;
pub mod linking;
pub mod members;
pub mod migration;
pub mod operator;
pub mod passwords;
pub mod profiles;
pub mod sessions;
pub mod tokens;
pub mod webhooks;

/// Who is asking, as far as auditing and throttling care.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}
