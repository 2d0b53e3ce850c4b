-- The request each `Idempotency-Key` was first used for, per account, so that the same key sent again
-- with anything different (another patient, another route, another body) is refused rather than taken
-- for a retry. The key is stored as its SHA-256: it is text the client chose. The fingerprint is the
-- SHA-256 of the request's canonical form (method, route, path parameters, body as RFC 8785 JSON).
-- Rows are kept as long as the ledger keeps the commands they name.
CREATE TABLE idempotency_keys (
    account_id   TEXT    NOT NULL,
    key_hash     TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    PRIMARY KEY (account_id, key_hash)
);
