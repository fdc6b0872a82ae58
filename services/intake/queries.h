/* queries: every SQL statement the intake service runs, in one place.
 *
 * A batch of submissions travels as a few typed arrays per statement
 * (unnest), so the database plans and starts each statement once per batch,
 * not once per case, and reads no JSON. */
#ifndef INTAKE_QUERIES_H
#define INTAKE_QUERIES_H

#include "sqltime.h"

#include "areamap.h"

/* Serialises merge decisions per category across intake replicas; locks are
 * taken in sorted order so two batches never deadlock. $1 categories text[] */
#define Q_LOCK_CATEGORIES                                                                      \
    "SELECT count(pg_advisory_xact_lock(hashtext('intake_merge:' || c)))"                      \
    " FROM (SELECT DISTINCT unnest($1::text[]) AS c ORDER BY 1) s"

/* For each submission, in order ($1 keys text[], $2 SHA-256 of the request
 * bytea[], $3 categories text[], $4 lon float8[], $5 lat float8[] (NULL: no
 * point), $6 dlat, $7 dlon float8[]: the half-widths of a box that holds the
 * merge circle; $8 the merge window; $9 the merge distance in metres; $10
 * now, by the service clock, in ms): what
 * its idempotency key answered before, whether its category exists, and
 * every open case of its category inside the box opened within the window,
 * as "id lon lat callers status area_id" joined by ';' (intake measures the
 * distances on the spheroid; placement is intake's too, areamap.c).
 * Where the submission will most likely make a new case — not seen before,
 * a known category, no candidate within the distance by a flat-earth
 * estimate — a case id is taken for it here, saving a round trip; intake
 * uses these ids in order for the cases it does make, and asks for more with
 * Q_NEXT_IDS in the rare batch where the estimate fell short.
 * Columns: 0 ord, 1 seen_case, 2 seen_same, 3 seen_merged, 4 seen_status,
 * 5 seen_callers, 6 seen_area_id, 7 seen_created_ms, 8 category_ok,
 * 9 candidates, 10 now_ms, 11 the areas version, 12 a reserved case id */
#define Q_LOOKUP                                                                               \
    "SELECT u.ord, r.case_id, r.request_hash = u.hash, r.merged, r.status, r.caller_count,"   \
    " rc.area_id, (extract(epoch FROM rc.created_at) * 1000)::bigint, k.ok, m.found,"          \
    " $10::bigint, (" AREAMAP_VERSION_SQL "),"                                                \
    " CASE WHEN r.case_id IS NULL AND k.ok AND NOT coalesce(m.near, false)"                    \
    "  THEN nextval((SELECT pg_get_serial_sequence('cases', 'id'))::regclass) END"             \
    " FROM unnest($1::text[], $2::bytea[], $3::text[], $4::float8[], $5::float8[],"           \
    "   $6::float8[], $7::float8[])"                                                           \
    "   WITH ORDINALITY AS u(key, hash, category, lon, lat, dlat, dlon, ord)"                  \
    " CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM categories k"                           \
    "   WHERE k.code = u.category) AS ok) k"                                                   \
    " LEFT JOIN intake_requests r ON r.key = u.key"                                            \
    " LEFT JOIN cases rc ON rc.id = r.case_id"                                                 \
    " LEFT JOIN LATERAL ("                                                                     \
    "   SELECT string_agg(c.id || ' ' || ST_X(g) || ' ' || ST_Y(g) || ' ' || c.caller_count"   \
    "          || ' ' || c.status || ' ' || coalesce(c.area_id, 0), ';') AS found,"            \
    "     bool_or(((ST_X(g) - u.lon) * cos(radians(u.lat)) * 111319.5) ^ 2"                    \
    "             + ((ST_Y(g) - u.lat) * 111132.9) ^ 2 <= ($9::float8 * 0.99) ^ 2) AS near"    \
    "   FROM cases c CROSS JOIN LATERAL (SELECT c.location::geometry AS g) p"                  \
    "   WHERE u.lon IS NOT NULL AND hashtext(c.category_code) = hashtext(u.category)"          \
    "     AND ST_Y(c.location::geometry) BETWEEN u.lat - u.dlat AND u.lat + u.dlat"            \
    "     AND ST_X(c.location::geometry) BETWEEN u.lon - u.dlon AND u.lon + u.dlon"            \
    "     AND c.category_code = u.category AND c.status IN ('open', 'dispatched')"             \
    "     AND c.created_at > " TS("$10") " - $8::interval"                                     \
    "  ) m ON true"                                                                            \
    " ORDER BY u.ord"

/* $1 how many new case ids */
#define Q_NEXT_IDS "SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, $1::int)"

/* $1 id bigint[], $2 channel, $3 category, $4 description, $5 urgency text[],
 * $6 lon, $7 lat float8[], $8 address text[], $9 area_id bigint[], $10 area
 * path (bigint[] literals), $11 name, $12 phone text[], $13 media (text[]
 * literals), $14 when (ms, the service clock) bigint[] */
#define Q_INSERT_CASES                                                                         \
    "INSERT INTO cases (id, channel, category_code, description, urgency, location, address,"  \
    " area_id, area_path, reporter_name, reporter_phone, media_urls, created_at, updated_at)"  \
    " OVERRIDING SYSTEM VALUE"                                                                 \
    " SELECT x.id, x.channel, x.category, x.description, x.urgency,"                           \
    "  CASE WHEN x.lon IS NULL THEN NULL"                                                      \
    "   ELSE ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326)::geography END,"                     \
    "  x.address, x.area_id, x.area_path::bigint[], x.name, x.phone, x.media::text[],"          \
    "  " TS("x.at") ", " TS("x.at")                                                            \
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[],"  \
    "  $7::float8[], $8::text[], $9::bigint[], $10::text[], $11::text[], $12::text[],"          \
    "  $13::text[], $14::bigint[]) AS x(id, channel, category, description, urgency, lon, lat," \
    "  address, area_id, area_path, name, phone, media, at)"

/* $1 case ids bigint[]: one more caller for each element; $2 when (ms) bigint[] */
#define Q_ADD_CALLERS                                                                          \
    "UPDATE cases c SET caller_count = c.caller_count + x.n, updated_at = " TS("x.at")         \
    " FROM (SELECT id, count(*) AS n, max(at) AS at"                                           \
    "  FROM unnest($1::bigint[], $2::bigint[]) AS e(id, at) GROUP BY id) x"                    \
    " WHERE c.id = x.id"

/* $1 case_id bigint[], $2 channel, $3 name, $4 phone, $5 description text[],
 * $6 media (text[] literals), $7 when (ms) bigint[] */
#define Q_INSERT_CALLERS                                                                       \
    "INSERT INTO case_callers (case_id, channel, reporter_name, reporter_phone, description,"  \
    " media_urls, created_at)"                                                                 \
    " SELECT x.case_id, x.channel, x.name, x.phone, x.description, x.media::text[], "          \
    TS("x.at")                                                                                 \
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],"   \
    "  $7::bigint[]) WITH ORDINALITY AS x(case_id, channel, name, phone, description, media,"  \
    "  at, ord)"                                                                               \
    " ORDER BY x.ord"

/* $1 key text[], $2 request hash bytea[], $3 case_id bigint[], $4 merged
 * boolean[], $5 status text[], $6 callers int[], $7 when (ms) bigint[] */
#define Q_INSERT_REQUESTS                                                                      \
    "INSERT INTO intake_requests (key, request_hash, case_id, merged, status, caller_count,"    \
    " created_at)"                                                                             \
    " SELECT x.key, x.hash, x.case_id, x.merged, x.status, x.callers, " TS("x.at")             \
    " FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::boolean[], $5::text[],"           \
    "  $6::int[], $7::bigint[]) AS x(key, hash, case_id, merged, status, callers, at)"

/* Columns of a case as casemsg_from_row() reads them. */
#define Q_CASE_COLUMNS                                                                         \
    "c.id, c.status, c.channel, c.category_code, c.description, c.urgency,"                  \
    " ST_Y(c.location::geometry), ST_X(c.location::geometry), c.address,"                    \
    " coalesce(a.path_json, '[]')::text, c.reporter_name, c.reporter_phone,"                 \
    " array_to_json(c.media_urls)::text, c.caller_count,"                                    \
    " (extract(epoch FROM c.created_at) * 1000)::bigint,"                                    \
    " (extract(epoch FROM c.updated_at) * 1000)::bigint, c.lead_unit"

/* The column after Q_CASE_COLUMNS' case: the unit handling it (casescope.h). */
#define Q_CASE_LEAD_UNIT 16

#define Q_GET_CASE                                                                             \
    "SELECT " Q_CASE_COLUMNS " FROM cases c LEFT JOIN areas a ON a.id = c.area_id"             \
    " WHERE c.id = $1::bigint"

/* GetContacts: the reporters of the cases $1 (bigint[]) that have a phone,
 * each found by its key (as routing's Q_DISPATCHES_BY_IDS: no plan made on a
 * young table reads all of cases). */
#define Q_CONTACTS                                                                             \
    "SELECT x.* FROM (SELECT DISTINCT id FROM unnest($1::bigint[]) AS k(id)) k"                \
    " CROSS JOIN LATERAL (SELECT c.id, c.reporter_name, c.reporter_phone FROM cases c"        \
    "  WHERE c.id = k.id AND c.reporter_phone <> '' OFFSET 0) x ORDER BY x.id"

#define Q_GET_CALLERS                                                                          \
    "SELECT channel, reporter_name, reporter_phone, description, array_to_json(media_urls)::text," \
    " (extract(epoch FROM created_at) * 1000)::bigint"                                         \
    " FROM case_callers WHERE case_id = $1::bigint ORDER BY id"

#define Q_AREA_ID "SELECT id FROM areas WHERE code = $1"

/* Who reads cases (casescope.c): $1 the actor's person code, $2 the unit
 * they act for ('' none). One row: 0 the person's phone, 1 the unit's kind,
 * 2 its area's code ('' where unknown or none), 3 whether the person is a
 * member of the unit. */
#define Q_CASESCOPE                                                                            \
    "SELECT coalesce(p.phone, ''), coalesce(u.kind, ''), coalesce(a.code, ''),"                \
    " m.unit_id IS NOT NULL"                                                                   \
    " FROM (SELECT $1::text AS person, $2::text AS unit) x"                                    \
    " LEFT JOIN people p ON p.code = x.person"                                                 \
    " LEFT JOIN units u ON x.unit <> '' AND u.code = x.unit"                                   \
    " LEFT JOIN areas a ON a.id = u.area_id"                                                   \
    " LEFT JOIN unit_members m ON m.unit_id = u.id AND m.person_id = p.id"

/* $1 area id or NULL, $2 category, $3 status, $4 since ms, $5 until ms,
 * $6 before id, $7 limit; the reader's scope (casescope.h): $8 an area code
 * the case's area path must hold, $9 a phone that must be the reporter's or
 * a caller's ('' for either: no condition) */
#define Q_LIST_CASES                                                                           \
    "SELECT " Q_CASE_COLUMNS " FROM cases c LEFT JOIN areas a ON a.id = c.area_id"             \
    " WHERE ($1::bigint IS NULL OR c.area_path @> ARRAY[$1::bigint])"                          \
    "   AND ($8 = '' OR c.area_path @> ARRAY[(SELECT s.id FROM areas s WHERE s.code = $8)])"   \
    "   AND ($9 = '' OR c.reporter_phone = $9 OR EXISTS (SELECT 1 FROM case_callers k"          \
    "        WHERE k.case_id = c.id AND k.reporter_phone = $9))"                                 \
    "   AND ($2 = '' OR c.category_code = $2)"                                                 \
    "   AND ($3 = '' OR c.status = $3)"                                                        \
    "   AND ($4::bigint = 0 OR c.created_at >= to_timestamp($4::bigint / 1000.0))"             \
    "   AND ($5::bigint = 0 OR c.created_at < to_timestamp($5::bigint / 1000.0))"              \
    "   AND ($6::bigint = 0 OR c.id < $6::bigint)"                                             \
    " ORDER BY c.id DESC LIMIT $7::int"

/* The audit log (piireads.c), newest first: $1 person ('' any), $2 a case
 * the read showed (0 any), $3 since ms, $4 until ms (0: no bound), $5 before
 * id (0: the newest), $6 limit. Columns: 0 id, 1 at ms, 2 service, 3 person,
 * 4 unit, 5 role, 6 request, 7 message id, 8 trace id, 9 subject, 10 ids. */
#define Q_LIST_PII_READS                                                                       \
    "SELECT id, (extract(epoch FROM at) * 1000)::bigint, service, person, unit, role, request," \
    " message_id, trace_id, subject, ids::text FROM pii_reads"                                 \
    " WHERE ($1 = '' OR person = $1)"                                                          \
    "   AND ($2::bigint = 0 OR case_ids @> ARRAY[$2::bigint])"                                  \
    "   AND ($3::bigint = 0 OR at >= to_timestamp($3::bigint / 1000.0))"                       \
    "   AND ($4::bigint = 0 OR at < to_timestamp($4::bigint / 1000.0))"                        \
    "   AND ($5::bigint = 0 OR id < $5::bigint)"                                               \
    " ORDER BY id DESC LIMIT $6::int"

/* Retention (erase.c): empties the names and phones of at most $2 cases
 * closed before $1 (ms) and not yet erased, and of their callers; one row
 * per case erased. */
#define Q_ERASE_CONTACTS                                                                       \
    "WITH due AS (SELECT id FROM cases WHERE closed_at < to_timestamp($1::bigint / 1000.0)"    \
    "   AND contact_erased_at IS NULL ORDER BY closed_at, id LIMIT $2::int FOR UPDATE),"        \
    " callers AS (UPDATE case_callers k SET reporter_name = '', reporter_phone = ''"           \
    "   FROM due WHERE k.case_id = due.id)"                                                    \
    " UPDATE cases c SET reporter_name = '', reporter_phone = '', contact_erased_at = now()"   \
    " FROM due WHERE c.id = due.id RETURNING c.id"

#endif
