-- Demo data (made up, for trying the system): the residents of the demo city
-- and each community's supervision committee (监督委员会).
-- Every grid has 5 households in one residents' group (居民小组); each household
-- has two adults (the first is its representative, 户的代表) and, in every
-- other household, a child. The first adult of households 1 and 4 of each grid
-- is an elected residents' representative (居民代表). So a community has 20
-- households, 40 adult residents and 8 representatives.
BEGIN;

INSERT INTO households (code, grid_id, group_code)
SELECT 'hh.' || substr(g.code, 6) || '.' || n, g.id, 'grp.' || substr(g.code, 6)
FROM areas g, generate_series(1, 5) n
WHERE g.level = 'grid'
ON CONFLICT (code) DO NOTHING;

WITH members AS (
    SELECT h.id AS household_id, h.code AS hcode, m,
           row_number() OVER (ORDER BY h.id, m) AS k,
           substring(h.code FROM '\.([0-9]+)$')::int AS hn
    FROM households h, generate_series(1, 3) m
    WHERE h.code LIKE 'hh.%' AND (m < 3 OR substring(h.code FROM '\.([0-9]+)$')::int % 2 = 0)
), people_in AS (
    INSERT INTO people (code, name, phone)
    SELECT 'r.' || substr(hcode, 4) || '.' || m,
           (ARRAY['赵','钱','孙','李','周','吴','郑','王','冯','陈','褚','卫','蒋','沈','韩','杨'])[1 + (k % 16)::int]
           || (ARRAY['玉兰','德明','淑珍','志刚','桂英','振华','秀云','文斌','凤霞','国庆','雅琴','宝山','小雨','子涵','浩然','欣怡'])[1 + ((k * 5 + m) % 16)::int],
           '1390000' || lpad(k::text, 4, '0')
    FROM members
    ON CONFLICT (code) DO NOTHING
    RETURNING id, code
)
INSERT INTO residents (person_id, household_id, adult, household_rep, representative)
SELECT p.id, mb.household_id, mb.m < 3, mb.m = 1, mb.m = 1 AND mb.hn IN (1, 4)
FROM members mb JOIN people_in p ON p.code = 'r.' || substr(mb.hcode, 4) || '.' || mb.m
ON CONFLICT DO NOTHING;

-- A supervision committee per community, chaired by a resident of it.
INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)
SELECT 'sv.' || substr(a.code, 6), a.name || '居务监督委员会', 'supervision', a.id, c.id, c.supervisor_id
FROM areas a JOIN units c ON c.code = 'cm.' || substr(a.code, 6)
WHERE a.level = 'community'
ON CONFLICT (code) DO NOTHING;

INSERT INTO unit_members (unit_id, person_id, role)
SELECT u.id, p.id, 'head'
FROM units u JOIN people p ON p.code = 'r.' || substr(u.code, 4) || '.g2.3.2'
WHERE u.kind = 'supervision'
ON CONFLICT DO NOTHING;

INSERT INTO deliberation_rules (community_id)
SELECT id FROM areas WHERE level = 'community'
ON CONFLICT DO NOTHING;

COMMIT;

-- One demo community decides quickly, so a matter can go through all five
-- steps while you watch (deploy/demo/matter.sh): every window is one minute.
-- The others keep the usual seven days.
BEGIN;
UPDATE deliberation_rules SET notice_minutes = 1, opinion_minutes = 1, publish_minutes = 1,
                              evaluate_minutes = 1
WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s3.c3');
COMMIT;
