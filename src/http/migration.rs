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
use crate::domain::Millis;
use crate::use_cases::migration;
use serde::Serialize;
use serde_json::{Map, Value};

/// A batch holds at most this many lines (and at most 1 MiB).
pub const MAX_BATCH_LINES: usize = 200;

/// Line numbers are those of the export file.
const MAX_LINE: u64 = 1_000_000_000;

/// How many records were rejected, by reason.
#[cfg(test)]
fn reason_counts_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let reason = generator.subschema_for::<Reason>();
    schemars::json_schema!({
        "type": "object",
        "propertyNames": reason,
        "additionalProperties": { "type": "integer", "minimum": 1 },
    })
}

/// A legacy credential that was not imported.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RejectedCredential<'a> {
    /// Its index in `items`
    index: u64,
    username: &'a str,
    #[cfg_attr(test, schemars(extend("enum" = [
        "invalid_username", "unsupported_hash", "hash_too_costly", "invalid_contact",
        "unknown_file_number"
    ])))]
    reason: &'static str,
}

/// What an import of legacy credentials did.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct CredentialImport<'a> {
    created: usize,
    already_present: usize,
    rejected: Vec<RejectedCredential<'a>>,
}

/// Counts per record kind (the four kinds an export has), zeros included.
#[derive(Serialize, Default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[cfg_attr(test, schemars(deny_unknown_fields))]
struct MigrationCounts {
    #[cfg_attr(test, schemars(range(min = 0)))]
    organisation: i64,
    #[cfg_attr(test, schemars(range(min = 0)))]
    contact: i64,
    #[cfg_attr(test, schemars(range(min = 0)))]
    legacy_credential: i64,
    #[cfg_attr(test, schemars(range(min = 0)))]
    relation: i64,
}

impl MigrationCounts {
    fn of(decisions: &[Decision], wanted: Outcome) -> MigrationCounts {
        let mut counts = MigrationCounts::default();
        for decision in decisions.iter().filter(|d| d.outcome == wanted) {
            if let Some(count) = counts.of_kind(decision.kind) {
                *count += 1;
            }
        }
        counts
    }

    fn of_kind(&mut self, kind: Kind) -> Option<&mut i64> {
        match kind {
            Kind::Organisation => Some(&mut self.organisation),
            Kind::Contact => Some(&mut self.contact),
            Kind::LegacyCredential => Some(&mut self.legacy_credential),
            Kind::Relation => Some(&mut self.relation),
            Kind::Unknown => None,
        }
    }
}

/// A line of the batch that was not imported.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RejectedLine<'a> {
    line: u64,
    kind: Kind,
    /// The file number, email, username or legacy id of the record, as given
    key: Option<&'a str>,
    reason: Reason,
    /// The member of the record at fault, when one is
    field: Option<&'static str>,
}

/// What one batch of a run did.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MigrationBatch<'a> {
    run_id: &'a str,
    #[cfg_attr(test, schemars(range(min = 1)))]
    lines: usize,
    created: MigrationCounts,
    already_present: MigrationCounts,
    rejected: Vec<RejectedLine<'a>>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MigrationRun<'a> {
    id: &'a str,
    started_at: Millis,
    updated_at: Millis,
}

/// Rejected records of a run, by record kind, then by reason.
#[derive(Serialize, Default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct RejectedByKind {
    #[cfg_attr(test, schemars(schema_with = "reason_counts_schema"))]
    organisation: Map<String, Value>,
    #[cfg_attr(test, schemars(schema_with = "reason_counts_schema"))]
    contact: Map<String, Value>,
    #[cfg_attr(test, schemars(schema_with = "reason_counts_schema"))]
    legacy_credential: Map<String, Value>,
    #[cfg_attr(test, schemars(schema_with = "reason_counts_schema"))]
    relation: Map<String, Value>,
    #[cfg_attr(test, schemars(schema_with = "reason_counts_schema"))]
    unknown: Map<String, Value>,
}

impl RejectedByKind {
    fn of_kind(&mut self, kind: Kind) -> &mut Map<String, Value> {
        match kind {
            Kind::Organisation => &mut self.organisation,
            Kind::Contact => &mut self.contact,
            Kind::LegacyCredential => &mut self.legacy_credential,
            Kind::Relation => &mut self.relation,
            Kind::Unknown => &mut self.unknown,
        }
    }
}

#[derive(Serialize, Default)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MigrationTotals {
    created: i64,
    already_present: i64,
    rejected: i64,
}

/// What a run did, over all its batches.
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct MigrationReport<'a> {
    run: MigrationRun<'a>,
    created: MigrationCounts,
    already_present: MigrationCounts,
    rejected: RejectedByKind,
    totals: MigrationTotals,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
enum UnmigratedStatus {
    Open,
    Resolved,
}

/// A relation of the legacy export that could not be migrated
#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct UnmigratedRelation<'a> {
    id: &'a str,
    legacy_id: Option<&'a str>,
    #[cfg_attr(test, schemars(with = "Reason"))]
    reason: &'a str,
    /// Its line in the export, in the latest run that refused it
    #[cfg_attr(test, schemars(range(min = 1)))]
    line: u64,
    /// The latest run that refused it
    run_id: &'a str,
    first_run_id: &'a str,
    /// The record as exported
    record: Value,
    status: UnmigratedStatus,
    created_at: Millis,
    updated_at: Millis,
    /// When a later run migrated a relation with this legacy id
    resolved_at: Option<Millis>,
    resolved_run_id: Option<&'a str>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct UnmigratedRelationPage<'a> {
    items: Vec<UnmigratedRelation<'a>>,
    total: i64,
    page: i64,
    page_size: i64,
}

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
    let rejected = decisions
        .iter()
        .filter_map(|d| match d.outcome {
            Outcome::Rejected(refusal) => Some(RejectedCredential {
                index: d.line,
                username: d.key.as_deref().unwrap_or(""),
                reason: refusal.reason.as_str(),
            }),
            _ => None,
        })
        .collect();
    Ok(Reply::json(
        200,
        CredentialImport {
            created: count(Outcome::Created),
            already_present: count(Outcome::AlreadyPresent),
            rejected,
        },
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
        (None, Some(Value::String(reason)), 2) => match Reason::parse(reason).ok()? {
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
    let rejected = decisions
        .iter()
        .filter_map(|d| match d.outcome {
            Outcome::Rejected(refusal) => Some(RejectedLine {
                line: d.line,
                kind: d.kind,
                key: d.key.as_deref(),
                reason: refusal.reason,
                field: refusal.field,
            }),
            _ => None,
        })
        .collect();
    Ok(Reply::json(
        200,
        MigrationBatch {
            run_id: &run_id,
            lines: decisions.len(),
            created: MigrationCounts::of(&decisions, Outcome::Created),
            already_present: MigrationCounts::of(&decisions, Outcome::AlreadyPresent),
            rejected,
        },
    ))
}

/// What a run did: counts by kind of what was created and already present, and of what was
/// rejected by kind and reason.
pub async fn report(call: &Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let report = migration::report(&call.app, call.id()).await?;
    let mut body = MigrationReport {
        run: MigrationRun {
            id: &report.run.id,
            started_at: report.run.started_at,
            updated_at: report.run.updated_at,
        },
        created: MigrationCounts::default(),
        already_present: MigrationCounts::default(),
        rejected: RejectedByKind::default(),
        totals: MigrationTotals::default(),
    };
    for row in &report.totals {
        let kind = Kind::parse(&row.kind).ok();
        let (count, total) = match row.outcome.as_str() {
            "created" => (
                kind.and_then(|kind| body.created.of_kind(kind)),
                &mut body.totals.created,
            ),
            "already_present" => (
                kind.and_then(|kind| body.already_present.of_kind(kind)),
                &mut body.totals.already_present,
            ),
            _ => {
                if let Some(kind) = kind {
                    let reasons = body.rejected.of_kind(kind);
                    let count = reasons.entry(row.reason.as_str()).or_insert(Value::from(0));
                    *count = Value::from(count.as_i64().unwrap_or(0) + row.count);
                }
                (None, &mut body.totals.rejected)
            }
        };
        if let Some(count) = count {
            *count += row.count;
        }
        *total += row.count;
    }
    Ok(Reply::json(200, body))
}

/// The relations that could not be migrated: `?reason=&status=open|resolved|all&page=&page_size=`.
pub async fn unmigrated_relations(call: &Call) -> Result<Reply, ApiError> {
    require_operator(call)?;
    let (page, page_size) = paging(call)?;
    let reason = match call.query("reason") {
        None => None,
        Some(raw) => Some(
            Reason::parse(&raw)
                .map_err(|_| ApiError::invalid_field("reason", Problem::InvalidChoice))?,
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
    let items = rows
        .iter()
        .map(|row| UnmigratedRelation {
            id: &row.id,
            legacy_id: row.legacy_id.as_deref(),
            reason: &row.reason,
            line: row.line,
            run_id: &row.run_id,
            first_run_id: &row.first_run_id,
            record: serde_json::from_str(&row.record)
                .unwrap_or_else(|_| Value::String(row.record.clone())),
            status: match row.resolved_at {
                Some(_) => UnmigratedStatus::Resolved,
                None => UnmigratedStatus::Open,
            },
            created_at: row.created_at,
            updated_at: row.updated_at,
            resolved_at: row.resolved_at,
            resolved_run_id: row.resolved_run_id.as_deref(),
        })
        .collect();
    Ok(Reply::json(
        200,
        UnmigratedRelationPage {
            items,
            total,
            page,
            page_size,
        },
    ))
}

/// The routes of this feature.
pub const ROUTES: &[Route] = &[
    route!(POST "/api/operator/legacy-credentials" => import_legacy_credentials, 200 => CredentialImport),
    route!(POST "/api/operator/migrations" => import_batch, 200 => MigrationBatch),
    route!(GET "/api/operator/migrations/{id}" => report, 200 => MigrationReport),
    route!(GET "/api/operator/unmigrated-relations" => unmigrated_relations, 200 => UnmigratedRelationPage),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

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
