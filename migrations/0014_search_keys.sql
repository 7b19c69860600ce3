-- The organisation's members and the employer's authorizations searched like "Mes dossiers
-- autorisés": by word prefix (3 to 20 characters) and, for the firm's number, by a fragment of 3
-- or 4 digits, read from kept indexes in list order, so a page reads about its own rows at any
-- organisation size, and a one-word search, a status filter or no filter at all count from one
-- kept count. contact_keys holds each contact's word prefixes and `=status` in name order;
-- employer_authorization_keys holds each authorization's words (its contact's names and email,
-- its firm's name), its firm's number fragments and `=status`, newest first (see schema.sql).
-- contacts.search_text and organisations.name_search now hold a space, then the folded words
-- separated by single spaces (what the application writes from now on); the rows already written
-- are brought to that form first, so the triggers split words on spaces alone.
UPDATE contacts SET search_text = replace(replace(replace(replace(' ' || trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(search_text, '.', ' '), '@', ' '), '-', ' '), '_', ' '), '+', ' '), '''', ' '), '"', ' '), '\', ' '), ',', ' '), '’', ' '), '(', ' '), ')', ' '), '/', ' '), '&', ' '), ':', ' '), ';', ' '), '!', ' '), '?', ' '), '#', ' '), '*', ' '), char(9), ' ')), '  ', ' '), '  ', ' '), '  ', ' '), '  ', ' ');
UPDATE organisations SET name_search = replace(replace(replace(replace(' ' || trim(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name_search, '.', ' '), '@', ' '), '-', ' '), '_', ' '), '+', ' '), '''', ' '), '"', ' '), '\', ' '), ',', ' '), '’', ' '), '(', ' '), ')', ' '), '/', ' '), '&', ' '), ':', ' '), ';', ' '), '!', ' '), '?', ' '), '#', ' '), '*', ' '), char(9), ' ')), '  ', ' '), '  ', ' '), '  ', ' '), '  ', ' ');

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

-- The keys of the rows already written (in key order, so the tables are written page after
-- page), then their counts, before the triggers keep both.
INSERT OR IGNORE INTO contact_keys (organisation_id, term, last_name, first_name, contact_id)
  SELECT c.organisation_id, substr(w.value, 1, p.key + 3), c.last_name, c.first_name, c.id
    FROM contacts c, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p
   WHERE length(w.value) >= p.key + 3
  UNION ALL
  SELECT c.organisation_id, '=' || c.status, c.last_name, c.first_name, c.id FROM contacts c
  ORDER BY 1, 2, 3, 4, 5;
INSERT INTO contact_key_counts (organisation_id, term, n)
  SELECT organisation_id, term, COUNT(*) FROM contact_keys GROUP BY organisation_id, term;
INSERT OR IGNORE INTO employer_authorization_keys (employer_id, term, created_at, authorization_id)
  SELECT a.employer_id, '=' || a.status, a.created_at, a.id FROM authorizations a WHERE 1
    UNION ALL SELECT a.employer_id, substr(w.value, 1, p.key + 3), a.created_at, a.id FROM authorizations a JOIN contacts c ON c.id = a.contact_id, json_each('["' || replace(substr(c.search_text, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE 1 AND length(w.value) >= p.key + 3
    UNION ALL SELECT a.employer_id, substr(w.value, 1, p.key + 3), a.created_at, a.id FROM authorizations a JOIN organisations f ON f.id = a.firm_id, json_each('["' || replace(substr(f.name_search, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE 1 AND length(w.value) >= p.key + 3
    UNION ALL SELECT a.employer_id, substr(f.file_number, s.key + 1, l.value), a.created_at, a.id FROM authorizations a JOIN organisations f ON f.id = a.firm_id, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE 1 AND s.key + l.value <= length(f.file_number)
  ORDER BY 1, 2, 3 DESC, 4;
INSERT INTO employer_authorization_key_counts (employer_id, term, n)
  SELECT employer_id, term, COUNT(*) FROM employer_authorization_keys GROUP BY employer_id, term;
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

-- "Mes dossiers autorisés" keeps number fragments of 3 or 4 digits, no longer 5: a longer
-- fragment reads the key of its first 4 digits (about 4 files in 10,000 hold one) and each row is
-- checked against the whole fragment, and every file holds 3 keys fewer (9 instead of 12 for a
-- number of 7 digits). The fragments of 5 digits go, save those that also start a word of the name.
DROP TRIGGER IF EXISTS authorized_file_keys_insert;
DROP TRIGGER IF EXISTS authorized_file_keys_update;
DROP TRIGGER IF EXISTS authorized_file_keys_delete;
DELETE FROM authorized_file_keys
 WHERE length(term) = 5 AND term NOT GLOB '*[^0-9]*' AND instr(name_key, ' ' || term) = 0;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_insert AFTER INSERT ON authorizations
WHEN NEW.status = 'active'
BEGIN
  INSERT OR IGNORE INTO authorized_file_keys (contact_id, term, name_key, authorization_id)
    SELECT NEW.contact_id, t.term, NEW.name_key, NEW.id FROM (SELECT substr(w.value, 1, p.key + 3) AS term FROM json_each('["' || replace(substr(NEW.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(NEW.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(NEW.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = NEW.employer_id AND r.transmitted_at IS NOT NULL AND (NEW.services & 8) != 0) t;
END;
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_update AFTER UPDATE OF status, contact_id, name_key, file_number, services ON authorizations
WHEN OLD.status = 'active' OR NEW.status = 'active'
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
CREATE TRIGGER IF NOT EXISTS authorized_file_keys_delete AFTER DELETE ON authorizations
WHEN OLD.status = 'active'
BEGIN
  DELETE FROM authorized_file_keys
   WHERE contact_id = OLD.contact_id AND name_key = OLD.name_key AND authorization_id = OLD.id
     AND term IN (SELECT substr(w.value, 1, p.key + 3) FROM json_each('["' || replace(substr(OLD.name_key, 2), ' ', '","') || '"]') w, json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') p WHERE length(w.value) >= p.key + 3
    UNION SELECT substr(OLD.file_number, s.key + 1, l.value) FROM json_each('[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') s, json_each('[3,4]') l WHERE s.key + l.value <= length(OLD.file_number)
    UNION SELECT '#' || r.month FROM monthly_reports r WHERE r.employer_id = OLD.employer_id AND r.transmitted_at IS NOT NULL AND (OLD.services & 8) != 0);
END;
