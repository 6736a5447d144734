-- 0003_blobs: scanned materials uploaded by halls (issue #12), stored once per
-- content under DATA_DIR/blobs/ (name = SHA-256). A blob is `complete` only
-- after the hub hashed the whole file and found the declared SHA-256; until
-- then `blob_ranges` records which byte ranges are durably in its partial file,
-- so an upload cut anywhere resumes from what the hub holds.
CREATE TABLE blobs (
  sha256       TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size         INTEGER NOT NULL CHECK (size > 0),
  complete     INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  created_ms   INTEGER NOT NULL,
  updated_ms   INTEGER NOT NULL,  -- last offer or chunk: an upload older than the grace period is abandoned
  completed_ms INTEGER
) WITHOUT ROWID;
-- Held ranges [begin_at, end_at) of an incomplete blob, merged when they touch.
CREATE TABLE blob_ranges (
  sha256   TEXT NOT NULL REFERENCES blobs (sha256),
  begin_at INTEGER NOT NULL,
  end_at   INTEGER NOT NULL CHECK (end_at > begin_at),
  PRIMARY KEY (sha256, begin_at)
) WITHOUT ROWID;
-- Which case (and so which hall) each blob was offered for.
CREATE TABLE blob_refs (
  sha256     TEXT NOT NULL REFERENCES blobs (sha256),
  case_id    TEXT NOT NULL,
  hall_code  TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (sha256, case_id)
) WITHOUT ROWID;
