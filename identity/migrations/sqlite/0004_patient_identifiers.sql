-- Patients' identifiers (owned by command-api's patients module): the guard that makes health IDs
-- and national ID numbers unique nationwide, checked in the same statement that claims them, and the
-- key that finds probable duplicates at registration.
CREATE TABLE patient_identifiers (
    patient_id   TEXT  PRIMARY KEY,
    health_id    TEXT  NOT NULL UNIQUE,
    national_id  TEXT  UNIQUE,
    -- Names, date of birth and district, normalised: two records sharing it are probably one person.
    match_key    TEXT  NOT NULL
);

CREATE INDEX patient_identifiers_match ON patient_identifiers (match_key);
