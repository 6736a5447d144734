-- 0002 (PostgreSQL): nothing to do. On SQLite this step dropped
-- AUTOINCREMENT from events; the PostgreSQL table was created in its final
-- shape by 0001. Kept so both stores count the same schema versions.
SELECT 1;
