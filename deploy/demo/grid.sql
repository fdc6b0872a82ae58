-- The demo city below the grid: who serves each building (楼栋) and entrance
-- (单元), the grid workers' full-time posts, and the KPI targets.
-- MADE-UP DEMO DATA. Needs reference.sql (the grid workers). Safe to run twice.
BEGIN;

-- 楼长 of each building, 单元长 of each entrance, one 党员中心户 in each
-- building (seed 000: "配齊網格長、樓組長、樓長、單元長"; "依托黨員骨干家庭設黨員中心戶").
-- People are p.<place>.<role>, e.g. p.s1.c1.g1.b1.building_head.
WITH posts AS (
    SELECT a.id AS area_id, a.code, r.role, row_number() OVER (ORDER BY a.code, r.role) AS n
    FROM areas a
    JOIN (VALUES ('building', 'building_head'), ('building', 'party_household'),
                 ('entrance', 'entrance_head')) AS r(level, role) ON r.level = a.level
), named AS (
    SELECT p.*, 'p.' || substr(p.code, 6) || '.' || p.role AS person_code,
           (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','马','胡','朱','郭'])[1 + (p.n % 16)::int]
           || (ARRAY['桂兰','德明','玉珍','树林','淑华','长顺','凤英','春生','秀兰','金山','桂芳','永福','素梅','保国','翠英','福来'])[1 + ((p.n * 5) % 16)::int]
           AS person_name
    FROM posts p
), people_in AS (
    INSERT INTO people (code, name)
    SELECT person_code, person_name FROM named
    ON CONFLICT (code) DO NOTHING
    RETURNING id, code
)
INSERT INTO area_roles (area_id, person_id, role)
SELECT n.area_id, coalesce(i.id, p.id), n.role
FROM named n LEFT JOIN people_in i ON i.code = n.person_code LEFT JOIN people p ON p.code = n.person_code
ON CONFLICT DO NOTHING;

-- Each grid's grid worker (a member of its grid team) holds the grid's
-- full-time post (专职网格员, one a grid).
INSERT INTO area_roles (area_id, person_id, role, full_time)
SELECT u.area_id, m.person_id, 'grid_worker', true
FROM units u JOIN unit_members m ON m.unit_id = u.id AND m.role = 'grid_worker'
WHERE u.kind = 'grid_team'
  AND NOT EXISTS (SELECT 1 FROM area_roles r WHERE r.area_id = u.area_id
                  AND r.role = 'grid_worker' AND r.full_time)
ON CONFLICT DO NOTHING;

-- Targets (docs/kpi.md). 满意率 at least 95 %: seed 002 ("农民群众对“五支队伍”的
-- 满意率每年均在95%以上"), applied here to every kind of unit that takes work.
-- The articles give no target for the other figures; none is set.
INSERT INTO kpi_targets (unit_kind, figure, target, source)
SELECT k, 'satisfaction', 0.95, 'seed 002: 满意率每年均在95%以上'
FROM unnest(ARRAY['grid_team', 'community', 'street_office', 'department']) AS k
ON CONFLICT DO NOTHING;

COMMIT;
