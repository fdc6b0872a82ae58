-- 0019: below the grid and above the 三率 (issue 14, items 5, 6, 9, 12).
--   上报: a grid team passes a case up to its community (小事不出网格、大事不出社区);
--   buildings (楼栋) and their entrances (单元) under the grid, and the people
--   who serve there (楼长, 单元长, 网格员, 党员中心户);
--   the monthly score (三率 with the streets' 双考核 ratings) and its weights;
--   targets per KPI and unit kind.

-- 上报 is its own move: the dispatch ends `passed_up` with its own reason,
-- and the community's dispatch carries the work on (services/routing/lifecycle.c).
ALTER TABLE dispatches DROP CONSTRAINT dispatches_state_check;
ALTER TABLE dispatches ADD CONSTRAINT dispatches_state_check
    CHECK (state IN ('sent', 'signed', 'arrived', 'resolved', 'returned', 'reassigned',
                     'released', 'passed_up'));
-- beyond: beyond what the grid can do (超出网格处置能力);
-- cross: it spans grids or needs the community to coordinate (跨网格、需社区协调);
-- major: a big matter (大事), for the community by its weight.
ALTER TABLE dispatches ADD COLUMN pass_up_reason text
    CHECK (pass_up_reason IN ('beyond', 'cross', 'major'));
ALTER TABLE dispatch_log DROP CONSTRAINT dispatch_log_action_check;
ALTER TABLE dispatch_log ADD CONSTRAINT dispatch_log_action_check
    CHECK (action IN ('sent', 'signed', 'contacted', 'arrived', 'progress', 'resolved',
                      'returned', 'reassigned', 'released', 'reminded', 'escalated',
                      'passed_up'));

-- Two levels under the grid: building (楼栋) and entrance (单元: one stairwell
-- of a building with its own door). "entrance", not "unit": a unit is an
-- organisational unit everywhere else in this code. Seed 000's
-- 社区—片区—楼组—楼栋—单元; seed 002: "每一栋楼房代表一个小单元格".
ALTER TABLE areas DROP CONSTRAINT areas_level_check;
ALTER TABLE areas ADD CONSTRAINT areas_level_check
    CHECK (level IN ('district', 'street', 'community', 'grid', 'building', 'entrance'));

CREATE OR REPLACE FUNCTION areas_set_path() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_parent areas%ROWTYPE;
    v_levels text[] := ARRAY['district', 'street', 'community', 'grid', 'building', 'entrance'];
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := ARRAY[NEW.id];
        NEW.path_json := jsonb_build_array(
            jsonb_build_object('code', NEW.code, 'name', NEW.name, 'level', NEW.level));
        RETURN NEW;
    END IF;
    SELECT * INTO v_parent FROM areas WHERE id = NEW.parent_id;
    IF array_position(v_levels, v_parent.level) + 1 <> array_position(v_levels, NEW.level) THEN
        RAISE EXCEPTION 'a % cannot be inside a %', NEW.level, v_parent.level
            USING ERRCODE = '23514',
                  HINT = 'the levels are district > street > community > grid > building > entrance';
    END IF;
    NEW.path := v_parent.path || NEW.id;
    NEW.path_json := v_parent.path_json || jsonb_build_array(
        jsonb_build_object('code', NEW.code, 'name', NEW.name, 'level', NEW.level));
    RETURN NEW;
END
$$;

-- The people who serve a place: 楼长 (building_head) of a building, 单元长
-- (entrance_head) of an entrance, the grid worker (网格员) of a grid, a
-- party-member household (党员中心户) in a building or an entrance. Seed 000:
-- "配齊網格長、樓組長、樓長、單元長和網格管理員"; "依托黨員骨干家庭設黨員中心戶".
CREATE TABLE area_roles (
    area_id    bigint NOT NULL REFERENCES areas (id),
    person_id  bigint NOT NULL REFERENCES people (id),
    role       text NOT NULL CHECK (role IN ('building_head', 'entrance_head', 'grid_worker',
                                             'party_household')),
    full_time  boolean NOT NULL DEFAULT false,   -- grid workers only: 专职
    PRIMARY KEY (area_id, person_id, role),
    CHECK (NOT full_time OR role = 'grid_worker')
);
-- One full-time grid worker per grid (专职网格员, one a grid): a second is refused.
CREATE UNIQUE INDEX area_roles_one_full_time ON area_roles (area_id)
    WHERE role = 'grid_worker' AND full_time;
-- One 楼长 per building, one 单元长 per entrance.
CREATE UNIQUE INDEX area_roles_one_head ON area_roles (area_id, role)
    WHERE role IN ('building_head', 'entrance_head');

-- Each role lives at its level.
CREATE FUNCTION area_roles_check_level() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_level text;
    v_want  text[];
BEGIN
    SELECT level INTO v_level FROM areas WHERE id = NEW.area_id;
    v_want := CASE NEW.role WHEN 'building_head' THEN ARRAY['building']
                            WHEN 'entrance_head' THEN ARRAY['entrance']
                            WHEN 'grid_worker' THEN ARRAY['grid']
                            ELSE ARRAY['building', 'entrance'] END;
    IF NOT (v_level = ANY (v_want)) THEN
        RAISE EXCEPTION 'a % serves a %, not a %', NEW.role, array_to_string(v_want, ' or '), v_level
            USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER area_roles_check_level BEFORE INSERT OR UPDATE ON area_roles
    FOR EACH ROW EXECUTE FUNCTION area_roles_check_level();

-- The weights of the monthly score (docs/kpi.md): data, so an operator can
-- change them. The values loaded here are a choice, not from the articles.
CREATE TABLE kpi_weights (
    figure text PRIMARY KEY CHECK (figure IN ('response', 'resolution', 'satisfaction', 'rating')),
    weight double precision NOT NULL CHECK (weight >= 0),
    source text NOT NULL
);
INSERT INTO kpi_weights VALUES
    ('response', 20, 'a choice (docs/kpi.md)'),
    ('resolution', 30, 'a choice (docs/kpi.md)'),
    ('satisfaction', 30, 'a choice (docs/kpi.md)'),
    ('rating', 20, 'a choice (docs/kpi.md)');

-- Targets: the least a unit of a kind should reach for a figure, a rate
-- between 0 and 1 (score: 0 to 100). Loaded as data with their source.
CREATE TABLE kpi_targets (
    unit_kind text NOT NULL,
    figure    text NOT NULL CHECK (figure IN ('response', 'resolution', 'satisfaction', 'rating',
                                              'score')),
    target    double precision NOT NULL CHECK (target >= 0 AND target <= 100),
    source    text NOT NULL,
    PRIMARY KEY (unit_kind, figure),
    CHECK (figure = 'score' OR target <= 1)
);

-- Who may do what (migration 0016's roles): routing keeps the weights and
-- the targets (SetKpiTarget) and reads the roles below the grid; govctl
-- writes those as the owner.
GRANT SELECT ON kpi_weights, area_roles TO gov_routing;
GRANT SELECT, INSERT, UPDATE, DELETE ON kpi_targets TO gov_routing;
GRANT SELECT ON area_roles TO gov_intake, gov_deliberation, gov_gateway;
SELECT gov_grant_sequences();
