-- The demo city's notification settings. MADE-UP DEMO DATA. The robots and
-- the mail server are the local sink `make up` starts (deploy/sinks/sink.py:
-- HTTP on 127.0.0.1:7390, SMTP on 2525, signing secret "demo-secret").
-- Needs reference.sql and routing.sql. Safe to run twice; an operator's
-- later edits are kept.
BEGIN;

-- Group robots: 城管 and the leadership on 企业微信, 水务 on 钉钉, and the
-- centre's own system on a signed webhook.
INSERT INTO notify_unit_channels (unit_id, channel, url, secret)
SELECT u.id, c.channel, c.url, c.secret
FROM (VALUES
    ('dept.chengguan', 'wecom',    'http://127.0.0.1:7390/cgi-bin/webhook/send?key=ok-chengguan', ''),
    ('leader',         'wecom',    'http://127.0.0.1:7390/cgi-bin/webhook/send?key=ok-leader', ''),
    ('dept.shuiwu',    'dingtalk', 'http://127.0.0.1:7390/robot/send?access_token=ok-shuiwu', 'demo-secret'),
    ('centre',         'webhook',  'http://127.0.0.1:7390/webhook/centre', 'demo-secret')
) AS c(unit, channel, url, secret)
JOIN units u ON u.code = c.unit
ON CONFLICT (unit_id, channel, url) DO NOTHING;

-- The district leader on duty wants email and SMS, day and night.
INSERT INTO notify_prefs (person_id, channels, lang, quiet_from, quiet_to)
SELECT id, '{email,sms}', 'zh-CN', NULL, NULL FROM people WHERE code = 'p.leader.head'
ON CONFLICT (person_id) DO NOTHING;

COMMIT;
