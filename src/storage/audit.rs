use crate::domain::audit_trail::{self, Narrowing, TrailCursor};
use crate::domain::Millis;
use crate::platform::{random_id, Context, InfraError};
use crate::query;
use crate::storage::db::{Binder, Db, Run, Statement};

/// One security-relevant action, appended to `audit_events`.
#[derive(Default)]
pub struct AuditEvent<'a> {
    pub action: &'a str,
    /// The acting user.
    pub user_id: Option<&'a str>,
    pub organisation_id: Option<&'a str>,
    /// The contact the action is about.
    pub contact_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub details: serde_json::Value,
    /// The other organisation concerned (an employer's authorization of a firm's contact).
    pub counterpart_organisation_id: Option<&'a str>,
}

impl<'a> AuditEvent<'a> {
    /// What a user did, or what happened to their account, from `ip`.
    pub fn of_user(action: &'a str, user_id: Option<&'a str>, ip: Option<&'a str>) -> Self {
        AuditEvent {
            action,
            user_id,
            ip,
            ..Default::default()
        }
    }

    pub fn with_details(self, details: serde_json::Value) -> Self {
        AuditEvent { details, ..self }
    }
}

pub fn append(db: &Db, event: &AuditEvent, now: Millis) -> Result<Statement, InfraError> {
    append_where(db, event, now, "TRUE", &[])
}

/// Same as [`append`], but only if link credentials were used by this request (nonce): a request
/// that lost the race leaves no trace of a link that did not happen.
pub fn append_if_credentials_used_by(
    db: &Db,
    event: &AuditEvent,
    credentials_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Statement, InfraError> {
    append_where(
        db,
        event,
        now,
        "EXISTS (SELECT 1 FROM link_credentials WHERE id = ?10 AND used_by = ?11)",
        &[credentials_id, nonce],
    )
}

/// Same as [`append`], but only if `row` was written by this batch: its `column` equals `now`.
/// A write that lost a race (it changed nothing) leaves no trace.
pub fn append_if_written(
    db: &Db,
    event: &AuditEvent,
    row: &super::WrittenNow,
    now: Millis,
) -> Result<Statement, InfraError> {
    append_where(db, event, now, &row.exists("?10", "?2"), &[row.id])
}

/// Same as [`append`], but only where `condition` holds once the batch's earlier writes are done:
/// SQL in which `?2` is `now` and `?10`, `?11`… are the `values`, in order.
pub fn append_where(
    db: &Db,
    event: &AuditEvent,
    now: Millis,
    condition: &str,
    values: &[&str],
) -> Result<Statement, InfraError> {
    let row = |binder: &Binder| {
        vec![
            binder.value(&random_id()),
            binder.value(&now),
            binder.value(event.action),
            binder.value(&event.user_id),
            binder.value(&event.organisation_id),
            binder.value(&event.contact_id),
            binder.value(&event.ip),
            binder.value(&details_text(event)),
            binder.value(&event.counterpart_organisation_id),
        ]
    };
    super::domain_events::insert_where(
        db,
        "audit_events (id, at, action, user_id, organisation_id, contact_id, ip, details, counterpart_organisation_id)",
        row,
        condition,
        values,
    )
    .context("Failed to prepare an audit event")
}

/// The details as stored: `{}` when there are none.
fn details_text(event: &AuditEvent) -> String {
    if event.details.is_null() {
        "{}".to_owned()
    } else {
        crate::json::text(&event.details)
    }
}

/// An audit event as the organisation's trail shows it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct AuditEntry {
    pub at: Millis,
    /// Its position in the trail, for the next page's cursor.
    pub seq: i64,
    pub action: String,
    pub details: String,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub contact_id: Option<String>,
    pub subject_name: Option<String>,
    /// The organisation the event belongs to, when it is not the one reading the trail.
    pub other_organisation_name: Option<String>,
}

/// What a trail is narrowed to: actions starting with `action`, between two instants.
#[derive(Default)]
pub struct AuditFilter<'a> {
    pub action: Option<&'a str>,
    pub from: Option<Millis>,
    pub until: Option<Millis>,
}

/// Which page: the n-th by offset (reads the rows before it too), or the one after a cursor
/// (reads about its own rows).
#[derive(Clone, Copy)]
pub enum TrailPage {
    Offset(i64),
    After(TrailCursor),
}

/// With dates, the total is counted in the trail up to this many events; above, the answer says
/// "more than" instead of reading them all.
pub const COUNT_CAP: i64 = 10_000;

/// A page of the trail and how many events the filter keeps.
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Exact, or `COUNT_CAP` when `capped` (more than that many).
    pub total: i64,
    pub capped: bool,
}

#[derive(serde::Deserialize)]
struct KeyCount {
    key: String,
    n: i64,
}

/// How `action` narrows this organisation's trail, from the kept counts (one row per key that
/// starts with it, a few dozen at most).
async fn narrowing(
    db: &Db,
    organisation_id: &str,
    action: Option<&str>,
) -> Result<Narrowing, InfraError> {
    let prefix = action.unwrap_or("");
    let keys: Vec<KeyCount> = if prefix.is_empty() {
        query!(
            db,
            "SELECT key, n FROM audit_trail_counts WHERE organisation_id = ?1 AND key = ''",
            organisation_id
        )
    } else {
        // '~' sorts after every character an action is made of.
        query!(
            db,
            "SELECT key, n FROM audit_trail_counts
             WHERE organisation_id = ?1 AND key >= ?2 AND key < ?2 || '~'",
            organisation_id,
            prefix
        )
    }
    .rows("Failed to read the audit counts")
    .await?;
    if prefix.is_empty() {
        return Ok(match keys.first() {
            Some(k) => Narrowing::Key {
                key: String::new(),
                total: k.n,
            },
            None => Narrowing::Nothing,
        });
    }
    let keys: Vec<(String, i64)> = keys.into_iter().map(|k| (k.key, k.n)).collect();
    Ok(audit_trail::narrow(prefix, &keys))
}

/// Newest first, with the acting user and the contact concerned: the organisation's own events
/// and those where it is the counterpart (an employer's decision about one of its contacts), read
/// through `audit_trail` in order, so a page reads about its own rows.
pub async fn page_for_organisation(
    db: &Db,
    organisation_id: &str,
    filter: &AuditFilter<'_>,
    limit: i64,
    page: TrailPage,
) -> Result<AuditPage, InfraError> {
    let (key, walk_prefix, kept) = match narrowing(db, organisation_id, filter.action).await? {
        Narrowing::Nothing => {
            return Ok(AuditPage {
                entries: Vec::new(),
                total: 0,
                capped: false,
            })
        }
        Narrowing::Key { key, total } => (key, None, total),
        Narrowing::Walk { total } => (String::new(), filter.action, total),
    };
    // Only the conditions that apply, so each is a bound of the index range. The page is chosen in
    // the index alone (an offset skips index entries only), then joined.
    let mut range = String::new();
    if walk_prefix.is_some() {
        range.push_str(" AND t.action >= ?3 AND t.action < ?3 || '~'");
    }
    if filter.from.is_some() {
        range.push_str(" AND t.at >= ?4");
    }
    let until = " AND t.at < ?5";
    let cursor = match page {
        TrailPage::After(cursor) => Some(cursor),
        TrailPage::Offset(_) => None,
    };
    let mut page_range = range.clone();
    // Of the cursor and the end of the dates, only the one that implies the other: two upper
    // bounds would leave the index range to the looser one.
    match (cursor, filter.until) {
        (Some(cursor), Some(end)) if end <= cursor.at => page_range.push_str(until),
        (Some(_), _) => page_range.push_str(" AND (t.at, t.seq) < (?6, ?7)"),
        (None, Some(_)) => page_range.push_str(until),
        (None, None) => {}
    }
    if filter.until.is_some() {
        range.push_str(until);
    }
    let offset = match page {
        TrailPage::Offset(offset) => offset,
        TrailPage::After(_) => 0,
    };
    let entries = query!(
        db,
        &format!(
            "SELECT t.at, t.seq, a.action, a.details, u.first_name || ' ' || u.last_name AS actor_name, u.email AS actor_email,
                a.contact_id, c.first_name || ' ' || c.last_name AS subject_name,
                CASE WHEN a.organisation_id = ?1 THEN o.name ELSE oo.name END AS other_organisation_name
         FROM (SELECT t.at, t.seq, t.event_id FROM audit_trail t
               WHERE t.organisation_id = ?1 AND t.key = ?2{page_range}
               ORDER BY t.at DESC, t.seq DESC LIMIT ?8 OFFSET ?9) t
         JOIN audit_events a ON a.id = t.event_id
         LEFT JOIN users u ON u.id = a.user_id
         LEFT JOIN contacts c ON c.id = a.contact_id
         LEFT JOIN organisations o ON o.id = a.counterpart_organisation_id
         LEFT JOIN organisations oo ON oo.id = a.organisation_id
         ORDER BY t.at DESC, t.seq DESC"
        ),
        organisation_id,
        key,
        walk_prefix,
        filter.from,
        filter.until,
        cursor.map(|c| c.at),
        cursor.map(|c| c.seq),
        limit,
        offset
    )
    .rows("Failed to read the audit trail")
.await?;
    if filter.from.is_none() && filter.until.is_none() {
        return Ok(AuditPage {
            entries,
            total: kept,
            capped: false,
        });
    }
    // Dates: count in the trail's range, up to one past the cap.
    let counted: Option<i64> = query!(
        db,
        &format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM audit_trail t
             WHERE t.organisation_id = ?1 AND t.key = ?2{range} LIMIT ?6)"
        ),
        organisation_id,
        key,
        walk_prefix,
        filter.from,
        filter.until,
        COUNT_CAP + 1
    )
    .value("n", "Failed to count audit events")
    .await?;
    let counted = counted.unwrap_or(0);
    Ok(AuditPage {
        entries,
        total: counted.min(COUNT_CAP),
        capped: counted > COUNT_CAP,
    })
}
