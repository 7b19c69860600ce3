-- SEL — the source of truth for the D1 schema.
-- Times are epoch milliseconds (UTC) in INTEGER columns named *_at; the UI shows them in
-- America/Montreal. Secrets (passwords, one-time codes, session tokens) are never stored in clear.
-- Applying this file to an existing database is safe: every statement is IF NOT EXISTS.

-- A person who can sign in. `status` is 'pending' until the email is proven with a one-time
-- code, then 'active'. The email is stored normalised (trimmed, lower case) and is unique.
CREATE TABLE IF NOT EXISTS users (
  id            TEXT PRIMARY KEY,               -- UUID v4
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,                  -- Argon2id PHC string (m=19456, t=2, p=1)
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  locale        TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
  status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'active')),
  created_at    INTEGER NOT NULL,
  verified_at   INTEGER,
  password_changed_at INTEGER NOT NULL
);

-- A one-time code sent by email, for proving an address at signup ('signup') or resetting a
-- password ('reset'). The code itself is stored as HMAC-SHA256 under the CODE_HASH_KEY secret.
-- `user_id` is NULL for a decoy: a signup with an address that is already taken, or a reset for
-- an unknown address, answers exactly like a real one but no code can ever match.
CREATE TABLE IF NOT EXISTS verifications (
  id            TEXT PRIMARY KEY,               -- random, handed to the client
  purpose       TEXT NOT NULL CHECK (purpose IN ('signup', 'reset')),
  user_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
  email         TEXT NOT NULL,                  -- normalised; keys the per-email failure budget
  code_hash     TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,     -- wrong codes typed against the current code
  expires_at    INTEGER NOT NULL,
  last_sent_at  INTEGER NOT NULL,               -- drives the resend cooldown
  consumed_at   INTEGER,                        -- single use: set once, never cleared
  consumed_by   TEXT,                           -- random nonce of the request that consumed it
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_expiry ON verifications (expires_at);
CREATE INDEX IF NOT EXISTS verifications_email ON verifications (email, purpose, last_sent_at);

-- A signed-in browser. The cookie carries a 256-bit random token; only its SHA-256 is stored.
CREATE TABLE IF NOT EXISTS sessions (
  token_hash    TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,               -- idle timeout: 30 min
  expires_at    INTEGER NOT NULL,               -- absolute timeout: created_at + 12 h
  revoked_at    INTEGER,
  ip            TEXT,
  user_agent    TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);

-- Fixed-window counters for throttling and budgets, keyed by purpose and subject:
-- 'login-account:<email>', 'login-ip:<ip>', 'code-failures:<email>'.
CREATE TABLE IF NOT EXISTS rate_limits (
  key           TEXT PRIMARY KEY,
  window_start  INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  last_at       INTEGER NOT NULL
);

-- Append-only trail of security-relevant actions. Nothing in the API updates or deletes a row.
CREATE TABLE IF NOT EXISTS audit_events (
  id            TEXT PRIMARY KEY,
  at            INTEGER NOT NULL,
  action        TEXT NOT NULL,                  -- e.g. 'login.succeeded', 'password.reset'
  user_id       TEXT,                           -- the user the action is about, when known
  ip            TEXT,
  details       TEXT NOT NULL DEFAULT '{}'      -- JSON object, never a secret
);
CREATE INDEX IF NOT EXISTS audit_events_user ON audit_events (user_id, at);

-- Every email the portal decides to send. Requests insert a row and enqueue its id; the queue
-- consumer renders and sends it, then marks it sent so a redelivered message never sends twice.
-- `params` holds the template's non-secret values; one-time codes travel only in the queue message.
CREATE TABLE IF NOT EXISTS email_outbox (
  id            TEXT PRIMARY KEY,
  to_email      TEXT NOT NULL,
  template      TEXT NOT NULL,
  locale        TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
  params        TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  created_at    INTEGER NOT NULL,
  sent_at       INTEGER
);
CREATE INDEX IF NOT EXISTS email_outbox_status ON email_outbox (status, created_at);

-- Development mailbox: what the 'mailbox' provider delivered. The outbox id is the key, so a
-- redelivered queue message cannot store the same email twice.
CREATE TABLE IF NOT EXISTS dev_mailbox (
  outbox_id     TEXT PRIMARY KEY,
  to_email      TEXT NOT NULL,
  subject       TEXT NOT NULL,
  text_body     TEXT NOT NULL,
  html_body     TEXT NOT NULL,
  sent_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS dev_mailbox_to ON dev_mailbox (to_email, sent_at);

-- Messages that exhausted their retries on the email queue (read from its dead-letter queue).
CREATE TABLE IF NOT EXISTS dead_letters (
  id            TEXT PRIMARY KEY,               -- the queue's message id
  queue         TEXT NOT NULL,
  body          TEXT NOT NULL,
  received_at   INTEGER NOT NULL
);

-- Development and test clock: an offset added to the real time when CLOCK_CONTROL is 'enabled'.
CREATE TABLE IF NOT EXISTS dev_clock (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  offset_ms     INTEGER NOT NULL
);
