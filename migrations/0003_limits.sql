-- Legacy credentials lock for a growing while (15 min, 1 h, then 24 h) instead of for good:
-- `locked_until` is when the current lock lifts, `locks` how many times the username was locked.
-- Locks taken before this migration become first locks.
ALTER TABLE legacy_credentials ADD COLUMN locked_until INTEGER;
ALTER TABLE legacy_credentials ADD COLUMN locks INTEGER NOT NULL DEFAULT 0;
UPDATE legacy_credentials SET locked_until = locked_at + 900000, locks = 1 WHERE locked_at IS NOT NULL;
