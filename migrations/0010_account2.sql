-- An organisation's responsable may require a second factor of all its contacts, not only of its
-- responsables and administrators (1: required of everyone acting for it).
ALTER TABLE organisations ADD COLUMN mfa_for_all_contacts INTEGER NOT NULL DEFAULT 0;

-- The browsers a person signed in from: the SHA-256 of a long-lived random cookie
-- (`__Host-sel_device`), so a sign-in from a browser never seen for the account emails its owner.
-- Forgotten 400 days after it was last seen (the cookie's lifetime).
CREATE TABLE IF NOT EXISTS known_devices (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  device_hash   TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS known_devices_user_device ON known_devices (user_id, device_hash);
CREATE INDEX IF NOT EXISTS known_devices_last_seen ON known_devices (last_seen_at);
