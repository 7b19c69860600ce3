-- SEL — the source of truth for the D1 schema.
-- Times are epoch milliseconds (UTC) in INTEGER columns named *_at; the UI shows them in
-- America/Montreal. Secrets (passwords, one-time codes, session tokens) are never stored in clear.
-- This file documents the full schema; databases change only through migrations/ (applied by
-- `wrangler d1 migrations apply`), and a test keeps the two equal. A new column goes at the END of
-- its CREATE TABLE here, where its migration's ALTER TABLE ADD COLUMN puts it.

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

-- A one-time code sent by email, for proving an address at signup ('signup'), resetting a
-- password ('reset') or proving the new address of an account changing its email ('email': the
-- new address is `email`, applied to the user when the code is used). The code itself is stored as HMAC-SHA256 under a key derived from the CODE_HASH_KEY secret (README "Rotating the server secret").
-- `user_id` is NULL for a decoy: a signup with an address that is already taken, or a reset for
-- an unknown address, answers exactly like a real one but no code can ever match.
CREATE TABLE IF NOT EXISTS verifications (
  id            TEXT PRIMARY KEY,               -- random, handed to the client
  purpose       TEXT NOT NULL CHECK (purpose IN ('signup', 'reset', 'email')),
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
  user_agent    TEXT,
  -- When this session last proved a second factor (the sign-in challenge, enrolment or step-up);
  -- carried to the session that replaces it at a profile change. An account with a factor needs
  -- one in the last 10 minutes for sensitive actions.
  factor_verified_at INTEGER,
  device        TEXT                            -- "Firefox · Windows": shown in "Mon compte"
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);

-- A person's TOTP authenticator (RFC 6238). The secret is sealed with AES-256-GCM under a key
-- derived from CODE_HASH_KEY and bound to the user id; it is shown once, at enrolment. Pending
-- (confirmed_at NULL) until the person types a first code. `last_used_step` is the 30-second
-- step of the last code accepted: a code serves once, and never an older one after it.
CREATE TABLE IF NOT EXISTS totp_factors (
  user_id        TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  sealed_secret  TEXT NOT NULL,
  confirmed_at   INTEGER,
  last_used_step INTEGER NOT NULL DEFAULT -1,
  created_at     INTEGER NOT NULL
);

-- Ten single-use recovery codes per person with a factor, each stored as HMAC-SHA256 under a
-- key derived from CODE_HASH_KEY, bound to its row id; regenerating deletes the previous set.
CREATE TABLE IF NOT EXISTS recovery_codes (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash     TEXT NOT NULL,
  used_at       INTEGER,
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recovery_codes_user ON recovery_codes (user_id);

-- Between the right password and the second factor: no session yet, only this challenge. It
-- lives 5 minutes and takes 5 codes, each try reserved (attempts + 1) before the code is compared;
-- the request that consumes it leaves its nonce in consumed_by, and only that one starts a session.
CREATE TABLE IF NOT EXISTS mfa_challenges (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  attempts      INTEGER NOT NULL DEFAULT 0,
  expires_at    INTEGER NOT NULL,
  consumed_at   INTEGER,
  consumed_by   TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mfa_challenges_expiry ON mfa_challenges (expires_at);

-- A person's passkeys (WebAuthn, ES256 only, user verification required). `credential_id` and
-- `public_key` (the P-256 point, SEC1 uncompressed) are base64url; `user_handle` is the random id
-- the authenticator keeps for the account (never users.id): the one of the person's other
-- passkeys, or a new one for the first. `sign_count` is the authenticator's counter at the last
-- use; an assertion whose counter does not grow is refused (a cloned authenticator). At most 10
-- per person; a passkey is a second factor and also signs in without a password.
CREATE TABLE IF NOT EXISTS passkeys (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  credential_id TEXT NOT NULL UNIQUE,
  public_key    TEXT NOT NULL,
  user_handle   TEXT NOT NULL,
  sign_count    INTEGER NOT NULL DEFAULT 0,
  name          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER
);
CREATE INDEX IF NOT EXISTS passkeys_user ON passkeys (user_id);

-- The random challenges handed to the browser for a passkey (32 bytes, base64url), each answered
-- once within 5 minutes: the request that answers deletes the row in one statement before it
-- checks anything. `register` is for `user_id` (with the `user_handle` the new passkey gets),
-- `factor` is a second factor or step-up of `user_id`, `sign_in` is anyone's discoverable sign-in.
CREATE TABLE IF NOT EXISTS passkey_challenges (
  challenge     TEXT PRIMARY KEY,
  purpose       TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in', 'factor')),
  user_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
  user_handle   TEXT,
  expires_at    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS passkey_challenges_expiry ON passkey_challenges (expires_at);

-- An organisation known to the commission: an accounting firm, an employer or an association.
-- `file_number` is the commission's number (employer number for employers). The postal code and
-- the email on file are the "known facts" a person can prove to receive a link code at that email.
CREATE TABLE IF NOT EXISTS organisations (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('accounting_firm', 'employer', 'association')),
  name          TEXT NOT NULL,
  name_search   TEXT NOT NULL,                  -- ' ' + folded words of the name: word-prefix search
  file_number   TEXT NOT NULL UNIQUE,           -- digits only
  postal_code   TEXT NOT NULL,                  -- normalised: 'H2X1Y4'
  email_on_file TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  mfa_for_all_contacts INTEGER NOT NULL DEFAULT 0 -- 1: a second factor of every contact (0010)
);

-- A person's place in an organisation. `user_id` is set when someone links their account with
-- this contact's credentials. A user may be a contact of several organisations, once in each.
CREATE TABLE IF NOT EXISTS contacts (
  id            TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  first_name    TEXT NOT NULL,
  last_name     TEXT NOT NULL,
  email         TEXT NOT NULL,
  search_text   TEXT NOT NULL,                  -- ' ' + folded words of the names and email: word-prefix search
  role          TEXT NOT NULL CHECK (role IN ('responsable', 'membre')),
  status        TEXT NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'linked', 'revoked')),
  user_id       TEXT REFERENCES users(id),
  linked_at     INTEGER,
  revoked_at    INTEGER,
  last_activity_at INTEGER,
  -- Set by an employer's responsable: this contact may also grant, change and revoke the
  -- employer's authorizations (an "administrator" of them). Responsables always may.
  manages_authorizations INTEGER NOT NULL DEFAULT 0 CHECK (manages_authorizations IN (0, 1)),
  version       INTEGER NOT NULL DEFAULT 0,     -- sync cursor: see sync_counter
  created_at    INTEGER NOT NULL,
  UNIQUE (organisation_id, email)
);
CREATE INDEX IF NOT EXISTS contacts_user ON contacts (user_id);
-- A person is linked at most once per organisation; a revoked contact keeps its history (user_id)
-- and does not stand in the way of being invited and linked again.
CREATE UNIQUE INDEX IF NOT EXISTS contacts_one_link_per_organisation ON contacts (organisation_id, user_id) WHERE status = 'linked';

-- The legacy migration finds contacts by email across organisations (a relation may name its
-- contact by email alone).
CREATE INDEX IF NOT EXISTS contacts_email ON contacts (email);

-- The organisation's members in list order (last name, first name): a first page reads about its own rows.
CREATE INDEX IF NOT EXISTS contacts_organisation_name ON contacts (organisation_id, last_name, first_name, id);

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
  imported_at   INTEGER NOT NULL,
  -- Added by migrations/0003_limits.sql: a lock lifts after a growing delay (15 min, 1 h, 24 h).
  locked_until  INTEGER,                        -- when the current lock lifts
  locks         INTEGER NOT NULL DEFAULT 0      -- how many times the username was locked
);

-- How many imported legacy hashes have each format and cost, so that the decoy checked for an
-- unknown username costs like the median imported hash without reading every credential. Kept by
-- a trigger on the import (legacy credentials are never deleted). Added by migrations/0011_limits2.sql.
CREATE TABLE IF NOT EXISTS legacy_hash_costs (
  format        TEXT NOT NULL,                  -- 'pbkdf2_sha256' or 'bcrypt'
  cost          INTEGER NOT NULL,               -- PBKDF2 iterations, or bcrypt's cost (log2 of its rounds)
  hashes        INTEGER NOT NULL,               -- imported hashes of this format and cost
  PRIMARY KEY (format, cost)
) WITHOUT ROWID;

-- The import accepts only `pbkdf2_sha256$<iterations>$…` and `$2?$<two-digit cost>$…`.
CREATE TRIGGER IF NOT EXISTS legacy_hash_costs_insert AFTER INSERT ON legacy_credentials
BEGIN
  INSERT INTO legacy_hash_costs (format, cost, hashes)
  SELECT format, cost, 1 FROM (
    SELECT
      CASE WHEN substr(NEW.password_hash, 1, 14) = 'pbkdf2_sha256$' THEN 'pbkdf2_sha256' ELSE 'bcrypt' END AS format,
      CASE WHEN substr(NEW.password_hash, 1, 14) = 'pbkdf2_sha256$'
        THEN CAST(substr(NEW.password_hash, 15, instr(substr(NEW.password_hash, 15), '$') - 1) AS INTEGER)
        ELSE CAST(substr(NEW.password_hash, 5, 2) AS INTEGER) END AS cost
  ) WHERE true
  ON CONFLICT (format, cost) DO UPDATE SET hashes = hashes + 1;
END;

-- Fixed-window counters for throttling and budgets, keyed by purpose and subject:
-- 'login-account:<email>' (also spent by the current-password checks of "Mon compte"),
-- 'login-ip:<ip or IPv6 /64>', 'code-failures:<email>', 'email-change:<user id>', … (see the
-- README's "Limits"); a subject longer than 128 bytes is keyed by its SHA-256.
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
  details       TEXT NOT NULL DEFAULT '{}',     -- JSON object, never a secret
  -- The other organisation concerned, when an action spans two (an employer's authorization of a
  -- firm's contact): the event shows in both organisations' trails.
  counterpart_organisation_id TEXT
);
CREATE INDEX IF NOT EXISTS audit_events_user ON audit_events (user_id, at);
CREATE INDEX IF NOT EXISTS audit_events_organisation ON audit_events (organisation_id, at);
CREATE INDEX IF NOT EXISTS audit_events_counterpart ON audit_events (counterpart_organisation_id, at);

-- The organisation's audit trail in the order it is read (newest first, whatever narrows it), so a
-- page reads about its own rows however long the trail grows: each event once per organisation
-- that sees it (its own and the counterpart) and per key: '' (every event), its category (the
-- action up to its first dot, 'token.') and its action ('token.created'). seq (the event's rowid,
-- which only grows: events are never deleted) orders events of the same millisecond and is the
-- cursor's tie-breaker.
-- audit_trail_counts keeps each key's count, so the total without dates is one row. Both are
-- kept by the trigger on audit_events (append-only, so nothing is ever removed).
CREATE TABLE IF NOT EXISTS audit_trail (
  organisation_id TEXT NOT NULL,
  key             TEXT NOT NULL,
  at              INTEGER NOT NULL,
  seq             INTEGER NOT NULL,             -- the event's rowid: insertion order
  event_id        TEXT NOT NULL,
  action          TEXT NOT NULL,                -- filtered by a prefix that no key matches exactly
  PRIMARY KEY (organisation_id, key, at, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_trail_counts (
  organisation_id TEXT NOT NULL,
  key             TEXT NOT NULL,
  n               INTEGER NOT NULL,
  PRIMARY KEY (organisation_id, key)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS audit_trail_insert AFTER INSERT ON audit_events
BEGIN
  INSERT INTO audit_trail (organisation_id, key, at, seq, event_id, action)
  SELECT o.id, k.key, NEW.at, NEW.rowid, NEW.id, NEW.action
    FROM (SELECT NEW.organisation_id AS id UNION SELECT NEW.counterpart_organisation_id) o,
         (SELECT '' AS key UNION SELECT substr(NEW.action, 1, instr(NEW.action, '.')) UNION SELECT NEW.action) k
   WHERE o.id IS NOT NULL;
  INSERT INTO audit_trail_counts (organisation_id, key, n)
  SELECT o.id, k.key, 1
    FROM (SELECT NEW.organisation_id AS id UNION SELECT NEW.counterpart_organisation_id) o,
         (SELECT '' AS key UNION SELECT substr(NEW.action, 1, instr(NEW.action, '.')) UNION SELECT NEW.action) k
   WHERE o.id IS NOT NULL
  ON CONFLICT (organisation_id, key) DO UPDATE SET n = n + 1;
END;

-- Every email the portal decides to send. Requests insert a row and enqueue its id; the queue
-- consumer renders and sends it, then marks it sent so a redelivered message never sends twice.
-- `params` holds the template's non-secret values; one-time codes travel only in the queue message.
-- A row still queued and never attempted long after it was decided lost its queue message (the
-- enqueue failed after the commit): the `email_outbox` job sends it again (`requeued_at`), or gives
-- it up when its message carried a one-time code, which only the message held.
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
  sent_at       INTEGER,
  requeued_at   INTEGER                         -- when the email_outbox job last enqueued it again
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

-- An employer's authorization of a contact of another organisation (usually an accounting firm)
-- on its file, for one or more services. `services` is a bit set (1 workforce management,
-- 2 job-site identification, 4 status letter, 8 monthly report). `status` is 'active' until the
-- employer revokes it ('revoked') or its end date passes and the lifecycle job ends it ('ended');
-- reads also treat an active row whose `ends_at` has passed as ended. At most one active
-- authorization per employer and contact: changing one updates it in place.
-- The employer's name and number are copied here so "Mes dossiers autorisés" reads one index
-- range per page for a contact with 50,000 files, with no join.
CREATE TABLE IF NOT EXISTS authorizations (
  id            TEXT PRIMARY KEY,
  employer_id   TEXT NOT NULL REFERENCES organisations(id),
  contact_id    TEXT NOT NULL REFERENCES contacts(id),
  firm_id       TEXT NOT NULL REFERENCES organisations(id),  -- the contact's organisation
  services      INTEGER NOT NULL CHECK (services BETWEEN 1 AND 15),
  level         TEXT NOT NULL CHECK (level IN ('consultation', 'transmission')),
  starts_at     INTEGER NOT NULL,               -- start of the start day, America/Montreal
  ends_at       INTEGER,                        -- end of the end day (exclusive); NULL: no end
  origin        TEXT NOT NULL CHECK (origin IN ('granted', 'migrated')),
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended', 'revoked')),
  confirmed_at  INTEGER,                        -- migrated: when the employer confirmed it
  legacy_id     TEXT UNIQUE,                    -- migrated: the relation's id in the legacy export
  version       INTEGER NOT NULL DEFAULT 0,     -- sync cursor: see sync_counter
  employer_name TEXT NOT NULL,
  name_key      TEXT NOT NULL,                  -- ' ' + folded words of the name: sort and word-prefix search
  file_number   TEXT NOT NULL,                  -- the employer's number
  granted_by    TEXT,                           -- user id; NULL when migrated
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  revoked_at    INTEGER,
  ended_at      INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS authorizations_one_active ON authorizations (employer_id, contact_id) WHERE status = 'active';
-- Keyset paging of a contact's files by name or by number, and the "ends within N days" filter.
-- The paging indexes also hold what searches and filters test (name, number, end, services), so
-- a search or a count reads the index alone.
CREATE INDEX IF NOT EXISTS authorizations_contact_name ON authorizations (contact_id, name_key, id, file_number, ends_at, services, status) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS authorizations_contact_number ON authorizations (contact_id, file_number, id, name_key, ends_at, services, status) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS authorizations_contact_ending ON authorizations (contact_id, ends_at) WHERE status = 'active' AND ends_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS authorizations_employer ON authorizations (employer_id, status, name_key);
CREATE INDEX IF NOT EXISTS authorizations_ending ON authorizations (ends_at) WHERE status = 'active' AND ends_at IS NOT NULL;
-- The employer's list of its authorizations, newest first: a first page reads about its own rows.
CREATE INDEX IF NOT EXISTS authorizations_employer_created ON authorizations (employer_id, created_at DESC, id);

-- Active authorizations per contact, in total and per service, kept exact by the triggers below
-- (whatever writes the table: grants, revocations, the lifecycle job, the migration import), so
-- the listing's totals never count 50,000 rows.
CREATE TABLE IF NOT EXISTS authorized_file_totals (
  contact_id          TEXT PRIMARY KEY,
  total               INTEGER NOT NULL DEFAULT 0,
  workforce           INTEGER NOT NULL DEFAULT 0,
  site_identification INTEGER NOT NULL DEFAULT 0,
  status_letter       INTEGER NOT NULL DEFAULT 0,
  monthly_report      INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER IF NOT EXISTS authorizations_count_insert AFTER INSERT ON authorizations
WHEN NEW.status = 'active'
BEGIN
  INSERT INTO authorized_file_totals (contact_id) VALUES (NEW.contact_id) ON CONFLICT (contact_id) DO NOTHING;
  UPDATE authorized_file_totals SET total = total + 1,
    workforce = workforce + (NEW.services & 1 != 0), site_identification = site_identification + (NEW.services & 2 != 0),
    status_letter = status_letter + (NEW.services & 4 != 0), monthly_report = monthly_report + (NEW.services & 8 != 0)
  WHERE contact_id = NEW.contact_id;
END;
CREATE TRIGGER IF NOT EXISTS authorizations_count_update AFTER UPDATE OF status, services ON authorizations
WHEN OLD.status = 'active' OR NEW.status = 'active'
BEGIN
  INSERT INTO authorized_file_totals (contact_id) VALUES (NEW.contact_id) ON CONFLICT (contact_id) DO NOTHING;
  UPDATE authorized_file_totals SET
    total = total - (OLD.status = 'active') + (NEW.status = 'active'),
    workforce = workforce - (OLD.status = 'active' AND OLD.services & 1 != 0) + (NEW.status = 'active' AND NEW.services & 1 != 0),
    site_identification = site_identification - (OLD.status = 'active' AND OLD.services & 2 != 0) + (NEW.status = 'active' AND NEW.services & 2 != 0),
    status_letter = status_letter - (OLD.status = 'active' AND OLD.services & 4 != 0) + (NEW.status = 'active' AND NEW.services & 4 != 0),
    monthly_report = monthly_report - (OLD.status = 'active' AND OLD.services & 8 != 0) + (NEW.status = 'active' AND NEW.services & 8 != 0)
  WHERE contact_id = NEW.contact_id;
END;

-- A firm contact's request for access to an employer's file (file number + a known fact). The
-- employer approves (creating an authorization) or declines; pending requests expire after 21 days
-- (reads treat a pending request past `expires_at` as expired; the lifecycle job records it).
CREATE TABLE IF NOT EXISTS access_requests (
  id            TEXT PRIMARY KEY,
  employer_id   TEXT NOT NULL REFERENCES organisations(id),
  contact_id    TEXT NOT NULL REFERENCES contacts(id),
  firm_id       TEXT NOT NULL REFERENCES organisations(id),
  requested_by  TEXT NOT NULL REFERENCES users(id),
  services      INTEGER NOT NULL CHECK (services BETWEEN 1 AND 15),  -- the services wished
  message       TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'expired')),
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  answered_at   INTEGER,
  answered_by   TEXT,                           -- user id of the employer's contact
  decline_reason TEXT,
  authorization_id TEXT REFERENCES authorizations(id)
);
CREATE UNIQUE INDEX IF NOT EXISTS access_requests_one_pending ON access_requests (employer_id, contact_id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS access_requests_employer ON access_requests (employer_id, status, created_at);
CREATE INDEX IF NOT EXISTS access_requests_firm ON access_requests (firm_id, created_at);
CREATE INDEX IF NOT EXISTS access_requests_expiry ON access_requests (expires_at) WHERE status = 'pending';

-- Domain events: what happened to authorizations and access requests, appended in the same batch
-- as the change, in order (`seq`). Webhook deliveries and sync cursors are built from this log.
CREATE TABLE IF NOT EXISTS domain_events (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  type          TEXT NOT NULL,                  -- e.g. 'authorization.granted'
  at            INTEGER NOT NULL,
  employer_id   TEXT,
  firm_id       TEXT,
  payload       TEXT NOT NULL                   -- JSON object
);
CREATE INDEX IF NOT EXISTS domain_events_employer ON domain_events (employer_id, seq);
CREATE INDEX IF NOT EXISTS domain_events_firm ON domain_events (firm_id, seq);

-- Audit events are append-only: nothing, not even a mistaken query, can change or delete one.
CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- Organisation API tokens for accounting platforms. The token ('sel_' + 43 characters, 256 bits)
-- is shown once; only its SHA-256 is stored, and `prefix` (its first 12 characters) names it in
-- lists. `scopes` is a bit set: 1 read authorized files, 2 read contacts, 4 read monthly reports,
-- 8 write (draft, transmit, correct) monthly reports.
CREATE TABLE IF NOT EXISTS api_tokens (
  id            TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,
  token_hash    TEXT NOT NULL UNIQUE,
  scopes        INTEGER NOT NULL CHECK (scopes BETWEEN 1 AND 15),
  expires_at    INTEGER NOT NULL,
  created_by    TEXT NOT NULL REFERENCES users(id),
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER,
  revoked_at    INTEGER
);
CREATE INDEX IF NOT EXISTS api_tokens_organisation ON api_tokens (organisation_id, created_at);

-- Sync cursors: every insert or update of an authorization or a contact takes the next value of
-- one counter, so a platform asks for "everything changed since version N" and never misses a
-- change (timestamps could tie or go backwards; this counter cannot).
CREATE TABLE IF NOT EXISTS sync_counter (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  value         INTEGER NOT NULL
);
INSERT OR IGNORE INTO sync_counter (id, value) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS authorizations_version_insert AFTER INSERT ON authorizations
BEGIN
  UPDATE sync_counter SET value = value + 1 WHERE id = 1;
  UPDATE authorizations SET version = (SELECT value FROM sync_counter WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS authorizations_version_update AFTER UPDATE ON authorizations
WHEN NEW.version = OLD.version
BEGIN
  UPDATE sync_counter SET value = value + 1 WHERE id = 1;
  UPDATE authorizations SET version = (SELECT value FROM sync_counter WHERE id = 1) WHERE id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS contacts_version_insert AFTER INSERT ON contacts
BEGIN
  UPDATE sync_counter SET value = value + 1 WHERE id = 1;
  UPDATE contacts SET version = (SELECT value FROM sync_counter WHERE id = 1) WHERE id = NEW.id;
END;
-- Only what a platform syncs makes a contact changed: recording activity (last_activity_at, touched
-- at most once a minute while someone uses the portal) does not.
CREATE TRIGGER IF NOT EXISTS contacts_version_update
AFTER UPDATE OF organisation_id, first_name, last_name, email, role, status, user_id, linked_at, revoked_at, manages_authorizations ON contacts
WHEN NEW.version = OLD.version
BEGIN
  UPDATE sync_counter SET value = value + 1 WHERE id = 1;
  UPDATE contacts SET version = (SELECT value FROM sync_counter WHERE id = 1) WHERE id = NEW.id;
END;
CREATE INDEX IF NOT EXISTS authorizations_firm_version ON authorizations (firm_id, version);
CREATE INDEX IF NOT EXISTS contacts_organisation_version ON contacts (organisation_id, version);
-- An employer's token syncs the authorizations it granted.
CREATE INDEX IF NOT EXISTS authorizations_employer_version ON authorizations (employer_id, version);

-- The legacy migration (README, "Legacy migration"). The operator's command sends the export in
-- batches, all under one run id; each batch is written atomically, and importing the same export
-- again creates nothing: organisations are known by file number, contacts by (organisation,
-- email), legacy credentials by username, relations by legacy id.
CREATE TABLE IF NOT EXISTS migration_runs (
  id            TEXT PRIMARY KEY,               -- chosen by the command: letters, digits, hyphens
  started_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL                -- its latest batch
);

-- What each batch of a run did, counted by record kind, outcome and reason. A batch is known by
-- its first line: a batch sent again (a retry after a lost answer) is not counted twice.
CREATE TABLE IF NOT EXISTS migration_outcomes (
  run_id        TEXT NOT NULL REFERENCES migration_runs(id),
  first_line    INTEGER NOT NULL,
  kind          TEXT NOT NULL,                  -- organisation | contact | legacy_credential | relation | unknown
  outcome       TEXT NOT NULL CHECK (outcome IN ('created', 'already_present', 'rejected')),
  reason        TEXT NOT NULL DEFAULT '',       -- for 'rejected': e.g. 'unknown_contact'
  count         INTEGER NOT NULL,
  PRIMARY KEY (run_id, first_line, kind, outcome, reason)
);

-- Every migrated relation, by its legacy id, with a fingerprint (SHA-256 of the record as compact
-- JSON, members sorted) of the record it came from: the same id again with other content is a
-- duplicate, with the same content it is already present.
CREATE TABLE IF NOT EXISTS migrated_relations (
  legacy_id        TEXT PRIMARY KEY,
  authorization_id TEXT NOT NULL REFERENCES authorizations(id),
  fingerprint      TEXT NOT NULL,
  run_id           TEXT NOT NULL,
  line             INTEGER NOT NULL,
  migrated_at      INTEGER NOT NULL
);

-- Relations of the export that could not be migrated, with the reason, so the operator can list
-- them, fix the data and import again. One open row per distinct record (fingerprint): importing
-- the same export again updates it (latest run and line) instead of adding a row. When a later run
-- migrates a relation with that legacy id, its open rows are marked resolved.
CREATE TABLE IF NOT EXISTS unmigrated_relations (
  id            TEXT PRIMARY KEY,
  legacy_id     TEXT,                           -- NULL when the record has no usable legacy id
  fingerprint   TEXT NOT NULL,
  reason        TEXT NOT NULL,                  -- e.g. 'unknown_contact', 'duplicate'
  record        TEXT NOT NULL,                  -- the record as compact JSON
  line          INTEGER NOT NULL,               -- its line in the export, in the latest run
  run_id        TEXT NOT NULL,                  -- the latest run that refused it
  first_run_id  TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  resolved_at   INTEGER,
  resolved_run_id TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS unmigrated_relations_open ON unmigrated_relations (fingerprint) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS unmigrated_relations_legacy_id ON unmigrated_relations (legacy_id, run_id);
CREATE INDEX IF NOT EXISTS unmigrated_relations_reason ON unmigrated_relations (reason, resolved_at, created_at);

-- Reminders that an authorization ends soon (30 and 7 days before), one row per reminder sent,
-- written in the same batch as its emails and its domain event: the key makes a reminder go out
-- once, whatever the number of runs. The end date is part of the key, so an authorization whose
-- end the employer moves is reminded again about its new end.
CREATE TABLE IF NOT EXISTS authorization_reminders (
  id            TEXT PRIMARY KEY,               -- random: later statements of the batch check it
  authorization_id TEXT NOT NULL REFERENCES authorizations(id),
  days_before   INTEGER NOT NULL CHECK (days_before IN (30, 7)),
  ends_at       INTEGER NOT NULL,               -- the end the reminder announced
  sent_at       INTEGER NOT NULL,
  UNIQUE (authorization_id, days_before, ends_at)
);

-- One row per run of a scheduled job (Cron Triggers): what it did and why it failed, for
-- operators and tests (`GET /dev/jobs` in development). Kept 30 days by the cleanup job.
CREATE TABLE IF NOT EXISTS job_runs (
  id            TEXT PRIMARY KEY,
  job           TEXT NOT NULL,                  -- 'cleanup', 'authorization_ends', ...
  cron          TEXT NOT NULL,                  -- the schedule that started it
  started_at    INTEGER NOT NULL,
  finished_at   INTEGER,                        -- NULL while it runs, or if the invocation died
  counts        TEXT NOT NULL DEFAULT '{}',     -- JSON object: rows handled, per kind
  error         TEXT                            -- what failed; the other parts still ran
);
CREATE INDEX IF NOT EXISTS job_runs_started ON job_runs (started_at);

-- What the cleanup job looks for: accounts never verified, link credentials by expiry.
CREATE INDEX IF NOT EXISTS users_pending ON users (created_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS link_credentials_expiry ON link_credentials (expires_at);

-- Outgoing webhooks (Standard Webhooks). A responsible registers endpoints for the organisation;
-- each domain event of the organisation (an employer's: employer_id = it; a firm's: firm_id = it)
-- that an endpoint wants becomes one delivery, sent through the webhook queue and retried for
-- about three days.
-- `secret` is the signing secret sealed with AES-256-GCM under a key derived from CODE_HASH_KEY
-- (never returned after creation or rotation). During a rotation's grace period the previous
-- secret signs too, until `previous_secret_expires_at`. `after_seq`: the endpoint receives the
-- events appended after it was registered.
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  id            TEXT PRIMARY KEY,
  organisation_id TEXT NOT NULL REFERENCES organisations(id),
  url           TEXT NOT NULL,                  -- https (http to loopback in development only)
  events        TEXT NOT NULL,                  -- JSON array of event types, e.g. ["contact.linked"]
  description   TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Why it is disabled: 'gone' (the receiver answered 410), 'failing' (a delivery exhausted its
  -- retries), 'manual' (a responsible paused it).
  disabled_reason TEXT CHECK (disabled_reason IN ('gone', 'failing', 'manual')),
  disabled_at   INTEGER,
  secret        TEXT NOT NULL,
  previous_secret TEXT,
  previous_secret_expires_at INTEGER,
  after_seq     INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_endpoints_organisation ON webhook_endpoints (organisation_id, status);

-- One domain event for one endpoint. The id is the `webhook-id` header: the same for every attempt
-- and replay. `status` is 'pending' while attempts remain, then 'succeeded' or 'failed'.
-- `attempts` counts every attempt (it is also the claim: an attempt runs only for the queue
-- message that expected this count); `round_attempts` counts those since the first sending or the
-- last manual replay, and picks the wait before the next retry.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id            TEXT PRIMARY KEY,
  endpoint_id   TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_seq     INTEGER NOT NULL,               -- domain_events.seq
  event_type    TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts      INTEGER NOT NULL DEFAULT 0,
  round_attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,                      -- pending: when the next attempt is due (or its lease ends)
  last_attempt_at INTEGER,
  last_status_code INTEGER,
  last_latency_ms INTEGER,
  last_error    TEXT,
  last_error_kind TEXT,                         -- the last attempt's failure, as webhook_attempts.error_kind
  delivered_at  INTEGER,
  created_at    INTEGER NOT NULL,
  UNIQUE (endpoint_id, event_seq)               -- fan-out is idempotent
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_finished ON webhook_deliveries (created_at) WHERE status != 'pending';

-- The log of every attempt: what the receiver answered and how long it took.
CREATE TABLE IF NOT EXISTS webhook_attempts (
  delivery_id   TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  number        INTEGER NOT NULL,               -- 1 for the first attempt of the delivery
  at            INTEGER NOT NULL,
  status_code   INTEGER,                        -- NULL when no answer came (timeout, refused address)
  latency_ms    INTEGER NOT NULL,
  error         TEXT,                           -- NULL on success; the detail, in English, for operators
  -- Why it failed, for the UI to say in its language: status (the receiver answered an error
  -- code), redirect (not followed), gone (410), timeout, unreachable, address_not_allowed,
  -- secret_unreadable, request_invalid.
  error_kind    TEXT,
  replay        INTEGER NOT NULL DEFAULT 0 CHECK (replay IN (0, 1)),  -- 1: sent by a manual replay
  PRIMARY KEY (delivery_id, number)
);

-- How far the fan-out has read `domain_events`: events up to `last_seq` have their deliveries.
CREATE TABLE IF NOT EXISTS webhook_fanout (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  last_seq      INTEGER NOT NULL
);
INSERT OR IGNORE INTO webhook_fanout (id, last_seq) VALUES (1, 0);

-- --- The monthly report ("rapport mensuel") -------------------------------------------------------

-- The trades and occupations a monthly report's line names: data, not code, so the commission
-- adds one without a release. A line stores the code; imports also accept either label.
CREATE TABLE IF NOT EXISTS trades (
  code      TEXT PRIMARY KEY,
  label_fr  TEXT NOT NULL,
  label_en  TEXT NOT NULL,
  position  INTEGER NOT NULL                     -- the order lists show
);
INSERT OR IGNORE INTO trades (code, label_fr, label_en, position) VALUES
  ('briqueteur_macon', 'Briqueteur-maçon', 'Bricklayer-mason', 1),
  ('calorifugeur', 'Calorifugeur', 'Heat and frost insulator', 2),
  ('carreleur', 'Carreleur', 'Tile setter', 3),
  ('charpentier_menuisier', 'Charpentier-menuisier', 'Carpenter-joiner', 4),
  ('chaudronnier', 'Chaudronnier', 'Boilermaker', 5),
  ('cimentier_applicateur', 'Cimentier-applicateur', 'Cement mason', 6),
  ('couvreur', 'Couvreur', 'Roofer', 7),
  ('electricien', 'Électricien', 'Electrician', 8),
  ('ferblantier', 'Ferblantier', 'Sheet metal worker', 9),
  ('ferrailleur', 'Ferrailleur', 'Reinforcing steel erector', 10),
  ('frigoriste', 'Frigoriste', 'Refrigeration mechanic', 11),
  ('grutier', 'Grutier', 'Crane operator', 12),
  ('mecanicien_ascenseur', 'Mécanicien d''ascenseur', 'Elevator mechanic', 13),
  ('mecanicien_chantier', 'Mécanicien de chantier', 'Millwright', 14),
  ('mecanicien_machines_lourdes', 'Mécanicien de machines lourdes', 'Heavy equipment mechanic', 15),
  ('monteur_assembleur', 'Monteur-assembleur', 'Ironworker', 16),
  ('monteur_mecanicien_vitrier', 'Monteur-mécanicien (vitrier)', 'Glazier', 17),
  ('operateur_equipement_lourd', 'Opérateur d''équipement lourd', 'Heavy equipment operator', 18),
  ('operateur_pelles', 'Opérateur de pelles', 'Shovel operator', 19),
  ('peintre', 'Peintre', 'Painter', 20),
  ('platrier', 'Plâtrier', 'Plasterer', 21),
  ('poseur_revetements_souples', 'Poseur de revêtements souples', 'Resilient floor layer', 22),
  ('poseur_systemes_interieurs', 'Poseur de systèmes intérieurs', 'Interior systems installer', 23),
  ('serrurier_batiment', 'Serrurier de bâtiment', 'Architectural metal worker', 24),
  ('tuyauteur', 'Tuyauteur', 'Pipefitter', 25),
  ('manoeuvre', 'Manœuvre', 'Labourer', 26),
  ('manoeuvre_specialise', 'Manœuvre spécialisé', 'Specialized labourer', 27),
  ('monteur_lignes', 'Monteur de lignes', 'Lineman', 28),
  ('boutefeu', 'Boutefeu-foreur', 'Blaster-driller', 29),
  ('conducteur_camion', 'Conducteur de camion', 'Truck driver', 30);

-- The construction regions of Québec, where the hours of a line were worked.
CREATE TABLE IF NOT EXISTS construction_regions (
  code      TEXT PRIMARY KEY,
  label_fr  TEXT NOT NULL,
  label_en  TEXT NOT NULL,
  position  INTEGER NOT NULL
);
INSERT OR IGNORE INTO construction_regions (code, label_fr, label_en, position) VALUES
  ('abitibi_temiscamingue', 'Abitibi-Témiscamingue', 'Abitibi-Témiscamingue', 1),
  ('bas_saint_laurent_gaspesie', 'Bas-Saint-Laurent–Gaspésie', 'Bas-Saint-Laurent–Gaspésie', 2),
  ('cote_nord', 'Côte-Nord', 'Côte-Nord', 3),
  ('estrie', 'Estrie', 'Estrie', 4),
  ('iles_de_la_madeleine', 'Îles-de-la-Madeleine', 'Magdalen Islands', 5),
  ('mauricie_bois_francs', 'Mauricie–Bois-Francs', 'Mauricie–Bois-Francs', 6),
  ('montreal', 'Montréal', 'Montréal', 7),
  ('outaouais', 'Outaouais', 'Outaouais', 8),
  ('quebec', 'Québec', 'Québec', 9),
  ('saguenay_lac_saint_jean', 'Saguenay–Lac-Saint-Jean', 'Saguenay–Lac-Saint-Jean', 10),
  ('baie_james', 'Baie-James', 'James Bay', 11);

-- One monthly report per employer and month (`YYYY-MM`), due the 15th of the following month
-- (America/Montreal). `transmitted_at` is its first transmission: what "Mes dossiers autorisés"
-- reads per file, through the UNIQUE index, to say whether the last due month is transmitted.
CREATE TABLE IF NOT EXISTS monthly_reports (
  id           TEXT PRIMARY KEY,
  employer_id  TEXT NOT NULL REFERENCES organisations(id),
  month        TEXT NOT NULL CHECK (month GLOB '[2][0-9][0-9][0-9]-[01][0-9]'),
  created_at   INTEGER NOT NULL,
  transmitted_at INTEGER,
  UNIQUE (employer_id, month)
);

-- Every version of a report, kept forever: version 1 is the first draft; once transmitted (receipt
-- number, at, by) it changes no more; a correction opens the next version as a draft (a copy of
-- the transmitted lines), whose transmission supersedes the one before. At most one draft and one
-- transmitted version per report (partial unique indexes). Totals are computed from the lines by
-- the server, in quarter hours and cents; `no_activity` is the explicit "no activity this month".
CREATE TABLE IF NOT EXISTS monthly_report_versions (
  id                TEXT PRIMARY KEY,
  report_id         TEXT NOT NULL REFERENCES monthly_reports(id),
  number            INTEGER NOT NULL CHECK (number >= 1),
  status            TEXT NOT NULL CHECK (status IN ('draft', 'transmitted', 'superseded')),
  no_activity       INTEGER NOT NULL DEFAULT 0 CHECK (no_activity IN (0, 1)),
  line_count        INTEGER NOT NULL DEFAULT 0,
  regular_quarters  INTEGER NOT NULL DEFAULT 0,
  overtime_quarters INTEGER NOT NULL DEFAULT 0,
  gross_cents       INTEGER NOT NULL DEFAULT 0,
  receipt_number    TEXT UNIQUE,
  transmitted_at    INTEGER,
  transmitted_by    TEXT REFERENCES users(id),
  transmitted_by_name TEXT,                     -- as the receipt shows it, even if the user changes
  superseded_at     INTEGER,
  created_by        TEXT REFERENCES users(id),
  created_at        INTEGER NOT NULL,
  updated_by        TEXT REFERENCES users(id),
  updated_at        INTEGER NOT NULL,
  idempotency_key   TEXT,                         -- the client's Idempotency-Key of the transmission
  UNIQUE (report_id, number),
  UNIQUE (report_id, idempotency_key)
);
CREATE UNIQUE INDEX IF NOT EXISTS monthly_report_versions_one_draft ON monthly_report_versions (report_id) WHERE status = 'draft';
CREATE UNIQUE INDEX IF NOT EXISTS monthly_report_versions_one_transmitted ON monthly_report_versions (report_id) WHERE status = 'transmitted';

-- The lines of a version, numbered from 1 in the order they were saved: a worker (name, 6 to 10
-- digit identifier), trade, region, regular and overtime hours (quarter hours, each at most 300
-- hours) and gross wages in cents.
CREATE TABLE IF NOT EXISTS monthly_report_lines (
  version_id        TEXT NOT NULL REFERENCES monthly_report_versions(id),
  line              INTEGER NOT NULL,
  worker_name       TEXT NOT NULL,
  worker_id         TEXT NOT NULL,
  trade             TEXT NOT NULL REFERENCES trades(code),
  region            TEXT NOT NULL REFERENCES construction_regions(code),
  regular_quarters  INTEGER NOT NULL CHECK (regular_quarters BETWEEN 0 AND 1200),
  overtime_quarters INTEGER NOT NULL CHECK (overtime_quarters BETWEEN 0 AND 1200),
  gross_cents       INTEGER NOT NULL CHECK (gross_cents BETWEEN 0 AND 1000000000),
  PRIMARY KEY (version_id, line)
) WITHOUT ROWID;

-- Reminders that a monthly report is due (from the 10th, five days before the 15th), one row per
-- month and contact (a firm's contact with files to transmit, or an employer's responsable),
-- written in the batch that queues the email: none goes out twice, however many runs overlap.
-- `files` is how many files it listed in all.
CREATE TABLE IF NOT EXISTS monthly_report_reminders (
  id          TEXT PRIMARY KEY,
  month       TEXT NOT NULL,
  contact_id  TEXT NOT NULL REFERENCES contacts(id),
  files       INTEGER NOT NULL,
  sent_at     INTEGER NOT NULL,
  UNIQUE (month, contact_id)
);

-- "Mes demandes": a person's own requests, newest first. A known-facts linking request is kept for
-- the person who made it, whether the facts matched or not (the answer never says); `expires_at`
-- is when credentials sent for it would expire. Access requests and report transmissions are read
-- by who made them.
CREATE TABLE IF NOT EXISTS known_facts_requests (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id),
  file_number   TEXT NOT NULL,                  -- digits only, as asked
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS known_facts_requests_user ON known_facts_requests (user_id, created_at);
CREATE INDEX IF NOT EXISTS access_requests_requester ON access_requests (requested_by, created_at);
CREATE INDEX IF NOT EXISTS monthly_report_versions_transmitter ON monthly_report_versions (transmitted_by, transmitted_at) WHERE transmitted_by IS NOT NULL;

-- The browsers a person signed in from: the SHA-256 of a long-lived random cookie
-- (`__Host-sel_device`), so a sign-in from a browser never seen for the account emails its owner.
-- Forgotten 400 days after it was last seen (the cookie's lifetime).
CREATE TABLE IF NOT EXISTS known_devices (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_hash   TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS known_devices_user_device ON known_devices (user_id, device_hash);
CREATE INDEX IF NOT EXISTS known_devices_last_seen ON known_devices (last_seen_at);

-- "Mes dossiers autorisés" in list order whatever narrows it. For each active authorization, its
-- keys: the prefixes of 3 to 20 characters of the words of its name_key, the fragments of 3 or 4
-- digits of its file number (a longer search reads the key of its first characters and checks
-- each row), and `#YYYY-MM` for each month whose report its employer transmitted when it holds the
-- monthly report service. Each key is held in name order (name_key, then id), so a search word
-- or the "transmitted" standing reads one range of this table as far as its page, at any depth;
-- authorized_file_key_counts keeps how many files hold each key, so its total is one row. The
-- triggers below keep both in step with authorizations and monthly_reports whatever writes them
-- (grants, changes, revocations, the lifecycle job, the migration import, a renamed employer's
-- name_key, a transmission); the words are split with json_each because name_key holds only
-- letters, digits and single spaces.
CREATE TABLE IF NOT EXISTS authorized_file_keys (
  contact_id       TEXT NOT NULL,
  term             TEXT NOT NULL,
  name_key         TEXT NOT NULL,
  authorization_id TEXT NOT NULL,
  PRIMARY KEY (contact_id, term, name_key, authorization_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS authorized_file_key_counts (
  contact_id TEXT NOT NULL,
  term       TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (contact_id, term)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_count_insert AFTER INSERT ON authorized_file_keys
BEGIN
  INSERT INTO authorized_file_key_counts (contact_id, term, n) VALUES (NEW.contact_id, NEW.term, 1)
    ON CONFLICT (contact_id, term) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_count_delete AFTER DELETE ON authorized_file_keys
BEGIN
  UPDATE authorized_file_key_counts SET n = n - 1 WHERE contact_id = OLD.contact_id AND term = OLD.term;
  DELETE FROM authorized_file_key_counts WHERE contact_id = OLD.contact_id AND term = OLD.term AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_insert AFTER INSERT ON authorizations
WHEN NEW.status = 'active'
BEGIN
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT NEW.contact_id, t.term, NEW.name_key, NEW.id FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(NEW.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(NEW.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(NEW.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = NEW.employer_id AND r.transmitted_at IS NOT NULL AND (NEW.services & 8) != 0) t;
END;
-- A change that keeps an active file's status, contact, name, number and employer (a change of
-- services, level or end date, the employer's most frequent) rewrites none of its word and
-- number keys: only its `#YYYY-MM` keys depend on the services, and only when the monthly report
-- service comes or goes (authorized_file_keys_services).
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_update AFTER UPDATE OF status, contact_id, name_key, file_number, services ON authorizations
WHEN (OLD.status = 'active' OR NEW.status = 'active')
  AND NOT (OLD.status = NEW.status AND OLD.contact_id = NEW.contact_id AND OLD.name_key = NEW.name_key
           AND OLD.file_number = NEW.file_number AND OLD.employer_id = NEW.employer_id)
BEGIN
  DELETE FROM authorized_file_keys
   WHERE OLD.status = 'active' AND contact_id = OLD.contact_id AND name_key = OLD.name_key AND authorization_id = OLD.id
     AND term IN (SELECT substr(w.value, 1, p.key + 3) FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(OLD.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(OLD.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = OLD.employer_id AND r.transmitted_at IS NOT NULL AND (OLD.services & 8) != 0);
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT NEW.contact_id, t.term, NEW.name_key, NEW.id FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(NEW.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(NEW.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(NEW.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = NEW.employer_id AND r.transmitted_at IS NOT NULL AND (NEW.services & 8) != 0) t
     WHERE NEW.status = 'active';
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_services AFTER UPDATE OF services ON authorizations
WHEN OLD.status = 'active' AND NEW.status = 'active' AND OLD.contact_id = NEW.contact_id AND OLD.name_key = NEW.name_key
  AND OLD.file_number = NEW.file_number AND OLD.employer_id = NEW.employer_id AND (OLD.services & 8) != (NEW.services & 8)
BEGIN
  DELETE FROM authorized_file_keys
   WHERE (NEW.services & 8) = 0 AND contact_id = OLD.contact_id AND name_key = OLD.name_key AND authorization_id = OLD.id
     AND term IN (SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = OLD.employer_id AND r.transmitted_at IS NOT NULL);
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT NEW.contact_id, '#' || r.month, NEW.name_key, NEW.id FROM monthly_reports r
     WHERE (NEW.services & 8) != 0 AND r.employer_id = NEW.employer_id AND r.transmitted_at IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_delete AFTER DELETE ON authorizations
WHEN OLD.status = 'active'
BEGIN
  DELETE FROM authorized_file_keys
   WHERE contact_id = OLD.contact_id AND name_key = OLD.name_key AND authorization_id = OLD.id
     AND term IN (SELECT substr(w.value, 1, p.key + 3) FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(OLD.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(OLD.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = OLD.employer_id AND r.transmitted_at IS NOT NULL AND (OLD.services & 8) != 0);
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_report_insert AFTER INSERT ON monthly_reports
WHEN NEW.transmitted_at IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT a.contact_id, '#' || NEW.month, a.name_key, a.id FROM authorizations a
     WHERE a.employer_id = NEW.employer_id AND a.status = 'active' AND (a.services & 8) != 0;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_report_update AFTER UPDATE OF transmitted_at ON monthly_reports
WHEN (OLD.transmitted_at IS NULL) != (NEW.transmitted_at IS NULL)
BEGIN
  DELETE FROM authorized_file_keys
   WHERE NEW.transmitted_at IS NULL AND term = '#' || OLD.month AND (contact_id, name_key, authorization_id) IN
     (SELECT a.contact_id, a.name_key, a.id FROM authorizations a WHERE a.employer_id = OLD.employer_id AND a.status = 'active');
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT a.contact_id, '#' || NEW.month, a.name_key, a.id FROM authorizations a
     WHERE NEW.transmitted_at IS NOT NULL AND a.employer_id = NEW.employer_id AND a.status = 'active' AND (a.services & 8) != 0;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_report_delete AFTER DELETE ON monthly_reports
WHEN OLD.transmitted_at IS NOT NULL
BEGIN
  DELETE FROM authorized_file_keys
   WHERE term = '#' || OLD.month AND (contact_id, name_key, authorization_id) IN
     (SELECT a.contact_id, a.name_key, a.id FROM authorizations a WHERE a.employer_id = OLD.employer_id AND a.status = 'active');
END;

-- The organisation's members and the employer's authorizations in list order whatever search
-- narrows them, like authorized_file_keys. contact_keys holds, for each contact, the prefixes of
-- 3 to 20 characters of the words of its search_text (names and email) and `=status`, in name
-- order (last name, first name, id); employer_authorization_keys holds, for each authorization of
-- any status, the word prefixes of its contact's search_text and of its firm's name_search, the
-- fragments of 3 or 4 digits of its firm's number and `=status`, newest first. A search word, or a
-- status alone, reads one range as far as its page; the _counts tables keep how many rows hold
-- each key, so a one-word search, a status filter or the whole list counts from one to three rows.
-- The triggers keep them in step whatever writes contacts, authorizations or organisations (an
-- invitation, a link, a revocation, a renamed contact or firm, the lifecycle job, the migration
-- import); search_text and name_search hold a space, then folded words separated by single
-- spaces, so json_each splits them.
CREATE TABLE IF NOT EXISTS contact_keys (
  organisation_id TEXT NOT NULL,
  term            TEXT NOT NULL,
  last_name       TEXT NOT NULL,
  first_name      TEXT NOT NULL,
  contact_id      TEXT NOT NULL,
  PRIMARY KEY (organisation_id, term, last_name, first_name, contact_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS contact_key_counts (
  organisation_id TEXT NOT NULL,
  term            TEXT NOT NULL,
  n               INTEGER NOT NULL,
  PRIMARY KEY (organisation_id, term)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS employer_authorization_keys (
  employer_id      TEXT NOT NULL,
  term             TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  authorization_id TEXT NOT NULL,
  PRIMARY KEY (employer_id, term, created_at DESC, authorization_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS employer_authorization_key_counts (
  employer_id TEXT NOT NULL,
  term        TEXT NOT NULL,
  n           INTEGER NOT NULL,
  PRIMARY KEY (employer_id, term)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS contact_keys_count_insert AFTER INSERT ON contact_keys
BEGIN
  INSERT INTO contact_key_counts (organisation_id, term, n) VALUES (NEW.organisation_id, NEW.term, 1)
    ON CONFLICT (organisation_id, term) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS contact_keys_count_delete AFTER DELETE ON contact_keys
BEGIN
  UPDATE contact_key_counts SET n = n - 1 WHERE organisation_id = OLD.organisation_id AND term = OLD.term;
  DELETE FROM contact_key_counts WHERE organisation_id = OLD.organisation_id AND term = OLD.term AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_count_insert AFTER INSERT ON employer_authorization_keys
BEGIN
  INSERT INTO employer_authorization_key_counts (employer_id, term, n) VALUES (NEW.employer_id, NEW.term, 1)
    ON CONFLICT (employer_id, term) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_count_delete AFTER DELETE ON employer_authorization_keys
BEGIN
  UPDATE employer_authorization_key_counts SET n = n - 1 WHERE employer_id = OLD.employer_id AND term = OLD.term;
  DELETE FROM employer_authorization_key_counts WHERE employer_id = OLD.employer_id AND term = OLD.term AND n <= 0;
END;
CREATE TRIGGER IF NOT EXISTS contact_keys_insert AFTER INSERT ON contacts
BEGIN
  INSERT OR IGNORE INTO contact_keys (organisation_id, term, last_name, first_name, contact_id)
    SELECT NEW.organisation_id, t.term, NEW.last_name, NEW.first_name, NEW.id
      FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(NEW.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3 UNION SELECT '=' || NEW.status) t;
END;
CREATE TRIGGER IF NOT EXISTS contact_keys_update AFTER UPDATE OF organisation_id, last_name, first_name, search_text, status ON contacts
WHEN (OLD.organisation_id IS NOT NEW.organisation_id OR OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name OR OLD.search_text IS NOT NEW.search_text OR OLD.status IS NOT NEW.status)
BEGIN
  DELETE FROM contact_keys
   WHERE organisation_id = OLD.organisation_id AND last_name = OLD.last_name AND first_name = OLD.first_name AND contact_id = OLD.id
     AND term IN (SELECT '=' || OLD.status UNION SELECT term FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(OLD.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3) WHERE (OLD.organisation_id IS NOT NEW.organisation_id OR OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name OR OLD.search_text IS NOT NEW.search_text));
  INSERT OR IGNORE INTO contact_keys (organisation_id, term, last_name, first_name, contact_id)
    SELECT NEW.organisation_id, t.term, NEW.last_name, NEW.first_name, NEW.id
      FROM (SELECT '=' || NEW.status AS term UNION SELECT term FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(NEW.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3) WHERE (OLD.organisation_id IS NOT NEW.organisation_id OR OLD.last_name IS NOT NEW.last_name OR OLD.first_name IS NOT NEW.first_name OR OLD.search_text IS NOT NEW.search_text)) t;
END;
CREATE TRIGGER IF NOT EXISTS contact_keys_delete AFTER DELETE ON contacts
BEGIN
  DELETE FROM contact_keys
   WHERE organisation_id = OLD.organisation_id AND last_name = OLD.last_name AND first_name = OLD.first_name AND contact_id = OLD.id
     AND term IN (SELECT '=' || OLD.status UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(OLD.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3);
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_insert AFTER INSERT ON authorizations
BEGIN
  INSERT OR IGNORE INTO employer_authorization_keys (employer_id, term, created_at, authorization_id)
    SELECT NEW.employer_id, t.term, NEW.created_at, NEW.id FROM (SELECT '=' || NEW.status AS term
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM contacts c, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE c.id = NEW.contact_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM organisations f, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE f.id = NEW.firm_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(f.file_number, s.key + 1, l.value) AS term FROM organisations f, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE f.id = NEW.firm_id AND s.key + l.value <= length(f.file_number)) t;
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_update AFTER UPDATE OF status, employer_id, contact_id, firm_id, created_at ON authorizations
WHEN (OLD.employer_id IS NOT NEW.employer_id OR OLD.contact_id IS NOT NEW.contact_id OR OLD.firm_id IS NOT NEW.firm_id OR OLD.created_at IS NOT NEW.created_at OR OLD.status IS NOT NEW.status)
BEGIN
  DELETE FROM employer_authorization_keys
   WHERE employer_id = OLD.employer_id AND created_at = OLD.created_at AND authorization_id = OLD.id
     AND term IN (SELECT '=' || OLD.status UNION SELECT term FROM (SELECT '=' || OLD.status AS term
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM contacts c, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE c.id = OLD.contact_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM organisations f, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE f.id = OLD.firm_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(f.file_number, s.key + 1, l.value) AS term FROM organisations f, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE f.id = OLD.firm_id AND s.key + l.value <= length(f.file_number)) WHERE (OLD.employer_id IS NOT NEW.employer_id OR OLD.contact_id IS NOT NEW.contact_id OR OLD.firm_id IS NOT NEW.firm_id OR OLD.created_at IS NOT NEW.created_at));
  INSERT OR IGNORE INTO employer_authorization_keys (employer_id, term, created_at, authorization_id)
    SELECT NEW.employer_id, t.term, NEW.created_at, NEW.id
      FROM (SELECT '=' || NEW.status AS term UNION SELECT term FROM (SELECT '=' || NEW.status AS term
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM contacts c, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE c.id = NEW.contact_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM organisations f, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE f.id = NEW.firm_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(f.file_number, s.key + 1, l.value) AS term FROM organisations f, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE f.id = NEW.firm_id AND s.key + l.value <= length(f.file_number)) WHERE (OLD.employer_id IS NOT NEW.employer_id OR OLD.contact_id IS NOT NEW.contact_id OR OLD.firm_id IS NOT NEW.firm_id OR OLD.created_at IS NOT NEW.created_at)) t;
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_delete AFTER DELETE ON authorizations
BEGIN
  DELETE FROM employer_authorization_keys
   WHERE employer_id = OLD.employer_id AND created_at = OLD.created_at AND authorization_id = OLD.id
     AND term IN (SELECT '=' || OLD.status AS term
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM contacts c, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE c.id = OLD.contact_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(w.value, 1, p.key + 3) AS term FROM organisations f, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE f.id = OLD.firm_id AND length(w.value) >= p.key + 3
    UNION SELECT substr(f.file_number, s.key + 1, l.value) AS term FROM organisations f, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE f.id = OLD.firm_id AND s.key + l.value <= length(f.file_number));
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_contact_update AFTER UPDATE OF search_text ON contacts
WHEN OLD.search_text IS NOT NEW.search_text
BEGIN
  DELETE FROM employer_authorization_keys
   WHERE (employer_id, term, created_at, authorization_id) IN
     (SELECT a.employer_id, w.term, a.created_at, a.id
        FROM authorizations a, (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(OLD.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3) w
       WHERE a.firm_id = OLD.organisation_id AND a.contact_id = OLD.id);
  INSERT OR IGNORE INTO employer_authorization_keys (employer_id, term, created_at, authorization_id)
    SELECT a.employer_id, '=' || a.status, a.created_at, a.id FROM authorizations a WHERE a.firm_id = NEW.organisation_id AND a.contact_id = NEW.id
    UNION ALL SELECT a.employer_id, substr(w.value, 1, p.key + 3), a.created_at, a.id FROM authorizations a JOIN contacts c ON c.id = a.contact_id, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE a.firm_id = NEW.organisation_id AND a.contact_id = NEW.id AND length(w.value) >= p.key + 3
    UNION ALL SELECT a.employer_id, substr(w.value, 1, p.key + 3), a.created_at, a.id FROM authorizations a JOIN organisations f ON f.id = a.firm_id, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE a.firm_id = NEW.organisation_id AND a.contact_id = NEW.id AND length(w.value) >= p.key + 3
    UNION ALL SELECT a.employer_id, substr(f.file_number, s.key + 1, l.value), a.created_at, a.id FROM authorizations a JOIN organisations f ON f.id = a.firm_id, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE a.firm_id = NEW.organisation_id AND a.contact_id = NEW.id AND s.key + l.value <= length(f.file_number);
END;
CREATE TRIGGER IF NOT EXISTS employer_authorization_keys_firm_update AFTER UPDATE OF name_search, file_number ON organisations
WHEN OLD.name_search IS NOT NEW.name_search OR OLD.file_number IS NOT NEW.file_number
BEGIN
  DELETE FROM employer_authorization_keys
   WHERE (employer_id, term, created_at, authorization_id) IN
     (SELECT a.employer_id, w.term, a.created_at, a.id
        FROM authorizations a, (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(OLD.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3 UNION SELECT substr(OLD.file_number, s.key + 1, l.value) AS term FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(OLD.file_number)) w
       WHERE a.firm_id = OLD.id);
  INSERT OR IGNORE INTO employer_authorization_keys (employer_id, term, created_at, authorization_id)
    SELECT a.employer_id, '=' || a.status, a.created_at, a.id FROM authorizations a WHERE a.firm_id = NEW.id
    UNION ALL SELECT a.employer_id, substr(w.value, 1, p.key + 3), a.created_at, a.id FROM authorizations a JOIN contacts c ON c.id = a.contact_id, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE a.firm_id = NEW.id AND length(w.value) >= p.key + 3
    UNION ALL SELECT a.employer_id, substr(w.value, 1, p.key + 3), a.created_at, a.id FROM authorizations a JOIN organisations f ON f.id = a.firm_id, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE a.firm_id = NEW.id AND length(w.value) >= p.key + 3
    UNION ALL SELECT a.employer_id, substr(f.file_number, s.key + 1, l.value), a.created_at, a.id FROM authorizations a JOIN organisations f ON f.id = a.firm_id, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE a.firm_id = NEW.id AND s.key + l.value <= length(f.file_number);
END;
