-- 0005_enrollment_codes (PostgreSQL): as sql/hub/0005_enrollment_codes.sql.
CREATE TABLE enrollment_codes (
  code_sha256 TEXT PRIMARY KEY,
  hall_code   TEXT NOT NULL REFERENCES halls (hall_code),
  device_code TEXT NOT NULL,
  created_ms  BIGINT NOT NULL,
  expires_ms  BIGINT NOT NULL,
  used_ms     BIGINT
);
