//! One structured JSON log line per request, queue batch and cron run, written with
//! `console.log` so `wrangler tail` and Workers Logs show (and index) each field. Every line has
//! `kind`, `duration_ms` and the D1 rows its event read and wrote; a request's line also has its
//! id, which a 500 answer shows the user, so support finds the line from it, and next to it (same
//! invocation) the `internal error: …` line with the cause.

use crate::json;
use crate::storage::db::Usage;
use serde_json::Value;

/// What one request did, for its line.
pub struct RequestLine<'a> {
    pub request_id: &'a str,
    pub method: &'a str,
    /// The route's pattern (`/api/employer/authorizations/{id}`), never the path itself: paths
    /// carry ids, and a pattern groups the lines of one route.
    pub route: &'a str,
    pub status: u16,
    pub duration_ms: u64,
    pub d1: Usage,
    /// The instance's linear memory when the request ended: wasm memory never shrinks, and an
    /// isolate past its limit (128 MB) is restarted with every request in flight.
    pub memory_bytes: u64,
}

impl RequestLine<'_> {
    pub fn to_json(&self) -> Value {
        let mut line = json!({
            "kind": "request",
            "request_id": self.request_id,
            "method": self.method,
            "route": self.route,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "memory_bytes": self.memory_bytes,
        });
        add_usage(&mut line, self.d1);
        line
    }
}

/// The size of this instance's wasm linear memory (0 outside wasm).
pub fn memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        const PAGE: u64 = 64 * 1024;
        core::arch::wasm32::memory_size(0) as u64 * PAGE
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// The line of a queue batch: which queue, how many messages, and what became of them.
pub fn queue_batch(queue: &str, messages: usize, duration_ms: u64, d1: Usage) -> Value {
    let mut line = json!({
        "kind": "queue_batch",
        "queue": queue,
        "messages": messages,
        "duration_ms": duration_ms,
    });
    add_usage(&mut line, d1);
    line
}

/// The line of a cron run.
pub fn cron_run(cron: &str, duration_ms: u64, d1: Usage) -> Value {
    let mut line = json!({ "kind": "cron", "cron": cron, "duration_ms": duration_ms });
    add_usage(&mut line, d1);
    line
}

fn add_usage(line: &mut Value, d1: Usage) {
    if let Value::Object(fields) = line {
        for (name, value) in [
            ("d1_queries", d1.queries),
            ("d1_rows_read", d1.rows_read),
            ("d1_rows_written", d1.rows_written),
        ] {
            fields.insert(name.to_owned(), value.into());
        }
    }
}

/// Writes a line: errors (5xx) to `console.error`, the rest to `console.log`.
pub fn emit(line: &Value) {
    let failed = line["status"].as_u64().is_some_and(|status| status >= 500);
    if failed {
        worker::console_error!("{line}");
    } else {
        worker::console_log!("{line}");
    }
}

/// Milliseconds since the epoch, from the platform clock (stands still during CPU work in
/// production: it measures time spent waiting on I/O, D1 included).
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_has_every_field_support_searches_on() {
        let line = RequestLine {
            request_id: "abc",
            method: "GET",
            route: "/api/organisation/webhooks/{id}",
            status: 500,
            duration_ms: 12,
            memory_bytes: 20 << 20,
            d1: Usage {
                queries: 2,
                rows_read: 7,
                rows_written: 1,
            },
        }
        .to_json();

        assert_eq!(
            line,
            json!({
                "kind": "request", "request_id": "abc", "method": "GET",
                "route": "/api/organisation/webhooks/{id}", "status": 500, "duration_ms": 12,
                "memory_bytes": 20_971_520, "d1_queries": 2, "d1_rows_read": 7, "d1_rows_written": 1,
            })
        );
    }
}
