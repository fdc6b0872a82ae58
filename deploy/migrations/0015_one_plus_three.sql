-- 0015: the "1+3" bodies (seed 000), the standing 村务商议团 (seed 002), and
-- objections, flags and dissatisfaction followed up (docs/deliberation.md).
--
-- 社区党委 leads and accepts (受理); the residents' (representative) meeting
-- decides; the residents' committee (居委会, kind 'community') executes; the
-- supervision committee (监督委员会, kind 'supervision') flags and rates.
-- The kind is added to whatever kinds the constraint lists when this runs
-- (other migrations add kinds too), so none is lost whatever their order.
DO $$
DECLARE
    kinds text;
BEGIN
    SELECT string_agg(DISTINCT quote_literal(k), ', ') INTO kinds
    FROM (SELECT (regexp_matches(pg_get_constraintdef(c.oid), '''([a-z_]+)''', 'g'))[1] AS k
          FROM pg_constraint c
          WHERE c.conrelid = 'units'::regclass AND c.conname = 'units_kind_check'
          UNION ALL SELECT 'party_committee') s;
    ALTER TABLE units DROP CONSTRAINT units_kind_check;
    EXECUTE format('ALTER TABLE units ADD CONSTRAINT units_kind_check CHECK (kind IN (%s))', kinds);
END
$$;

-- A matter decided by the standing council waits for the 两委 joint review
-- (reviewing); a dissatisfied majority in 评事 sends it back to acting once
-- (reopened), and its evaluations and the supervision's rating are per round.
ALTER TABLE matters DROP CONSTRAINT matters_step_check;
ALTER TABLE matters ADD CONSTRAINT matters_step_check
    CHECK (step IN ('proposed', 'declined', 'discussing', 'discussed', 'convened', 'reviewing',
                    'decided', 'rejected', 'undecided', 'published', 'approved', 'acting',
                    'evaluating', 'closed'));
ALTER TABLE matters ADD COLUMN round int NOT NULL DEFAULT 1 CHECK (round IN (1, 2));
ALTER TABLE matters ADD COLUMN reopened boolean NOT NULL DEFAULT false;
-- What the 公示 published: passed | rejected (a council's matter can pass its
-- meeting and be rejected by the 两委 review).
ALTER TABLE matters ADD COLUMN decision text CHECK (decision IN ('passed', 'rejected'));
UPDATE matters m SET decision = r.body::json->>'decision'
FROM matter_records r WHERE r.matter_id = m.id AND r.kind = 'published';

-- An election: a meeting of the representatives whose motion is a slate of
-- 7 to 9 representatives for a term (seed 002: 由村民代表会议民主投票选举7至9个
-- 村民代表作为成员). Passed, it makes the standing council.
ALTER TABLE meetings ADD COLUMN elect text[] NOT NULL DEFAULT '{}';
ALTER TABLE meetings ADD COLUMN term_months int CHECK (term_months BETWEEN 1 AND 60);

-- The standing council (村务商议团) of a community, in office from its
-- election to the end of its term or the next election.
CREATE TABLE councils (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id  bigint NOT NULL REFERENCES areas (id),
    meeting_id    bigint REFERENCES meetings (id),    -- the election; NULL for loaded data
    term_from_ms  bigint NOT NULL,
    term_until_ms bigint NOT NULL,
    CHECK (term_until_ms > term_from_ms)
);
CREATE INDEX councils_community ON councils (community_id, term_until_ms);

CREATE TABLE council_members (
    council_id bigint NOT NULL REFERENCES councils (id),
    person_id  bigint NOT NULL REFERENCES people (id),
    PRIMARY KEY (council_id, person_id)
);

-- The 两委 joint review (两委联席审议) of what the council agreed: the party
-- committee and the residents' committee each record theirs.
CREATE TABLE matter_reviews (
    matter_id bigint NOT NULL REFERENCES matters (id),
    unit_kind text NOT NULL CHECK (unit_kind IN ('party_committee', 'community')),
    approve   boolean NOT NULL,
    text      text NOT NULL,
    person_id bigint NOT NULL REFERENCES people (id),
    at_ms     bigint NOT NULL,
    PRIMARY KEY (matter_id, unit_kind)
);

-- A step the supervision committee flags as irregular (监督评判权): the record
-- it names, the body that owns that step and must answer, and the answer.
-- While a flag is unanswered the matter takes no further step.
CREATE TABLE matter_flags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id   bigint NOT NULL REFERENCES matters (id),
    record_n    int NOT NULL,
    record_kind text NOT NULL,
    owner_kind  text NOT NULL CHECK (owner_kind IN ('party_committee', 'community')),
    text        text NOT NULL,
    person_id   bigint NOT NULL REFERENCES people (id),
    at_ms       bigint NOT NULL,
    answer      text,
    answered_by bigint REFERENCES people (id),
    answered_ms bigint,
    FOREIGN KEY (matter_id, record_n) REFERENCES matter_records (matter_id, n)
);
CREATE INDEX matter_flags_open ON matter_flags (matter_id) WHERE answered_ms IS NULL;

-- An objection during the 公示 is answered by the body that owns the decision;
-- an unanswered one holds the decision.
ALTER TABLE matter_objections ADD COLUMN answer text;
ALTER TABLE matter_objections ADD COLUMN answered_by bigint REFERENCES people (id);
ALTER TABLE matter_objections ADD COLUMN answered_ms bigint;

-- Evaluations per round: a reopened matter is evaluated anew.
ALTER TABLE matter_evaluations ADD COLUMN round int NOT NULL DEFAULT 1;
ALTER TABLE matter_evaluations DROP CONSTRAINT matter_evaluations_pkey;
ALTER TABLE matter_evaluations ADD PRIMARY KEY (matter_id, person_id, round);

-- The supervision committee's rating of the execution, once per round.
CREATE TABLE matter_execution_ratings (
    matter_id bigint NOT NULL REFERENCES matters (id),
    round     int NOT NULL,
    rating    text NOT NULL CHECK (rating IN ('satisfied', 'basic', 'dissatisfied')),
    text      text NOT NULL,
    person_id bigint NOT NULL REFERENCES people (id),
    at_ms     bigint NOT NULL,
    PRIMARY KEY (matter_id, round)
);
