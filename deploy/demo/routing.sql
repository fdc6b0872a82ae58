-- The demo city's routing: leadership, rules, SLA policies and their ladders.
-- MADE-UP DEMO DATA shaped on Beijing's 接诉即办 practice. Needs reference.sql.
-- Safe to run twice.
BEGIN;

-- Escalations from a department reach the district's leadership (分管区领导),
-- then the dispatch centre.
INSERT INTO units (code, name, kind, area_id, supervisor_id)
SELECT 'leader', '示范区人民政府（分管副区长）', 'leadership', a.id, c.id
FROM areas a, units c WHERE a.code = 'demo' AND c.code = 'centre'
ON CONFLICT (code) DO NOTHING;
UPDATE units SET supervisor_id = (SELECT id FROM units WHERE code = 'leader')
WHERE kind = 'department';
INSERT INTO people (code, name, phone, email)
VALUES ('p.leader.head', '郑国栋', '13800009001', 'p-leader-head@demo.example')
ON CONFLICT (code) DO NOTHING;
INSERT INTO unit_members (unit_id, person_id, role)
SELECT u.id, p.id, 'head' FROM units u, people p WHERE u.code = 'leader' AND p.code = 'p.leader.head'
ON CONFLICT DO NOTHING;

-- Rules, tried in rank order. 小事不出网格、大事不出社区: neighbourhood
-- matters go to the grid team first, then the community; the rest to the
-- department that owns the subject.
-- Loaded once: an operator's later edits are theirs to keep.
INSERT INTO routing_rules (rank, category_kind, category_subject, tier, lead_unit_id, on_site, note)
SELECT r.rank, r.kind, r.subject, r.tier, u.id, r.on_site, r.note
FROM (VALUES
    (10, NULL, 'dispute',      'grid',       NULL,            false, '邻里纠纷：网格先调解'),
    (11, NULL, 'dispute',      'community',  NULL,            false, '调解不成交社区'),
    (12, NULL, 'dispute',      'department', 'dept.sifa',     false, '再交司法所'),
    (20, NULL, 'sanitation',   'grid',       NULL,            true,  '环境卫生：网格巡查处置'),
    (21, NULL, 'sanitation',   'department', 'dept.chengguan', true, '网格处置不了交城管'),
    (30, NULL, 'property',     'community',  NULL,            false, '物业管理：社区协调'),
    (31, NULL, 'property',     'department', 'dept.zhujian',  false, '再交住建'),
    (40, NULL, 'noise',        'department', 'dept.chengguan', true, '噪声扰民'),
    (41, NULL, 'noise',        'department', 'dept.shengtai', true,  '工业噪声'),
    (50, NULL, 'construction', 'department', 'dept.chengguan', true, '违法建设'),
    (60, NULL, 'water',        'department', 'dept.shuiwu',   true,  '供水排水'),
    (70, NULL, 'traffic',      'department', 'dept.jiaotong', true,  '道路交通'),
    (80, NULL, 'security',     'department', 'dept.gongan',   true,  '社会治安'),
    (90, NULL, 'food',         'department', 'dept.shichang', true,  '食品安全'),
    (100, NULL, 'pollution',   'department', 'dept.shengtai', true,  '环境污染'),
    (110, NULL, 'heating',     'department', 'dept.zhujian',  false, '供暖'),
    (120, 'consultation', NULL, 'street',    NULL,            false, '咨询：街道答复'))
    AS r(rank, kind, subject, tier, unit_code, on_site, note)
LEFT JOIN units u ON u.code = r.unit_code
WHERE NOT EXISTS (SELECT 1 FROM routing_rules);
-- 协办: a water case brings the environment bureau along as assistant.
UPDATE routing_rules SET assist_unit_ids = ARRAY(SELECT id FROM units WHERE code = 'dept.shengtai')
WHERE category_subject = 'water' AND assist_unit_ids = '{}';

-- SLA policies: Beijing's 12345 feedback tiers are the defaults — sign within
-- 2 hours, contact the reporter within 24 hours, resolve within 7 working
-- days (15 for complex matters: construction, property).
INSERT INTO sla_policies (code, name, rank, applies_to, category_kind, category_subject, urgency,
                          whistle_kind, sign_minutes, contact_minutes, arrive_minutes,
                          resolve_minutes, resolve_working)
VALUES
    ('case.default',   '诉求（一般）', 100, 'case', NULL, NULL, NULL, NULL, 120, 1440, 1440, 7 * 1440, true),
    ('case.complex',   '诉求（复杂）', 90,  'case', NULL, 'construction', NULL, NULL, 120, 1440, 2880, 15 * 1440, true),
    ('case.property',  '物业（复杂）', 90,  'case', NULL, 'property', NULL, NULL, 120, 1440, 2880, 15 * 1440, true),
    ('case.urgent',    '诉求（紧急）', 50,  'case', NULL, NULL, 'urgent', NULL, 30, 120, 120, 1440, false),
    ('case.emergency', '诉求（突发）', 10,  'case', NULL, NULL, 'emergency', NULL, 10, 30, 30, 240, false),
    ('whistle.routine',   '日常哨', 100, 'whistle', NULL, NULL, NULL, 'routine',   120, NULL, 1440, 7 * 1440, true),
    ('whistle.hard',      '攻坚哨', 100, 'whistle', NULL, NULL, NULL, 'hard',      60,  NULL, 240,  15 * 1440, true),
    ('whistle.emergency', '应急哨', 100, 'whistle', NULL, NULL, NULL, 'emergency', 10,  NULL, 30,   1440, false)
ON CONFLICT (code) DO NOTHING;

-- The ladder: remind the unit at 50% and 80% of each deadline, escalate to
-- its supervisor at the deadline, and to the dispatch centre 30 minutes (an
-- emergency: 10 minutes) after.
INSERT INTO ladder_steps (policy_id, deadline, step, percent, after_minutes, action)
SELECT p.id, d.deadline, s.step, s.percent,
       CASE WHEN s.action = 'escalate_centre' THEN
            CASE WHEN p.code LIKE '%emergency' THEN 10 ELSE 30 END ELSE 0 END,
       s.action
FROM sla_policies p
CROSS JOIN (VALUES ('sign'), ('contact'), ('arrive'), ('resolve')) AS d(deadline)
CROSS JOIN (VALUES (1, 50, 'remind'), (2, 80, 'remind'), (3, 100, 'escalate_supervisor'),
                   (4, 100, 'escalate_centre')) AS s(step, percent, action)
WHERE (d.deadline <> 'contact' OR p.contact_minutes IS NOT NULL)
ON CONFLICT DO NOTHING;

COMMIT;
