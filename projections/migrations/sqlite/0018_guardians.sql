-- Guardianships are rows of rm_care (basis 'guardian', the guardian's record in account_id): a
-- guardian's portal lists the minors in their charge by this index.
CREATE INDEX rm_care_guardian ON rm_care (account_id, basis);
