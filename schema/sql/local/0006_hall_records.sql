-- 0006_hall_records: the service rules' hall records (staff roster, posts and
-- AB holders, absences, enquiries, complaints; issue #8) are events in
-- case_events like any case step, each under its own record id. Reading the
-- hall's register means selecting those kinds out of every case event, so
-- they get an index by kind instead of a scan of the whole table.
CREATE INDEX case_events_by_kind ON case_events (kind);
