-- 0004_request_signing (PostgreSQL): as sql/hub/0004_request_signing.sql.
ALTER TABLE devices ADD COLUMN request_key TEXT NOT NULL DEFAULT '';

CREATE TABLE request_nonces (
  device_id  TEXT NOT NULL,
  nonce      TEXT NOT NULL,
  expires_ms BIGINT NOT NULL,
  PRIMARY KEY (device_id, nonce)
);
CREATE INDEX request_nonces_by_expiry ON request_nonces (expires_ms);
