-- 0011_change_log_chain (issue #7): each change-log entry's chain hash, the
-- suite digest of the previous entry's hash and this entry's fields
-- (sync/api/change_chain.h). Entries written before this migration get theirs
-- once, in order, when the store is next opened (complete_change_log_chain);
-- the triggers then keep the log append-only: no entry is rewritten, removed
-- or replaced, and a hash once set never changes.
ALTER TABLE change_log ADD COLUMN chain BLOB;

-- created_ms is bookkeeping (the age of the oldest unsent entry), not part of
-- the chain: it alone may change.
CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
WHEN NEW.seq IS NOT OLD.seq OR NEW.collection IS NOT OLD.collection OR NEW.doc_key IS NOT OLD.doc_key
  OR NEW.hlc IS NOT OLD.hlc OR NEW.payload IS NOT OLD.payload
  OR (OLD.chain IS NOT NULL AND NEW.chain IS NOT OLD.chain)
BEGIN
  SELECT RAISE(ABORT, 'change_log is append-only: entries cannot be changed');
END;

CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
BEGIN
  SELECT RAISE(ABORT, 'change_log is append-only: entries cannot be deleted');
END;

-- INSERT OR REPLACE deletes without firing the DELETE trigger.
CREATE TRIGGER change_log_no_replace BEFORE INSERT ON change_log
WHEN EXISTS (SELECT 1 FROM change_log WHERE seq = NEW.seq)
BEGIN
  SELECT RAISE(ABORT, 'change_log is append-only: an entry cannot be replaced');
END;
