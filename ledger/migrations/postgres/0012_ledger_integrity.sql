-- What a running node checks of the chain it builds on.
--
-- `ledger_verified` is the last point of the chain this database's ledger verified when it was
-- opened (hash, link and signature of every entry up to it): the next opening verifies only the entries
-- after it. No row yet means the ledger was never opened by a version that verifies, or its verified
-- point was withdrawn because its append-only guard was found lifted: the next opening then verifies
-- everything.
CREATE TABLE ledger_verified (
    id       SMALLINT PRIMARY KEY CHECK (id = 1),
    position BIGINT   NOT NULL,
    hash     BYTEA    NOT NULL
);

-- Why the projectors stopped, when they found an entry they must not fold (a broken hash or link, an
-- entry that does not decode): one row while the alarm stands, none otherwise. Operators see it in
-- `cloudmedi projections status` and load balancers in `GET /ready`.
CREATE TABLE projection_alarm (
    id        SMALLINT PRIMARY KEY CHECK (id = 1),
    position  BIGINT   NOT NULL,
    reason    TEXT     NOT NULL,
    raised_at BIGINT   NOT NULL   -- Unix microseconds
);
