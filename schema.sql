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
  -- Signup details entered with this verification, applied to the user when its code is used.
  signup_password_hash TEXT,
  signup_first_name    TEXT,
  signup_last_name     TEXT,
  signup_locale        TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_expiry ON verifications (expires_at);
CREATE INDEX IF NOT EXISTS verifications_email ON verifications (email, purpose, last_sent_at);

-- A signed-in browser. The cookie carries a 256-bit random token; only its SHA-256 is stored.
-- `active_contact_id` is the profile the user acts as (NULL: the personal profile); every
-- authorization check reads it, and joins the contact so a revoked one loses access at once.
CREATE TABLE IF NOT EXISTS sessions (
  token_hash    TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  active_contact_id TEXT REFERENCES contacts(id),
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,               -- idle timeout: 30 min
  expires_at    INTEGER NOT NULL,               -- absolute timeout: created_at + 12 h
  revoked_at    INTEGER,
  ip            TEXT,
  user_agent    TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);

-- An organisation known to the commission: an accounting firm, an employer or an association.
-- `file_number` is the commission's number (employer number for employers). The postal code and
-- the email on file are the "known facts" a person can prove to receive a link code at that email.
CREATE TABLE IF NOT EXISTS organisations (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('accounting_firm', 'employer', 'association')),
  name          TEXT NOT NULL,
  name_search   TEXT NOT NULL,                  -- lower case, accents folded: for search
  file_number   TEXT NOT NULL UNIQUE,           -- digits only
  postal_code   TEXT NOT NULL,                  -- normalised: 'H2X1Y4'
  email_on_file TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

-- A person's place in an organisation. `user_id` is set when someone links their account with
-- this contact's credentials. A user may be a contact of several organisations, once in each.
CREATE TABLE IF NOT EXISTS contacts (
  id            TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  email         TEXT NOT NULL,
  search_text   TEXT NOT NULL,                  -- names and email, lower case, accents folded
  role          TEXT NOT NULL CHECK (role IN ('responsable', 'membre')),
  status        TEXT NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'linked', 'revoked')),
  user_id       TEXT REFERENCES users(id),
  linked_at     INTEGER,
  revoked_at    INTEGER,
  last_activity_at INTEGER,
  created_at    INTEGER NOT NULL,
  UNIQUE (organisation_id, email)
);
CREATE INDEX IF NOT EXISTS contacts_user ON contacts (user_id);
-- A person is linked at most once per organisation; a revoked contact keeps its history (user_id)
-- and does not stand in the way of being invited and linked again.
CREATE UNIQUE INDEX IF NOT EXISTS contacts_one_link_per_organisation ON contacts (organisation_id, user_id) WHERE status = 'linked';

-- Personal link credentials of a contact: a public identifier and a secret code (50 bits,
-- stored as a keyed hash). Reissuing supersedes the previous ones; five wrong codes lock them.
CREATE TABLE IF NOT EXISTS link_credentials (
  id            TEXT PRIMARY KEY,
  contact_id    TEXT NOT NULL REFERENCES contacts(id),
  identifier    TEXT NOT NULL UNIQUE,           -- 'SEL-7KQ2-M9XD'
  code_hash     TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  expires_at    INTEGER NOT NULL,
  sent_at       INTEGER NOT NULL,
  used_at       INTEGER,
  used_by       TEXT,                           -- nonce of the request that used it
  locked_at     INTEGER,
  superseded_at INTEGER,
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS link_credentials_contact ON link_credentials (contact_id, created_at);

-- Credentials of the legacy online services, imported with their original hashes
-- (PBKDF2-SHA256 'pbkdf2_sha256$iterations$salt$hash' or bcrypt '$2b$...').
-- A correct legacy password links the user to `contact_id`.
CREATE TABLE IF NOT EXISTS legacy_credentials (
  username      TEXT PRIMARY KEY,               -- lower case: ci… worker, er… employer, as…/ap… association
  contact_id    TEXT NOT NULL REFERENCES contacts(id),
  password_hash TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  locked_at     INTEGER,
  imported_at   INTEGER NOT NULL
);

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
  action        TEXT NOT NULL,                  -- e.g. 'login.succeeded', 'contact.invited'
  user_id       TEXT,                           -- the acting user, when known
  organisation_id TEXT,                         -- the organisation concerned, when any
  contact_id    TEXT,                           -- the contact the action is about, when any
  ip            TEXT,
  details       TEXT NOT NULL DEFAULT '{}'      -- JSON object, never a secret
);
CREATE INDEX IF NOT EXISTS audit_events_user ON audit_events (user_id, at);
CREATE INDEX IF NOT EXISTS audit_events_organisation ON audit_events (organisation_id, at);

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
