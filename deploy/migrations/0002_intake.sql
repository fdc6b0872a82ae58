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
