-- 0002: cases, their callers, and the intake's idempotency record.

CREATE TABLE cases (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'dispatched', 'resolved', 'closed')),
    channel        text NOT NULL,
    category_code  text NOT NULL REFERENCES categories (code),
    description    text NOT NULL,
    urgency        text NOT NULL CHECK (urgency IN ('normal', 'urgent', 'emergency')),
    location       geography(Point, 4326),       -- NULL: address only, unplaced
    address        text NOT NULL DEFAULT '',
    area_id        bigint REFERENCES areas (id),
    area_path      bigint[] NOT NULL DEFAULT '{}',
    reporter_name  text NOT NULL DEFAULT '',
    reporter_phone text NOT NULL DEFAULT '',
    media_urls     text[] NOT NULL DEFAULT '{}',
    caller_count   int NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cases_open_location ON cases USING gist (location)
    WHERE status IN ('open', 'dispatched');
CREATE INDEX cases_area_path ON cases USING gin (area_path);
CREATE INDEX cases_created ON cases (created_at);

-- Every submission that made or joined a case (合并工单 keeps them all).
CREATE TABLE case_callers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint NOT NULL REFERENCES cases (id),
    channel        text NOT NULL,
    reporter_name  text NOT NULL DEFAULT '',
    reporter_phone text NOT NULL DEFAULT '',
    description    text NOT NULL,
    media_urls     text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_callers_case ON case_callers (case_id);

-- The answer given to each idempotency key, and a hash of the request that
-- got it, so a replay gets the same answer and a different request under the
-- same key is refused.
CREATE TABLE intake_requests (
    key          text PRIMARY KEY,
    request_hash bytea NOT NULL,
    case_id      bigint NOT NULL REFERENCES cases (id),
    merged       boolean NOT NULL,
    status       text NOT NULL,
    caller_count int NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Submits one validated case. Checks that need the database (idempotency,
-- category, placement) return a code instead of raising, so that many
-- submissions can share one transaction and one failing does not abort the
-- others. Nothing is written unless code = 'OK'.
--   codes: OK, IDEMPOTENCY_CONFLICT, UNKNOWN_CATEGORY, OUTSIDE_AREA
CREATE FUNCTION intake_submit(
    p_key text, p_request bytea, p_channel text, p_category text, p_description text,
    p_urgency text, p_lon float8, p_lat float8, p_address text, p_name text, p_phone text,
    p_media text[], p_merge_m float8, p_merge_window interval)
RETURNS TABLE (code text, case_id bigint, merged boolean, replayed boolean, status text,
               caller_count int, area_path jsonb, created_ms bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_hash  bytea := sha256(p_request);
    v_seen  intake_requests%ROWTYPE;
    v_point geography;
    v_area  areas%ROWTYPE;
    v_case  cases%ROWTYPE;
BEGIN
    SELECT * INTO v_seen FROM intake_requests r WHERE r.key = p_key;
    IF FOUND THEN
        IF v_seen.request_hash <> v_hash THEN
            RETURN QUERY SELECT 'IDEMPOTENCY_CONFLICT', NULL::bigint, NULL::boolean, false,
                                NULL::text, NULL::int, NULL::jsonb, NULL::bigint;
            RETURN;
        END IF;
        SELECT * INTO v_case FROM cases c WHERE c.id = v_seen.case_id;
        SELECT * INTO v_area FROM areas a WHERE a.id = v_case.area_id;
        RETURN QUERY SELECT 'OK', v_seen.case_id, v_seen.merged, true, v_seen.status,
                            v_seen.caller_count, coalesce(v_area.path_json, '[]'),
                            (extract(epoch FROM v_case.created_at) * 1000)::bigint;
        RETURN;
    END IF;

    PERFORM 1 FROM categories WHERE categories.code = p_category;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'UNKNOWN_CATEGORY', NULL::bigint, NULL::boolean, false,
                            NULL::text, NULL::int, NULL::jsonb, NULL::bigint;
        RETURN;
    END IF;

    IF p_lon IS NOT NULL THEN
        v_point := ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326)::geography;
        -- The smallest area that holds the point: a grid where grids cover it
        -- (one index probe), else the deepest, smallest area that does.
        SELECT * INTO v_area FROM areas a
        WHERE a.level = 'grid' AND ST_Covers(a.geom, v_point::geometry)
        ORDER BY ST_Area(a.geom) LIMIT 1;
        IF NOT FOUND THEN
            SELECT * INTO v_area FROM areas a
            WHERE ST_Covers(a.geom, v_point::geometry)
            ORDER BY cardinality(a.path) DESC, ST_Area(a.geom) ASC
            LIMIT 1;
        END IF;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'OUTSIDE_AREA', NULL::bigint, NULL::boolean, false,
                                NULL::text, NULL::int, NULL::jsonb, NULL::bigint;
            RETURN;
        END IF;
        -- One merge decision at a time per category, across intake replicas.
        PERFORM pg_advisory_xact_lock(hashtext('intake_merge:' || p_category));
        SELECT * INTO v_case FROM cases c
        WHERE c.category_code = p_category
          AND c.status IN ('open', 'dispatched')
          AND c.created_at > now() - p_merge_window
          AND ST_DWithin(c.location, v_point, p_merge_m)
        ORDER BY ST_Distance(c.location, v_point), c.id
        LIMIT 1
        FOR UPDATE;
        IF FOUND THEN
            UPDATE cases c SET caller_count = c.caller_count + 1, updated_at = now()
            WHERE c.id = v_case.id
            RETURNING * INTO v_case;
            merged := true;
        END IF;
    END IF;

    IF merged IS NULL THEN
        INSERT INTO cases (channel, category_code, description, urgency, location, address,
                           area_id, area_path, reporter_name, reporter_phone, media_urls)
        VALUES (p_channel, p_category, p_description, p_urgency, v_point, coalesce(p_address, ''),
                v_area.id, coalesce(v_area.path, '{}'), coalesce(p_name, ''),
                coalesce(p_phone, ''), coalesce(p_media, '{}'))
        RETURNING * INTO v_case;
        merged := false;
    END IF;

    INSERT INTO case_callers (case_id, channel, reporter_name, reporter_phone, description,
                              media_urls)
    VALUES (v_case.id, p_channel, coalesce(p_name, ''), coalesce(p_phone, ''), p_description,
            coalesce(p_media, '{}'));
    INSERT INTO intake_requests (key, request_hash, case_id, merged, status, caller_count)
    VALUES (p_key, v_hash, v_case.id, merged, v_case.status, v_case.caller_count);

    IF merged THEN
        SELECT * INTO v_area FROM areas a WHERE a.id = v_case.area_id;
    END IF;
    RETURN QUERY SELECT 'OK', v_case.id, merged, false, v_case.status, v_case.caller_count,
                        coalesce(v_area.path_json, '[]'),
                        (extract(epoch FROM v_case.created_at) * 1000)::bigint;
END
$$;
