-- 0001: the map, the organisation, categories, and the shared event outbox.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Areas: district > street > community > grid. `path` holds the ids of every
-- ancestor from the district down to the area itself, so "everything in this
-- street" is `street_id = ANY(path)`.
CREATE TABLE areas (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code      text NOT NULL UNIQUE,
    name      text NOT NULL,
    level     text NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid')),
    parent_id bigint REFERENCES areas (id),
    path      bigint[] NOT NULL DEFAULT '{}',  -- set by areas_set_path()
    path_json jsonb NOT NULL DEFAULT '[]',     -- [{code,name,level}] district first, likewise
    geom      geometry(MultiPolygon, 4326) NOT NULL,
    CHECK ((level = 'district') = (parent_id IS NULL))
);
CREATE INDEX areas_geom ON areas USING gist (geom);
CREATE INDEX areas_parent ON areas (parent_id);

-- Units: who does the work. `parent_id` is the organisational parent (a grid
-- team belongs to its community); `supervisor_id` is where escalations go.
CREATE TABLE units (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('grid_team', 'community', 'street_office',
                                                'department', 'dispatch_centre')),
    area_id       bigint REFERENCES areas (id),
    parent_id     bigint REFERENCES units (id),
    supervisor_id bigint REFERENCES units (id)
);

CREATE TABLE people (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code  text NOT NULL UNIQUE,
    name  text NOT NULL,
    phone text,
    email text
);

CREATE TABLE unit_members (
    unit_id   bigint NOT NULL REFERENCES units (id),
    person_id bigint NOT NULL REFERENCES people (id),
    role      text NOT NULL,          -- e.g. head, member, grid_worker, dispatcher
    PRIMARY KEY (unit_id, person_id)
);

-- Categories in the shape of the 12345 taxonomy: kind x subject.
CREATE TABLE categories (
    code         text PRIMARY KEY,    -- "<kind>.<subject>", e.g. complaint.noise
    name         text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('consultation', 'help', 'complaint',
                                               'report', 'suggestion')),
    subject      text NOT NULL,
    subject_name text NOT NULL,
    CHECK (code = kind || '.' || subject)
);

-- The transactional outbox. A service inserts its events here in the same
-- transaction as the change (seq NULL). The relay numbers committed rows under
-- the stream's row lock, after commit, so seq is gap-free and follows the
-- order in which rows became visible; only then are they published.
CREATE TABLE outbox_streams (
    stream   text PRIMARY KEY,
    last_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream     text NOT NULL,
    seq        bigint,
    type       text NOT NULL,
    payload    bytea NOT NULL,          -- a packed gov.Envelope, seq unset
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream, seq)
);
CREATE INDEX outbox_unnumbered ON outbox (stream, id) WHERE seq IS NULL;

-- Where each subscriber is in each stream; updated with its effects.
CREATE TABLE subscriber_positions (
    subscriber text NOT NULL,
    stream     text NOT NULL,
    last_seq   bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscriber, stream)
);

-- An area's path (ids, and codes/names/levels as JSON) and its level are checked on the way in, whoever inserts it:
-- the parent must exist one level up, and the path is the parent's plus self.
CREATE FUNCTION areas_set_path() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_parent areas%ROWTYPE;
    v_levels text[] := ARRAY['district', 'street', 'community', 'grid'];
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := ARRAY[NEW.id];
        NEW.path_json := jsonb_build_array(
            jsonb_build_object('code', NEW.code, 'name', NEW.name, 'level', NEW.level));
        RETURN NEW;
    END IF;
    SELECT * INTO v_parent FROM areas WHERE id = NEW.parent_id;
    IF array_position(v_levels, v_parent.level) + 1 <> array_position(v_levels, NEW.level) THEN
        RAISE EXCEPTION 'a % cannot be inside a %', NEW.level, v_parent.level
            USING ERRCODE = '23514', HINT = 'the levels are district > street > community > grid';
    END IF;
    NEW.path := v_parent.path || NEW.id;
    NEW.path_json := v_parent.path_json || jsonb_build_array(
        jsonb_build_object('code', NEW.code, 'name', NEW.name, 'level', NEW.level));
    RETURN NEW;
END
$$;
CREATE TRIGGER areas_set_path BEFORE INSERT ON areas
    FOR EACH ROW EXECUTE FUNCTION areas_set_path();
