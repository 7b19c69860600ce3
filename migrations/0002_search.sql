-- Indexed search in "Mes dossiers autorisés": the terms table and its triggers (see schema.sql),
-- then the terms of the authorizations already active.
CREATE TABLE IF NOT EXISTS authorization_terms (
  contact_id       TEXT NOT NULL,
  term             TEXT NOT NULL,
  authorization_id TEXT NOT NULL,
  PRIMARY KEY (contact_id, term, authorization_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS authorization_terms_insert AFTER INSERT ON authorizations
WHEN NEW.status = 'active'
BEGIN
  INSERT OR IGNORE INTO authorization_terms (contact_id, term, authorization_id)
    SELECT NEW.contact_id, value, NEW.id FROM (SELECT value FROM json_each('["' || replace(substr(NEW.name_key, 2), ' ', '","') || '"]') WHERE value != ''
    UNION SELECT substr(NEW.file_number, key + 1) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') WHERE length(NEW.file_number) - key >= 3);
END;
CREATE TRIGGER IF NOT EXISTS authorization_terms_update AFTER UPDATE OF status, contact_id, name_key, file_number ON authorizations
WHEN OLD.status = 'active' OR NEW.status = 'active'
BEGIN
  DELETE FROM authorization_terms
   WHERE OLD.status = 'active' AND contact_id = OLD.contact_id AND authorization_id = OLD.id
     AND term IN (SELECT value FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') WHERE value != ''
    UNION SELECT substr(OLD.file_number, key + 1) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') WHERE length(OLD.file_number) - key >= 3);
  INSERT OR IGNORE INTO authorization_terms (contact_id, term, authorization_id)
    SELECT NEW.contact_id, value, NEW.id FROM (SELECT value FROM json_each('["' || replace(substr(NEW.name_key, 2), ' ', '","') || '"]') WHERE value != ''
    UNION SELECT substr(NEW.file_number, key + 1) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') WHERE length(NEW.file_number) - key >= 3) WHERE NEW.status = 'active';
END;
CREATE TRIGGER IF NOT EXISTS authorization_terms_delete AFTER DELETE ON authorizations
WHEN OLD.status = 'active'
BEGIN
  DELETE FROM authorization_terms
   WHERE contact_id = OLD.contact_id AND authorization_id = OLD.id
     AND term IN (SELECT value FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') WHERE value != ''
    UNION SELECT substr(OLD.file_number, key + 1) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') WHERE length(OLD.file_number) - key >= 3);
END;

INSERT OR IGNORE INTO authorization_terms (contact_id, term, authorization_id)
  SELECT a.contact_id, w.value, a.id
    FROM authorizations a, json_each('["' || replace(substr(a.name_key, 2), ' ', '","') || '"]') w
   WHERE a.status = 'active' AND w.value != ''
  UNION ALL
  SELECT a.contact_id, substr(a.file_number, s.key + 1), a.id
    FROM authorizations a, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s
   WHERE a.status = 'active' AND length(a.file_number) - s.key >= 3;
