-- The auditors' index of the ledger keeps only what they filter and list by. The entry's hash, its
-- payload's digest and field names, and the record entry it concerns are read from the ledger row
-- itself when a page is listed: the ledger already holds them, and copying them into every index row
-- made the table twice as wide, which every rebuild paid for in writing it and in sorting it for
-- each of its indexes. The table is emptied and its projector replays from position 0, with the
-- table's secondary indexes set aside as a reset sets them aside (see projections/src/indexes.rs): the
-- first runner to catch up creates them, once, from the finished table.

DELETE FROM projection_deferred_indexes WHERE table_name = 'rm_ledger_index';

DROP TABLE rm_ledger_index;

CREATE TABLE rm_ledger_index (
    position           BIGINT  PRIMARY KEY,
    stream_id          TEXT    NOT NULL,
    stream_version     BIGINT  NOT NULL,
    event_type         TEXT    NOT NULL,
    actor_account_id   TEXT    NOT NULL,
    actor_role         TEXT    NOT NULL,
    actor_facility_id  TEXT,
    occurred_at        BIGINT  NOT NULL,
    recorded_at        BIGINT  NOT NULL,
    -- The patient the entry concerns (their record or their access log), if any.
    patient_id         TEXT
);

INSERT INTO projection_deferred_indexes (index_name, table_name, definition) VALUES
    ('rm_ledger_index_stream', 'rm_ledger_index',
     'CREATE INDEX rm_ledger_index_stream ON rm_ledger_index (stream_id, position)'),
    ('rm_ledger_index_type', 'rm_ledger_index',
     'CREATE INDEX rm_ledger_index_type ON rm_ledger_index (event_type, position)'),
    ('rm_ledger_index_actor', 'rm_ledger_index',
     'CREATE INDEX rm_ledger_index_actor ON rm_ledger_index (actor_account_id, position)'),
    ('rm_ledger_index_recorded', 'rm_ledger_index',
     'CREATE INDEX rm_ledger_index_recorded ON rm_ledger_index (recorded_at)'),
    ('rm_ledger_index_patient', 'rm_ledger_index',
     'CREATE INDEX rm_ledger_index_patient ON rm_ledger_index (patient_id, position)');

UPDATE projection_checkpoints SET position = 0 WHERE projector = 'ledger_index';
