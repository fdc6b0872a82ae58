-- 0022: a community's joint meetings (联席会议) on a schedule. Seed 001: "定期召开由
-- '联合党委'书记召集,第一书记、轮值书记、驻社区单位党组织负责人、二级网格长、社区居民
-- 委员会成员参加的社区工作联席会议"; seed 002's reception day (每个月第一个星期的
-- 星期三) and volunteer day (每个月的第二个星期六); seed 004's weekly activities.
-- The party committee sets a schedule (a rule of services/deliberation/recur.h);
-- each occurrence is made by the deadline engine (common/deadline.h) from one
-- pending row of joint_deadlines, once (UNIQUE schedule, day), and the member
-- units (unit_pairings.kind = 'member', 0018) record their attendance; the party
-- committee records the decisions and closes it. Times are ms since the epoch;
-- days are Beijing day numbers (calendar.h).
CREATE TABLE joint_schedules (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES areas (id),
    title        text NOT NULL,
    rule         text NOT NULL,                                  -- recur_format's text
    start_minute int NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),  -- Beijing time of day
    lead_minutes int NOT NULL CHECK (lead_minutes BETWEEN 0 AND 43200), -- made this long before
    created_by   text NOT NULL,
    created_ms   bigint NOT NULL,
    stopped_ms   bigint
);
CREATE INDEX joint_schedules_community ON joint_schedules (community_id);

CREATE TABLE joint_meetings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id  bigint NOT NULL REFERENCES joint_schedules (id),
    community_id bigint NOT NULL REFERENCES areas (id),
    title        text NOT NULL,
    day          int NOT NULL,
    starts_ms    bigint NOT NULL,
    state        text NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'held')),
    created_ms   bigint NOT NULL,
    closed_by    text,
    closed_ms    bigint,
    UNIQUE (schedule_id, day)
);
CREATE INDEX joint_meetings_community ON joint_meetings (community_id, day);

-- Which units came (one row a unit) and who came for it.
CREATE TABLE joint_attendance (
    meeting_id bigint NOT NULL REFERENCES joint_meetings (id),
    unit_id    bigint NOT NULL REFERENCES units (id),
    person_id  bigint NOT NULL REFERENCES people (id),
    at_ms      bigint NOT NULL,
    PRIMARY KEY (meeting_id, unit_id)
);

-- What the meeting decided (研究部署 … 协商解决), with the member unit that carries it out.
CREATE TABLE joint_decisions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES joint_meetings (id),
    text       text NOT NULL,
    unit_id    bigint REFERENCES units (id),
    decided_by text NOT NULL,
    at_ms      bigint NOT NULL
);
CREATE INDEX joint_decisions_meeting ON joint_decisions (meeting_id);

-- The next occurrence of each schedule, on the deadline engine: pending means
-- fired_ms IS NULL. Firing makes the meeting of `day` and the row of the next.
CREATE TABLE joint_deadlines (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    schedule_id bigint NOT NULL REFERENCES joint_schedules (id),
    day         int NOT NULL,
    due_ms      bigint NOT NULL,
    fired_ms    bigint
);
CREATE INDEX joint_deadlines_due ON joint_deadlines (due_ms) WHERE fired_ms IS NULL;

-- 责任区 (seed 004: "6个社区细分成25个网格、60个责任区"; seed 003: "设置*员责任区"): a
-- part of one grid, a set of its buildings, where reported serving party members
-- (双报到, member_reports) serve. The admin draws them (routing's pairing.c); a
-- building is in one 责任区 at most.
CREATE TABLE duty_zones (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code    text NOT NULL UNIQUE,
    name    text NOT NULL,
    grid_id bigint NOT NULL REFERENCES areas (id)
);
CREATE TABLE duty_zone_buildings (
    building_id bigint PRIMARY KEY REFERENCES areas (id),
    zone_id     bigint NOT NULL REFERENCES duty_zones (id)
);
ALTER TABLE member_reports ADD COLUMN zone_id bigint REFERENCES duty_zones (id);
GRANT SELECT, INSERT, UPDATE, DELETE ON duty_zones, duty_zone_buildings TO gov_routing;
GRANT SELECT ON duty_zones, duty_zone_buildings TO gov_deliberation;

-- A meeting made on its day is told to the member units and the party
-- committee (notify's plan.c, JointMeetingScheduled).
INSERT INTO notify_templates (kind, lang, subject, body) VALUES
('JointMeetingScheduled', 'zh-CN', '【联席会议】{{community}} {{title}}',
 '{{community}}{{title}}定于 {{starts}} 召开，请委员单位派员参加（会议 #{{meeting_id}}）。'),
('JointMeetingScheduled', 'en', '[Joint meeting] {{community}} {{title}}',
 '{{community}}''s {{title}} meets at {{starts}}: member units, please attend (meeting #{{meeting_id}}).')
ON CONFLICT DO NOTHING;

GRANT SELECT, INSERT, UPDATE ON joint_schedules, joint_meetings, joint_attendance, joint_decisions,
    joint_deadlines TO gov_deliberation;
SELECT gov_grant_sequences();
