-- "Mes demandes": a person's own requests, newest first. Known-facts linking requests are kept for
-- the person who made them, whether the facts matched or not (the answer never says), and the
-- person's access requests and report transmissions are read by who made them.
CREATE TABLE IF NOT EXISTS known_facts_requests (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id),
  file_number   TEXT NOT NULL,                  -- digits only, as asked
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL                -- when credentials sent for it would expire
);
CREATE INDEX IF NOT EXISTS known_facts_requests_user ON known_facts_requests (user_id, created_at);
CREATE INDEX IF NOT EXISTS access_requests_requester ON access_requests (requested_by, created_at);
CREATE INDEX IF NOT EXISTS monthly_report_versions_transmitter ON monthly_report_versions (transmitted_by, transmitted_at) WHERE transmitted_by IS NOT NULL;
