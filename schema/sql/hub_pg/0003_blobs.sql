-- 0003_blobs (PostgreSQL): scanned materials, as sql/hub/0003_blobs.sql. The
-- blob files themselves live under the hub's --data-dir/blobs, not here.
CREATE TABLE blobs (
  sha256       TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  size         BIGINT NOT NULL CHECK (size > 0),
  complete     BIGINT NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
  created_ms   BIGINT NOT NULL,
  updated_ms   BIGINT NOT NULL,
  completed_ms BIGINT
);
CREATE TABLE blob_ranges (
  sha256   TEXT NOT NULL REFERENCES blobs (sha256),
  begin_at BIGINT NOT NULL,
  end_at   BIGINT NOT NULL CHECK (end_at > begin_at),
  PRIMARY KEY (sha256, begin_at)
);
CREATE TABLE blob_refs (
  sha256     TEXT NOT NULL REFERENCES blobs (sha256),
  case_id    TEXT NOT NULL,
  hall_code  TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  created_ms BIGINT NOT NULL,
  PRIMARY KEY (sha256, case_id)
);
