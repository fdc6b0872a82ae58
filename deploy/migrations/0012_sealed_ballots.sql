-- 0012: secret ballots that stay secret from anyone who can run SELECT
-- (docs/deliberation.md, "What a database reader can learn").
--
-- A secret vote's receipt hash and choice are sealed to the deployment's
-- tally key when it is cast (services/deliberation/seal.h), whose secret half
-- is in the key folder, never here. At close the service opens them and
-- writes meeting_votes in one statement, in receipt-hash order, and deletes
-- the sealed rows: the votes then share one xmin, their physical order is
-- the receipt hashes', and none carries a person or a time.
CREATE TABLE meeting_sealed (
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    sealed     bytea NOT NULL CHECK (octet_length(sealed) = 155) -- seal.h SEAL_BYTES
);
CREATE INDEX meeting_sealed_meeting ON meeting_sealed (meeting_id);

-- The public half of the tally key a secret ballot was convened with (Z85):
-- a vote or a close under another key is refused (TALLY_KEY_CHANGED). NULL
-- for open ballots and for secret ones convened before this migration.
ALTER TABLE meetings ADD COLUMN tally_key text;

-- Who voted in a secret ballot, never when.
ALTER TABLE meeting_ballots ALTER COLUMN at_ms DROP NOT NULL;
UPDATE meeting_ballots b SET at_ms = NULL
  FROM meetings m WHERE m.id = b.meeting_id AND m.ballot = 'secret';

-- Secret votes written before: rewritten by this one transaction in
-- receipt-hash order, so their xmin and physical order no longer pair them
-- with their ballots. Their old row versions stay in the table's pages until
-- VACUUM reclaims them: run VACUUM meeting_votes, meeting_ballots after this
-- migration (docs/deliberation.md).
CREATE TEMP TABLE secret_votes_0012 ON COMMIT DROP AS
    SELECT v.* FROM meeting_votes v JOIN meetings m ON m.id = v.meeting_id
     WHERE m.ballot = 'secret';
DELETE FROM meeting_votes v USING meetings m
 WHERE m.id = v.meeting_id AND m.ballot = 'secret';
INSERT INTO meeting_votes SELECT * FROM secret_votes_0012 ORDER BY meeting_id, receipt_hash;
