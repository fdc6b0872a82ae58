-- 0003: routing — who owns each case (rules), the dispatches that carry the
-- work, whistles (吹哨), SLA policies and their escalation ladders, the
-- deadlines the routing service arms as timers, and the working-day calendar.

-- Escalations from a department climb to its leadership (分管区领导), which is
-- neither a department nor the dispatch centre.
ALTER TABLE units DROP CONSTRAINT units_kind_check;
ALTER TABLE units ADD CONSTRAINT units_kind_check
    CHECK (kind IN ('grid_team', 'community', 'street_office', 'department',
                    'dispatch_centre', 'leadership'));

-- Days that break the Monday–Friday rule: official days off (kind holiday,
-- weekend days inside a holiday block included) and make-up workdays on a
-- weekend (调休上班, kind workday). Loaded with `govctl calendar import`.
CREATE TABLE calendar_days (
    day    date PRIMARY KEY,
    kind   text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name   text NOT NULL,
    source text NOT NULL
);

-- Rules: who gets a new case. Rules are tried in rank order; one matches when
-- the case's category kind and subject match (NULL matches any) and the case
-- lies in the rule's area (NULL: anywhere). The tier names the owner: the
-- case's own grid team, community or street office, or the lead department.
-- A returned dispatch goes to the next matching rule whose owner has not had
-- the case; when none is left, to the dispatch centre (兜底).
CREATE TABLE routing_rules (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rank             int NOT NULL DEFAULT 100,
    category_kind    text,
    category_subject text,
    area_id          bigint REFERENCES areas (id),
    tier             text NOT NULL CHECK (tier IN ('grid', 'community', 'street', 'department')),
    lead_unit_id     bigint REFERENCES units (id),
    assist_unit_ids  bigint[] NOT NULL DEFAULT '{}',
    on_site          boolean NOT NULL DEFAULT false,  -- the owner must report arrival (报到)
    enabled          boolean NOT NULL DEFAULT true,
    note             text NOT NULL DEFAULT '',
    CHECK ((tier = 'department') = (lead_unit_id IS NOT NULL))
);

-- SLA policies. A case takes the most specific enabled policy for its
-- category and urgency (NULL matches any; lower rank wins a tie); a whistle
-- takes the policy for its kind. Each deadline is `*_minutes` after the
-- dispatch is sent, in working time when `*_working` (working days from
-- calendar_days), else in calendar minutes. NULL minutes: no such deadline.
CREATE TABLE sla_policies (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code             text NOT NULL UNIQUE,
    name             text NOT NULL,
    rank             int NOT NULL DEFAULT 100,
    applies_to       text NOT NULL CHECK (applies_to IN ('case', 'whistle')),
    category_kind    text,
    category_subject text,
    urgency          text CHECK (urgency IN ('normal', 'urgent', 'emergency')),
    whistle_kind     text CHECK (whistle_kind IN ('routine', 'hard', 'emergency')),
    sign_minutes     int CHECK (sign_minutes > 0),
    sign_working     boolean NOT NULL DEFAULT false,
    contact_minutes  int CHECK (contact_minutes > 0),
    contact_working  boolean NOT NULL DEFAULT false,
    arrive_minutes   int CHECK (arrive_minutes > 0),
    arrive_working   boolean NOT NULL DEFAULT false,
    resolve_minutes  int CHECK (resolve_minutes > 0),
    resolve_working  boolean NOT NULL DEFAULT false,
    CHECK ((applies_to = 'whistle') = (whistle_kind IS NOT NULL))
);

-- The escalation ladder of a policy: for each deadline, steps at a percentage
-- of its span (100 = at the deadline) plus `after_minutes` calendar minutes.
CREATE TABLE ladder_steps (
    policy_id     bigint NOT NULL REFERENCES sla_policies (id),
    deadline      text NOT NULL CHECK (deadline IN ('sign', 'contact', 'arrive', 'resolve')),
    step          int NOT NULL CHECK (step > 0),
    percent       int NOT NULL CHECK (percent BETWEEN 1 AND 100),
    after_minutes int NOT NULL DEFAULT 0 CHECK (after_minutes >= 0),
    action        text NOT NULL CHECK (action IN ('remind', 'escalate_supervisor', 'escalate_centre')),
    PRIMARY KEY (policy_id, deadline, step)
);

-- Routing's own record of each case it took from intake's CaseCreated events
-- (routing reads events, never intake's tables).
CREATE TABLE routed_cases (
    case_id        bigint PRIMARY KEY,
    category_code  text NOT NULL,
    urgency        text NOT NULL,
    description    text NOT NULL,
    area_id        bigint REFERENCES areas (id),   -- the smallest area; NULL: unplaced
    location       geography(Point, 4326),
    reporter_name  text NOT NULL DEFAULT '',
    reporter_phone text NOT NULL DEFAULT '',
    state          text NOT NULL DEFAULT 'dispatched'
                   CHECK (state IN ('dispatched', 'resolved', 'closed')),
    reopened       int NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL
);

-- A whistle: a street office or community summons departments to a place.
CREATE TABLE whistles (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caller_unit_id bigint NOT NULL REFERENCES units (id),
    case_id        bigint REFERENCES routed_cases (case_id),
    kind           text NOT NULL CHECK (kind IN ('routine', 'hard', 'emergency')),
    reason         text NOT NULL,
    location       geography(Point, 4326) NOT NULL,
    area_id        bigint NOT NULL REFERENCES areas (id),
    state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
    created_by     text NOT NULL,
    created_at     timestamptz NOT NULL,
    closed_at      timestamptz
);

-- A dispatch: one unit's piece of one case or whistle. Times are the
-- routing service's clock.
CREATE TABLE dispatches (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id       bigint REFERENCES routed_cases (case_id),
    whistle_id    bigint REFERENCES whistles (id),
    unit_id       bigint NOT NULL REFERENCES units (id),
    role          text NOT NULL CHECK (role IN ('lead', 'assist', 'summoned')),
    rule_id       bigint REFERENCES routing_rules (id),
    policy_id     bigint REFERENCES sla_policies (id),
    state         text NOT NULL DEFAULT 'sent'
                  CHECK (state IN ('sent', 'signed', 'arrived', 'resolved',
                                   'returned', 'reassigned', 'released')),
    on_site       boolean NOT NULL DEFAULT false,
    sent_at       timestamptz NOT NULL,
    sign_by       timestamptz,
    contact_by    timestamptz,
    arrive_by     timestamptz,
    resolve_by    timestamptz,
    signed_at     timestamptz,
    contacted_at  timestamptz,
    arrived_at    timestamptz,
    resolved_at   timestamptz,
    ended_at      timestamptz,            -- returned, reassigned or released
    return_reason text CHECK (return_reason IN ('function', 'territory', 'ownership')),
    note          text NOT NULL DEFAULT '',  -- resolution text, or the return's
    reopen        boolean NOT NULL DEFAULT false,  -- sent again after a dissatisfied evaluation
    CHECK ((case_id IS NOT NULL) OR (whistle_id IS NOT NULL))
);
CREATE INDEX dispatches_unit ON dispatches (unit_id, state);
CREATE INDEX dispatches_case ON dispatches (case_id);
CREATE INDEX dispatches_whistle ON dispatches (whistle_id);

-- Everything that happened to a dispatch, in order: the record KPIs are
-- computed from (docs/kpi.md).
CREATE TABLE dispatch_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dispatch_id bigint NOT NULL REFERENCES dispatches (id),
    at          timestamptz NOT NULL,
    action      text NOT NULL CHECK (action IN ('sent', 'signed', 'contacted', 'arrived',
                                                'progress', 'resolved', 'returned',
                                                'reassigned', 'released', 'reminded',
                                                'escalated')),
    actor       text NOT NULL,
    text        text NOT NULL DEFAULT '',
    media_urls  text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX dispatch_log_dispatch ON dispatch_log (dispatch_id, id);

-- The ladder's steps for each dispatch. The routing service arms the near ones
-- as timers; firing claims the row (fired_at IS NULL) in the same transaction
-- as the escalation, so a step fires once whatever the number of replicas.
-- Signing, arriving, resolving or ending a dispatch cancels its steps.
CREATE TABLE deadlines (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dispatch_id  bigint NOT NULL REFERENCES dispatches (id),
    deadline     text NOT NULL,
    step         int NOT NULL,
    action       text NOT NULL,
    due_at       timestamptz NOT NULL,
    fired_at     timestamptz,
    late         boolean NOT NULL DEFAULT false,  -- fired well after due (routing was down)
    cancelled_at timestamptz,
    UNIQUE (dispatch_id, deadline, step)
);
CREATE INDEX deadlines_pending ON deadlines (due_at)
    WHERE fired_at IS NULL AND cancelled_at IS NULL;

-- The reporter's verdict on a resolved case (回访评价).
CREATE TABLE evaluations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES routed_cases (case_id),
    dispatch_id bigint NOT NULL REFERENCES dispatches (id),
    result      text NOT NULL CHECK (result IN ('satisfied', 'basic', 'dissatisfied')),
    text        text NOT NULL DEFAULT '',
    actor       text NOT NULL,
    at          timestamptz NOT NULL,
    UNIQUE (dispatch_id)
);

-- 双考核: when a whistle closes the caller rates each department's response,
-- and each department may flag the whistle as unnecessary.
CREATE TABLE whistle_ratings (
    whistle_id  bigint NOT NULL REFERENCES whistles (id),
    dispatch_id bigint NOT NULL REFERENCES dispatches (id),
    direction   text NOT NULL CHECK (direction IN ('caller', 'department')),
    score       int CHECK (score BETWEEN 1 AND 5),
    unnecessary boolean NOT NULL DEFAULT false,
    text        text NOT NULL DEFAULT '',
    actor       text NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (whistle_id, dispatch_id, direction)
);
