//! Operator imports of the legacy export (README, "Legacy migration" and "Legacy credentials"),
//! the report of a migration run, and the relations that could not be migrated.

use super::body::{json_object_within, Fields, MAX_IMPORT_BODY_BYTES};
use super::error::ApiError;
use super::operator::require_operator;
use super::organisation::paging;
use super::route::{route, Route};
use super::{Call, Reply};
use crate::domain::fields::Problem;
use crate::domain::migration::{Decision, Kind, Outcome, ParsedLine, Reason};
use crate::json;
use crate::use_cases::migration;
use serde_json::{Map, Value};

/// A batch holds at most this many lines (and at most 1 MiB).
pub const MAX_BATCH_LINES: usize = 200;

/// Line numbers are those of the export file.
const MAX_LINE: u64 = 1_000_000_000;

/// Imports legacy credentials (items without `type`, format in the README "Legacy credentials").
pub async fn import_legacy_credentials(call: &mut Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let body = json_object_within(&mut call.req, MAX_IMPORT_BODY_BYTES).await?;
    let Some(Value::Array(items)) = body.get("items") else {
        return Err(ApiError::invalid_field("items", Problem::Required));
    };
    let lines = items
        .iter()
        .enumerate()
        .map(|(index, item)| ParsedLine::read_legacy_credential(index as u64, item))
        .collect();
    let decisions = migration::import(&call.app, None, lines, &call.requester).await?;
    let count = |wanted: Outcome| decisions.iter().filter(|d| d.outcome == wanted).count();
    let rejected: Vec<Value> = decisions
        .iter()
        .filter_map(|d| match d.outcome {
            Outcome::Rejected(refusal) => Some(
                json!({ "index": d.line, "username": d.key.as_deref().unwrap_or(""), "reason": refusal.reason.as_str() }),
            ),
            _ => None,
        })
        .collect();
    Ok(Reply::json(
        200,
        json!({ "created": count(Outcome::Created), "already_present": count(Outcome::AlreadyPresent), "rejected": rejected }),
    ))
}

/// One line of a batch: `{line, record}` (the record as exported) or `{line, unreadable}` (a line
/// the command could not send as JSON: `malformed_json` or `record_too_large`).
fn batch_line(item: &Value, previous: u64) -> Option<ParsedLine> {
    let object = item.as_object()?;
    let line = object
        .get("line")?
        .as_u64()
        .filter(|line| *line > previous && *line <= MAX_LINE)?;
    match (object.get("record"), object.get("unreadable"), object.len()) {
        (Some(record), None, 2) => Some(ParsedLine::read(line, record)),
        (None, Some(Value::String(reason)), 2) => match Reason::parse(reason)? {
            reason @ (Reason::MalformedJson | Reason::RecordTooLarge) => {
                Some(ParsedLine::unreadable(line, reason))
            }
            _ => None,
        },
        _ => None,
    }
}

fn batch_lines(items: Option<Value>) -> Result<Vec<ParsedLine>, Problem> {
    let items = match items {
        None | Some(Value::Null) => return Err(Problem::Required),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Problem::NotAList),
    };
    if items.is_empty() {
        return Err(Problem::Required);
    }
    if items.len() > MAX_BATCH_LINES {
        return Err(Problem::TooLong);
    }
    let mut lines = Vec::with_capacity(items.len());
    for item in &items {
        let previous = lines.last().map_or(0, |parsed: &ParsedLine| parsed.line);
        lines.push(batch_line(item, previous).ok_or(Problem::InvalidImportItem)?);
    }
    Ok(lines)
}

/// Counts per record kind (the four kinds an export has), zeros included.
fn per_kind(decisions: &[Decision], wanted: Outcome) -> Value {
    let mut counts = Map::new();
    for kind in Kind::ALL.into_iter().filter(|kind| *kind != Kind::Unknown) {
        let n = decisions
            .iter()
            .filter(|d| d.kind == kind && d.outcome == wanted)
            .count();
        counts.insert(kind.as_str().to_owned(), n.into());
    }
    Value::Object(counts)
}

/// Imports one batch of a legacy export under a run id (format in the README, "Legacy migration").
pub async fn import_batch(call: &mut Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let mut body = json_object_within(&mut call.req, MAX_IMPORT_BODY_BYTES).await?;
    let items = body.remove("items");
    let mut fields = Fields::new(body);
    let run_id = fields.id("run_id");
    let lines = fields.errors.take("items", batch_lines(items));
    let (run_id, lines) = fields.finish(|| Some((run_id?, lines?)))?;
    let decisions = migration::import(&call.app, Some(&run_id), lines, &call.requester).await?;
    let rejected: Vec<Value> = decisions
        .iter()
        .filter_map(|d| match d.outcome {
            Outcome::Rejected(refusal) => Some(json!({
                "line": d.line, "kind": d.kind.as_str(), "key": d.key,
                "reason": refusal.reason.as_str(), "field": refusal.field,
            })),
            _ => None,
        })
        .collect();
    Ok(Reply::json(
        200,
        json!({
            "run_id": run_id,
            "lines": decisions.len(),
            "created": per_kind(&decisions, Outcome::Created),
            "already_present": per_kind(&decisions, Outcome::AlreadyPresent),
            "rejected": rejected,
        }),
    ))
}

/// What a run did: counts by kind of what was created and already present, and of what was
/// rejected by kind and reason.
pub async fn report(call: &Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let report = migration::report(&call.app, call.id()).await?;
    let kinds = |all: bool| -> Map<String, Value> {
        Kind::ALL
            .into_iter()
            .filter(|kind| all || *kind != Kind::Unknown)
            .map(|kind| (kind.as_str().to_owned(), json!(0)))
            .collect()
    };
    let (mut created, mut present, mut rejected) = (kinds(false), kinds(false), kinds(true));
    for kind in rejected.values_mut() {
        *kind = json!({});
    }
    let mut totals = Map::new();
    for row in &report.totals {
        let target = match row.outcome.as_str() {
            "created" => created.get_mut(&row.kind),
            "already_present" => present.get_mut(&row.kind),
            _ => rejected
                .get_mut(&row.kind)
                .and_then(|reasons| reasons.as_object_mut())
                .map(|reasons| reasons.entry(row.reason.clone()).or_insert(json!(0))),
        };
        if let Some(count) = target {
            *count = json!(count.as_i64().unwrap_or(0) + row.count);
        }
        let total = totals.entry(row.outcome.clone()).or_insert(json!(0));
        *total = json!(total.as_i64().unwrap_or(0) + row.count);
    }
    let total = |outcome: &str| totals.get(outcome).cloned().unwrap_or(json!(0));
    Ok(Reply::json(
        200,
        json!({
            "run": { "id": report.run.id, "started_at": report.run.started_at, "updated_at": report.run.updated_at },
            "created": created,
            "already_present": present,
            "rejected": rejected,
            "totals": { "created": total("created"), "already_present": total("already_present"), "rejected": total("rejected") },
        }),
    ))
}

/// The relations that could not be migrated: `?reason=&status=open|resolved|all&page=&page_size=`.
pub async fn unmigrated_relations(call: &Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let (page, page_size) = paging(call)?;
    let reason = match call.query("reason") {
        None => None,
        Some(raw) => Some(
            Reason::parse(&raw)
                .ok_or_else(|| ApiError::invalid_field("reason", Problem::InvalidChoice))?,
        ),
    };
    let resolved = match call.query("status").as_deref() {
        None | Some("open") => Some(false),
        Some("resolved") => Some(true),
        Some("all") => None,
        Some(_) => return Err(ApiError::invalid_field("status", Problem::InvalidChoice)),
    };
    let (rows, total) =
        migration::unmigrated_relations(&call.app, reason, resolved, page, page_size).await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            json!({
                "id": row.id,
                "legacy_id": row.legacy_id,
                "reason": row.reason,
                "line": row.line,
                "run_id": row.run_id,
                "first_run_id": row.first_run_id,
                "record": serde_json::from_str::<Value>(&row.record).unwrap_or(Value::String(row.record)),
                "status": if row.resolved_at.is_some() { "resolved" } else { "open" },
                "created_at": row.created_at,
                "updated_at": row.updated_at,
                "resolved_at": row.resolved_at,
                "resolved_run_id": row.resolved_run_id,
            })
        })
        .collect();
    Ok(Reply::json(
        200,
        json!({ "items": items, "total": total, "page": page, "page_size": page_size }),
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/operator/legacy-credentials" => import_legacy_credentials),
    route!(POST "/api/operator/migrations" => import_batch),
    route!(GET "/api/operator/migrations/{id}" => report),
    route!(GET "/api/operator/unmigrated-relations" => unmigrated_relations),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_lines_in_increasing_order_each_a_record_or_an_unreadable_line() {
        let lines = batch_lines(Some(json!([
            { "line": 1, "record": { "type": "organisation" } },
            { "line": 4, "unreadable": "malformed_json" },
            { "line": 9, "record": 42 },
        ])))
        .unwrap();
        assert_eq!(lines.iter().map(|l| l.line).collect::<Vec<_>>(), [1, 4, 9]);
        assert_eq!(
            lines[1].record.as_ref().unwrap_err().reason,
            Reason::MalformedJson
        );
    }

    #[test]
    fn a_malformed_batch_is_refused_whole() {
        let cases = [
            (None, Problem::Required),
            (Some(json!([])), Problem::Required),
            (Some(json!({ "line": 1 })), Problem::NotAList),
            (
                Some(Value::Array(vec![json!({ "line": 1, "record": {} }); 201])),
                Problem::TooLong,
            ),
        ];
        for (items, problem) in cases {
            assert_eq!(batch_lines(items.clone()).err(), Some(problem), "{items:?}");
        }
        for item in [
            json!(42),
            json!({ "record": {} }),
            json!({ "line": 0, "record": {} }),
            json!({ "line": "1", "record": {} }),
            json!({ "line": 1.5, "record": {} }),
            json!({ "line": 1 }),
            json!({ "line": 1, "record": {}, "unreadable": "malformed_json" }),
            json!({ "line": 1, "unreadable": "duplicate" }),
            json!({ "line": 1, "record": {}, "extra": true }),
        ] {
            assert_eq!(
                batch_lines(Some(json!([item]))).err(),
                Some(Problem::InvalidImportItem),
                "{item}"
            );
        }
        assert_eq!(
            batch_lines(Some(
                json!([{ "line": 2, "record": {} }, { "line": 2, "record": {} }])
            ))
            .err(),
            Some(Problem::InvalidImportItem),
            "lines must increase"
        );
    }
}
