-- One shape for every service's record of the commands it answered
-- (common/idem.h): the message id, the request's digest, and the answer as
-- a few ids and a short note, each service saying what they mean. A retry
-- with the same id and digest is answered from it; another digest is
-- refused. created_ms is the service clock's, not the database's.

-- routing had none: a retried whistle was blown twice.
CREATE TABLE routing_requests (
    message_id text COLLATE "C" PRIMARY KEY,
    type       text NOT NULL,
    digest     text NOT NULL,        -- SHA-256 of type, actor and payload
    ids        bigint[] NOT NULL,    -- dispatch and next, whistle and dispatch, case and next
    note       text NOT NULL DEFAULT '',
    created_ms bigint NOT NULL
);

-- deliberation's four named ids and receipt become the common shape.
ALTER TABLE deliberation_requests
    ADD COLUMN ids bigint[],
    ADD COLUMN note text NOT NULL DEFAULT '',
    ADD COLUMN created_ms bigint NOT NULL DEFAULT 0;
UPDATE deliberation_requests
   SET ids = ARRAY[matter_id, meeting_id, item_id, community_id], note = receipt;
ALTER TABLE deliberation_requests
    ALTER COLUMN ids SET NOT NULL,
    DROP COLUMN matter_id,
    DROP COLUMN meeting_id,
    DROP COLUMN item_id,
    DROP COLUMN community_id,
    DROP COLUMN receipt;
