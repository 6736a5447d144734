-- 0005_enrollment_codes: one-time enrollment codes (issue #7). `hallhub
-- enroll-code` issues a code for a hall's device; the device exchanges it once
-- (POST /v1/enroll) for its token. Only the code's SHA-256 is kept; used_ms is
-- set when it is redeemed, in the transaction that stores the device's token.
CREATE TABLE enrollment_codes (
  code_sha256 TEXT PRIMARY KEY,
  hall_code   TEXT NOT NULL REFERENCES halls (hall_code),
  device_code TEXT NOT NULL,
  created_ms  INTEGER NOT NULL,
  expires_ms  INTEGER NOT NULL,
  used_ms     INTEGER
) WITHOUT ROWID;
