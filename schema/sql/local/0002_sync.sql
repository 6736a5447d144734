-- 0002_sync: what the hub refused of this device's outbox, kept for the
-- technician and the clerk (an entry is never silently dropped).
CREATE TABLE sync_rejections (
  seq         INTEGER PRIMARY KEY,
  reason      TEXT NOT NULL,
  reported_ms INTEGER NOT NULL
);
