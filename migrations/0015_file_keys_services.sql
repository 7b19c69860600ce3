-- Changing an authorization's services, level or end date (the employer's most frequent change)
-- rewrote every key of its file in authorized_file_keys (each word prefix and number fragment
-- deleted and inserted again, ~400 rows read and ~100 written per change). Only the `#YYYY-MM`
-- keys depend on the services (the monthly report service): a change that keeps the file's status,
-- contact, name, number and employer now leaves its word and number keys alone and rewrites its
-- `#YYYY-MM` keys only when the monthly report service comes or goes. The keys themselves are
-- unchanged: nothing to rewrite here.
DROP TRIGGER IF EXISTS authorized_file_keys_update;
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
