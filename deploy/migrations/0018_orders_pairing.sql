-- 0018: the 知行家 station and its service orders (seed 004: 居民点单、“知行家”派单、
-- 党员志愿者接单、社区党组织晒单), the 3+1 lists claimed both ways with the
-- needs' class and source (seed 001: 入户走访、召开座谈会 … 分类建立社区“需求清单”
-- … 双向认领), and pairing: the member units of a community's joint party
-- committee, the units paired with it (结对共建), and serving party members
-- reporting to their home community (双报到). Times are ms since the epoch.

-- A 知行家 station is a unit of its own (kind 'station'), in its community.
-- The kinds are read from the constraint as it stands and 'station' is added,
-- so whatever kinds other migrations have added stay.
DO $$
DECLARE def text;
BEGIN
    SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
     WHERE conrelid = 'units'::regclass AND conname = 'units_kind_check';
    IF def IS NULL OR def NOT LIKE '%ARRAY[%' THEN
        RAISE EXCEPTION 'units_kind_check is not a list of kinds: %', def;
    END IF;
    IF def NOT LIKE '%''station''%' THEN
        EXECUTE 'ALTER TABLE units DROP CONSTRAINT units_kind_check';
        EXECUTE 'ALTER TABLE units ADD CONSTRAINT units_kind_check '
             || replace(def, 'ARRAY[', 'ARRAY[''station''::text, ');
    END IF;
END $$;

-- --- pairing (the directory's: routing keeps it, deliberation reads it) -----
-- kind member: a member unit (委员单位) of the community's joint party
-- committee (联合党委, seed 001); paired: a unit paired with it (结对共建,
-- seed 004: 每个社区与10至12个单位组成党建联盟). A member unit is paired too.
CREATE TABLE unit_pairings (
    unit_id      bigint NOT NULL REFERENCES units (id),
    community_id bigint NOT NULL REFERENCES areas (id),
    kind         text NOT NULL CHECK (kind IN ('member', 'paired')),
    since_ms     bigint NOT NULL,
    PRIMARY KEY (unit_id, community_id)
);
CREATE INDEX unit_pairings_community ON unit_pairings (community_id);

-- 双报到: a serving party member of a unit reports to their home community
-- and is placed in one of its grids (seed 004: 引导2320名在职党员到社区…报到,
-- 就地编入25个网格). One report per person.
CREATE TABLE member_reports (
    person_id    bigint PRIMARY KEY REFERENCES people (id),
    unit_id      bigint NOT NULL REFERENCES units (id),
    community_id bigint NOT NULL REFERENCES areas (id),
    grid_id      bigint NOT NULL REFERENCES areas (id),
    reported_ms  bigint NOT NULL
);
CREATE INDEX member_reports_community ON member_reports (community_id);

-- --- 3+1 ---------------------------------------------------------------------
-- A need has a class and where it came from: a home visit (入户走访), a forum
-- (座谈会), a case (a resident's report, case_id), or other; it may be aimed
-- at one paired unit.
ALTER TABLE community_needs
    ADD COLUMN category    text NOT NULL DEFAULT 'other',
    ADD COLUMN source      text NOT NULL DEFAULT 'other'
        CHECK (source IN ('visit', 'forum', 'case', 'other')),
    ADD COLUMN case_id     bigint CHECK ((source = 'case') = (case_id IS NOT NULL)),
    ADD COLUMN target_unit bigint REFERENCES units (id);

-- 双向认领: a project starts from a unit claiming a need (the unit signed
-- first) or from the community taking up a unit's resource (the community
-- signed first); the other side's signature makes it 'signed'.
ALTER TABLE community_projects ALTER COLUMN need_id DROP NOT NULL;
ALTER TABLE community_projects ALTER COLUMN unit_signed_by DROP NOT NULL;
ALTER TABLE community_projects ALTER COLUMN unit_signed_ms DROP NOT NULL;
ALTER TABLE community_projects
    ADD COLUMN claimed_by text NOT NULL DEFAULT 'unit' CHECK (claimed_by IN ('unit', 'community')),
    ADD CONSTRAINT community_projects_origin
        CHECK ((claimed_by = 'unit' AND need_id IS NOT NULL)
            OR (claimed_by = 'community' AND resource_id IS NOT NULL));
CREATE UNIQUE INDEX community_projects_resource_taken ON community_projects (resource_id)
    WHERE claimed_by = 'community';

-- --- service orders ------------------------------------------------------------
-- ordered (点单, at the station) → dispatched (派单, to one volunteer, with a
-- take-by deadline) → taken (接单) → done (the volunteer reports) → confirmed
-- (the resident confirms and rates) → published (晒单, by the community's
-- organisation). A dispatch not taken by its deadline goes back to the
-- station (ordered); the second time it lapses, the order is also escalated
-- to the community, once.
ALTER TABLE service_orders DROP CONSTRAINT service_orders_state_check;
UPDATE service_orders SET state = 'ordered' WHERE state = 'posted';
UPDATE service_orders SET state = 'taken' WHERE state = 'claimed';
ALTER TABLE service_orders ALTER COLUMN state SET DEFAULT 'ordered';
ALTER TABLE service_orders
    ADD CONSTRAINT service_orders_state_check
        CHECK (state IN ('ordered', 'dispatched', 'taken', 'done', 'confirmed', 'published')),
    ADD COLUMN station_id     bigint REFERENCES units (id),
    ADD COLUMN dispatched_by  text,
    ADD COLUMN dispatched_ms  bigint,
    ADD COLUMN take_by_ms     bigint,
    ADD COLUMN lapses         int NOT NULL DEFAULT 0,
    ADD COLUMN escalated_ms   bigint,
    ADD COLUMN rating         text CHECK (rating IN ('satisfied', 'basic', 'dissatisfied')),
    ADD COLUMN comment        text,
    ADD COLUMN confirmed_ms   bigint,
    ADD COLUMN published_by   text,
    ADD COLUMN publication    text,
    ADD COLUMN published_ms   bigint;

-- The take-by deadlines, on the deadline engine (common/deadline.h): pending
-- means fired_ms IS NULL; taking the order fires its row with no effect.
CREATE TABLE order_deadlines (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES service_orders (id),
    due_ms   bigint NOT NULL,
    fired_ms bigint,
    lapsed   boolean NOT NULL DEFAULT false   -- it fired with the order untaken
);
CREATE INDEX order_deadlines_due ON order_deadlines (due_ms) WHERE fired_ms IS NULL;

INSERT INTO notify_templates (kind, lang, subject, body) VALUES
('ServiceOrderPosted', 'zh-CN', '【居民点单】#{{order_id}} {{title}}',
 '有居民点单：「{{title}}」{{text}}。请知行家派单。'),
('ServiceOrderDispatched', 'zh-CN', '【知行家派单】#{{order_id}} {{title}}',
 '知行家派给您一单：「{{title}}」{{text}}。请在 {{until}} 前接单。'),
('ServiceOrderDispatched', 'en', '[Dispatched] #{{order_id}} {{title}}',
 'The station dispatched an order to you: "{{title}}" {{text}}. Take it before {{until}}.'),
('ServiceOrderReturned', 'zh-CN', '【未接单退回】#{{order_id}} {{title}}',
 '「{{title}}」在 {{until}} 前无人接单，已退回知行家，请重新派单。'),
('ServiceOrderReturned', 'en', '[Not taken] #{{order_id}} {{title}}',
 '"{{title}}" was not taken by {{until}} and is back at the station: dispatch it again.'),
('ServiceOrderEscalated', 'zh-CN', '【派单超时上报】#{{order_id}} {{title}}',
 '「{{title}}」两次派单均未在时限内接单，已上报社区。'),
('ServiceOrderEscalated', 'en', '[Escalated] #{{order_id}} {{title}}',
 '"{{title}}" was dispatched twice and not taken in time: it is escalated to the community.'),
('ServiceOrderConfirmed', 'zh-CN', '【居民确认】#{{order_id}} {{title}}',
 '居民已确认「{{title}}」，评价：{{rating}}。请社区党组织晒单。'),
('ServiceOrderConfirmed', 'en', '[Confirmed] #{{order_id}} {{title}}',
 'The resident confirmed "{{title}}", rating: {{rating}}. Publish it.'),
('ServiceOrderPublished', 'zh-CN', '【晒单】#{{order_id}} {{title}}',
 '社区党组织晒单：「{{title}}」{{text}}'),
('ServiceOrderPublished', 'en', '[Published] #{{order_id}} {{title}}',
 'The community published "{{title}}": {{text}}'),
('NeedAdded', 'zh-CN', '【需求清单】{{community}}新增需求 #{{need_id}}',
 '{{community}}新增需求「{{title}}」（{{category}}），欢迎结对单位认领。'),
('NeedAdded', 'en', '[Needs list] New need #{{need_id}} in {{community}}',
 '{{community}} added the need "{{title}}" ({{category}}): paired units may claim it.'),
('ProjectSigned', 'zh-CN', '【项目清单】签约 #{{project_id}} {{title}}',
 '{{community}}与{{unit}}已签约项目「{{title}}」。'),
('ProjectSigned', 'en', '[Project list] Signed #{{project_id}} {{title}}',
 '{{community}} and {{unit}} signed the project "{{title}}".')
ON CONFLICT DO NOTHING;
-- The order is now posted to the station, not to the volunteers.
UPDATE notify_templates SET body = '有居民点单：「{{title}}」{{text}}。请知行家派单。'
 WHERE kind = 'ServiceOrderPosted' AND lang = 'zh-CN';
UPDATE notify_templates SET body = 'A resident ordered: "{{title}}" {{text}}. The station dispatches it.'
 WHERE kind = 'ServiceOrderPosted' AND lang = 'en';
UPDATE notify_templates SET subject = '【已接单】#{{order_id}} {{title}}'
 WHERE kind = 'ServiceOrderClaimed';

-- Who may do what (migration 0016's roles): routing keeps the pairings and
-- the reports with the directory; deliberation reads them and keeps its
-- orders' take-by deadlines.
GRANT SELECT, INSERT, UPDATE, DELETE ON unit_pairings, member_reports TO gov_routing;
GRANT SELECT ON unit_pairings, member_reports TO gov_deliberation;
GRANT SELECT, INSERT, UPDATE, DELETE ON order_deadlines TO gov_deliberation;
SELECT gov_grant_sequences();
