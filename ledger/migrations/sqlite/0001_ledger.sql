-- The ledger: one append-only table of entries, and a one-row head that the appending transaction
-- takes to serialise appends (SQLite has a single writer anyway; the row keeps both backends alike).

CREATE TABLE ledger_entries (
    position          INTEGER PRIMARY KEY,           -- gap-free, 1-based, commit order
    event_id          TEXT    NOT NULL UNIQUE,
    stream_id         TEXT    NOT NULL,
    stream_version    INTEGER NOT NULL,
    event_type        TEXT    NOT NULL,
    schema_version    INTEGER NOT NULL,
    occurred_at       TEXT    NOT NULL,              -- YYYY-MM-DDTHH:MM:SS.ffffffZ
    recorded_at       TEXT    NOT NULL,
    actor_account_id  TEXT    NOT NULL,
    actor_role        TEXT    NOT NULL,
    actor_facility_id TEXT,
    command_id        TEXT    NOT NULL,
    correlation_id    TEXT    NOT NULL,
    causation_id      TEXT,
    payload           TEXT    NOT NULL,              -- RFC 8785 canonical JSON
    prev_hash         BLOB    NOT NULL,
    key_id            TEXT    NOT NULL,
    hash              BLOB    NOT NULL,
    signature         BLOB    NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX ledger_entries_by_command ON ledger_entries (command_id);

CREATE TABLE ledger_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    hash     BLOB    NOT NULL
);

INSERT INTO ledger_head (id, position, hash) VALUES (1, 0, zeroblob(32));

-- Tamper evidence starts with refusing to change the past: the log takes INSERTs only.
CREATE TRIGGER ledger_entries_refuse_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: UPDATE on ledger_entries is refused');
END;

CREATE TRIGGER ledger_entries_refuse_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only: DELETE on ledger_entries is refused');
END;
