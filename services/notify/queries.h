/* Every SQL statement of the notify service. Times are passed in from the
 * service's clock (ms since the epoch), never taken from now(). */
#ifndef NOTIFY_QUERIES_H
#define NOTIFY_QUERIES_H

#include "sqltime.h"

/* The members of unit $1 and how each wants to be reached. Columns: 0 code,
 * 1 email, 2 phone, 3 channels (text[]), 4 lang, 5 quiet from (minute of the
 * day, -1 none), 6 quiet to. No prefs row: email if there is an address,
 * else SMS; quiet 22:00–07:00. */
#define Q_MEMBERS                                                                              \
    "SELECT p.code, coalesce(p.email, ''), coalesce(p.phone, ''),"                             \
    " coalesce(np.channels, CASE WHEN coalesce(p.email, '') <> '' THEN '{email}'::text[]"      \
    "  ELSE '{sms}'::text[] END)::text, coalesce(np.lang, 'zh-CN'),"                           \
    " CASE WHEN np.person_id IS NULL THEN 1320"                                                \
    "  ELSE coalesce(extract(hour FROM np.quiet_from) * 60 + extract(minute FROM np.quiet_from), -1) END::int," \
    " CASE WHEN np.person_id IS NULL THEN 420"                                                 \
    "  ELSE coalesce(extract(hour FROM np.quiet_to) * 60 + extract(minute FROM np.quiet_to), -1) END::int" \
    " FROM units u JOIN unit_members m ON m.unit_id = u.id JOIN people p ON p.id = m.person_id" \
    " LEFT JOIN notify_prefs np ON np.person_id = p.id WHERE u.code = $1 ORDER BY p.code"

/* The enabled group channels of unit $1. Columns: 0 id, 1 channel, 2 url,
 * 3 secret, 4 lang. */
#define Q_GROUPS                                                                               \
    "SELECT c.id, c.channel, c.url, c.secret, c.lang FROM notify_unit_channels c"              \
    " JOIN units u ON u.id = c.unit_id WHERE u.code = $1 AND c.enabled ORDER BY c.id"

/* $1 unit code. Column: name ('' when unknown). */
#define Q_UNIT_NAME "SELECT coalesce((SELECT name FROM units WHERE code = $1), '')"

/* $1 category code. Column: its name (the code when unknown). */
#define Q_CATEGORY_NAME "SELECT coalesce((SELECT name FROM categories WHERE code = $1), $1)"

/* $1 kind, $2 lang: subject, body; falls back to zh-CN. */
#define Q_TEMPLATE                                                                             \
    "SELECT subject, body FROM notify_templates WHERE kind = $1 AND lang IN ($2, 'zh-CN')"     \
    " ORDER BY lang = $2 DESC LIMIT 1"

/* The deliveries a batch of events makes, all at once. Arrays, one element
 * a delivery: $1 stream, $2 seq, $3 kind, $4 created (ms), $5 idem_key, $6
 * recipient, $7 channel, $8 destination, $9 secret, $10 urgent, $11
 * subject, $12 body, $13 next_at (ms), $14 held ('' none). A replayed event
 * adds nothing. */
#define Q_PLAN                                                                                 \
    "INSERT INTO deliveries (idem_key, stream, seq, kind, recipient, channel, destination,"    \
    " secret, urgent, subject, body, next_at, held, created_at)"                               \
    " SELECT k, st, sq, kd, r, c, d, s, u, sub, b, " TS("n") ", nullif(h, ''), " TS("cr")      \
    " FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],"  \
    " $7::text[], $8::text[], $9::text[], $10::bool[], $11::text[], $12::text[], $13::bigint[]," \
    " $14::text[]) AS t(st, sq, kd, cr, k, r, c, d, s, u, sub, b, n, h)"                       \
    " ON CONFLICT (idem_key) DO NOTHING"

/* Claims up to $3 deliveries due at $1 for this sender until $2 (ms).
 * Columns: 0 id, 1 idem_key, 2 kind, 3 recipient, 4 channel, 5 destination,
 * 6 secret, 7 subject, 8 body, 9 failures, 10 lang of the Digest. */
#define Q_CLAIM                                                                                \
    "UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1,"                    \
    " lease_until = " TS("$2") ", held = NULL"                                                 \
    " FROM (SELECT id FROM deliveries WHERE settled IS NULL AND state = 'pending'"             \
    "  AND next_at <= " TS("$1")                                                               \
    "  ORDER BY next_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) due WHERE d.id = due.id"          \
    " RETURNING d.id, d.idem_key, d.kind, d.recipient, d.channel, d.destination, d.secret,"    \
    " d.subject, d.body, d.failures"

/* Puts claimed deliveries $1 (bigint[]) back to wait for the rate limit
 * until $2 (ms). */
#define Q_HOLD                                                                                 \
    "UPDATE deliveries SET state = 'pending', attempts = attempts - 1, held = 'rate',"         \
    " lease_until = NULL, next_at = " TS("$2") " WHERE id = ANY ($1::bigint[])"

/* A digest replacing claimed deliveries $1 (bigint[]): $2 idem_key, $3
 * recipient, $4 channel, $5 destination, $6 secret, $7 subject, $8 body,
 * $9 now, $10 lease until. Returns the digest's id. */
#define Q_DIGEST                                                                               \
    "WITH g AS (INSERT INTO deliveries (idem_key, stream, seq, kind, recipient, channel,"      \
    "  destination, secret, subject, body, state, attempts, next_at, lease_until, created_at)" \
    "  VALUES ($2, 'notify', 0, 'Digest', $3, $4, $5, $6, $7, $8, 'sending', 1, " TS("$9") "," \
    "  " TS("$10") ", " TS("$9") ") RETURNING id),"                                            \
    " m AS (UPDATE deliveries SET state = 'digested', digest_id = (SELECT id FROM g),"         \
    "  lease_until = NULL, attempts = attempts - 1 WHERE id = ANY ($1::bigint[]))"             \
    " SELECT id FROM g"

/* The outcomes of finished attempts, at $10 (ms). Arrays: $1 id, $2
 * outcome, $3 status, $4 response, $5 ms, $6 new state, $7 next_at (ms),
 * $8 failures, $9 last_error. Only rows this sender still holds change. */
#define Q_RECORD                                                                               \
    "WITH r AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[]," \
    "  $6::text[], $7::bigint[], $8::int[], $9::text[])"                                       \
    "  AS r(id, outcome, status, response, ms, state, next_ms, failures, why)),"               \
    " a AS (INSERT INTO delivery_attempts (delivery_id, at, outcome, status, response, ms)"    \
    "  SELECT id, " TS("$10") ", outcome, status, response, ms FROM r)"                        \
    " UPDATE deliveries d SET state = r.state, failures = r.failures, last_error = r.why,"     \
    " lease_until = NULL, next_at = CASE WHEN r.state = 'pending' THEN " TS("r.next_ms")       \
    "  ELSE d.next_at END,"                                                                    \
    " held = CASE WHEN r.outcome = 'rate_limited' THEN 'rate' END,"                            \
    " sent_at = CASE WHEN r.state = 'sent' THEN " TS("$10") " END"                             \
    " FROM r WHERE d.id = r.id AND d.state = 'sending'"

/* Deliveries whose sender died before it heard back go back to pending at
 * $1 (ms), each with an 'unconfirmed' attempt. Returns how many. */
#define Q_EXPIRE_LEASES                                                                        \
    "WITH x AS (UPDATE deliveries SET state = 'pending', next_at = " TS("$1") ","              \
    "  lease_until = NULL WHERE settled IS NULL AND next_at < " TS("$1") " AND state = 'sending'" \
    "  AND lease_until < " TS("$1") " RETURNING id)"                                           \
    " INSERT INTO delivery_attempts (delivery_id, at, outcome, response)"                      \
    " SELECT id, " TS("$1") ", 'unconfirmed', 'the sender stopped before it heard back' FROM x"

/* Gives claimed deliveries that never started back: arrays $1 id and $2
 * the claim's lease_until (ms). A row that changed hands meanwhile (its
 * lease ran out and another sender claimed it) is left alone. */
#define Q_RELEASE                                                                              \
    "UPDATE deliveries d SET state = 'pending', attempts = d.attempts - 1, lease_until = NULL"  \
    " FROM unnest($1::bigint[], $2::bigint[]) AS r(id, lease)"                                \
    " WHERE d.id = r.id AND d.state = 'sending' AND d.lease_until = " TS("r.lease")

/* When the next pending delivery is due (ms), or NULL. */
#define Q_NEXT_DUE                                                                             \
    "SELECT " MS_OR_NULL("min(next_at)") " FROM deliveries WHERE settled IS NULL AND state = 'pending'"

/* People $1 (text[] of codes) by their channels, like Q_MEMBERS: a resident
 * without preferences is reached by SMS (email when they have one), with the
 * default quiet hours. Columns as Q_MEMBERS. */
#define Q_PEOPLE                                                                               \
    "SELECT p.code, coalesce(p.email, ''), coalesce(p.phone, ''),"                             \
    " coalesce(np.channels, CASE WHEN coalesce(p.email, '') <> '' THEN '{email}'::text[]"      \
    "  ELSE '{sms}'::text[] END)::text, coalesce(np.lang, 'zh-CN'),"                           \
    " CASE WHEN np.person_id IS NULL THEN 1320"                                                \
    "  ELSE coalesce(extract(hour FROM np.quiet_from) * 60 + extract(minute FROM np.quiet_from), -1) END::int," \
    " CASE WHEN np.person_id IS NULL THEN 420"                                                 \
    "  ELSE coalesce(extract(hour FROM np.quiet_to) * 60 + extract(minute FROM np.quiet_to), -1) END::int" \
    " FROM people p LEFT JOIN notify_prefs np ON np.person_id = p.id"                          \
    " WHERE p.code = ANY ($1::text[]) ORDER BY p.code"

/* The residents' committee of the community with area code $1. Column: unit code. */
#define Q_COMMUNITY_UNIT                                                                       \
    "SELECT coalesce((SELECT u.code FROM units u JOIN areas a ON a.id = u.area_id"            \
    " WHERE a.code = $1 AND u.kind = 'community' ORDER BY u.id LIMIT 1), '')"
/* $1 community area code, $2 unit kind (party_committee, supervision ...).
 * Column: that body's unit code, "" when none. */
#define Q_BODY_UNIT                                                                            \
    "SELECT coalesce((SELECT u.code FROM units u JOIN areas a ON a.id = u.area_id"            \
    " WHERE a.code = $1 AND u.kind = $2 ORDER BY u.id LIMIT 1), '')"

/* $1 area code. Column: its name (the code when unknown). */
#define Q_AREA_NAME "SELECT coalesce((SELECT name FROM areas WHERE code = $1), $1)"

/* A login code's person (codesms.h): $1 code. Columns: 0 phone ('' none),
 * 1 lang. */
#define Q_CODE_PERSON                                                                          \
    "SELECT coalesce(p.phone, ''), coalesce(np.lang, 'zh-CN') FROM people p"                   \
    " LEFT JOIN notify_prefs np ON np.person_id = p.id WHERE p.code = $1"

/* A login code's delivery, written before the SMS goes as given up until
 * the SMS gateway answers: $1 idem_key, $2 recipient, $3 phone, $4 the text
 * with the code masked, $5 now (ms). Returns its id; nothing when the same
 * request came before. */
#define Q_CODE_BEGIN                                                                           \
    "INSERT INTO deliveries (idem_key, stream, seq, kind, recipient, channel, destination,"    \
    " subject, body, state, attempts, next_at, last_error, created_at)"                         \
    " VALUES ($1, 'gateway', 0, 'LoginCode', $2, 'sms', $3, '', $4, 'dead', 1, " TS("$5") ","  \
    " 'the SMS gateway had not answered when notify stopped', " TS("$5") ")"                  \
    " ON CONFLICT (idem_key) DO NOTHING RETURNING id"

/* The delivery of an earlier request with idem_key $1. Columns: 0 id, 1 state. */
#define Q_CODE_AGAIN "SELECT id, state FROM deliveries WHERE idem_key = $1"

/* A login code's attempt, at $2 (ms): $1 delivery, $3 outcome, $4 status, $5
 * response (masked), $6 ms, $7 state (sent or dead), $8 last_error. */
#define Q_CODE_OUTCOME                                                                         \
    "WITH a AS (INSERT INTO delivery_attempts (delivery_id, at, outcome, status, response, ms)" \
    "  VALUES ($1, " TS("$2") ", $3, $4, $5, $6))"                                            \
    " UPDATE deliveries SET state = $7, failures = CASE WHEN $7 = 'sent' THEN 0 ELSE 1 END,"   \
    " last_error = $8, sent_at = CASE WHEN $7 = 'sent' THEN " TS("$2") " END WHERE id = $1"

#endif
