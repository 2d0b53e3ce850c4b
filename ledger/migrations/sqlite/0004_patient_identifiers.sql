-- Patients' identifiers (owned by command-api's patients module): the guard that makes health IDs
-- and national ID numbers unique nationwide, checked in the same statement that claims them.
CREATE TABLE patient_identifiers (
    patient_id   TEXT  PRIMARY KEY,
    health_id    TEXT  NOT NULL UNIQUE,
    national_id  TEXT  UNIQUE
);
