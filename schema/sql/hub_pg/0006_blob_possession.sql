-- 0006_blob_possession (PostgreSQL, as sql/hub/0006_blob_possession.sql): a hall reads a blob only after it proved it holds the
-- bytes (issue #7). Before this, a device that offered the SHA-256 and size of
-- a blob the hub held complete, for a case of its own hall, got a reference
-- without sending a byte and could then read the scan: the hash acted as a
-- capability. Now each hall uploads the bytes once itself; the hub stores one
-- copy and records the hall in blob_holders when the hall's own upload hashes
-- right. Uploads are per hall, so ranges are keyed by hall too.
CREATE TABLE blob_holders (
  sha256    TEXT NOT NULL REFERENCES blobs (sha256),
  hall_code TEXT NOT NULL,
  since_ms  BIGINT NOT NULL,
  PRIMARY KEY (sha256, hall_code)
);
-- Halls referencing a complete blob before this migration keep reading it:
-- whether they sent the bytes was not recorded.
INSERT INTO blob_holders (sha256, hall_code, since_ms)
  SELECT DISTINCT r.sha256, r.hall_code, coalesce(b.completed_ms, b.updated_ms)
  FROM blob_refs r JOIN blobs b ON b.sha256 = r.sha256 WHERE b.complete = 1;

-- Held ranges [begin_at, end_at) of one hall's upload, in its own partial
-- file; updated_ms is the upload's last chunk or offer (abandonment).
CREATE TABLE blob_upload_ranges (
  sha256     TEXT NOT NULL REFERENCES blobs (sha256),
  hall_code  TEXT NOT NULL,
  begin_at   BIGINT NOT NULL,
  end_at     BIGINT NOT NULL CHECK (end_at > begin_at),
  updated_ms BIGINT NOT NULL,
  PRIMARY KEY (sha256, hall_code, begin_at)
);
-- Uploads in flight at the upgrade start again from their first byte; their
-- old partial files are swept by the hub's blob GC.
DROP TABLE blob_ranges;
