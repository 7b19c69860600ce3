-- "Mes dossiers autorisés" read in list order whatever narrows it: authorized_file_keys (see
-- schema.sql) replaces authorization_terms, holding each key in name order with its count, so a
-- search or the report standing filter reads about its page, and its total is one row.
DROP TRIGGER IF EXISTS authorization_terms_insert;
DROP TRIGGER IF EXISTS authorization_terms_update;
DROP TRIGGER IF EXISTS authorization_terms_delete;
DROP TABLE IF EXISTS authorization_terms;
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

-- The keys of the files already active (in key order, so the table is written page after page),
-- then their counts, before the triggers keep both.
INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
  SELECT a.contact_id, substr(w.value, 1, p.key + 3), a.name_key, a.id
    FROM authorizations a, json_each('["' || replace(substr(a.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p
   WHERE a.status = 'active' AND length(w.value) >= p.key + 3
  UNION ALL
  SELECT a.contact_id, substr(a.file_number, s.key + 1, l.value), a.name_key, a.id
    FROM authorizations a, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4,5]') l
   WHERE a.status = 'active' AND s.key + l.value <= length(a.file_number)
  UNION ALL
  SELECT a.contact_id, '#' || r.month, a.name_key, a.id
    FROM authorizations a JOIN monthly_reports r ON r.employer_id = a.employer_id AND r.transmitted_at IS NOT NULL
   WHERE a.status = 'active' AND (a.services & 8) != 0
  ORDER BY 1, 2, 3, 4;
INSERT INTO authorized_file_key_counts (contact_id, term, n)
  SELECT contact_id, term, COUNT(*) FROM authorized_file_keys GROUP BY contact_id, term;
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
    UNION SELECT substr(NEW.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4,5]') l WHERE s.key + l.value <= length(NEW.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = NEW.employer_id AND r.transmitted_at IS NOT NULL AND (NEW.services & 8) != 0) t;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_update AFTER UPDATE OF status, contact_id, name_key, file_number, services ON authorizations
WHEN OLD.status = 'active' OR NEW.status = 'active'
BEGIN
  DELETE FROM authorized_file_keys
   WHERE OLD.status = 'active' AND contact_id = OLD.contact_id AND name_key = OLD.name_key AND authorization_id = OLD.id
     AND term IN (SELECT substr(w.value, 1, p.key + 3) FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(OLD.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4,5]') l WHERE s.key + l.value <= length(OLD.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = OLD.employer_id AND r.transmitted_at IS NOT NULL AND (OLD.services & 8) != 0);
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT NEW.contact_id, t.term, NEW.name_key, NEW.id FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(NEW.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(NEW.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4,5]') l WHERE s.key + l.value <= length(NEW.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = NEW.employer_id AND r.transmitted_at IS NOT NULL AND (NEW.services & 8) != 0) t
     WHERE NEW.status = 'active';
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_delete AFTER DELETE ON authorizations
WHEN OLD.status = 'active'
BEGIN
  DELETE FROM authorized_file_keys
   WHERE contact_id = OLD.contact_id AND name_key = OLD.name_key AND authorization_id = OLD.id
     AND term IN (SELECT substr(w.value, 1, p.key + 3) FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(OLD.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4,5]') l WHERE s.key + l.value <= length(OLD.file_number)
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
