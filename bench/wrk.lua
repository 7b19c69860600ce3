-- wrk script of the SEL benchmark (bench/bench.mjs runs it). The request comes from the
-- environment: BENCH_METHOD, BENCH_BODY (JSON, optional), BENCH_COOKIE (optional), BENCH_IP (sent
-- as CF-Connecting-IP, the header the worker reads the client address from) and BENCH_EXPECT (the
-- status every answer must have). done() prints one line `BENCH_JSON {...}` for bench.mjs to parse.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
wrk.headers["CF-Connecting-IP"] = os.getenv("BENCH_IP") or "203.0.113.10"
wrk.headers["User-Agent"] = "sel-bench/wrk"

local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  matched = 0
  unexpected = 0
  last_unexpected = 0
end

function response(status, headers, body)
  if status == expected then
    matched = matched + 1
  else
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local matched_all, unexpected_all, last = 0, 0, 0
  for _, thread in ipairs(threads) do
    matched_all = matched_all + thread:get("matched")
    unexpected_all = unexpected_all + thread:get("unexpected")
    local status = thread:get("last_unexpected")
    if status ~= 0 then last = status end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"duration_us":%d,"requests":%d,"matched":%d,"unexpected":%d,"last_unexpected_status":%d,'
      .. '"socket_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.duration, summary.requests, matched_all, unexpected_all, last,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
