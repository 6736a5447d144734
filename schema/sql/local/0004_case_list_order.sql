-- 0004_case_list_order: the case list (`hall case list`, GET /api/cases) is
-- newest first, ORDER BY accepted_on DESC, acceptance_no DESC with a LIMIT.
-- Without an index on that order SQLite scans and sorts every case for each
-- list (about 46 ms at 100,000 cases, measured by api_latency_bench); with it
-- the newest rows are read straight off the end of the index.
CREATE INDEX cases_by_acceptance ON cases (accepted_on, acceptance_no);
