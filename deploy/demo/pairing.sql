-- Demo data (made up, for trying the system): each community's 知行家
-- station with its dispatcher and two volunteers (seed 004: 居民点单、“知行家”
-- 派单、党员志愿者接单、社区党组织晒单), the units paired with each community
-- (结对共建) and the party members reported to it (双报到). Needs
-- deliberation.sql's residents. Safe to run twice.
--
-- The figures of the articles are the real cities': seed 001 pairs 125
-- units with 104 小区; seed 004 gives each community 10 to 12 units and
-- places 2,320 reported party members in 25 grids. The demo city has 8
-- departments, so every department is paired with every community, the
-- first three (城管, 住建, 水务) as member units (委员单位) of its joint party
-- committee; and the head of each department has reported (双报到) to one
-- community, grid g1 (the i-th department to the i-th community by code), in
-- the 责任区 of its first building.
BEGIN;

INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)
SELECT 'st.' || substr(a.code, 6), a.name || '“知行家”', 'station', a.id, c.id, c.id
FROM areas a JOIN units c ON c.code = 'cm.' || substr(a.code, 6)
WHERE a.level = 'community'
ON CONFLICT (code) DO NOTHING;

WITH st AS (
    SELECT u.id, u.code, row_number() OVER (ORDER BY u.code) AS n
    FROM units u WHERE u.kind = 'station' AND u.code LIKE 'st.s%'
), people_in AS (
    INSERT INTO people (code, name, phone, email)
    SELECT 'p.' || st.code || '.dispatcher',
           (ARRAY['林','何','高','罗','梁','宋','郑','谢'])[1 + (st.n % 8)::int]
           || (ARRAY['晓红','建华','玉梅','志明','桂兰','永强','淑华','文军'])[1 + ((st.n * 3) % 8)::int],
           '1380001' || lpad(st.n::text, 4, '0'),
           'p-' || replace(st.code, '.', '-') || '-dispatcher@demo.example'
    FROM st
    ON CONFLICT (code) DO NOTHING
    RETURNING id, code
)
INSERT INTO unit_members (unit_id, person_id, role)
SELECT st.id, p.id, 'dispatcher'
FROM st JOIN people_in p ON p.code = 'p.' || st.code || '.dispatcher'
ON CONFLICT DO NOTHING;

-- Two volunteers a community: the first adults of households 3 and 4 of
-- grid g4 (a party member and a neighbour).
INSERT INTO volunteers (person_id, community_id, party_member, skills, registered_ms)
SELECT p.id, a.id, v.party, v.skills, 0
FROM areas a
JOIN (VALUES ('.g4.3.1', true, '家电维修'), ('.g4.4.1', false, '代买代办')) AS v(suffix, party, skills) ON true
JOIN people p ON p.code = 'r.' || substr(a.code, 6) || v.suffix
WHERE a.level = 'community'
ON CONFLICT DO NOTHING;

INSERT INTO unit_pairings (unit_id, community_id, kind, since_ms)
SELECT u.id, a.id,
       CASE WHEN u.code IN ('dept.chengguan', 'dept.zhujian', 'dept.shuiwu') THEN 'member' ELSE 'paired' END, 0
FROM units u, areas a
WHERE u.kind = 'department' AND a.level = 'community'
ON CONFLICT DO NOTHING;

-- 责任区: each building of the demo is one (seed 004 has 60 in 25 grids; the
-- demo's grids have two buildings each); the reported heads serve in b1's.
INSERT INTO duty_zones (code, name, grid_id)
SELECT 'z.' || substr(b.code, 6), b.name || '责任区', b.parent_id
FROM areas b WHERE b.level = 'building' AND b.code LIKE 'demo.%'
ON CONFLICT (code) DO NOTHING;
INSERT INTO duty_zone_buildings (building_id, zone_id)
SELECT b.id, z.id FROM areas b JOIN duty_zones z ON z.code = 'z.' || substr(b.code, 6)
WHERE b.level = 'building'
ON CONFLICT DO NOTHING;

WITH d AS (
    SELECT u.id, u.code, row_number() OVER (ORDER BY u.code) AS n FROM units u WHERE u.kind = 'department'
), c AS (
    SELECT a.id, a.code, row_number() OVER (ORDER BY a.code) AS n FROM areas a WHERE a.level = 'community'
)
INSERT INTO member_reports (person_id, unit_id, community_id, grid_id, reported_ms, zone_id)
SELECT p.id, d.id, c.id, g.id, 0, z.id
FROM d JOIN c ON c.n = d.n JOIN people p ON p.code = 'p.' || d.code || '.head'
JOIN areas g ON g.code = c.code || '.g1'
LEFT JOIN duty_zones z ON z.code = 'z.' || substr(c.code, 6) || '.g1.b1'
ON CONFLICT DO NOTHING;

COMMIT;
