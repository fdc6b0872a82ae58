-- 0021: 五定 for the tasks of a decided matter (seed 000: "推行定类、定责、定标、
-- 定时、定效'五定'管理，对'由民做主'项目实施效果、存在问题等进行密切跟踪分析"):
-- each task the residents' committee assigns has its type (定类), its owner — a
-- unit and a person of it (定责) —, its standard (定标), its due date in working
-- days on the calendar routing uses (定时), and its effect check (定效, 验收) by
-- the party committee or the supervision committee. Reminders and escalations
-- run on the deadline engine (common/deadline.h), as a dispatch's ladder does:
-- only the next step of a task exists, and firing it writes the one after.
-- Times are ms since the epoch. docs/deliberation.md, "五定".

-- A 五定 task is a row of matter_tasks of kind 'wuding':
--   open ─report→ reported ─check passed→ done
--                         └─check failed→ open again (once, with a new due date)
--                                         or failed (the second time)
ALTER TABLE matter_tasks DROP CONSTRAINT matter_tasks_kind_check;
ALTER TABLE matter_tasks ADD CONSTRAINT matter_tasks_kind_check
    CHECK (kind IN ('dispatch', 'committee', 'wuding'));
ALTER TABLE matter_tasks DROP CONSTRAINT matter_tasks_state_check;
ALTER TABLE matter_tasks ADD CONSTRAINT matter_tasks_state_check
    CHECK (state IN ('open', 'reported', 'done', 'failed'));
ALTER TABLE matter_tasks
    ADD COLUMN task_type     text CHECK (task_type IN ('city_management', 'community_governance',
                                     'renovation', 'public_security', 'civility', 'other')),
    ADD COLUMN owner_unit_id bigint REFERENCES units (id),
    ADD COLUMN owner_id      bigint REFERENCES people (id),
    ADD COLUMN standard      text,
    ADD COLUMN due_days      int CHECK (due_days BETWEEN 1 AND 365),
    ADD COLUMN assigned_ms   bigint,
    ADD COLUMN due_ms        bigint,
    ADD COLUMN reported_ms   bigint,
    ADD COLUMN report        text,
    ADD COLUMN check_verdict text CHECK (check_verdict IN ('passed', 'failed')),
    ADD COLUMN checked_by    bigint REFERENCES people (id),
    ADD COLUMN check_unit_id bigint REFERENCES units (id),
    ADD COLUMN check_note    text,
    ADD COLUMN checked_ms    bigint,
    ADD COLUMN reopens       int NOT NULL DEFAULT 0 CHECK (reopens BETWEEN 0 AND 1),
    ADD COLUMN escalations   int NOT NULL DEFAULT 0 CHECK (escalations BETWEEN 0 AND 2),
    ADD COLUMN reminders     int NOT NULL DEFAULT 0,
    ADD CONSTRAINT matter_tasks_wuding CHECK (kind <> 'wuding' OR (task_type IS NOT NULL
        AND owner_unit_id IS NOT NULL AND owner_id IS NOT NULL AND standard <> ''
        AND due_days IS NOT NULL AND assigned_ms IS NOT NULL AND due_ms IS NOT NULL)),
    ADD CONSTRAINT matter_tasks_wuding_state CHECK (kind = 'wuding' OR state IN ('open', 'done'));
CREATE INDEX matter_tasks_owner ON matter_tasks (owner_unit_id) WHERE kind = 'wuding';

-- The next step of each open task's ladder (services/deliberation/wuding.c):
-- step 0 and 1 remind the owner at 50 % and 80 % of the working span, step 2
-- escalates to the party committee at the due date, step 3 to the street
-- office one working day later. `ladder` is the task's reopens when written:
-- a step of a ladder before a reopening does nothing. Pending: fired_ms IS
-- NULL; a report settles the pending step (fired, not acted: acted false).
CREATE TABLE task_deadlines (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id  bigint NOT NULL REFERENCES matter_tasks (id),
    ladder   int NOT NULL,
    step     int NOT NULL CHECK (step BETWEEN 0 AND 3),
    due_ms   bigint NOT NULL,
    fired_ms bigint,
    acted    boolean NOT NULL DEFAULT false,
    UNIQUE (task_id, ladder, step)
);
CREATE INDEX task_deadlines_due ON task_deadlines (due_ms) WHERE fired_ms IS NULL;

GRANT SELECT, INSERT, UPDATE ON task_deadlines TO gov_deliberation;
GRANT SELECT ON matter_tasks, task_deadlines TO gov_notify;

INSERT INTO notify_templates (kind, lang, subject, body) VALUES
('TaskAssigned', 'zh-CN', '【五定任务】#{{task_id}} {{text}}',
 '「{{title}}」的任务：{{text}}。类别：{{type}}；标准：{{standard}}；请于 {{due}} 前完成并报告。'),
('TaskAssigned', 'en', '[Task] #{{task_id}} {{text}}',
 'A task of "{{title}}": {{text}}. Type: {{type}}; standard: {{standard}}; report it done before {{due}}.'),
('TaskReminder', 'zh-CN', '【任务提醒】#{{task_id}} {{text}}',
 '任务「{{text}}」将于 {{due}} 到期，尚未报告完成。'),
('TaskReminder', 'en', '[Reminder] task #{{task_id}} {{text}}',
 'The task "{{text}}" is due at {{due}} and is not reported done.'),
('TaskEscalated', 'zh-CN', '【任务超期督办】#{{task_id}} {{text}}',
 '「{{title}}」的任务「{{text}}」已于 {{due}} 到期未完成（责任单位：{{owner_unit}}），请督办。'),
('TaskEscalated', 'en', '[Overdue] task #{{task_id}} {{text}}',
 'The task "{{text}}" of "{{title}}" was due at {{due}} and is not done (owner: {{owner_unit}}).'),
('TaskReported', 'zh-CN', '【任务待验收】#{{task_id}} {{text}}',
 '任务「{{text}}」已报告完成：{{report}}。请按标准验收：{{standard}}。'),
('TaskReported', 'en', '[To check] task #{{task_id}} {{text}}',
 'The task "{{text}}" is reported done: {{report}}. Check it against its standard: {{standard}}.'),
('TaskPassed', 'zh-CN', '【验收通过】#{{task_id}} {{text}}',
 '任务「{{text}}」验收通过。{{note}}'),
('TaskPassed', 'en', '[Passed] task #{{task_id}} {{text}}',
 'The task "{{text}}" passed its check. {{note}}'),
('TaskReopened', 'zh-CN', '【验收未通过】#{{task_id}} {{text}}',
 '任务「{{text}}」验收未通过：{{note}}。任务已重新打开，请于 {{due}} 前完成。'),
('TaskReopened', 'en', '[Reopened] task #{{task_id}} {{text}}',
 'The task "{{text}}" failed its check: {{note}}. It is open again, due {{due}}.'),
('TaskFailed', 'zh-CN', '【验收再次未通过】#{{task_id}} {{text}}',
 '任务「{{text}}」第二次验收未通过：{{note}}。'),
('TaskFailed', 'en', '[Failed] task #{{task_id}} {{text}}',
 'The task "{{text}}" failed its check a second time: {{note}}.'),
-- The deliberation events that had no template (docs/deliberation.md, "Not
-- yet"): who hears them is services/notify/plan.c's s_deliberation.
('StepFlagged', 'zh-CN', '【监督提示】事项#{{matter_id}} {{title}}',
 '监督委员会认为第{{record_n}}条记录（{{record_kind}}）不规范：{{text}}。请答复；答复前事项暂停。'),
('StepFlagged', 'en', '[Flagged] matter #{{matter_id}} {{title}}',
 'The supervision committee flags record {{record_n}} ({{record_kind}}) as irregular: {{text}}. Answer it; the matter is held until then.'),
('FlagAnswered', 'zh-CN', '【监督答复】事项#{{matter_id}} {{title}}',
 '对监督提示的答复：{{text}}'),
('FlagAnswered', 'en', '[Flag answered] matter #{{matter_id}} {{title}}',
 'The flag was answered: {{text}}'),
('ObjectionAnswered', 'zh-CN', '【异议答复】事项#{{matter_id}} {{title}}',
 '社区党委对公示期异议的答复：{{text}}'),
('ObjectionAnswered', 'en', '[Objection answered] matter #{{matter_id}} {{title}}',
 'The party committee answered the objection: {{text}}'),
('MatterReviewed', 'zh-CN', '【两委审议】事项#{{matter_id}} {{title}}',
 '两委联席审议：{{verdict}}。{{text}}'),
('MatterReviewed', 'en', '[Reviewed] matter #{{matter_id}} {{title}}',
 'The joint review: {{verdict}}. {{text}}'),
('ExecutionRated', 'zh-CN', '【执行评判】事项#{{matter_id}} {{title}}',
 '监督委员会对第{{round}}轮执行的评判：{{rating}}。{{text}}'),
('ExecutionRated', 'en', '[Execution rated] matter #{{matter_id}} {{title}}',
 'The supervision committee rated round {{round}} of the execution: {{rating}}. {{text}}'),
('MatterReopened', 'zh-CN', '【重新办理】事项#{{matter_id}} {{title}}',
 '居民评事多数不满意，事项重新进入办理（第{{round}}轮）。'),
('MatterReopened', 'en', '[Reopened] matter #{{matter_id}} {{title}}',
 'Most residents were dissatisfied: the execution is reopened (round {{round}}).'),
('CouncilElected', 'zh-CN', '【村务商议团】{{community}}选举产生',
 '村民代表会议选举产生村务商议团：{{members}}。'),
('CouncilElected', 'en', '[Council elected] {{community}}',
 'The representatives elected the standing council: {{members}}.')
ON CONFLICT DO NOTHING;

SELECT gov_grant_sequences();
