-- Secondary indexes of the read models, set aside while a rebuild rewrites their tables and recreated
-- from these definitions once it has caught up (owned by the projections crate).

CREATE TABLE projection_deferred_indexes (
    index_name  TEXT  PRIMARY KEY,
    table_name  TEXT  NOT NULL,
    -- The statement that recreates the index, as the database itself reported it.
    definition  TEXT  NOT NULL
);
