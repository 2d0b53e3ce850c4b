-- What reminders can be about (owned by projections::projectors::reminders): each patient's contacts,
-- state and choices; the subjects of their reminders (doses not given, appointments booked or missed,
-- results recorded) with the moment that decides when each reminder goes; and the reminders decided.
--
-- The projector is new, so it starts from position 0 like any projector without a checkpoint.

CREATE TABLE rm_reminder_patients (
    patient_id      TEXT    PRIMARY KEY,
    -- The first given name, which a reminder greets the patient (or names the child) by.
    given_names     TEXT    NOT NULL,
    birth_date      TEXT    NOT NULL,
    region          TEXT    NOT NULL,
    -- The facility of registration, whose region sets the default language.
    facility_id     TEXT    NOT NULL,
    phone           TEXT,
    email           TEXT,
    -- The next of kin's phone: a child's guardian.
    guardian_phone  TEXT,
    -- 'active', 'deceased' or 'merged': reminders go to active patients only.
    state           TEXT    NOT NULL,
    -- The patient's choices; NULL for the default.
    language        TEXT,
    channel         TEXT,
    -- The kinds opted out of, comma-separated ('' for none).
    opted_out       TEXT    NOT NULL,
    position        BIGINT  NOT NULL
);

CREATE TABLE rm_reminder_subjects (
    -- '<kind>:<patient id>:<subject>'.
    subject_key     TEXT    PRIMARY KEY,
    patient_id      TEXT    NOT NULL,
    -- 'dose', 'appointment', 'missed' or 'result'.
    kind            TEXT    NOT NULL,
    -- '<antigen>/<dose number>' for a dose, the entry id otherwise.
    subject         TEXT    NOT NULL,
    -- The moment the reminders are about, in microseconds: the first instant of a dose's due day in
    -- Cameroon, an appointment's start, when it was recorded missed or the result recorded.
    about           BIGINT  NOT NULL,
    -- The appointment's facility.
    facility_id     TEXT,
    -- How many current entries record the dose as given.
    given           BIGINT  NOT NULL,
    -- 0 once cancelled, attended or withdrawn.
    open            BIGINT  NOT NULL,
    position        BIGINT  NOT NULL
);

CREATE INDEX rm_reminder_subjects_due ON rm_reminder_subjects (kind, about);
CREATE INDEX rm_reminder_subjects_patient ON rm_reminder_subjects (patient_id);

-- One row per subject of a reminder: one message tells of every dose due the same day.
CREATE TABLE rm_reminder_decisions (
    reminder_id     TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    patient_id      TEXT    NOT NULL,
    occasion        TEXT    NOT NULL,
    about           BIGINT  NOT NULL,
    channel         TEXT,
    -- 'queued', 'delivered' or 'undeliverable'.
    outcome         TEXT    NOT NULL,
    position        BIGINT  NOT NULL,
    PRIMARY KEY (reminder_id, subject)
);

-- What the scheduler looks a decision up by.
CREATE INDEX rm_reminder_decisions_subject ON rm_reminder_decisions (patient_id, subject, occasion, about);
