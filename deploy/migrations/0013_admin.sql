-- 0013: the admin, who keeps the organisation and the calendar through
-- routing's directory commands (services/routing/directory.c, docs/gateway.md).

-- A unit of kind admin: its members manage people, units, memberships and
-- the working-day calendar. It has no area and takes no dispatches.
ALTER TABLE units DROP CONSTRAINT units_kind_check;
ALTER TABLE units ADD CONSTRAINT units_kind_check
    CHECK (kind IN ('grid_team', 'community', 'street_office', 'department', 'dispatch_centre',
                    'leadership', 'supervision', 'admin'));

-- The calendar's revision. Every statement that changes calendar_days, by
-- whoever (routing's ImportCalendar, govctl calendar import, a loader),
-- moves it in the same transaction; routing compares it with the revision
-- it loaded before it computes a deadline, and reloads when it moved, so
-- every replica uses a new calendar from its next dispatch on, no restart.
CREATE TABLE calendar_revision (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    revision bigint NOT NULL DEFAULT 0
);
INSERT INTO calendar_revision DEFAULT VALUES;

CREATE FUNCTION calendar_days_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_revision SET revision = revision + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER calendar_days_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION calendar_days_touch();
