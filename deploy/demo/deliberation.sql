-- Demo data (made up, for trying the system): the residents of the demo city
-- and each community's "1+3" bodies and standing council.
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

-- The "1+3" bodies (seed 000): besides the residents' committee (cm.…, the
-- routing demo's) and the supervision committee, each community's party
-- committee (社区党委, pc.…), led by its secretary.
INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)
SELECT 'pc.' || substr(a.code, 6), a.name || '党委', 'party_committee', a.id, c.supervisor_id,
       c.supervisor_id
FROM areas a JOIN units c ON c.code = 'cm.' || substr(a.code, 6)
WHERE a.level = 'community'
ON CONFLICT (code) DO NOTHING;

INSERT INTO people (code, name, phone)
SELECT 'p.' || u.code || '.secretary', a.name || '党委书记', NULL
FROM units u JOIN areas a ON a.id = u.area_id WHERE u.kind = 'party_committee'
ON CONFLICT (code) DO NOTHING;

INSERT INTO unit_members (unit_id, person_id, role)
SELECT u.id, p.id, 'secretary'
FROM units u JOIN people p ON p.code = 'p.' || u.code || '.secretary'
WHERE u.kind = 'party_committee'
ON CONFLICT DO NOTHING;

-- A second member of each supervision committee, and of each party committee
-- a resident who is a party member (the first adult of household 2 of grid 1).
INSERT INTO unit_members (unit_id, person_id, role)
SELECT u.id, p.id, 'member'
FROM units u JOIN people p
  ON p.code = 'r.' || substr(u.code, 4) || CASE u.kind WHEN 'supervision' THEN '.g3.3.2'
                                                        ELSE '.g1.2.1' END
WHERE u.kind IN ('supervision', 'party_committee')
ON CONFLICT DO NOTHING;

-- A standing 村务商议团 per community (seed 002: 7 to 9 村民代表): its 8
-- representatives, as if elected when the demo was loaded, for five years
-- (the article gives no term; five years is a 村委会's term, 村民委员会组织法
-- art. 11). An election (govctl matter convene --elect) replaces it.
INSERT INTO councils (community_id, term_from_ms, term_until_ms)
SELECT a.id, (extract(epoch FROM now()) * 1000)::bigint,
       (extract(epoch FROM now() + interval '5 years') * 1000)::bigint
FROM areas a
WHERE a.level = 'community' AND NOT EXISTS (SELECT 1 FROM councils c WHERE c.community_id = a.id);

INSERT INTO council_members (council_id, person_id)
SELECT c.id, r.person_id
FROM councils c JOIN areas g ON g.parent_id = c.community_id AND g.level = 'grid'
JOIN households h ON h.grid_id = g.id JOIN residents r ON r.household_id = h.id
WHERE r.representative AND c.meeting_id IS NULL
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
