-- 0002_events_without_autoincrement: the events table with a plain INTEGER
-- PRIMARY KEY. AUTOINCREMENT rewrote sqlite_sequence on every insert (about
-- 3 µs per event, #3); it only guards against reusing the sequence of a deleted
-- last row, and events are never deleted (the triggers below), so max + 1 is
-- already never reused.
CREATE TABLE events_v2 (
  hub_seq       INTEGER PRIMARY KEY,
  event_id      TEXT NOT NULL UNIQUE,
  hall_code     TEXT NOT NULL,
  collection    TEXT NOT NULL,
  doc_key       TEXT NOT NULL,
  origin_device TEXT NOT NULL,
  body          BLOB NOT NULL,
  received_ms   INTEGER NOT NULL
);
INSERT INTO events_v2 (hub_seq, event_id, hall_code, collection, doc_key, origin_device, body, received_ms)
  SELECT hub_seq, event_id, hall_code, collection, doc_key, origin_device, body, received_ms FROM events ORDER BY hub_seq;
DROP TABLE events;
DELETE FROM sqlite_sequence WHERE name = 'events';
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_by_hall ON events (hall_code, hub_seq);
CREATE INDEX events_by_doc ON events (doc_key);

CREATE TRIGGER hub_events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'hub events are append-only'); END;
CREATE TRIGGER hub_events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'hub events are append-only'); END;
