-- 0007_staff_accounts: the hall's staff who may sign in to halld's web page
-- (issue #9, a minimal form until the service-rules roster lands). Keyed by
-- the clerk id events carry, so the acting clerk of every write is the signed-in
-- account. Local only: never synced, never exported. password_hash is
-- libsodium's crypto_pwhash_str (Argon2id; the string carries salt and costs).
CREATE TABLE staff_accounts (
  clerk_id      TEXT PRIMARY KEY,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor')),
  password_hash TEXT NOT NULL,
  created_ms    INTEGER NOT NULL,
  updated_ms    INTEGER NOT NULL
);
