-- Identity (owned by command-api's identity module): accounts and their credentials, second factors,
-- login throttling, pending second-factor challenges and sessions. These tables hold secrets and
-- working state; what happens to accounts (issued, activated, logged in, locked out, suspended) is
-- recorded as signed events in the ledger, without any of these secrets.
--
-- Column types are the same on both backends (ids as UUID text, instants as Unix microseconds), so
-- one SQL text serves both; nothing here is on a hot path that native types would speed up.
-- Secrets are stored only as hashes (passwords: Argon2id PHC strings; tokens and codes: SHA-256,
-- hex), except the TOTP secret, which the server must read back to compute codes.

CREATE TABLE accounts (
    id                    TEXT    PRIMARY KEY,
    -- Upper-cased: a patient's health ID, or the professional ID a facility assigned.
    login                 TEXT    NOT NULL UNIQUE,
    -- A patient may also log in with their national ID card number.
    national_id           TEXT    UNIQUE,
    role                  TEXT    NOT NULL,
    facility_id           TEXT,
    patient_id            TEXT    UNIQUE,
    family_name           TEXT    NOT NULL,
    given_names           TEXT    NOT NULL,
    -- issued (waiting for activation), active, suspended.
    status                TEXT    NOT NULL,
    -- The version of the account's staff stream the status reflects: a suspension and a
    -- reinstatement racing each other leave the status of the later event, whatever order their
    -- writes land in.
    status_version        BIGINT  NOT NULL DEFAULT 0,
    password_hash         TEXT,
    activation_code_hash  TEXT,
    activation_expires_at BIGINT,
    phone                 TEXT,
    email                 TEXT,
    -- Where one-time login codes go (sms, email), or NULL when the account has none.
    otp_channel           TEXT,
    totp_secret           TEXT,
    -- A secret shown for enrolment, active only once a code made with it is confirmed.
    totp_pending_secret   TEXT,
    -- The last TOTP time step accepted, so that no code is accepted twice.
    totp_last_step        BIGINT,
    created_at            BIGINT  NOT NULL
);

CREATE INDEX accounts_facility ON accounts (facility_id);

CREATE TABLE recovery_codes (
    account_id  TEXT   NOT NULL REFERENCES accounts (id),
    code_hash   TEXT   NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Failures per login identifier, whether or not an account has it, so that lockouts say nothing about
-- which accounts exist. Keyed by the SHA-256 of the identifier as typed and normalised.
CREATE TABLE login_throttle (
    identifier_hash  TEXT    PRIMARY KEY,
    failures         INTEGER NOT NULL,
    last_failure_at  BIGINT  NOT NULL,
    locked_until     BIGINT
);

-- A login that passed its password and waits for a second factor.
CREATE TABLE login_challenges (
    id           TEXT    PRIMARY KEY,
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    -- The one-time code sent for this challenge (SHA-256), and how it was sent.
    code_hash    TEXT,
    code_method  TEXT,
    expires_at   BIGINT  NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    consumed_at  BIGINT
);

CREATE TABLE sessions (
    id                  TEXT    PRIMARY KEY,
    account_id          TEXT    NOT NULL REFERENCES accounts (id),
    access_hash         TEXT    NOT NULL UNIQUE,
    access_expires_at   BIGINT  NOT NULL,
    refresh_hash        TEXT    NOT NULL UNIQUE,
    refresh_expires_at  BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    revoked_at          BIGINT
);

CREATE INDEX sessions_account ON sessions (account_id);

-- Refresh tokens already exchanged: presenting one again means it leaked, and ends its session.
CREATE TABLE spent_refresh_tokens (
    token_hash  TEXT    PRIMARY KEY,
    session_id  TEXT    NOT NULL REFERENCES sessions (id),
    spent_at    BIGINT  NOT NULL
);
