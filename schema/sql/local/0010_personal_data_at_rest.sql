-- 0010_personal_data_at_rest (issue #7 item 7): the personal fields of the
-- store are sealed (AES-256-GCM under a key kept outside hall.db, see
-- client/store/field_sealer.h); applicant_name, id_number and phone of
-- `cases`, case_events.body and change_log.payload then hold sealed bytes.
-- Searching by exact name, ID number or phone matches these blind indexes
-- (keyed digests of the normalised value), never the clear value. The store
-- seals a file written in clear once, on the first open after this step
-- (client/store/store_sealing.cc): SQL alone has no key.
ALTER TABLE cases ADD COLUMN name_index BLOB;
ALTER TABLE cases ADD COLUMN id_index BLOB;
ALTER TABLE cases ADD COLUMN phone_index BLOB;
CREATE INDEX cases_by_name_index ON cases (name_index);
CREATE INDEX cases_by_id_index ON cases (id_index);
CREATE INDEX cases_by_phone_index ON cases (phone_index);
