-- 0004_request_signing: signed, replay-protected device requests (issue #7,
-- sync/PROTOCOL.md "Request authentication").
-- request_key: HMAC-SHA256(token, "hallsync-request-key-v1") in hex, the key a
-- device's request MACs are checked with. Empty for a device enrolled before
-- signing: the hub kept only the token's SHA-256, from which no key can be
-- derived; such a device sends its token once more (bearer, with the
-- key-upgrade header) and the hub stores the key then.
ALTER TABLE devices ADD COLUMN request_key TEXT NOT NULL DEFAULT '';

-- Nonces of accepted requests, kept while a replay of them would still be
-- inside the time window. In the store, not in memory: a replay after a hub
-- restart, or to a second hub process on the same store, is refused too.
CREATE TABLE request_nonces (
  device_id  TEXT NOT NULL,
  nonce      TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (device_id, nonce)
) WITHOUT ROWID;
CREATE INDEX request_nonces_by_expiry ON request_nonces (expires_ms);
