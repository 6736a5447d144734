-- 0008_blob_uploads: scanned materials (issue #12). The files themselves live
-- content-addressed under DATA_DIR/blobs/ (name = SHA-256); this table is the
-- upload queue, kept apart from change_log so a large scan never delays a case
-- event: case events go first in every sync session, blobs after.
-- One row per distinct file (the same scan attached twice is stored and sent
-- once). `case_id` is the case whose attachment queued it: the hub checks that
-- the device's hall owns it before taking any byte.
CREATE TABLE blob_uploads (
  sha256          TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size            INTEGER NOT NULL CHECK (size > 0),
  media_type      TEXT NOT NULL,
  case_id         TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'uploaded')),
  confirmed_bytes INTEGER NOT NULL DEFAULT 0,   -- bytes the hub last said it holds (progress only)
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  queued_ms       INTEGER NOT NULL,
  uploaded_ms     INTEGER
) WITHOUT ROWID;
CREATE INDEX blob_uploads_waiting ON blob_uploads (state, queued_ms);
-- Blobs the hub issued for this hall's cases (e.g. a decision document from
-- the back office), queued when their material_attached event is pulled and
-- downloaded after the uploads; the partial file DATA_DIR/blobs/partial/<sha>.part
-- holds the bytes so far, so a download resumes where it broke off.
CREATE TABLE blob_downloads (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size       INTEGER NOT NULL CHECK (size > 0),
  media_type TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  state      TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'done')),
  last_error TEXT NOT NULL DEFAULT '',
  queued_ms  INTEGER NOT NULL,
  done_ms    INTEGER
) WITHOUT ROWID;
