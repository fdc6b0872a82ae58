-- 0023: the gateway keeps, beside Open311's api keys (0014), who each live
-- session or API token is — the person, their units with kind and role, and
-- whether they are a resident — so a request's session check costs no query
-- (services/gateway/auth.h). A revocation or logout is an UPDATE of
-- gateway_tokens, which 0014 already announces; what else makes up the answer
-- announces itself here, on the same channel, when the change commits. A new
-- person or unit has no session and no member yet, so only their changes
-- count; a membership or a resident's row counts when it is added too.

CREATE TRIGGER people_changed AFTER UPDATE OR DELETE OR TRUNCATE ON people
    FOR EACH STATEMENT EXECUTE FUNCTION gateway_cache_changed();
CREATE TRIGGER units_changed AFTER UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION gateway_cache_changed();
CREATE TRIGGER unit_members_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_members
    FOR EACH STATEMENT EXECUTE FUNCTION gateway_cache_changed();
CREATE TRIGGER residents_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON residents
    FOR EACH STATEMENT EXECUTE FUNCTION gateway_cache_changed();

SELECT gov_grant_sequences();
