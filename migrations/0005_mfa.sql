-- The second factor: TOTP secrets (sealed), recovery codes (hashed), the sign-in challenges
-- between the password and the factor, and when a session last proved a factor (see schema.sql).
CREATE TABLE IF NOT EXISTS totp_factors (
  user_id        TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  sealed_secret  TEXT NOT NULL,
  confirmed_at   INTEGER,
  last_used_step INTEGER NOT NULL DEFAULT -1,
  created_at     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recovery_codes (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash     TEXT NOT NULL,
  used_at       INTEGER,
  created_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recovery_codes_user ON recovery_codes (user_id);
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
ALTER TABLE sessions ADD COLUMN factor_verified_at INTEGER;
