-- The ledger: one append-only table of entries, and a one-row head that every appending transaction
-- locks (SELECT ... FOR UPDATE), so positions are assigned gap-free and in commit order even when several
-- processes append to one database.

CREATE TABLE ledger_entries (
    position          BIGINT      PRIMARY KEY,       -- gap-free, 1-based, commit order
    event_id          UUID        NOT NULL UNIQUE,
    stream_id         TEXT        NOT NULL,
    stream_version    BIGINT      NOT NULL,
    event_type        TEXT        NOT NULL,
    schema_version    INTEGER     NOT NULL,
    occurred_at       TIMESTAMPTZ NOT NULL,          -- microsecond precision, as in the envelope
    recorded_at       TIMESTAMPTZ NOT NULL,
    actor_account_id  UUID        NOT NULL,
    actor_role        TEXT        NOT NULL,
    actor_facility_id UUID,
    command_id        UUID        NOT NULL,
    correlation_id    UUID        NOT NULL,
    causation_id      UUID,
    payload           TEXT        NOT NULL,          -- RFC 8785 canonical JSON, kept byte for byte
    prev_hash         BYTEA       NOT NULL,
    key_id            TEXT        NOT NULL,
    hash              BYTEA       NOT NULL,
    signature         BYTEA       NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX ledger_entries_by_command ON ledger_entries (command_id);

CREATE TABLE ledger_head (
    id       SMALLINT PRIMARY KEY CHECK (id = 1),
    position BIGINT   NOT NULL,
    hash     BYTEA    NOT NULL
);

INSERT INTO ledger_head (id, position, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Tamper evidence starts with refusing to change the past: the log takes INSERTs only.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
