-- Least privilege: one group role per service, holding only the rights that
-- service needs (docs/deploy.md, "Database roles"). The roles cannot log in;
-- the deployment makes one login role per service in each group
-- (deploy/db-logins.sh: gov_intake_login in gov_intake, ...), with a password
-- from its secrets. Migrations and govctl keep running as the database's
-- owner, which owns every table.
--
-- The rule for every later migration: a migration that creates a table
-- grants on it in the same file, to the service that writes it (SELECT,
-- INSERT, UPDATE, and DELETE only where the service deletes) and to each
-- service that reads it (SELECT). tests/cli/test_db_roles.sh fails on a
-- table no group role has a right on.
--
-- Roles belong to the whole cluster, not to one database: made only when
-- missing, so a second database in the same cluster (tests, a restore)
-- migrates too. Making them needs CREATEROLE (the compose role gov has it).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['gov_intake', 'gov_routing', 'gov_deliberation', 'gov_notify', 'gov_gateway'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;

-- Shared reference tables, written by govctl (the owner) or by routing's
-- admin commands, read by every service; the schema version, for /readyz.
GRANT SELECT ON schema_migrations, areas, areas_version, units, people, unit_members,
    categories, calendar_days, calendar_revision
    TO gov_intake, gov_routing, gov_deliberation, gov_notify, gov_gateway;

-- Events: the publishers append to the outbox and relay it; every
-- subscriber reads it to fill gaps and keeps its position; the gateway's
-- feeds read it.
GRANT SELECT, INSERT, UPDATE ON outbox, outbox_streams TO gov_intake, gov_routing, gov_deliberation;
GRANT SELECT ON outbox, outbox_streams TO gov_notify, gov_gateway;
GRANT SELECT, INSERT, UPDATE ON subscriber_positions TO gov_intake, gov_routing, gov_deliberation, gov_notify;

-- intake: cases (接诉即办).
GRANT SELECT, INSERT, UPDATE ON cases, case_callers, intake_requests TO gov_intake;

-- routing: dispatches, whistles, deadlines; and the admin commands' people,
-- units, memberships and calendar.
GRANT SELECT, INSERT, UPDATE ON routed_cases, whistles, dispatches, dispatch_log, deadlines,
    evaluations, whistle_ratings, routing_requests, routing_rules TO gov_routing;
GRANT SELECT ON sla_policies, ladder_steps TO gov_routing;
GRANT INSERT, UPDATE ON people, units TO gov_routing;
GRANT INSERT, UPDATE, DELETE ON unit_members, calendar_days TO gov_routing;
GRANT UPDATE ON calendar_revision TO gov_routing;

-- deliberation: matters, meetings, the record, 3+1 lists; residents read.
GRANT SELECT, INSERT, UPDATE ON deliberation_rules, matters, matter_records, matter_cosigns,
    matter_opinions, meetings, meeting_roster, meeting_attendance, meeting_ballots, meeting_votes,
    matter_objections, matter_tasks, matter_evaluations, matter_observations, matter_windows,
    community_needs, unit_resources, community_projects, volunteers, service_orders,
    deliberation_requests, meeting_sealed,
    councils, council_members, matter_reviews, matter_flags, matter_execution_ratings TO gov_deliberation;
GRANT DELETE ON meeting_sealed TO gov_deliberation;
GRANT SELECT ON households, residents TO gov_deliberation;

-- notify: its deliveries; preferences, channels and templates read.
GRANT SELECT, INSERT, UPDATE ON deliveries, delivery_attempts TO gov_notify;
GRANT SELECT ON notify_prefs, notify_unit_channels, notify_templates TO gov_notify;

-- gateway: sessions and login codes; the read side of its pages.
GRANT SELECT, INSERT, UPDATE ON gateway_tokens TO gov_gateway;
GRANT SELECT, INSERT, UPDATE, DELETE ON gateway_login_codes TO gov_gateway;
GRANT SELECT ON gateway_passwords, dispatches, dispatch_log, evaluations, whistles, households, residents
    TO gov_gateway;

-- A service that inserts rows into a table may take ids from its sequences
-- (intake numbers cases with nextval before inserting them). Every
-- migration that grants INSERT ends with `SELECT gov_grant_sequences();`.
CREATE FUNCTION gov_grant_sequences() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT DISTINCT s.oid::regclass AS seq, r.rolname
          FROM pg_class s
          JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                          AND d.refclassid = 'pg_class'::regclass
          JOIN pg_class t ON t.oid = d.refobjid
          JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
          CROSS JOIN pg_roles r
         WHERE s.relkind = 'S' AND r.rolname LIKE 'gov\_%' AND NOT r.rolcanlogin
           AND has_table_privilege(r.oid, t.oid, 'INSERT')
    LOOP
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', g.seq, g.rolname);
    END LOOP;
END
$$;
SELECT gov_grant_sequences();
