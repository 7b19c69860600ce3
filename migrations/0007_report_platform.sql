-- Organisation API tokens gain the monthly report scopes (4 read, 8 write). SQLite cannot change a
-- CHECK constraint in place: the table is rebuilt with the wider range, its rows copied, its index
-- made again. Nothing refers to api_tokens.
CREATE TABLE api_tokens_new (
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
INSERT INTO api_tokens_new (id, organisation_id, name, prefix, token_hash, scopes, expires_at, created_by,
  created_at, last_used_at, revoked_at)
SELECT id, organisation_id, name, prefix, token_hash, scopes, expires_at, created_by,
  created_at, last_used_at, revoked_at
FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
CREATE INDEX IF NOT EXISTS api_tokens_organisation ON api_tokens (organisation_id, created_at);

-- Reminders that a monthly report is due, one row per month and contact (a firm's contact with
-- files to transmit, or an employer's responsable), written in the batch that queues the email:
-- none goes out twice, however many runs overlap. `files` is how many files it listed in all.
CREATE TABLE IF NOT EXISTS monthly_report_reminders (
  id          TEXT PRIMARY KEY,
  month       TEXT NOT NULL,
  contact_id  TEXT NOT NULL REFERENCES contacts(id),
  files       INTEGER NOT NULL,
  sent_at     INTEGER NOT NULL,
  UNIQUE (month, contact_id)
);
