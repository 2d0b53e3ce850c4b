-- What a message is about, for the part of the system that queued it (a reminder's patient, occasion
-- and channel: never an address or a text), and whether its outcome was recorded there. A reminder's
-- delivery or abandonment becomes a ledger event; a message settled but not yet recorded is found
-- again after a crash by the partial index, so no outcome is lost.

ALTER TABLE notification_outbox ADD COLUMN topic TEXT;
ALTER TABLE notification_outbox ADD COLUMN outcome_recorded_at TEXT;

CREATE INDEX notification_outbox_unrecorded ON notification_outbox (id)
    WHERE topic IS NOT NULL AND outcome_recorded_at IS NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL);
