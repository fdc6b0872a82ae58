-- 0005: 由民做主 — residents propose, the grid discusses, the meeting decides,
-- the committee acts, residents evaluate, the supervision committee watches.
-- Times are the deliberation service's clock (ms since the epoch).

-- Who lives where. A household is in one grid and one residents' group
-- (居民小组); a resident is a person of one household.
CREATE TABLE households (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL UNIQUE,
    grid_id    bigint NOT NULL REFERENCES areas (id),
    group_code text NOT NULL             -- the residents' group, e.g. demo.s1.c1.grp3
);
CREATE INDEX households_grid ON households (grid_id);

CREATE TABLE residents (
    person_id      bigint PRIMARY KEY REFERENCES people (id),
    household_id   bigint NOT NULL REFERENCES households (id),
    adult          boolean NOT NULL DEFAULT true,    -- 18 or older
    household_rep  boolean NOT NULL DEFAULT false,   -- 户的代表
    representative boolean NOT NULL DEFAULT false    -- 居民代表
);
CREATE INDEX residents_household ON residents (household_id);
CREATE UNIQUE INDEX residents_one_rep ON residents (household_id) WHERE household_rep;

-- The supervision committee (监督委员会) is a unit of its own.
ALTER TABLE units DROP CONSTRAINT units_kind_check;
ALTER TABLE units ADD CONSTRAINT units_kind_check
    CHECK (kind IN ('grid_team', 'community', 'street_office', 'department', 'dispatch_centre',
                    'leadership', 'supervision'));

-- Rules per community. A rule is "(>|>=)N/D" of a whole: '>1/2' is more than
-- half, '>=2/3' at least two thirds. Defaults: 城市居民委员会组织法 (2018) art. 10
-- for the trigger (one fifth of adult residents or of households, or one third
-- of residents' groups), art. 9 for the meeting (more than half attend, more
-- than half of those present agree), and common practice for representative
-- meetings (two thirds attend). Every community may set its own.
CREATE TABLE deliberation_rules (
    community_id           bigint PRIMARY KEY REFERENCES areas (id),
    trigger_residents      text NOT NULL DEFAULT '>=1/5',
    trigger_households     text NOT NULL DEFAULT '>=1/5',
    trigger_groups         text NOT NULL DEFAULT '>=1/3',
    quorum_residents       text NOT NULL DEFAULT '>1/2',
    quorum_households      text NOT NULL DEFAULT '>1/2',
    quorum_representatives text NOT NULL DEFAULT '>=2/3',
    quorum_council         text NOT NULL DEFAULT '>=2/3',
    majority               text NOT NULL DEFAULT '>1/2',
    -- durations in minutes (10080 = 7 days)
    notice_minutes         int NOT NULL DEFAULT 10080 CHECK (notice_minutes >= 0),
    opinion_minutes        int NOT NULL DEFAULT 10080 CHECK (opinion_minutes > 0),
    publish_minutes        int NOT NULL DEFAULT 10080 CHECK (publish_minutes > 0),
    evaluate_minutes       int NOT NULL DEFAULT 10080 CHECK (evaluate_minutes > 0),
    CHECK (trigger_residents ~ '^>=?[0-9]+/[1-9][0-9]*$' AND trigger_households ~ '^>=?[0-9]+/[1-9][0-9]*$'
       AND trigger_groups ~ '^>=?[0-9]+/[1-9][0-9]*$' AND quorum_residents ~ '^>=?[0-9]+/[1-9][0-9]*$'
       AND quorum_households ~ '^>=?[0-9]+/[1-9][0-9]*$'
       AND quorum_representatives ~ '^>=?[0-9]+/[1-9][0-9]*$'
       AND quorum_council ~ '^>=?[0-9]+/[1-9][0-9]*$' AND majority ~ '^>=?[0-9]+/[1-9][0-9]*$')
);

-- A matter and the step it is in:
-- proposed → accepted (discussing) → discussed → convened → decided | rejected |
-- undecided (no quorum: convene again) → published → approved (notice over) →
-- acting → evaluating → closed; or proposed → declined.
CREATE TABLE matters (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope            text NOT NULL CHECK (scope IN ('grid', 'community')),
    area_id          bigint NOT NULL REFERENCES areas (id),   -- the grid or the community
    community_id     bigint NOT NULL REFERENCES areas (id),
    title            text NOT NULL,
    body             text NOT NULL,
    attachments      text[] NOT NULL DEFAULT '{}',
    proposer         text NOT NULL,                            -- person code
    step             text NOT NULL DEFAULT 'proposed',
    convene_required boolean NOT NULL DEFAULT false,           -- the statutory trigger was reached
    decline_reason   text,
    window_until_ms  bigint,                                   -- opinions / 公示 / evaluation end
    decision_head    text,                                     -- chain head printed on the 公示
    records          int NOT NULL DEFAULT 0,
    head_hash        text NOT NULL DEFAULT repeat('0', 64),
    created_ms       bigint NOT NULL,
    CHECK (step IN ('proposed', 'declined', 'discussing', 'discussed', 'convened', 'decided',
                    'rejected', 'undecided', 'published', 'approved', 'acting', 'evaluating',
                    'closed'))
);
CREATE INDEX matters_community ON matters (community_id, id);

-- The record: every step of a matter, chained. hash = SHA-256 of the
-- canonical form (see services/deliberation/chain.c), which includes the
-- previous record's hash. Nothing here is ever updated or deleted.
CREATE TABLE matter_records (
    matter_id bigint NOT NULL REFERENCES matters (id),
    n         int NOT NULL,
    kind      text NOT NULL,
    actor     text NOT NULL,
    at_ms     bigint NOT NULL,
    body      text NOT NULL,          -- canonical JSON (sorted keys, compact)
    prev_hash text NOT NULL,
    hash      text NOT NULL,
    PRIMARY KEY (matter_id, n)
);

CREATE FUNCTION deliberation_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the record of a matter cannot be changed'
        USING ERRCODE = '55000', HINT = 'records are appended, never edited or deleted';
END
$$;
CREATE TRIGGER matter_records_append_only BEFORE UPDATE OR DELETE ON matter_records
    FOR EACH ROW EXECUTE FUNCTION deliberation_append_only();

CREATE TABLE matter_cosigns (
    matter_id bigint NOT NULL REFERENCES matters (id),
    person_id bigint NOT NULL REFERENCES people (id),
    at_ms     bigint NOT NULL,
    PRIMARY KEY (matter_id, person_id)
);

CREATE TABLE matter_opinions (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id bigint NOT NULL REFERENCES matters (id),
    person_id bigint NOT NULL REFERENCES people (id),
    stance    text NOT NULL CHECK (stance IN ('for', 'against', 'neutral')),
    text      text NOT NULL,
    at_ms     bigint NOT NULL
);
CREATE INDEX matter_opinions_matter ON matter_opinions (matter_id, person_id, id);

-- A meeting of a roster on one matter's motion. The roster is fixed when the
-- meeting is convened.
CREATE TABLE meetings (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id     bigint NOT NULL REFERENCES matters (id),
    roster_kind   text NOT NULL CHECK (roster_kind IN ('residents', 'households',
                                                       'representatives', 'council')),
    ballot        text NOT NULL CHECK (ballot IN ('open', 'secret')),
    allow_change  boolean NOT NULL DEFAULT false,
    motion        text NOT NULL,
    quorum        text NOT NULL,
    majority      text NOT NULL,
    convened_ms   bigint NOT NULL,
    starts_ms     bigint NOT NULL,          -- the notice period ends here; voting opens
    closed_ms     bigint,
    roster_size   int NOT NULL DEFAULT 0,
    attended      int,
    yes           int,
    no            int,
    abstain       int,
    valid         boolean,                  -- quorum reached
    passed        boolean,
    receipts_hash text,                     -- SHA-256 over the sorted receipt hashes counted
    CHECK (ballot = 'open' OR NOT allow_change)
);
CREATE UNIQUE INDEX meetings_one_open ON meetings (matter_id) WHERE closed_ms IS NULL;

CREATE TABLE meeting_roster (
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    person_id  bigint NOT NULL REFERENCES people (id),
    PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE meeting_attendance (
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    person_id  bigint NOT NULL REFERENCES people (id),
    at_ms      bigint NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

-- Who voted, and when. In a secret ballot this is all that links a person
-- to the meeting: how they voted is in meeting_votes with no person and no
-- time, keyed by the hash of a receipt only the voter holds.
CREATE TABLE meeting_ballots (
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    person_id  bigint NOT NULL REFERENCES people (id),
    at_ms      bigint NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

-- How. Open ballot: person_id and at_ms are set, and a changed vote keeps
-- the earlier row with current = false. Secret ballot: both are NULL.
CREATE TABLE meeting_votes (
    meeting_id   bigint NOT NULL REFERENCES meetings (id),
    receipt_hash text NOT NULL,
    choice       text NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),
    person_id    bigint REFERENCES people (id),
    at_ms        bigint,
    current      boolean NOT NULL DEFAULT true,
    PRIMARY KEY (meeting_id, receipt_hash)
);
CREATE UNIQUE INDEX meeting_votes_one_current ON meeting_votes (meeting_id, person_id)
    WHERE current AND person_id IS NOT NULL;

CREATE TABLE matter_objections (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id bigint NOT NULL REFERENCES matters (id),
    person_id bigint NOT NULL REFERENCES people (id),
    text      text NOT NULL,
    at_ms     bigint NOT NULL
);

-- 联动办事: the work a decision becomes. kind dispatch: departments summoned
-- through routing (a whistle whose origin is "matter:<id>"); kind committee:
-- a task of the residents' committee.
CREATE TABLE matter_tasks (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id  bigint NOT NULL REFERENCES matters (id),
    kind       text NOT NULL CHECK (kind IN ('dispatch', 'committee')),
    text       text NOT NULL,
    units      text[] NOT NULL DEFAULT '{}',
    whistle_id bigint,
    state      text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    done_ms    bigint
);
CREATE INDEX matter_tasks_matter ON matter_tasks (matter_id);

CREATE TABLE matter_evaluations (
    matter_id bigint NOT NULL REFERENCES matters (id),
    person_id bigint NOT NULL REFERENCES people (id),
    rating    text NOT NULL CHECK (rating IN ('satisfied', 'basic', 'dissatisfied')),
    text      text NOT NULL,
    at_ms     bigint NOT NULL,
    PRIMARY KEY (matter_id, person_id)
);

-- Observations of the supervision committee: part of the record, never edited.
CREATE TABLE matter_observations (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id bigint NOT NULL REFERENCES matters (id),
    person_id bigint NOT NULL REFERENCES people (id),
    step      text NOT NULL,
    text      text NOT NULL,
    at_ms     bigint NOT NULL
);
CREATE TRIGGER matter_observations_append_only BEFORE UPDATE OR DELETE ON matter_observations
    FOR EACH ROW EXECUTE FUNCTION deliberation_append_only();

-- Windows that close on their own: the opinion window, the 公示 and the
-- evaluation. Firing claims the row with the step it causes, so a window
-- closes once, also after a restart.
CREATE TABLE matter_windows (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    matter_id bigint NOT NULL REFERENCES matters (id),
    kind      text NOT NULL CHECK (kind IN ('closing', 'opinions', 'notice', 'evaluation')),
    due_ms    bigint NOT NULL,
    fired_ms  bigint
);
CREATE INDEX matter_windows_due ON matter_windows (due_ms) WHERE fired_ms IS NULL;

-- Routing remembers where a whistle came from, so deliberation can follow
-- the work its decisions became.
ALTER TABLE whistles ADD COLUMN origin text NOT NULL DEFAULT '';

-- "3+1 清单" (seed 001): the community's needs list, the units' resources list,
-- and the project list where a unit claims a need and both sides sign.
CREATE TABLE community_needs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES areas (id),
    title        text NOT NULL,
    text         text NOT NULL,
    added_by     text NOT NULL,
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'claimed')),
    created_ms   bigint NOT NULL
);
CREATE INDEX community_needs_community ON community_needs (community_id, id);

CREATE TABLE unit_resources (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES units (id),
    community_id bigint NOT NULL REFERENCES areas (id),
    title        text NOT NULL,
    text         text NOT NULL,
    added_by     text NOT NULL,
    created_ms   bigint NOT NULL
);
CREATE INDEX unit_resources_community ON unit_resources (community_id, id);

-- claimed (the unit signed) → signed (the community signed too) → done.
CREATE TABLE community_projects (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    need_id             bigint NOT NULL UNIQUE REFERENCES community_needs (id),
    resource_id         bigint REFERENCES unit_resources (id),
    unit_id             bigint NOT NULL REFERENCES units (id),
    community_id        bigint NOT NULL REFERENCES areas (id),
    state               text NOT NULL DEFAULT 'claimed' CHECK (state IN ('claimed', 'signed', 'done')),
    unit_signed_by      text NOT NULL,
    unit_signed_ms      bigint NOT NULL,
    community_signed_by text,
    community_signed_ms bigint,
    result              text,
    done_ms             bigint
);

-- 居民点单、平台派单、志愿者接单、组织晒单 (seed 004): volunteers are in-service
-- party members (and others) who reported (报到) to a community.
CREATE TABLE volunteers (
    person_id     bigint NOT NULL REFERENCES people (id),
    community_id  bigint NOT NULL REFERENCES areas (id),
    party_member  boolean NOT NULL DEFAULT false,
    skills        text NOT NULL DEFAULT '',
    registered_ms bigint NOT NULL,
    PRIMARY KEY (person_id, community_id)
);

-- posted → claimed (the first volunteer to claim) → done (the result is public).
CREATE TABLE service_orders (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES areas (id),
    resident_id  bigint NOT NULL REFERENCES people (id),
    title        text NOT NULL,
    text         text NOT NULL,
    state        text NOT NULL DEFAULT 'posted' CHECK (state IN ('posted', 'claimed', 'done')),
    volunteer_id bigint REFERENCES people (id),
    claimed_ms   bigint,
    result       text,
    done_ms      bigint,
    created_ms   bigint NOT NULL
);
CREATE INDEX service_orders_community ON service_orders (community_id, id);

-- Every command is idempotent by its message id: a retry with the same id and
-- content is answered as the first was (from what the command produced), a
-- different content with the same id is refused. A secret ballot's receipt is
-- never stored here: its retry is answered without it.
CREATE TABLE deliberation_requests (
    message_id   text PRIMARY KEY,
    type         text NOT NULL,
    digest       text NOT NULL,        -- SHA-256 of type, actor and payload
    matter_id    bigint NOT NULL DEFAULT 0,
    meeting_id   bigint NOT NULL DEFAULT 0,
    item_id      bigint NOT NULL DEFAULT 0,
    community_id bigint NOT NULL DEFAULT 0,
    receipt      text NOT NULL DEFAULT ''
);

-- What notify tells the people a matter or a service order concerns.
INSERT INTO notify_templates (kind, lang, subject, body) VALUES
('MatterAccepted', 'zh-CN', '【居民议事】您提出的事项已受理 #{{matter_id}}',
 '您提出的「{{title}}」已由{{community}}受理，意见征集至 {{until}}。'),
('MatterAccepted', 'en', '[Community matter] Accepted #{{matter_id}}',
 'Your matter "{{title}}" was accepted by {{community}}; opinions are open until {{until}}.'),
('MatterDeclined', 'zh-CN', '【居民议事】您提出的事项未予受理 #{{matter_id}}',
 '您提出的「{{title}}」未予受理。理由：{{reason}}'),
('MatterDeclined', 'en', '[Community matter] Declined #{{matter_id}}',
 'Your matter "{{title}}" was declined. Reason: {{reason}}'),
('ConveneRequired', 'zh-CN', '【居民议事】联署已达法定人数 #{{matter_id}}',
 '「{{title}}」的联署已达法定比例，{{community}}须召集居民会议议定。'),
('ConveneRequired', 'en', '[Community matter] Co-sign threshold reached #{{matter_id}}',
 '"{{title}}" reached the statutory number of co-signers: {{community}} must convene a meeting.'),
('DiscussionClosing', 'zh-CN', '【居民议事】意见征集即将截止 #{{matter_id}}',
 '「{{title}}」的意见征集将于 {{until}} 截止。'),
('DiscussionClosing', 'en', '[Community matter] Opinions close soon #{{matter_id}}',
 'Opinions on "{{title}}" close at {{until}}.'),
('MeetingNotice', 'zh-CN', '【会议通知】{{community}} #{{matter_id}}',
 '您是「{{title}}」议事会议的参会人。会议于 {{starts}} 开始，表决事项：{{motion}}。'),
('MeetingNotice', 'en', '[Meeting notice] {{community}} #{{matter_id}}',
 'You are on the roster of the meeting on "{{title}}", starting {{starts}}. Motion: {{motion}}.'),
('MeetingResult', 'zh-CN', '【表决结果】#{{matter_id}} {{title}}',
 '「{{motion}}」表决结果：{{tally}}。'),
('MeetingResult', 'en', '[Meeting result] #{{matter_id}} {{title}}',
 'The vote on "{{motion}}": {{tally}}.'),
('DecisionPublished', 'zh-CN', '【公示】#{{matter_id}} {{title}}',
 '「{{motion}}」{{tally}}。公示至 {{until}}，如有异议请在公示期内提出。记录校验值：{{head}}'),
('DecisionPublished', 'en', '[Public notice] #{{matter_id}} {{title}}',
 '"{{motion}}": {{tally}}. Objections until {{until}}. Record hash: {{head}}'),
('ServiceOrderPosted', 'zh-CN', '【居民点单】#{{order_id}} {{title}}',
 '有居民需要帮助：「{{title}}」{{text}}。可接单的志愿者请接单。'),
('ServiceOrderPosted', 'en', '[Service order] #{{order_id}} {{title}}',
 'A resident needs help: "{{title}}" {{text}}. Claim it if you can.'),
('ServiceOrderClaimed', 'zh-CN', '【已接单】#{{order_id}} {{title}}',
 '您的「{{title}}」已由志愿者接单。'),
('ServiceOrderClaimed', 'en', '[Claimed] #{{order_id}} {{title}}',
 'A volunteer has claimed your order "{{title}}".'),
('ServiceOrderDone', 'zh-CN', '【已完成】#{{order_id}} {{title}}',
 '您的「{{title}}」已完成：{{text}}'),
('ServiceOrderDone', 'en', '[Done] #{{order_id}} {{title}}',
 'Your order "{{title}}" is done: {{text}}');
