-- The organisation's audit trail read about its page whatever narrows it: audit_trail (see
-- schema.sql) holds each event once per organisation that sees it and per key (every event, its
-- category, its action), in trail order, and audit_trail_counts keeps each key's count, so the
-- total without dates is one row.
CREATE TABLE IF NOT EXISTS audit_trail (
  organisation_id TEXT NOT NULL,
  key             TEXT NOT NULL,
  at              INTEGER NOT NULL,
  seq             INTEGER NOT NULL,             -- the event's rowid: insertion order
  event_id        TEXT NOT NULL,
  action          TEXT NOT NULL,
  PRIMARY KEY (organisation_id, key, at, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_trail_counts (
  organisation_id TEXT NOT NULL,
  key             TEXT NOT NULL,
  n               INTEGER NOT NULL,
  PRIMARY KEY (organisation_id, key)
) WITHOUT ROWID;

-- The events already written (in key order, so the table is written page after page), then
-- their counts, before the trigger keeps both.
INSERT INTO audit_trail (organisation_id, key, at, seq, event_id, action)
  SELECT o.organisation_id, k.key, e.at, e.rowid, e.id, e.action
    FROM audit_events e
    JOIN (SELECT id, organisation_id FROM audit_events WHERE organisation_id IS NOT NULL
          UNION SELECT id, counterpart_organisation_id FROM audit_events WHERE counterpart_organisation_id IS NOT NULL) o
      ON o.id = e.id
    JOIN (SELECT id, '' AS key FROM audit_events
          UNION SELECT id, substr(action, 1, instr(action, '.')) FROM audit_events
          UNION SELECT id, action FROM audit_events) k
      ON k.id = e.id
   ORDER BY 1, 2, 3, 4;
INSERT INTO audit_trail_counts (organisation_id, key, n)
  SELECT organisation_id, key, COUNT(*) FROM audit_trail GROUP BY organisation_id, key;
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

-- An employer's authorizations and an organisation's members in the order their lists show them,
-- so a first page reads about its own rows instead of sorting the whole organisation.
CREATE INDEX IF NOT EXISTS authorizations_employer_created ON authorizations (employer_id, created_at DESC, id);
CREATE INDEX IF NOT EXISTS contacts_organisation_name ON contacts (organisation_id, last_name, first_name, id);
