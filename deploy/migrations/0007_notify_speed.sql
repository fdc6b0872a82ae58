-- Notification, cheaper per delivery. A delivery is written three times
-- (planned, claimed, its outcome) and each attempt once; this makes the
-- claim a HOT update and the attempt's insert free of a per-row check.

-- The claim (pending → sending) changes state, attempts, held and
-- lease_until. PostgreSQL updates a row in place (HOT: no new index
-- entries) only when no indexed column, index predicates included, changes
-- and the page has room. 0004's partial indexes all named state or
-- lease_until in them, so every claim wrote a new entry into each index.
-- `settled` is the state once it is final (sent, dead, digested) and NULL
-- while the delivery can still go (pending, sending): the claim and the
-- release of unstarted rows leave it alone, so they are HOT; outcomes,
-- holds and retries change settled or next_at and are not, as before.
-- Adding a stored column rewrites the table once.
ALTER TABLE deliveries
    ADD COLUMN settled text GENERATED ALWAYS AS
        (CASE WHEN state IN ('pending', 'sending') THEN NULL ELSE state END) STORED;

-- Room on each page for a claimed copy of every row the plan put there (a
-- claim takes a page's rows together, in next_at, id order).
ALTER TABLE deliveries SET (fillfactor = 50);

-- Due rows, and the claimed ones before them (at most the senders' queues
-- and requests under way: a claim and the lease sweep step over those).
-- The sweep finds expired leases here too, since a claimed row's next_at is
-- before its lease_until.
DROP INDEX deliveries_due;
DROP INDEX deliveries_leased;
CREATE INDEX deliveries_due ON deliveries (next_at, id) WHERE settled IS NULL;

-- govctl notify dead, newest first.
DROP INDEX deliveries_dead;
CREATE INDEX deliveries_dead ON deliveries (id) WHERE settled = 'dead';

-- The foreign key checked, and share-locked, the delivery of every attempt
-- row by row inside the outcomes' statement. Attempts are written only by
-- the notify service (Q_RECORD, Q_EXPIRE_LEASES in
-- services/notify/queries.h), each for a delivery it claimed earlier or
-- updates in the same statement, and deliveries are never
-- deleted (no statement in the code base removes one), so the check can
-- never fail. delivery_id stays indexed for the log.
ALTER TABLE delivery_attempts DROP CONSTRAINT delivery_attempts_delivery_id_fkey;
