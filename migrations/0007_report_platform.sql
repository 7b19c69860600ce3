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
