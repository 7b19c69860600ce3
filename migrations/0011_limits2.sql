-- How many imported legacy hashes have each format and cost, so that the decoy checked for an
-- unknown username costs like the median imported hash without reading every credential. Kept by
-- a trigger on the import (legacy credentials are never deleted), filled here from the rows present.
CREATE TABLE IF NOT EXISTS legacy_hash_costs (
  format        TEXT NOT NULL,                  -- 'pbkdf2_sha256' or 'bcrypt'
  cost          INTEGER NOT NULL,               -- PBKDF2 iterations, or bcrypt's cost (log2 of its rounds)
  hashes        INTEGER NOT NULL,               -- imported hashes of this format and cost
  PRIMARY KEY (format, cost)
) WITHOUT ROWID;

-- The import accepts only `pbkdf2_sha256$<iterations>$…` and `$2?$<two-digit cost>$…`.
CREATE TRIGGER IF NOT EXISTS legacy_hash_costs_insert AFTER INSERT ON legacy_credentials
BEGIN
  INSERT INTO legacy_hash_costs (format, cost, hashes)
  SELECT format, cost, 1 FROM (
    SELECT
      CASE WHEN substr(NEW.password_hash, 1, 14) = 'pbkdf2_sha256$' THEN 'pbkdf2_sha256' ELSE 'bcrypt' END AS format,
      CASE WHEN substr(NEW.password_hash, 1, 14) = 'pbkdf2_sha256$'
        THEN CAST(substr(NEW.password_hash, 15, instr(substr(NEW.password_hash, 15), '$') - 1) AS INTEGER)
        ELSE CAST(substr(NEW.password_hash, 5, 2) AS INTEGER) END AS cost
  ) WHERE true
  ON CONFLICT (format, cost) DO UPDATE SET hashes = hashes + 1;
END;

INSERT INTO legacy_hash_costs (format, cost, hashes)
SELECT format, cost, COUNT(*) FROM (
  SELECT
    CASE WHEN substr(password_hash, 1, 14) = 'pbkdf2_sha256$' THEN 'pbkdf2_sha256' ELSE 'bcrypt' END AS format,
    CASE WHEN substr(password_hash, 1, 14) = 'pbkdf2_sha256$'
      THEN CAST(substr(password_hash, 15, instr(substr(password_hash, 15), '$') - 1) AS INTEGER)
      ELSE CAST(substr(password_hash, 5, 2) AS INTEGER) END AS cost
  FROM legacy_credentials
) WHERE true GROUP BY format, cost
ON CONFLICT (format, cost) DO UPDATE SET hashes = excluded.hashes;
