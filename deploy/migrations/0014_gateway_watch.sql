-- 0014: the gateway keeps Open311 api keys and category names in memory, so a
-- filing costs no query (services/gateway/dbwatch.h). A change to either table
-- tells it to forget them: NOTIFY gateway_cache, sent when the change commits,
-- so a revoked key is refused on the next request. New rows need no notice
-- (an unknown key or category is always asked of the database).

CREATE FUNCTION gateway_cache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gateway_cache', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER gateway_tokens_changed AFTER UPDATE OR DELETE OR TRUNCATE ON gateway_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION gateway_cache_changed();
CREATE TRIGGER categories_changed AFTER UPDATE OR DELETE OR TRUNCATE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION gateway_cache_changed();
