-- 0006: intake's hot path made cheaper (docs/intake.md, "Speed").

-- A caller and an idempotency record are only ever written by the transaction
-- that creates or updates their case (submit.c), and no service deletes cases,
-- so these two checks could never fail; each cost a row lock on the case and
-- an index probe per submission.
ALTER TABLE case_callers DROP CONSTRAINT case_callers_case_id_fkey;
ALTER TABLE intake_requests DROP CONSTRAINT intake_requests_case_id_fkey;

-- The merge probe asks for the open cases of a category inside a lon/lat box
-- that holds the merge circle, and intake measures the distances on the
-- spheroid itself. A btree on (category hash, lat, lon) answers that with one
-- short range scan — the lon bound is checked on the index entries, so only
-- the cases inside the box are read — which is several times cheaper than
-- the geodetic GiST probe it replaces.
CREATE INDEX cases_open_point ON cases
    ((hashtext(category_code)), (ST_Y(location::geometry)), (ST_X(location::geometry)))
    WHERE status IN ('open', 'dispatched');
DROP INDEX cases_open_location;

-- Idempotency keys are compared for equality only: byte order ("C") makes
-- every probe and insert of this index a memcmp instead of a locale-aware
-- comparison. Equality is the same under any deterministic collation.
ALTER TABLE intake_requests ALTER COLUMN key TYPE text COLLATE "C";

-- Intake places points on its own copy of the map (areas are reference data).
-- Every change to areas bumps this number; intake reads it in each batch's
-- lookup and reloads its copy, in the same transaction, when it moved.
CREATE TABLE areas_version (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO areas_version VALUES (true, 1);
CREATE FUNCTION areas_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE areas_version SET version = version + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER areas_bump_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON areas
    FOR EACH STATEMENT EXECUTE FUNCTION areas_bump_version();
