-- The notification outbox (owned by ledger::outbox): messages to people (second-factor codes,
-- reminders) written in the same database as the events that caused them, then delivered by a
-- dispatcher through pluggable channels. A dispatcher claims a message by stamping it with a claim
-- id and pushing `not_before` a lease ahead; it may record the outcome only while it holds that claim. A message's body is erased once delivered, so codes and
-- medical reminders do not stay at rest.

CREATE TABLE notification_outbox (
    id          UUID        PRIMARY KEY,
    channel     TEXT        NOT NULL,
    recipient   TEXT        NOT NULL,
    subject     TEXT,
    body        TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    not_before  TIMESTAMPTZ NOT NULL,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    claim_id    UUID,
    last_error  TEXT,
    sent_at     TIMESTAMPTZ,
    failed_at   TIMESTAMPTZ
);

CREATE INDEX notification_outbox_due ON notification_outbox (not_before) WHERE sent_at IS NULL AND failed_at IS NULL;
