//! The database as every query sees it: one D1 session per request, queue batch or cron run (so
//! reads may be served by the nearest read replica while a person still reads their own writes),
//! and a count of the rows its statements read and wrote, for the log line of that event.
//!
//! `Db` and `Statement` have the methods of `D1Database` and `D1PreparedStatement` that storage
//! uses, and [`query!`](crate::query) is `worker::query!` for a `Db`.

use crate::platform::{Context, InfraError};
use futures_util::FutureExt;
use serde::de::{self, DeserializeOwned, Expected, IntoDeserializer, Visitor};
use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use worker::js_sys::{Array, Function, Promise, Reflect};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{D1Database, D1DatabaseSession, D1PreparedStatement};

/// Where a session's first query may be served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStart {
    /// The primary: reads that must see the latest writes (sign-in, codes, limits, any write).
    Primary,
    /// Any replica, however far behind.
    Unconstrained,
    /// A replica at least as recent as this bookmark, which a client got from an earlier answer.
    Bookmark(Bookmark),
}

impl SessionStart {
    fn constraint(&self) -> &str {
        match self {
            SessionStart::Primary => "first-primary",
            SessionStart::Unconstrained => "first-unconstrained",
            SessionStart::Bookmark(bookmark) => bookmark.as_str(),
        }
    }
}

/// A D1 bookmark as a client sends it back: only its shape is checked (hex groups joined by `-`,
/// bounded), so a cookie or header that is not one is ignored instead of reaching D1, and the
/// session starts at the primary instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark(String);

impl Bookmark {
    const MAX_LEN: usize = 128;

    pub fn parse(text: &str) -> Option<Bookmark> {
        let well_formed = !text.is_empty()
            && text.len() <= Bookmark::MAX_LEN
            && text
                .split('-')
                .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_hexdigit()));
        well_formed.then(|| Bookmark(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What D1 answered for one statement: its rows and its metadata, read from the answer itself.
/// worker's own `D1Result::meta` decodes `size_after` (the database's size in bytes) into a
/// `usize`, 32 bits in wasm: once a database passes 4 GiB it fails, and with it every statement's
/// rows read and changes (writes would look like no-ops).
pub struct D1Result(JsValue);

/// The part of D1's metadata the portal reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct D1Meta {
    pub changes: Option<u64>,
    pub rows_read: Option<u64>,
    pub rows_written: Option<u64>,
}

impl D1Result {
    /// The rows, each decoded as `T` (none for a statement that returns no rows).
    pub fn results<T: DeserializeOwned>(&self) -> worker::Result<Vec<T>> {
        let Some(rows) = self.rows()? else {
            return Ok(Vec::new());
        };
        // A counted loop rather than `collect()`: the iterator adapters would be compiled again
        // for every row type, with the row's decoder inlined into them.
        let count = rows.length();
        let mut decoded = Vec::with_capacity(count as usize);
        for index in 0..count {
            decoded.push(decode(rows.get(index))?);
        }
        Ok(decoded)
    }

    /// The first row, decoded as `T`; `None` for a statement that returned no row.
    pub fn first_row<T: DeserializeOwned>(&self) -> worker::Result<Option<T>> {
        self.first()?.map(decode).transpose()
    }

    /// The first row, undecoded: only the decoding is compiled again for every row type.
    fn first(&self) -> worker::Result<Option<JsValue>> {
        let row = match self.rows()? {
            Some(rows) => rows.get(0),
            None => return Ok(None),
        };
        Ok((!row.is_undefined()).then_some(row))
    }

    /// The rows as D1 answered them, when it answered any (not for every statement).
    fn rows(&self) -> worker::Result<Option<Array>> {
        match self.field("results")? {
            Some(rows) => Ok(Some(rows.dyn_into()?)),
            None => Ok(None),
        }
    }

    /// A field of the answer, `None` when D1 did not send it.
    #[inline(never)]
    fn field(&self, name: &str) -> worker::Result<Option<JsValue>> {
        let value = Reflect::get(&self.0, &name.into())?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    /// The metadata, when D1 sent it.
    pub fn meta(&self) -> worker::Result<Option<D1Meta>> {
        let Some(meta) = self.field("meta")? else {
            return Ok(None);
        };
        // Three numbers read directly: a serde decoder for them weighed more than these lines.
        let count = |name: &str| -> worker::Result<Option<u64>> {
            Ok(Reflect::get(&meta, &name.into())?
                .as_f64()
                .map(|n| n as u64))
        };
        Ok(Some(D1Meta {
            changes: count("changes")?,
            rows_read: count("rows_read")?,
            rows_written: count("rows_written")?,
        }))
    }
}

/// Awaits a D1 promise that answers one statement's result.
async fn answer(promise: Promise) -> worker::Result<D1Result> {
    Ok(D1Result(JsFuture::from(promise).await?))
}

/// Rows read and written by the statements of one event, from D1's metadata.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub queries: u64,
    pub rows_read: u64,
    pub rows_written: u64,
}

impl Usage {
    fn add(&mut self, meta: Option<D1Meta>) {
        self.queries += 1;
        if let Some(meta) = meta {
            self.rows_read += meta.rows_read.unwrap_or(0);
            self.rows_written += meta.rows_written.unwrap_or(0);
        }
    }
}

enum Connection {
    Session(D1DatabaseSession),
    /// Without a session (the `/api/health` probe only needs a connection).
    Direct(D1Database),
}

/// The database of one event: cheap to clone, every clone shares the session and the usage.
#[derive(Clone)]
pub struct Db {
    connection: Rc<Connection>,
    usage: Rc<Cell<Usage>>,
}

impl Db {
    /// A session on `database` starting at `start`. A bookmark D1 refuses falls back to the
    /// primary: the client's copy is only a hint.
    pub fn session(database: &D1Database, start: &SessionStart) -> worker::Result<Db> {
        let session = match database.with_session(Some(start.constraint())) {
            Ok(session) => session,
            Err(_) if matches!(start, SessionStart::Bookmark(_)) => {
                database.with_session(Some(SessionStart::Primary.constraint()))?
            }
            Err(error) => return Err(error),
        };
        Ok(Db::over(Connection::Session(session)))
    }

    pub fn direct(database: D1Database) -> Db {
        Db::over(Connection::Direct(database))
    }

    fn over(connection: Connection) -> Db {
        Db {
            connection: Rc::new(connection),
            usage: Rc::new(Cell::new(Usage::default())),
        }
    }

    pub fn prepare(&self, query: impl Into<String>) -> Statement {
        let inner = match &*self.connection {
            Connection::Session(session) => session.prepare(query),
            Connection::Direct(database) => database.prepare(query),
        };
        Statement {
            inner,
            usage: self.usage.clone(),
        }
    }

    /// Runs statements as one transaction.
    pub async fn batch(&self, statements: Vec<Statement>) -> worker::Result<Vec<D1Result>> {
        let statements: Array = statements
            .iter()
            .map(|s| JsValue::from(s.inner.inner().clone()))
            .collect();
        let target: &JsValue = match &*self.connection {
            Connection::Session(session) => session.as_ref(),
            Connection::Direct(database) => database.as_ref(),
        };
        let batch: Function = Reflect::get(target, &"batch".into())?.dyn_into()?;
        let promise: Promise = batch.call1(target, &statements)?.dyn_into()?;
        let answers: Array = JsFuture::from(promise).await?.dyn_into()?;
        let results: Vec<D1Result> = answers.iter().map(D1Result).collect();
        for result in &results {
            self.record(result.meta().ok().flatten());
        }
        Ok(results)
    }

    /// The latest bookmark of this session, once it has run a query: a later session started
    /// from it sees every write this one saw or made.
    pub fn bookmark(&self) -> Option<String> {
        match &*self.connection {
            Connection::Session(session) => session.get_bookmark().ok().flatten(),
            Connection::Direct(_) => None,
        }
    }

    pub fn usage(&self) -> Usage {
        self.usage.get()
    }

    fn record(&self, meta: Option<D1Meta>) {
        record(&self.usage, meta);
    }
}

fn record(usage: &Cell<Usage>, meta: Option<D1Meta>) {
    let mut total = usage.get();
    total.add(meta);
    usage.set(total);
}

/// A prepared statement of a [`Db`]: running it adds its rows to the event's usage.
pub struct Statement {
    inner: D1PreparedStatement,
    usage: Rc<Cell<Usage>>,
}

impl Statement {
    pub fn bind(self, values: &[JsValue]) -> worker::Result<Statement> {
        Ok(Statement {
            inner: self.inner.bind(values)?,
            usage: self.usage,
        })
    }

    /// All rows and the metadata.
    pub async fn all(&self) -> worker::Result<D1Result> {
        let result = answer(self.inner.inner().all()?).await?;
        record(&self.usage, result.meta().ok().flatten());
        Ok(result)
    }

    /// Only the metadata.
    pub async fn run(&self) -> worker::Result<D1Result> {
        let result = answer(self.inner.inner().run()?).await?;
        record(&self.usage, result.meta().ok().flatten());
        Ok(result)
    }

    /// The first row (or, with `column`, that column of it); `None` when there is no row. D1's own
    /// `first` drops the metadata, so this runs `all` and takes the first row, as `first` does.
    async fn first_value(&self, column: Option<&str>) -> worker::Result<Option<JsValue>> {
        let answer = answer(self.inner.inner().all()?).await?;
        record(&self.usage, answer.meta().ok().flatten());
        let Some(row) = answer.first()? else {
            return Ok(None);
        };
        match column {
            Some(name) if Reflect::has(&row, &name.into())? => {
                Ok(Some(Reflect::get(&row, &name.into())?))
            }
            Some(name) => Err(worker::Error::RustError(format!(
                "D1: no column {name} in the result"
            ))),
            None => Ok(Some(row)),
        }
    }
}

/// Running a statement as storage does, from what [`query!`](crate::query) answers: one
/// description of the query (`"Failed to …"`) serves as the context of every step that can fail
/// (binding, running, decoding), so a query function reads as its SQL and one sentence.
pub trait Run: Sized {
    /// Every row, each decoded as `T`.
    fn rows<T: DeserializeOwned>(
        self,
        what: &str,
    ) -> impl Future<Output = Result<Vec<T>, InfraError>>;
    /// The first row, `None` when there is none.
    fn row<'a, T: DeserializeOwned + 'a>(
        self,
        what: &'a str,
    ) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a;
    /// One column of the first row, `None` when there is no row.
    fn value<'a, T: DeserializeOwned + 'a>(
        self,
        column: &'a str,
        what: &'a str,
    ) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a;
    /// Runs a statement that returns no rows; its result holds the metadata (changes).
    fn execute(self, what: &str) -> impl Future<Output = Result<D1Result, InfraError>>;
    /// Every row and the metadata, undecoded: for a caller that also reports the rows D1 read.
    fn all(self, what: &str) -> impl Future<Output = Result<D1Result, InfraError>>;
}

/// A statement a storage function prepared (its own context already given to a failure).
impl Run for Result<Statement, InfraError> {
    fn rows<T: DeserializeOwned>(
        self,
        what: &str,
    ) -> impl Future<Output = Result<Vec<T>, InfraError>> {
        // The query's future is one function for every row type; each type adds only its decoding.
        all(self, what).map(move |result| result?.results().context(what))
    }

    fn row<'a, T: DeserializeOwned + 'a>(
        self,
        what: &'a str,
    ) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a {
        first(self, None, what)
    }

    fn value<'a, T: DeserializeOwned + 'a>(
        self,
        column: &'a str,
        what: &'a str,
    ) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a {
        first(self, Some(column), what)
    }

    fn execute(self, what: &str) -> impl Future<Output = Result<D1Result, InfraError>> {
        run(self, what)
    }

    fn all(self, what: &str) -> impl Future<Output = Result<D1Result, InfraError>> {
        all(self, what)
    }
}

/// A statement as [`query!`](crate::query) answers it: a failure to bind takes `what` as context.
impl Run for worker::Result<Statement> {
    fn rows<T: DeserializeOwned>(
        self,
        what: &str,
    ) -> impl Future<Output = Result<Vec<T>, InfraError>> {
        self.context(what).rows(what)
    }

    fn row<'a, T: DeserializeOwned + 'a>(
        self,
        what: &'a str,
    ) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a {
        self.context(what).row(what)
    }

    fn value<'a, T: DeserializeOwned + 'a>(
        self,
        column: &'a str,
        what: &'a str,
    ) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a {
        self.context(what).value(column, what)
    }

    fn execute(self, what: &str) -> impl Future<Output = Result<D1Result, InfraError>> {
        self.context(what).execute(what)
    }

    fn all(self, what: &str) -> impl Future<Output = Result<D1Result, InfraError>> {
        self.context(what).all(what)
    }
}

async fn run(statement: Result<Statement, InfraError>, what: &str) -> Result<D1Result, InfraError> {
    statement?.run().await.context(what)
}

async fn all(statement: Result<Statement, InfraError>, what: &str) -> Result<D1Result, InfraError> {
    statement?.all().await.context(what)
}

async fn first_value_of(
    statement: Result<Statement, InfraError>,
    column: Option<&str>,
    what: &str,
) -> Result<Option<JsValue>, InfraError> {
    statement?.first_value(column).await.context(what)
}

/// Only the decoding depends on `T`: the query's future is one function for every row type, and
/// each type adds only a decoding step after it (not a state machine of its own).
fn first<'a, T: DeserializeOwned + 'a>(
    statement: Result<Statement, InfraError>,
    column: Option<&'a str>,
    what: &'a str,
) -> impl Future<Output = Result<Option<T>, InfraError>> + 'a {
    first_value_of(statement, column, what).map(move |value| match value? {
        Some(value) => decode(value).map(Some).context(what),
        None => Ok(None),
    })
}

/// Decodes one D1 row (or one column of it) as `T`. One function per row type, shared by
/// `results` and `first`.
#[inline(never)]
fn decode<T: DeserializeOwned>(value: JsValue) -> worker::Result<T> {
    Ok(T::deserialize(Js(value))?)
}

type DecodeResult<T> = Result<T, serde_wasm_bindgen::Error>;

/// A D1 row or one of its values, decoded as `serde_wasm_bindgen::Deserializer` decodes it. For
/// the values D1 answers (objects of null, numbers and strings) each method reads the value in one
/// function shared by every type and calls one method of the visitor, and a row's fields are
/// handed over by position, so what is compiled per row type is little more than its derived
/// decoder; any other value (BigInt, array, a map for `Value` or `flatten`) goes to
/// serde_wasm_bindgen itself. Its struct decoding, compiled again inside every row type's decoder
/// with a name comparison per field, weighed ~117 KB of the module.
struct Js(JsValue);

impl Js {
    fn js(self) -> serde_wasm_bindgen::Deserializer {
        serde_wasm_bindgen::Deserializer::from(self.0)
    }

    fn is_nullish(&self) -> bool {
        self.0.is_null() || self.0.is_undefined()
    }
}

/// What a value is, for the methods that accept more than one kind.
enum Kind {
    Nullish,
    Bool(bool),
    /// A number that is a safe integer (`Number.isSafeInteger`).
    Integer(i64),
    Number(f64),
    Text(String),
    /// A BigInt, an array, an object…: left to serde_wasm_bindgen.
    Other,
}

#[inline(never)]
fn kind(value: &JsValue) -> Kind {
    if value.is_null() || value.is_undefined() {
        Kind::Nullish
    } else if let Some(flag) = value.as_bool() {
        Kind::Bool(flag)
    } else if let Some(number) = value.as_f64() {
        match safe_integer(number) {
            Some(integer) => Kind::Integer(integer),
            None => Kind::Number(number),
        }
    } else if let Some(text) = value.as_string() {
        Kind::Text(text)
    } else {
        Kind::Other
    }
}

/// `Number.isSafeInteger`, then the integer.
fn safe_integer(number: f64) -> Option<i64> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    (number.trunc() == number && number.abs() <= MAX_SAFE).then_some(number as i64)
}

/// The value as a safe integer, when it is a number that is one.
#[inline(never)]
fn integer(value: &JsValue) -> Option<i64> {
    value.as_f64().and_then(safe_integer)
}

/// serde_wasm_bindgen's `invalid_type` error for a value of the kinds D1 answers.
#[cold]
#[inline(never)]
fn mismatch(value: &JsValue, expected: &dyn Expected) -> serde_wasm_bindgen::Error {
    let text;
    let unexpected = if value.is_null() || value.is_undefined() {
        de::Unexpected::Unit
    } else if let Some(flag) = value.as_bool() {
        de::Unexpected::Bool(flag)
    } else if let Some(number) = value.as_f64() {
        de::Unexpected::Float(number)
    } else if let Some(string) = value.as_string() {
        text = string;
        de::Unexpected::Str(&text)
    } else {
        text = format!("{value:?}");
        de::Unexpected::Other(&text)
    };
    de::Error::invalid_type(unexpected, expected)
}

impl Js {
    /// The value as `read` takes it, handed to `visit`; a value `read` refuses is a type mismatch.
    fn visit_as<'de, V: Visitor<'de>, T>(
        self,
        visitor: V,
        read: impl FnOnce(&JsValue) -> Option<T>,
        visit: impl FnOnce(V, T) -> DecodeResult<V::Value>,
    ) -> DecodeResult<V::Value> {
        match read(&self.0) {
            Some(value) => visit(visitor, value),
            None => Err(mismatch(&self.0, &visitor)),
        }
    }

    fn signed<'de, V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        self.visit_as(visitor, integer, V::visit_i64)
    }

    fn unsigned<'de, V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        let read = |value: &JsValue| integer(value).and_then(|integer| u64::try_from(integer).ok());
        self.visit_as(visitor, read, V::visit_u64)
    }
}

/// Deserializer methods that only hand the value to another reader: one of `Js`'s own
/// (`signed`, `unsigned`, or a method for a wider type), or serde_wasm_bindgen (`js`) for the kinds
/// D1 never answers. Each takes the named arguments before the visitor.
macro_rules! hand_over {
    ($reader:ident: $($method:ident),+) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
            self.$reader(visitor)
        }
    )+};
    (js: $($method:ident($($arg:ident: $type:ty),*)),+) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $type,)* visitor: V) -> DecodeResult<V::Value> {
            self.js().$method($($arg,)* visitor)
        }
    )+};
}

impl<'de> de::Deserializer<'de> for Js {
    type Error = serde_wasm_bindgen::Error;

    hand_over!(signed: deserialize_i8, deserialize_i16, deserialize_i32);
    hand_over!(unsigned: deserialize_u8, deserialize_u16, deserialize_u32);
    hand_over!(deserialize_f64: deserialize_f32);
    hand_over!(deserialize_string: deserialize_str, deserialize_identifier);
    hand_over!(js:
        deserialize_char(),
        deserialize_i128(),
        deserialize_u128(),
        deserialize_bytes(),
        deserialize_byte_buf(),
        deserialize_unit(),
        deserialize_unit_struct(name: &'static str),
        deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize),
        deserialize_map(),
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    );

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        match kind(&self.0) {
            Kind::Nullish => visitor.visit_unit(),
            Kind::Bool(flag) => visitor.visit_bool(flag),
            Kind::Integer(integer) => visitor.visit_i64(integer),
            Kind::Number(number) => visitor.visit_f64(number),
            Kind::Text(text) => visitor.visit_string(text),
            Kind::Other => self.js().deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        self.visit_as(visitor, JsValue::as_bool, V::visit_bool)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        if self.0.is_bigint() {
            return self.js().deserialize_i64(visitor);
        }
        self.signed(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        if self.0.is_bigint() {
            return self.js().deserialize_u64(visitor);
        }
        self.unsigned(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        self.visit_as(visitor, JsValue::as_f64, V::visit_f64)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        self.visit_as(visitor, JsValue::as_string, V::visit_string)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        if self.is_nullish() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> DecodeResult<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> DecodeResult<V::Value> {
        if !self.0.is_object() {
            return Err(mismatch(&self.0, &visitor));
        }
        visitor.visit_map(Fields {
            row: self.0,
            fields,
            next: 0,
            value: JsValue::UNDEFINED,
        })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> DecodeResult<V::Value> {
        visitor.visit_unit()
    }
}

/// The fields of a row, in the order of the type's fields; a field the row lacks is skipped (so
/// serde applies its default or its `None`), as serde_wasm_bindgen does. Each field is named to
/// the type by its position, which derived decoders accept as well as its name and match with a
/// jump rather than a string comparison per field. The position is the field's only while
/// `fields` lists one name per field: no `#[serde(alias)]` on a row type.
struct Fields {
    row: JsValue,
    fields: &'static [&'static str],
    next: usize,
    value: JsValue,
}

impl Fields {
    /// The position of the next field the row has, its value kept for `next_value_seed`.
    #[inline(never)]
    fn advance(&mut self) -> DecodeResult<Option<u64>> {
        while let Some(&name) = self.fields.get(self.next) {
            let position = self.next as u64;
            self.next += 1;
            let key = JsValue::from_str(name);
            let value = Reflect::get(&self.row, &key)?;
            if !value.is_undefined() || Reflect::has(&self.row, &key)? {
                self.value = value;
                return Ok(Some(position));
            }
        }
        Ok(None)
    }
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = serde_wasm_bindgen::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> DecodeResult<Option<K::Value>> {
        match self.advance()? {
            Some(position) => seed.deserialize(position.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(&mut self, seed: V) -> DecodeResult<V::Value> {
        seed.deserialize(Js(std::mem::replace(&mut self.value, JsValue::UNDEFINED)))
    }
}

/// The arguments of one [`query!`](crate::query), each serialized by one function per argument
/// type: a failure is kept until all are serialized, so a call site is one call per argument
/// rather than a branch that drops the values serialized before it.
#[derive(Default)]
pub struct Binder {
    failure: std::cell::Cell<Option<serde_wasm_bindgen::Error>>,
}

impl Binder {
    /// The argument as `worker::query!` serializes it (missing values as NULL); `undefined` after
    /// a failure, which [`Binder::bind`] then answers.
    #[inline(never)]
    pub fn value<T: serde::Serialize + ?Sized>(&self, argument: &T) -> JsValue {
        let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
        argument.serialize(&serializer).unwrap_or_else(|error| {
            self.fail(error);
            JsValue::UNDEFINED
        })
    }

    fn fail(&self, error: serde_wasm_bindgen::Error) {
        let first = self.failure.take().unwrap_or(error);
        self.failure.set(Some(first));
    }

    /// The statement with the arguments bound, or the first argument's failure.
    pub fn bind(self, statement: Statement, values: &[JsValue]) -> worker::Result<Statement> {
        match self.failure.into_inner() {
            Some(error) => Err(worker::Error::Internal(error.into())),
            None => statement.bind(values),
        }
    }
}

/// `worker::query!` for a [`Db`]: prepares `$query` and binds the arguments (serialized as
/// `worker::query!` does, missing values as NULL). Always a `worker::Result`, arguments or not, so
/// every query runs through [`Run`].
#[macro_export]
macro_rules! query {
    ($db:expr, $query:expr) => {
        ::std::result::Result::<_, worker::Error>::Ok($crate::storage::db::Db::prepare($db, $query))
    };
    ($db:expr, $query:expr, $($args:expr),* $(,)?) => {{
        let prepared = $crate::storage::db::Db::prepare($db, $query);
        let binder = $crate::storage::db::Binder::default();
        let bindings = &[$(binder.value(&$args)),*];
        binder.bind(prepared, bindings)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bookmark_is_hex_groups_joined_by_dashes() {
        for good in [
            "0000000a-00000003-00004f4c-2e6b5f9d7a9b33c2d6f1b2cbb76e7d8c",
            "00000001",
        ] {
            assert!(Bookmark::parse(good).is_some(), "{good} should be accepted");
        }
    }

    #[test]
    fn anything_else_is_ignored_rather_than_sent_to_d1() {
        let long = "a".repeat(129);
        for (bad, why) in [
            ("", "empty"),
            ("first-primary", "a constraint name, not a bookmark"),
            ("first-unconstrained", "a constraint name, not a bookmark"),
            ("0000-", "an empty group"),
            ("00 00", "a space"),
            ("0000;DROP", "not hex"),
            (long.as_str(), "too long"),
        ] {
            assert!(Bookmark::parse(bad).is_none(), "{bad:?} is refused: {why}");
        }
    }

    #[test]
    fn usage_adds_rows_of_every_statement_and_counts_statements_without_metadata() {
        let mut usage = Usage::default();
        let meta = |read, written| D1Meta {
            changes: None,
            rows_read: Some(read),
            rows_written: Some(written),
        };
        usage.add(Some(meta(3, 0)));
        usage.add(Some(meta(1, 2)));
        usage.add(None);
        assert_eq!(
            usage,
            Usage {
                queries: 3,
                rows_read: 4,
                rows_written: 2
            }
        );
    }
}
