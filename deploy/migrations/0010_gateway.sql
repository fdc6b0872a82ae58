-- 0010: the gateway's people and sessions. Who a person is stays in `people`
-- and `unit_members`; here is only how they prove it. No secret is stored:
-- passwords as argon2id hashes, tokens (sessions, API tokens, Open311 api
-- keys) as their SHA-256. Times are ms since the epoch, by the writer's clock.

CREATE TABLE gateway_passwords (
    person_id  bigint PRIMARY KEY REFERENCES people (id),
    hash       text NOT NULL CHECK (hash LIKE '$argon2id$%'),  -- the encoded form, with its salt and costs
    updated_ms bigint NOT NULL
);

CREATE TABLE gateway_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('session', 'token', 'apikey')),
    digest     bytea NOT NULL UNIQUE CHECK (length(digest) = 32),  -- SHA-256 of the token
    person_id  bigint REFERENCES people (id),   -- NULL only for an Open311 api key
    name       text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    created_ms bigint NOT NULL,
    expires_ms bigint,                           -- NULL: until revoked
    revoked_ms bigint,
    CHECK (kind = 'apikey' OR person_id IS NOT NULL)
);
CREATE INDEX gateway_tokens_person ON gateway_tokens (person_id) WHERE revoked_ms IS NULL;
