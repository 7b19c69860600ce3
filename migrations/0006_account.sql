-- "Mon compte": a short device label on each session (browser and system, from the user agent at
-- sign-in), and one-time codes that prove a new email address (purpose 'email').

ALTER TABLE sessions ADD COLUMN device TEXT;

-- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the new purpose,
-- its rows copied, its indexes made again. Nothing refers to verifications.
CREATE TABLE verifications_new (
  id            TEXT PRIMARY KEY,
  purpose       TEXT NOT NULL CHECK (purpose IN ('signup', 'reset', 'email')),
  user_id       TEXT REFERENCES users(id) ON DELETE CASCADE,
  email         TEXT NOT NULL,
  code_hash     TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  expires_at    INTEGER NOT NULL,
  last_sent_at  INTEGER NOT NULL,
  consumed_at   INTEGER,
  consumed_by   TEXT,
  signup_password_hash TEXT,
  signup_first_name    TEXT,
  signup_last_name     TEXT,
  signup_locale        TEXT,
  created_at    INTEGER NOT NULL
);
INSERT INTO verifications_new (id, purpose, user_id, email, code_hash, attempts, expires_at, last_sent_at,
  consumed_at, consumed_by, signup_password_hash, signup_first_name, signup_last_name, signup_locale, created_at)
SELECT id, purpose, user_id, email, code_hash, attempts, expires_at, last_sent_at,
  consumed_at, consumed_by, signup_password_hash, signup_first_name, signup_last_name, signup_locale, created_at
FROM verifications;
DROP TABLE verifications;
ALTER TABLE verifications_new RENAME TO verifications;
CREATE INDEX IF NOT EXISTS verifications_expiry ON verifications (expires_at);
CREATE INDEX IF NOT EXISTS verifications_email ON verifications (email, purpose, last_sent_at);
