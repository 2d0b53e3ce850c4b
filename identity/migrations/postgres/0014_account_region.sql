-- The region a health authority analyst of a regional delegation is limited to (its code in the
-- regions' reference data); NULL for every other account, national analysts included.
ALTER TABLE accounts ADD COLUMN region TEXT;
