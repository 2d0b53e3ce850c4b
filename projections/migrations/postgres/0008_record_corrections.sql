-- A record's entries are keyed by their ledger position, and the corrections of entries are kept in a
-- table of their own.
--
-- Before, the entries were keyed by their entry id, a random UUID, and a correction updated the
-- corrected row in place. Keeping that key up to date while a rebuild writes every entry again cost
-- a B-tree descent to a random leaf per entry, and each commit rewrote most of the key's leaves: more
-- than the entries themselves. Keyed by position, new entries only ever go at the end. Nothing reads
-- an entry by its id alone: a record is read by patient, and a correction names both the patient and
-- the entry, so it is found in its own small table, which a record's query joins.
--
-- The table is emptied and its projector replays from position 0, with the patient index set aside
-- as a reset sets it aside (see projections/src/indexes.rs): the first runner to catch up creates it,
-- once, from the finished table.

DELETE FROM projection_deferred_indexes WHERE table_name = 'rm_record_entries';

DROP TABLE rm_record_entries;

CREATE TABLE rm_record_entries (
    -- The ledger position: rows are written in its order.
    position           BIGINT  PRIMARY KEY,
    entry_id           TEXT    NOT NULL,
    patient_id         TEXT    NOT NULL,
    section            TEXT    NOT NULL,
    event_type         TEXT    NOT NULL,
    -- The entry this one amends, if it is an amendment.
    amends             TEXT,
    author_account_id  TEXT    NOT NULL,
    author_role        TEXT    NOT NULL,
    facility_id        TEXT,
    occurred_at        BIGINT  NOT NULL,
    recorded_at        BIGINT  NOT NULL,
    -- The event's payload, canonical JSON.
    details            TEXT    NOT NULL
);

-- How an entry was corrected, if it was: amended (by the entry named), entered in error, cancelled
-- or stopped, with why, when and by whom. An entry without a row here is current.
CREATE TABLE rm_record_corrections (
    patient_id         TEXT    NOT NULL,
    entry_id           TEXT    NOT NULL,
    -- amended | entered_in_error | cancelled | stopped
    status             TEXT    NOT NULL,
    amended_by         TEXT,
    correction_reason  TEXT    NOT NULL,
    corrected_at       BIGINT  NOT NULL,
    corrected_by       TEXT    NOT NULL,
    position           BIGINT  NOT NULL,
    PRIMARY KEY (patient_id, entry_id)
);

INSERT INTO projection_deferred_indexes (index_name, table_name, definition) VALUES
    ('rm_record_entries_patient', 'rm_record_entries',
     'CREATE INDEX rm_record_entries_patient ON rm_record_entries (patient_id, position)');

UPDATE projection_checkpoints SET position = 0 WHERE projector = 'records';
