//! Reading request bodies: bounded size, the media type the route accepts, and for JSON an object, and typed fields whose
//! problems are collected per field.

use super::error::{ApiError, ErrorCode};
use crate::domain::fields::{FieldErrors, Problem};
use serde_json::{Map, Value};
use worker::Request;

/// Larger bodies answer 413 before being parsed. Every form of the portal fits in a few KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Operator imports carry many records at once.
pub const MAX_IMPORT_BODY_BYTES: usize = 1024 * 1024;

/// The JSON object of a request body.
pub async fn json_object(req: &mut Request) -> Result<Map<String, Value>, ApiError> {
    json_object_within(req, MAX_BODY_BYTES).await
}

/// The value `read` makes of the fields of a JSON request body: 422 with every field's problem
/// when any is rejected.
pub async fn form<T>(
    req: &mut Request,
    read: impl FnOnce(&mut Fields) -> Option<T>,
) -> Result<T, ApiError> {
    let mut fields = Fields::new(json_object(req).await?);
    let value = read(&mut fields);
    fields.finish(|| value)
}

/// The JSON object of a request body of at most `max_bytes`.
pub async fn json_object_within(
    req: &mut Request,
    max_bytes: usize,
) -> Result<Map<String, Value>, ApiError> {
    const JSON: BodyKind = BodyKind {
        media_type: "application/json",
        wrong_type: ErrorCode::UnsupportedMediaType,
        unreadable: ErrorCode::MalformedJson,
    };
    let bytes = read_body(req, &JSON, max_bytes).await?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::new(ErrorCode::BodyNotObject)),
        Err(_) => Err(ApiError::new(ErrorCode::MalformedJson)),
    }
}

/// What a route accepts as its body, and what it answers otherwise.
pub struct BodyKind {
    pub media_type: &'static str,
    /// Answers a body of another media type.
    pub wrong_type: ErrorCode,
    /// Answers a body that breaks off while it is read.
    pub unreadable: ErrorCode,
}

/// The bytes of a body of `kind`'s media type and at most `max_bytes` (413 above it, whether the
/// client declared its length or not).
pub async fn read_body(
    req: &mut Request,
    kind: &BodyKind,
    max_bytes: usize,
) -> Result<Vec<u8>, ApiError> {
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let content_type = header("Content-Type");
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if !media_type.eq_ignore_ascii_case(kind.media_type) {
        return Err(ApiError::new(kind.wrong_type));
    }
    let declared = header("Content-Length").parse::<usize>().ok();
    if declared.is_some_and(|length| length > max_bytes) {
        return Err(ApiError::new(ErrorCode::BodyTooLarge));
    }
    read_within(req, max_bytes, kind.unreadable).await
}

/// The body's bytes, counted as they arrive: a body sent without `Content-Length` (chunked) is
/// refused once it passes `max_bytes`. The rest is read and dropped, never held: answering before
/// the client has finished sending breaks its connection (the local runtime then fails the next
/// request on it).
async fn read_within(
    req: &mut Request,
    max_bytes: usize,
    unreadable: ErrorCode,
) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let Ok(mut stream) = req.stream() else {
        // No body at all.
        return Ok(Vec::new());
    };
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ApiError::new(unreadable))?;
        if too_large || bytes.len() + chunk.len() > max_bytes {
            too_large = true;
            bytes = Vec::new();
            continue;
        }
        bytes.extend_from_slice(&chunk);
    }
    if too_large {
        return Err(ApiError::new(ErrorCode::BodyTooLarge));
    }
    Ok(bytes)
}

fn text(value: &Value) -> Result<&str, Problem> {
    value.as_str().ok_or(Problem::NotAString)
}

/// Typed access to the members of a JSON object, recording each field's problem.
pub struct Fields {
    object: Map<String, Value>,
    pub errors: FieldErrors,
}

impl Fields {
    pub fn new(object: Map<String, Value>) -> Fields {
        Fields {
            object,
            errors: FieldErrors::default(),
        }
    }

    /// A member read by `read`; `None` when missing or null (a problem when `required`), or
    /// with the problem `read` found recorded.
    fn member<T>(
        &mut self,
        name: &'static str,
        required: bool,
        read: impl FnOnce(&Value) -> Result<T, Problem>,
    ) -> Option<T> {
        let result = match self.object.get(name) {
            None | Some(Value::Null) if required => Err(Problem::Required),
            None | Some(Value::Null) => return None,
            Some(value) => read(value),
        };
        self.errors.take(name, result)
    }

    /// A required string; `None` (with the problem recorded) when missing or not a string.
    pub fn string(&mut self, name: &'static str) -> Option<String> {
        self.member(name, true, |value| text(value).map(str::to_owned))
    }

    /// An optional string: `None` when absent or null.
    pub fn optional_string(&mut self, name: &'static str) -> Option<String> {
        self.member(name, false, |value| text(value).map(str::to_owned))
    }

    pub fn boolean(&mut self, name: &'static str) -> Option<bool> {
        self.member(name, true, |value| {
            value.as_bool().ok_or(Problem::NotABoolean)
        })
    }

    /// Records a problem the caller found by comparing fields (e.g. two that exclude each other).
    pub fn reject(&mut self, name: &'static str, problem: Problem) {
        self.errors.add(name, problem);
    }

    /// Whether the member is present (even as null): a PATCH changes only what it names.
    pub fn has(&self, name: &str) -> bool {
        self.object.contains_key(name)
    }

    /// A member a PATCH may leave out: `Some(None)` when absent (unchanged), else what `read`
    /// makes of it (`None` when rejected).
    pub fn change<T>(
        &mut self,
        name: &'static str,
        read: impl FnOnce(&mut Fields, &'static str) -> Option<T>,
    ) -> Option<Option<T>> {
        if self.has(name) {
            read(self, name).map(Some)
        } else {
            Some(None)
        }
    }

    /// An optional string parsed into a domain type: `None` when absent, null or rejected.
    pub fn optional_parsed<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<T> {
        self.member(name, false, |value| text(value).and_then(parse))
    }

    /// A required list of strings parsed as a whole into a domain type.
    pub fn parsed_list<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&[&str]) -> Result<T, Problem>,
    ) -> Option<T> {
        self.member(name, true, |value| match value {
            Value::Array(items) if items.len() > 20 => Err(Problem::TooLong),
            Value::Array(items) => items
                .iter()
                .map(text)
                .collect::<Result<Vec<&str>, Problem>>()
                .and_then(|strings| parse(&strings)),
            _ => Err(Problem::NotAList),
        })
    }

    /// A required member of any JSON type (e.g. a WebAuthn credential object) parsed into a
    /// domain type.
    pub fn parsed_value<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&Value) -> Result<T, Problem>,
    ) -> Option<T> {
        self.member(name, true, parse)
    }

    /// A required string parsed into a domain type.
    pub fn parsed<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
    ) -> Option<T> {
        self.member(name, true, |value| text(value).and_then(parse))
    }

    /// An identifier handed out by the API: short printable ASCII.
    pub fn id(&mut self, name: &'static str) -> Option<String> {
        self.parsed(name, |raw| {
            let valid = !raw.is_empty()
                && raw.len() <= 64
                && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if valid {
                Ok(raw.to_owned())
            } else {
                Err(Problem::InvalidId)
            }
        })
    }

    /// Fails with 422 and every field problem when any field was rejected.
    pub fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if self.errors.is_empty() {
            value().ok_or_else(|| ApiError::invalid(FieldErrors::default()))
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}
