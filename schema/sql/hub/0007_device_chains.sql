-- 0007_device_chains (issue #7): each device's change-log chain hash at its
-- acknowledged high-water mark, which the next push must continue
-- (sync/hub/hub_chain.cc, PROTOCOL.md "The change-log chain"). No row: the
-- device has no verified chain yet — a new device starts from the genesis,
-- one with unchained (v2 or repaired) history is anchored by its next v3 push.
CREATE TABLE device_chains (
  device_id  TEXT PRIMARY KEY REFERENCES devices (device_id),
  head       BLOB NOT NULL,     -- chain hash of the entry at head_seq (suite digest, raw)
  head_seq   INTEGER NOT NULL,  -- equals devices.high_water whenever the row exists
  suite      TEXT NOT NULL,     -- crypto::kSuiteTag that computed it
  updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Every time a device's chain was (re)anchored without being verified against
-- a stored head, and why: kept for the district's audit, never deleted.
CREATE TABLE chain_anchors (
  id        INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  seq       INTEGER NOT NULL,  -- the high-water mark the anchor applies at
  reason    TEXT NOT NULL,
  at_ms     INTEGER NOT NULL
);
CREATE INDEX chain_anchors_by_device ON chain_anchors (device_id, id);
