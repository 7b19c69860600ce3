//! What every use case needs from the platform: the database, the queues, the clock, the
//! random source, and an error type that keeps the cause for the logs.

use crate::config::Config;
use crate::domain::password::CommonPasswords;
use crate::domain::Millis;
pub use crate::platform::{random_id, slow_step, Context, InfraError, OsEntropy};
use crate::storage::db::{Db, SessionStart};
use std::cell::OnceCell;
use std::rc::Rc;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{Env, Queue};

/// Everything a use case touches, built once per request or queue batch.
pub struct App {
    /// The event's D1 session: every query of one request, batch or run goes through it.
    pub db: Db,
    pub email_queue: Queue,
    pub webhook_queue: Queue,
    pub config: Rc<Config>,
    pub now: Millis,
    /// The static assets (`public/`), for the data files the worker reads.
    pub assets: worker::worker_sys::Fetcher,
}

/// The D1 database of the worker, in a session starting at `start`.
pub fn database(env: &Env, start: &SessionStart) -> Result<Db, InfraError> {
    let database = env.d1("DB").context("Failed to bind the D1 database DB")?;
    Db::session(&database, start).context("Failed to start a D1 session")
}

impl App {
    /// For background work (queue batches, cron runs, work after an answer): its reads must be
    /// current, so its session starts at the primary.
    pub async fn from_env(env: &Env) -> Result<App, InfraError> {
        App::with_db(env, database(env, &SessionStart::Primary)?).await
    }

    /// Around `db`, the session the caller started (and whose usage it logs).
    pub async fn with_db(env: &Env, db: Db) -> Result<App, InfraError> {
        let config = Config::from_env(env).context("Failed to read the configuration")?;
        let email_queue = env
            .queue("EMAIL_QUEUE")
            .context("Failed to bind the queue EMAIL_QUEUE")?;
        let webhook_queue = env
            .queue("WEBHOOK_QUEUE")
            .context("Failed to bind the queue WEBHOOK_QUEUE")?;
        let assets = env
            .assets("ASSETS")
            .context("Failed to bind the static assets ASSETS")?
            .into_rpc();
        let real_now = worker::Date::now().as_millis() as Millis;
        let now = if config.clock_control {
            real_now + crate::storage::dev_clock::offset(&db).await?
        } else {
            real_now
        };
        Ok(App {
            db,
            email_queue,
            webhook_queue,
            config: Rc::new(config),
            now,
            assets,
        })
    }
}

thread_local! {
    static COMMON_PASSWORDS: OnceCell<Rc<CommonPasswords>> = const { OnceCell::new() };
}

/// The common-password list, read from the static assets on first use and kept for the isolate's
/// life (it changes only with a deploy, which starts new isolates).
pub async fn common_passwords(app: &App) -> Result<Rc<CommonPasswords>, InfraError> {
    if let Some(list) = COMMON_PASSWORDS.with(|cell| cell.get().cloned()) {
        return Ok(list);
    }
    // Straight through the runtime's fetch and Response: workers-rs's wrappers would bring their
    // body-stream handling into the module for one text file.
    let failed = |cause: String| InfraError {
        context: "Failed to read the common-password list".to_owned(),
        cause,
    };
    let js = |error: JsValue| failed(format!("{error:?}"));
    let promise = app
        .assets
        .fetch_with_str("https://assets.invalid/data/common-passwords.txt")
        .map_err(js)?;
    let response: worker::web_sys::Response =
        JsFuture::from(promise).await.map_err(js)?.unchecked_into();
    if response.status() != 200 {
        return Err(failed(format!("the assets answered {}", response.status())));
    }
    let text = JsFuture::from(response.text().map_err(js)?)
        .await
        .map_err(js)?
        .as_string()
        .ok_or_else(|| failed("the body is not text".to_owned()))?;
    let list = Rc::new(CommonPasswords::new(text));
    Ok(COMMON_PASSWORDS.with(|cell| cell.get_or_init(|| list).clone()))
}
