//! SQL against D1: one small named function per query, grouped by table. `schema.sql` is the
//! source of truth for the tables.

pub mod access_requests;
pub mod account;
pub mod api_tokens;
pub mod audit;
pub mod authorization_reminders;
pub mod authorizations;
pub mod authorized_files;
pub mod contacts;
pub mod db;
pub mod dev_clock;
pub mod devices;
pub mod domain_events;
pub mod job_runs;
pub mod legacy_credentials;
pub mod link_credentials;
pub mod mailbox;
pub mod mfa;
pub mod migration;
pub mod monthly_reports;
pub mod my_requests;
pub mod organisations;
pub mod outbox;
pub mod passkeys;
pub mod rate_limits;
pub mod report_reminders;
pub mod sessions;
pub mod sync;
pub mod users;
pub mod verifications;
pub mod webhooks;

use crate::domain::Millis;
use crate::platform::{Context, InfraError};
use crate::query;
use crate::storage::db::{Db, Run, Statement};

/// Runs statements atomically: D1 executes a batch as one transaction.
pub async fn atomically(
    db: &Db,
    statements: Vec<Statement>,
    what: &str,
) -> Result<Vec<db::D1Result>, InfraError> {
    db.batch(statements).await.context(what)
}

/// Rows changed by a write, from D1's metadata.
fn changes(result: &db::D1Result) -> usize {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|meta| meta.changes)
        .unwrap_or(0) as usize
}

/// A statement whose filters depend on the request: each bound value gets the next `?N`.
#[derive(Default)]
pub struct DynamicQuery {
    params: Vec<worker::wasm_bindgen::JsValue>,
}

impl DynamicQuery {
    /// Binds a text value; returns its placeholder.
    pub fn text(&mut self, value: &str) -> String {
        self.params.push(value.into());
        format!("?{}", self.params.len())
    }

    /// Binds an integer (as a JS number, as D1 expects); returns its placeholder.
    pub fn number(&mut self, value: i64) -> String {
        self.params
            .push(worker::wasm_bindgen::JsValue::from_f64(value as f64));
        format!("?{}", self.params.len())
    }

    pub fn prepare(&self, db: &Db, sql: &str) -> Result<Statement, InfraError> {
        db.prepare(sql)
            .bind(&self.params)
            .context("Failed to bind a query's parameters")
    }
}

/// What a cleanup deletes: the rows of `table` matching `condition`, in which `?1` is the cutoff
/// instant. Each statement deletes at most `limit` rows, picked by primary key (`key`) in a
/// subquery, so its write lock stays short and two overlapping runs delete each row once.
pub struct Purge {
    pub table: &'static str,
    pub key: &'static str,
    pub condition: &'static str,
}

impl Purge {
    /// Deletes one bounded batch; answers how many rows of the table went (`RETURNING`: D1's
    /// change count would include rows deleted through ON DELETE CASCADE).
    pub async fn once(&self, db: &Db, before: Millis, limit: i64) -> Result<usize, InfraError> {
        let Purge {
            table,
            key,
            condition,
        } = self;
        let deleted: Vec<serde_json::Value> = query!(
            db,
            &format!(
                "DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {condition} LIMIT ?2)
                 RETURNING 1 AS deleted"
            ),
            before,
            limit
        )
        .rows(&format!("Failed to purge {table}"))
        .await?;
        Ok(deleted.len())
    }
}

/// Rows written by one statement however many they are (D1 binds at most 100 parameters): the rows
/// travel as one JSON array, each row an array of its values for `columns` in order, and `stamp`
/// (an instant column) is set to the statement's `now`.
pub struct InsertMany {
    pub table: &'static str,
    pub columns: &'static [&'static str],
    pub stamp: &'static str,
}

impl InsertMany {
    pub fn statement(
        &self,
        db: &Db,
        rows: Vec<serde_json::Value>,
        now: Millis,
        what: &str,
    ) -> Result<Statement, InfraError> {
        let InsertMany {
            table,
            columns,
            stamp,
        } = self;
        let values: Vec<String> = (0..columns.len())
            .map(|index| format!("value ->> {index}"))
            .collect();
        let (columns, values) = (columns.join(", "), values.join(", "));
        query!(
            db,
            &format!(
                "INSERT INTO {table} ({columns}, {stamp}) SELECT {values}, ?2 FROM json_each(?1)"
            ),
            crate::json::text(&serde_json::Value::Array(rows)),
            now
        )
        .context(what)
    }
}

/// Whether a write changed a row. D1 counts the rows its triggers change too, so a write on
/// `authorizations` reports more than one.
pub fn wrote(result: &db::D1Result) -> bool {
    changes(result) > 0
}

/// The error of a batch whose results are not the statements sent (`context` says which).
pub fn unexpected_batch(context: &str) -> InfraError {
    InfraError {
        context: context.to_owned(),
        cause: "D1 answered a batch with an unexpected number of results".to_owned(),
    }
}

/// The `n` of a one-row count (`SELECT COUNT(*) AS n ...`), 0 when it answered no row.
pub fn first_count(result: &db::D1Result) -> Result<i64, InfraError> {
    #[derive(serde::Deserialize)]
    struct Count {
        n: i64,
    }
    let count: Option<Count> = result.first_row().context("Failed to decode a count")?;
    Ok(count.map_or(0, |c| c.n))
}

/// The FROM clause of a list read through one range of a kept key table (`keys`, aliased `t`,
/// whose `owner` column and `term` are bound to the placeholders `owner_value` and `term`), each
/// key joined to its row `rows` by `t.{link} = {row_id}`. CROSS JOIN keeps the key range the
/// outer loop, so the rows come in the key's order and a page stops reading at its end.
pub fn through_keys(
    keys: &str,
    (owner, owner_value): (&str, &str),
    term: &str,
    rows: &str,
    (link, row_id): (&str, &str),
) -> String {
    format!(
        "{keys} t CROSS JOIN {rows}
           ON t.{owner} = {owner_value} AND t.term = {term} AND {row_id} = t.{link}"
    )
}

/// Rows read by a statement, from D1's metadata (reported in development, for the benchmarks).
pub fn rows_read(result: &db::D1Result) -> usize {
    result
        .meta()
        .ok()
        .flatten()
        .and_then(|meta| meta.rows_read)
        .unwrap_or(0) as usize
}

/// Escapes `\`, `%` and `_` for a LIKE pattern written with `ESCAPE '\'`.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A row that a statement earlier in the same batch writes, recognised by an instant column set
/// to the batch's `now`: later statements of the batch (audit, events) apply only if it did.
pub struct WrittenNow<'a> {
    pub table: &'static str,
    pub column: &'static str,
    pub id: &'a str,
}

impl WrittenNow<'_> {
    /// The SQL condition, with the placeholders of the id and of `now`.
    fn exists(&self, id_param: &str, now_param: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM {} WHERE id = {id_param} AND {} = {now_param})",
            self.table, self.column
        )
    }
}
