-- The read models (owned by the projections crate): tables that projectors derive from the ledger and
-- may drop and rebuild at any time. Each projector moves its checkpoint in the same transaction as its
-- rows. The same text runs on both backends; ids are TEXT and instants BIGINT microseconds since the
-- Unix epoch, as elsewhere.

CREATE TABLE projection_checkpoints (
    projector  TEXT    PRIMARY KEY,
    position   BIGINT  NOT NULL
);

-- Directory: facilities and staff, to name the people and places that appear in records and logs.
CREATE TABLE rm_facilities (
    facility_id      TEXT    PRIMARY KEY,
    name             TEXT    NOT NULL,
    region           TEXT    NOT NULL,
    health_district  TEXT    NOT NULL,
    position         BIGINT  NOT NULL
);

CREATE TABLE rm_staff (
    account_id   TEXT    PRIMARY KEY,
    role         TEXT    NOT NULL,
    facility_id  TEXT,
    family_name  TEXT    NOT NULL,
    given_names  TEXT    NOT NULL,
    suspended    BIGINT  NOT NULL,
    position     BIGINT  NOT NULL
);

-- Patients: demographics, and the keys staff search them by.
CREATE TABLE rm_patients (
    patient_id              TEXT    PRIMARY KEY,
    health_id               TEXT    NOT NULL,
    national_id             TEXT,
    family_name             TEXT    NOT NULL,
    given_names             TEXT    NOT NULL,
    -- Family name folded to lower-case ASCII letters, for search.
    family_key              TEXT    NOT NULL,
    sex                     TEXT    NOT NULL,
    birth_date              TEXT    NOT NULL,
    birth_date_estimated    BIGINT  NOT NULL,
    region                  TEXT    NOT NULL,
    health_district         TEXT    NOT NULL,
    registered_at_facility  TEXT    NOT NULL,
    registered_at           BIGINT  NOT NULL,
    merged_into             TEXT,
    position                BIGINT  NOT NULL
);

CREATE INDEX rm_patients_health_id ON rm_patients (health_id);
CREATE INDEX rm_patients_national_id ON rm_patients (national_id);
CREATE INDEX rm_patients_family_birth ON rm_patients (family_key, birth_date);

-- Every entry of every patient's record, current or not: a correction marks the entry it corrects
-- and names the entry or event that did.
CREATE TABLE rm_record_entries (
    entry_id           TEXT    PRIMARY KEY,
    patient_id         TEXT    NOT NULL,
    section            TEXT    NOT NULL,
    event_type         TEXT    NOT NULL,
    -- current | amended | entered_in_error | cancelled | stopped
    status             TEXT    NOT NULL,
    amends             TEXT,
    amended_by         TEXT,
    -- Why the entry was amended, withdrawn, cancelled or stopped, and when and by whom.
    correction_reason  TEXT,
    corrected_at       BIGINT,
    corrected_by       TEXT,
    author_account_id  TEXT    NOT NULL,
    author_role        TEXT    NOT NULL,
    facility_id        TEXT,
    occurred_at        BIGINT  NOT NULL,
    recorded_at        BIGINT  NOT NULL,
    position           BIGINT  NOT NULL,
    -- The event's payload, canonical JSON.
    details            TEXT    NOT NULL
);

CREATE INDEX rm_record_entries_patient ON rm_record_entries (patient_id, position);

CREATE TABLE rm_appointments (
    entry_id         TEXT    PRIMARY KEY,
    patient_id       TEXT    NOT NULL,
    facility_id      TEXT    NOT NULL,
    practitioner_id  TEXT,
    starts_at        BIGINT  NOT NULL,
    reason           TEXT    NOT NULL,
    -- booked | cancelled | attended | missed
    status           TEXT    NOT NULL,
    position         BIGINT  NOT NULL
);

CREATE INDEX rm_appointments_patient ON rm_appointments (patient_id, starts_at);
CREATE INDEX rm_appointments_facility ON rm_appointments (facility_id, starts_at);
CREATE INDEX rm_appointments_practitioner ON rm_appointments (practitioner_id, starts_at);

-- Care relationships, as the access policy needs them: a facility where the patient is registered or
-- was seen, one they were referred to, one they granted access (until a day, or until revoked), and a
-- practitioner's break-the-glass access (until an instant).
CREATE TABLE rm_care (
    patient_id   TEXT    NOT NULL,
    facility_id  TEXT    NOT NULL,
    -- seen | referred | consent | break_glass
    basis        TEXT    NOT NULL,
    -- The practitioner, for break-the-glass; empty otherwise.
    account_id   TEXT    NOT NULL,
    until_day    TEXT,
    expires_at   BIGINT,
    reason       TEXT,
    opened_at    BIGINT  NOT NULL,
    position     BIGINT  NOT NULL,
    PRIMARY KEY (patient_id, facility_id, basis, account_id)
);

CREATE INDEX rm_care_break_glass ON rm_care (facility_id, basis, opened_at);

-- Every ledger entry's metadata, for auditors to browse and to trace a record's changes: never a
-- payload, only its digest and field names.
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
    hash               TEXT    NOT NULL,
    payload_digest     TEXT    NOT NULL,
    payload_fields     TEXT    NOT NULL,
    -- The patient the entry concerns (their record or their access log), if any.
    patient_id         TEXT,
    entry_id           TEXT
);

CREATE INDEX rm_ledger_index_stream ON rm_ledger_index (stream_id, position);
CREATE INDEX rm_ledger_index_type ON rm_ledger_index (event_type, position);
CREATE INDEX rm_ledger_index_actor ON rm_ledger_index (actor_account_id, position);
CREATE INDEX rm_ledger_index_recorded ON rm_ledger_index (recorded_at);
CREATE INDEX rm_ledger_index_patient ON rm_ledger_index (patient_id, position);

-- Who read a patient's record: one row per recorded read.
CREATE TABLE rm_access_log (
    position           BIGINT  PRIMARY KEY,
    patient_id         TEXT    NOT NULL,
    reader_account_id  TEXT    NOT NULL,
    reader_role        TEXT    NOT NULL,
    facility_id        TEXT,
    read_at            BIGINT  NOT NULL,
    basis              TEXT    NOT NULL,
    parts              TEXT    NOT NULL
);

CREATE INDEX rm_access_log_patient ON rm_access_log (patient_id, position);
