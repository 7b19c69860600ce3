//! Configuration, read once per event from the worker's vars and secrets into a typed struct.

use crate::domain::secrets::ServerSecrets;
use worker::Env;

/// The key that hashes one-time codes in local development, where no secret is set.
const DEVELOPMENT_CODE_HASH_KEY: &str = "sel-development-only-code-hash-key";
/// The operator token in local development, where no secret is set (see README).
const DEVELOPMENT_OPERATOR_TOKEN: &str = "dev-operator-token";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailProvider {
    /// Stores delivered emails in D1, readable at `/dev/mailbox`.
    Mailbox,
    /// Posts each email as JSON to an HTTP email API with a bearer key.
    Http { url: String, api_key: String },
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Enables `/dev/*` and development defaults.
    pub development: bool,
    /// Lets tests move the clock through `/dev/clock` (never in production).
    pub clock_control: bool,
    pub email_provider: EmailProvider,
    pub email_from: String,
    /// `CODE_HASH_KEY`, the server secret every key is derived from, and during a rotation
    /// `CODE_HASH_KEY_PREVIOUS`, the one it replaced (see README "Rotating the server secret").
    pub secrets: ServerSecrets,
    /// Bearer token of the operator routes; `None` disables them.
    pub operator_token: Option<String>,
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Config, String> {
        let var = |name: &str| {
            env.var(name)
                .ok()
                .map(|value| value.to_string())
                .filter(|value| !value.is_empty())
        };
        let secret = |name: &str| {
            env.secret(name)
                .ok()
                .map(|value| value.to_string())
                .filter(|value| !value.is_empty())
        };
        let development = var("ENVIRONMENT").as_deref() == Some("development");
        let email_provider = match var("EMAIL_PROVIDER").as_deref() {
            Some("mailbox") if development => EmailProvider::Mailbox,
            Some("mailbox") => {
                return Err("EMAIL_PROVIDER=mailbox is only allowed in development".into())
            }
            Some("http") | None => EmailProvider::Http {
                url: var("EMAIL_API_URL").ok_or("EMAIL_API_URL is not set")?,
                api_key: secret("EMAIL_API_KEY").ok_or("the EMAIL_API_KEY secret is not set")?,
            },
            Some(other) => return Err(format!("unknown EMAIL_PROVIDER {other:?}")),
        };
        let code_hash_key = match secret("CODE_HASH_KEY") {
            Some(key) => key.into_bytes(),
            None if development => DEVELOPMENT_CODE_HASH_KEY.as_bytes().to_vec(),
            None => return Err("the CODE_HASH_KEY secret is not set".into()),
        };
        Ok(Config {
            development,
            clock_control: development && var("CLOCK_CONTROL").as_deref() == Some("enabled"),
            email_provider,
            email_from: var("EMAIL_FROM").unwrap_or_else(|| "SEL <no-reply@sel.example>".into()),
            secrets: ServerSecrets::new(
                code_hash_key,
                secret("CODE_HASH_KEY_PREVIOUS").map(String::into_bytes),
            ),
            operator_token: secret("OPERATOR_TOKEN")
                .or_else(|| development.then(|| DEVELOPMENT_OPERATOR_TOKEN.to_owned())),
        })
    }
}
