-- The demo city's organisation, people and case categories. MADE-UP DEMO DATA:
-- no real office, person or phone number. Needs the areas of city.geojson
-- (govctl areas import deploy/demo/city.geojson). Safe to run twice.
BEGIN;

-- Units -------------------------------------------------------------------
INSERT INTO units (code, name, kind, area_id)
SELECT 'centre', '示范区城市运行指挥中心（接诉即办）', 'dispatch_centre', id FROM areas WHERE code = 'demo'
ON CONFLICT (code) DO NOTHING;

INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)
SELECT 'so.' || substr(a.code, 6), a.name || '办事处', 'street_office', a.id, c.id, c.id
FROM areas a, units c WHERE a.level = 'street' AND c.code = 'centre'
ON CONFLICT (code) DO NOTHING;

INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)
SELECT 'cm.' || substr(a.code, 6), a.name || '居委会', 'community', a.id, s.id, s.id
FROM areas a JOIN areas p ON p.id = a.parent_id JOIN units s ON s.code = 'so.' || substr(p.code, 6)
WHERE a.level = 'community'
ON CONFLICT (code) DO NOTHING;

INSERT INTO units (code, name, kind, area_id, parent_id, supervisor_id)
SELECT 'gt.' || substr(a.code, 6), a.name || '工作组', 'grid_team', a.id, m.id, m.id
FROM areas a JOIN areas p ON p.id = a.parent_id JOIN units m ON m.code = 'cm.' || substr(p.code, 6)
WHERE a.level = 'grid'
ON CONFLICT (code) DO NOTHING;

INSERT INTO units (code, name, kind, area_id, supervisor_id)
SELECT d.code, d.name, 'department', a.id, c.id
FROM (VALUES ('dept.chengguan', '区城市管理委员会（城管）'),
             ('dept.zhujian',   '区住房和城乡建设委员会（住建）'),
             ('dept.shuiwu',    '区水务局'),
             ('dept.gongan',    '区公安分局'),
             ('dept.shichang',  '区市场监督管理局'),
             ('dept.shengtai',  '区生态环境局'),
             ('dept.jiaotong',  '区交通局'),
             ('dept.sifa',      '区司法局司法所')) AS d(code, name),
     areas a, units c
WHERE a.code = 'demo' AND c.code = 'centre'
ON CONFLICT (code) DO NOTHING;

-- The admin (系统管理), who keeps people, units, memberships and the
-- calendar through the gateway (docs/gateway.md); no area, no dispatches.
INSERT INTO units (code, name, kind) VALUES ('admin', '示范区系统管理员', 'admin')
ON CONFLICT (code) DO NOTHING;

-- People: a head for every unit but grid teams, a grid worker for every
-- grid, a dispatcher at the centre. Names are composed, phones are 1380000xxxx.
WITH roles AS (
    SELECT u.id AS unit_id, u.code AS unit_code,
           CASE u.kind WHEN 'grid_team' THEN 'grid_worker' ELSE 'head' END AS role,
           row_number() OVER (ORDER BY u.id) AS n
    FROM units u
    UNION ALL
    SELECT id, code, 'dispatcher', 1000 FROM units WHERE code = 'centre'
), named AS (
    SELECT r.*, 'p.' || r.unit_code || '.' || r.role AS person_code,
           (ARRAY['王','李','张','刘','陈','杨','赵','黄','周','吴','徐','孙','马','胡','朱','郭'])[1 + (r.n % 16)::int]
           || (ARRAY['建国','秀英','志强','丽娟','海燕','伟','静','磊','晓明','春梅','国华','立新','敏','洪涛','红','宁'])[1 + ((r.n * 7) % 16)::int]
           AS person_name
    FROM roles r
), people_in AS (
    INSERT INTO people (code, name, phone, email)
    SELECT person_code, person_name, '1380000' || lpad(n::text, 4, '0'),
           replace(person_code, '.', '-') || '@demo.example'
    FROM named
    ON CONFLICT (code) DO NOTHING
    RETURNING id, code
)
INSERT INTO unit_members (unit_id, person_id, role)
SELECT n.unit_id, p.id, n.role
FROM named n JOIN people_in p ON p.code = n.person_code
ON CONFLICT DO NOTHING;

-- Categories: kind x subject, in the shape of the 12345 hotline taxonomy.
INSERT INTO categories (code, name, kind, subject, subject_name)
SELECT k.kind || '.' || s.subject,
       k.kind_name || '·' || s.subject_name, k.kind, s.subject, s.subject_name
FROM (VALUES ('consultation', '咨询'), ('help', '求助'), ('complaint', '投诉'),
             ('report', '举报'), ('suggestion', '建议')) AS k(kind, kind_name)
JOIN (VALUES ('noise', '噪声扰民', '{complaint,report}'),
             ('sanitation', '环境卫生', '{complaint,report,suggestion}'),
             ('construction', '违法建设', '{complaint,report}'),
             ('water', '供水排水', '{consultation,help,complaint,report}'),
             ('traffic', '道路交通', '{complaint,report,suggestion}'),
             ('security', '社会治安', '{help,report}'),
             ('food', '食品安全', '{complaint,report}'),
             ('property', '物业管理', '{consultation,complaint}'),
             ('dispute', '邻里纠纷', '{help,complaint}'),
             ('heating', '供暖', '{consultation,help,complaint}'),
             ('pollution', '环境污染', '{complaint,report}'),
             ('policy', '政策咨询', '{consultation,suggestion}'))
     AS s(subject, subject_name, kinds) ON k.kind = ANY (s.kinds::text[])
ON CONFLICT (code) DO NOTHING;

COMMIT;
