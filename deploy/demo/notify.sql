-- The demo city's notification settings. MADE-UP DEMO DATA. The robots and
-- the mail server are the local sink `make up` starts (deploy/sinks/sink.py,
-- signing secret "demo-secret"); its HTTP address is the psql variable
-- `sink` (host:port, load.sh passes it: 127.0.0.1:$GOV_SINK_HTTP_PORT, or
-- the sink container's under compose). Needs reference.sql and routing.sql.
-- Safe to run twice; an operator's later edits are kept.
BEGIN;

-- Group robots: 城管 and the leadership on 企业微信, 水务 on 钉钉, and the
-- centre's own system on a signed webhook.
INSERT INTO notify_unit_channels (unit_id, channel, url, secret)
SELECT u.id, c.channel, a.url, c.secret
FROM (VALUES
    ('dept.chengguan', 'wecom',    '/cgi-bin/webhook/send?key=ok-chengguan', ''),
    ('leader',         'wecom',    '/cgi-bin/webhook/send?key=ok-leader', ''),
    ('dept.shuiwu',    'dingtalk', '/robot/send?access_token=ok-shuiwu', 'demo-secret'),
    ('centre',         'webhook',  '/webhook/centre', 'demo-secret')
) AS c(unit, channel, path, secret)
CROSS JOIN LATERAL (SELECT 'http://' || :'sink' || c.path AS url) AS a
JOIN units u ON u.code = c.unit
ON CONFLICT (unit_id, channel, url) DO NOTHING;

-- The district leader on duty wants email and SMS, day and night.
INSERT INTO notify_prefs (person_id, channels, lang, quiet_from, quiet_to)
SELECT id, '{email,sms}', 'zh-CN', NULL, NULL FROM people WHERE code = 'p.leader.head'
ON CONFLICT (person_id) DO NOTHING;

COMMIT;
