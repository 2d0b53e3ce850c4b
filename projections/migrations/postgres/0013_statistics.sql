-- Public-health statistics: counts per cell, never a row per person (projections/src/projectors/
-- statistics). Every key column is NOT NULL, an unknown value stored as '' (a null in a key would
-- make each row a cell of its own), and `n`, the count, is never zero: a cell whose count comes back to
-- zero is removed. Days are `YYYY-MM-DD` in Cameroon, weeks ISO 8601 (`2026-W05`), months `YYYY-MM`.

CREATE TABLE st_registrations (
    birth_month  TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    sex          TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (birth_month, region, district, sex)
);

CREATE TABLE st_cohort_doses (
    birth_month  TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    sex          TEXT    NOT NULL,
    antigen      TEXT    NOT NULL,
    dose_number  BIGINT  NOT NULL,
    given_month  TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (birth_month, region, district, sex, antigen, dose_number, given_month)
);

CREATE TABLE st_doses (
    day          TEXT    NOT NULL,
    week         TEXT    NOT NULL,
    facility_id  TEXT    NOT NULL,
    antigen      TEXT    NOT NULL,
    dose_number  BIGINT  NOT NULL,
    sex          TEXT    NOT NULL,
    age_band     TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (day, facility_id, antigen, dose_number, sex, age_band)
);

CREATE TABLE st_diagnoses (
    day          TEXT    NOT NULL,
    week         TEXT    NOT NULL,
    facility_id  TEXT    NOT NULL,
    icd10        TEXT    NOT NULL,
    sex          TEXT    NOT NULL,
    age_band     TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (day, facility_id, icd10, sex, age_band)
);

-- A district's epidemic curve reads its facilities' diagnoses over a range of weeks.
CREATE INDEX st_diagnoses_facility ON st_diagnoses (facility_id, day);

CREATE TABLE st_encounters (
    day          TEXT    NOT NULL,
    week         TEXT    NOT NULL,
    facility_id  TEXT    NOT NULL,
    sex          TEXT    NOT NULL,
    age_band     TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (day, facility_id, sex, age_band)
);

CREATE TABLE st_referrals (
    day               TEXT    NOT NULL,
    week              TEXT    NOT NULL,
    kind              TEXT    NOT NULL,
    from_facility_id  TEXT    NOT NULL,
    to_facility_id    TEXT    NOT NULL,
    n                 BIGINT  NOT NULL,
    PRIMARY KEY (day, kind, from_facility_id, to_facility_id)
);

CREATE TABLE st_deaths (
    day          TEXT    NOT NULL,
    week         TEXT    NOT NULL,
    region       TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    cause        TEXT    NOT NULL,
    sex          TEXT    NOT NULL,
    age_band     TEXT    NOT NULL,
    place        TEXT    NOT NULL,
    n            BIGINT  NOT NULL,
    PRIMARY KEY (day, region, district, cause, sex, age_band, place)
);
