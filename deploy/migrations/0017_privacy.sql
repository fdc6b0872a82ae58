-- 0017: personal data (issue 17, docs/privacy.md): who handles a case, when it
-- closed, when its contact details were erased, and the log of every read of
-- a reporter's name or phone in full.

-- Intake follows routing's events (progress.c): the unit a case's lead
-- dispatch went to (the department that calls the reporter, so intake shows
-- it the contact in full), when the case closed (retention counts from it;
-- NULL again when it is reopened), and when its contact details were erased.
ALTER TABLE cases ADD COLUMN lead_unit text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN closed_at timestamptz;
ALTER TABLE cases ADD COLUMN contact_erased_at timestamptz;
CREATE INDEX cases_retention ON cases (closed_at)
    WHERE closed_at IS NOT NULL AND contact_erased_at IS NULL;

-- Routing's copy of the reporter (routed_cases) is erased on the same rule.
ALTER TABLE routed_cases ADD COLUMN closed_at timestamptz;
ALTER TABLE routed_cases ADD COLUMN contact_erased_at timestamptz;
CREATE INDEX routed_cases_retention ON routed_cases (closed_at)
    WHERE closed_at IS NOT NULL AND contact_erased_at IS NULL;

-- One row for every answer that carried a reporter's or caller's name or
-- phone in full: who read (the actor the gateway or govctl proved: person,
-- unit, role), which request (type, message id, trace id), which service,
-- which cases or dispatches, and when. Append-only: no UPDATE, DELETE or
-- TRUNCATE (a trigger refuses them, whoever asks).
CREATE TABLE pii_reads (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    service    text NOT NULL,                 -- intake | routing
    person     text NOT NULL,                 -- actor id ('' a trusted process)
    unit       text NOT NULL,
    role       text NOT NULL,
    request    text NOT NULL,                 -- GetCase, ListCases, GetDispatch …
    message_id text NOT NULL,
    trace_id   text NOT NULL,
    subject    text NOT NULL CHECK (subject IN ('case', 'dispatch')),
    ids        bigint[] NOT NULL,              -- the cases or dispatches read in full
    case_ids   bigint[] NOT NULL               -- their cases (for a case: ids again)
);
CREATE INDEX pii_reads_at ON pii_reads (at);
CREATE INDEX pii_reads_person ON pii_reads (person, at);
CREATE INDEX pii_reads_cases ON pii_reads USING gin (case_ids);

CREATE FUNCTION pii_reads_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pii_reads is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER pii_reads_append_only BEFORE UPDATE OR DELETE ON pii_reads
    FOR EACH ROW EXECUTE FUNCTION pii_reads_append_only();
CREATE TRIGGER pii_reads_no_truncate BEFORE TRUNCATE ON pii_reads
    FOR EACH STATEMENT EXECUTE FUNCTION pii_reads_append_only();

-- Who may write and read the audit (migration 0016's roles): intake and
-- routing log their reads; intake answers the audit's readers.
GRANT INSERT ON pii_reads TO gov_intake, gov_routing;
GRANT SELECT ON pii_reads TO gov_intake;
SELECT gov_grant_sequences();
