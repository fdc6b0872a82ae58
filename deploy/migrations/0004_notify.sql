-- Notification: who wants to hear how, what the messages say, and every
-- delivery with each of its attempts. The notify service writes deliveries
-- in the same transaction as its position on the event streams, so an event
-- is planned once; a delivery is confirmed (state 'sent') only after the
-- channel said so, so a restart never repeats a confirmed delivery.

-- How a person wants to be reached. No row: email if they have an address,
-- else SMS; Chinese; quiet from 22:00 to 07:00 Beijing time.
CREATE TABLE notify_prefs (
    person_id  bigint PRIMARY KEY REFERENCES people (id),
    channels   text[] NOT NULL DEFAULT '{email}'
               CHECK (channels <@ ARRAY['email', 'sms']::text[]),
    lang       text NOT NULL DEFAULT 'zh-CN' CHECK (lang IN ('zh-CN', 'en')),
    quiet_from time,                  -- NULL (both): no quiet hours
    quiet_to   time,
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);

-- A unit's group destinations: the robots of its work chat, or a webhook.
-- url is the robot's full address (WeCom: …/cgi-bin/webhook/send?key=KEY;
-- DingTalk: …/robot/send?access_token=T); secret signs DingTalk requests and
-- webhook bodies.
CREATE TABLE notify_unit_channels (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id bigint NOT NULL REFERENCES units (id),
    channel text NOT NULL CHECK (channel IN ('wecom', 'dingtalk', 'webhook')),
    url     text NOT NULL CHECK (url ~ '^https?://'),
    secret  text NOT NULL DEFAULT '',
    lang    text NOT NULL DEFAULT 'zh-CN' CHECK (lang IN ('zh-CN', 'en')),
    enabled boolean NOT NULL DEFAULT true,
    UNIQUE (unit_id, channel, url)
);

-- What a message says, per event kind and language. {{name}} is replaced by
-- the event's field of that name (see docs/notify.md for the names).
CREATE TABLE notify_templates (
    kind    text NOT NULL,
    lang    text NOT NULL CHECK (lang IN ('zh-CN', 'en')),
    subject text NOT NULL,
    body    text NOT NULL,
    PRIMARY KEY (kind, lang)
);

-- One message to one destination. idem_key = stream:seq:recipient:channel
-- (digests: digest:<first merged id>) is unique, and receivers get it.
-- state: pending (next_at says when; held says why it waits) → sending
-- (claimed until lease_until) → sent | dead; or digested (merged into
-- digest_id, which is sent instead).
CREATE TABLE deliveries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idem_key    text NOT NULL UNIQUE,
    stream      text NOT NULL,
    seq         bigint NOT NULL,
    kind        text NOT NULL,
    recipient   text NOT NULL,          -- a person's code, a unit's code, or reporter:<case>
    channel     text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'wecom', 'dingtalk')),
    destination text NOT NULL,          -- address, phone or URL
    secret      text NOT NULL DEFAULT '',
    urgent      boolean NOT NULL DEFAULT false,
    subject     text NOT NULL,
    body        text NOT NULL,
    state       text NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'digested')),
    held        text CHECK (held IN ('quiet', 'rate')),
    attempts    int NOT NULL DEFAULT 0,
    failures    int NOT NULL DEFAULT 0,  -- attempts that count towards dead
    next_at     timestamptz NOT NULL,
    lease_until timestamptz,
    digest_id   bigint REFERENCES deliveries (id),
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE state = 'sending';
CREATE INDEX deliveries_dead ON deliveries (id) WHERE state = 'dead';

-- Every attempt. outcome: sent | retry (transient failure) | rate_limited |
-- failed (permanent) | unconfirmed (the sender died before it heard back).
CREATE TABLE delivery_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id bigint NOT NULL REFERENCES deliveries (id),
    at          timestamptz NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('sent', 'retry', 'rate_limited', 'failed', 'unconfirmed')),
    status      int NOT NULL DEFAULT 0,  -- HTTP or SMTP code; 0 none
    response    text NOT NULL DEFAULT '',
    ms          int NOT NULL DEFAULT 0
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

-- The messages. Short: robots cut text at 2048 (WeCom) bytes, SMS at 70
-- characters a segment.
INSERT INTO notify_templates (kind, lang, subject, body) VALUES
('DispatchSent', 'zh-CN', '【新工单】{{category}} #{{case_id}}',
 '{{unit_name}}：收到工单 #{{case_id}}（{{category}}，{{urgency}}）。{{description}} 位置：{{area}}。诉求人：{{reporter_name}} {{reporter_phone}}。请于 {{sign_by}} 前签收，{{resolve_by}} 前办结。'),
('DispatchSent', 'en', '[New case] {{category}} #{{case_id}}',
 '{{unit_name}}: case #{{case_id}} ({{category}}, {{urgency}}) is yours. {{description}} Where: {{area}}. Reporter: {{reporter_name}} {{reporter_phone}}. Sign by {{sign_by}}, resolve by {{resolve_by}}.'),
('WhistleSummoned', 'zh-CN', '【吹哨报到】{{whistle_kind}} #{{whistle_id}}',
 '{{unit_name}}：{{caller}} 吹哨（{{whistle_kind}}）：{{description}} 位置：{{area}}。请于 {{arrive_by}} 前到场报到。'),
('WhistleSummoned', 'en', '[Whistle] {{whistle_kind}} #{{whistle_id}}',
 '{{unit_name}}: {{caller}} blew a whistle ({{whistle_kind}}): {{description}} Where: {{area}}. Arrive by {{arrive_by}}.'),
('DeadlineReminder', 'zh-CN', '【催办提醒】#{{dispatch_id}} {{deadline}} 时限将至',
 '{{unit_name}}：派单 #{{dispatch_id}}（{{category}}）的{{deadline}}时限 {{due}} 将至，请尽快办理。{{description}}'),
('DeadlineReminder', 'en', '[Reminder] #{{dispatch_id}} {{deadline}} deadline near',
 '{{unit_name}}: the {{deadline}} deadline of dispatch #{{dispatch_id}} ({{category}}) is {{due}}. {{description}}'),
('DeadlineEscalated', 'zh-CN', '【超时升级】{{unit_name}} #{{dispatch_id}} {{deadline}} 超时',
 '{{target_name}}：{{unit_name}} 未在 {{due}} 前完成派单 #{{dispatch_id}}（{{category}}）的{{deadline}}，已升级至贵单位督办。{{description}} 诉求人：{{reporter_name}} {{reporter_phone}}'),
('DeadlineEscalated', 'en', '[Escalated] {{unit_name}} #{{dispatch_id}} missed {{deadline}}',
 '{{target_name}}: {{unit_name}} missed the {{deadline}} deadline ({{due}}) of dispatch #{{dispatch_id}} ({{category}}); it is escalated to you. {{description}} Reporter: {{reporter_name}} {{reporter_phone}}'),
('WhistleClosed', 'zh-CN', '【哨已结】#{{whistle_id}} 请评价',
 '{{caller}}：哨 #{{whistle_id}}（{{whistle_kind}}）已办结，请为报到部门评分（双考核）。'),
('WhistleClosed', 'en', '[Whistle closed] #{{whistle_id}} please rate',
 '{{caller}}: whistle #{{whistle_id}} ({{whistle_kind}}) is closed; please rate the departments that came.'),
('CaseReceived', 'zh-CN', '您的诉求已受理',
 '您反映的{{category}}问题已受理，工单号 {{case_id}}，我们将尽快办理。【接诉即办】'),
('CaseReceived', 'en', 'We have your report',
 'Your report ({{category}}) is case {{case_id}}; we are on it.'),
('EvaluationRequested', 'zh-CN', '您的诉求已办结，请评价',
 '工单 {{case_id}} 已由{{unit_name}}办结：{{text}} 请回复 满意 / 基本满意 / 不满意。【接诉即办】'),
('EvaluationRequested', 'en', 'Your report is resolved: please rate',
 'Case {{case_id}} was resolved by {{unit_name}}: {{text}} Reply satisfied / basic / dissatisfied.'),
('Digest', 'zh-CN', '【汇总】{{count}} 条通知',
 '{{count}} 条通知（发送过快，已合并）：\n{{items}}'),
('Digest', 'en', '[Digest] {{count}} messages',
 '{{count}} messages (merged under the rate limit):\n{{items}}');
