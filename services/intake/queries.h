/* queries: every SQL statement the intake service runs, in one place.
 *
 * A batch of submissions travels as one JSON array per statement
 * (jsonb_to_recordset), so the database plans and starts each statement once
 * per batch, not once per case. */
#ifndef INTAKE_QUERIES_H
#define INTAKE_QUERIES_H

/* Serialises merge decisions per category across intake replicas; locks are
 * taken in sorted order so two batches never deadlock. $1 categories text[] */
#define Q_LOCK_CATEGORIES                                                                      \
    "SELECT count(pg_advisory_xact_lock(hashtext('intake_merge:' || c)))"                      \
    " FROM (SELECT DISTINCT unnest($1::text[]) AS c ORDER BY 1) s"

/* For each submission ($1: [{key, req, category, lon, lat}], req the request
 * bytes in hex), in order: what its idempotency key answered before, whether
 * its category exists, the smallest area holding its point, and the nearest
 * open case of its category within $2 metres opened within $3.
 * Columns: 0 ord, 1 seen_case, 2 seen_same, 3 seen_merged, 4 seen_status,
 * 5 seen_callers, 6 seen_path, 7 seen_created_ms, 8 category_ok, 9 area_id,
 * 10 area_path, 11 merge_case, 12 merge_callers, 13 merge_distance,
 * 14 merge_status, 15 merge_path, 16 now_ms */
#define Q_LOOKUP                                                                               \
    "SELECT u.ord, r.case_id, r.request_hash = sha256(decode(u.req, 'hex')), r.merged,"       \
    " r.status, r.caller_count, coalesce(ra.path_json, '[]')::text,"                          \
    " (extract(epoch FROM rc.created_at) * 1000)::bigint,"                                     \
    " EXISTS (SELECT 1 FROM categories k WHERE k.code = u.category),"                          \
    " g.id, g.path_json::text, m.id, m.caller_count, m.distance, m.status,"                    \
    " coalesce(m.path_json, '[]')::text, (extract(epoch FROM now()) * 1000)::bigint"           \
    " FROM ROWS FROM (jsonb_to_recordset($1::jsonb)"                                           \
    "   AS (key text, req text, category text, lon float8, lat float8))"                       \
    "   WITH ORDINALITY AS u(key, req, category, lon, lat, ord)"                               \
    " LEFT JOIN intake_requests r ON r.key = u.key"                                            \
    " LEFT JOIN cases rc ON rc.id = r.case_id"                                                 \
    " LEFT JOIN areas ra ON ra.id = rc.area_id"                                                \
    " LEFT JOIN LATERAL ("                                                                     \
    "   SELECT a.id, a.path_json FROM areas a"                                                 \
    "   WHERE u.lon IS NOT NULL AND ST_Covers(a.geom, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326))" \
    "   ORDER BY cardinality(a.path) DESC, ST_Area(a.geom) LIMIT 1) g ON true"                 \
    " LEFT JOIN LATERAL ("                                                                     \
    "   SELECT c.id, c.caller_count, c.status, ca.path_json,"                                  \
    "          ST_Distance(c.location, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)::geography) AS distance" \
    "   FROM cases c LEFT JOIN areas ca ON ca.id = c.area_id"                                  \
    "   WHERE u.lon IS NOT NULL AND c.category_code = u.category"                              \
    "     AND c.status IN ('open', 'dispatched') AND c.created_at > now() - $3::interval"     \
    "     AND ST_DWithin(c.location, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)::geography, $2::float8)" \
    "   ORDER BY 5, c.id LIMIT 1) m ON true"                                                   \
    " ORDER BY u.ord"

/* $1 how many new case ids */
#define Q_NEXT_IDS "SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, $1::int)"

/* $1: [{id, channel, category, description, urgency, lon, lat, address, area_id,
 * name, phone, media}] */
#define Q_INSERT_CASES                                                                         \
    "INSERT INTO cases (id, channel, category_code, description, urgency, location, address,"  \
    " area_id, area_path, reporter_name, reporter_phone, media_urls) OVERRIDING SYSTEM VALUE"   \
    " SELECT x.id, x.channel, x.category, x.description, x.urgency,"                           \
    "  CASE WHEN x.lon IS NULL THEN NULL"                                                      \
    "   ELSE ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326)::geography END,"                     \
    "  x.address, x.area_id, coalesce(a.path, '{}'), x.name, x.phone, x.media"                 \
    " FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, channel text, category text,"         \
    "  description text, urgency text, lon float8, lat float8, address text, area_id bigint,"  \
    "  name text, phone text, media text[])"                                                   \
    " LEFT JOIN areas a ON a.id = x.area_id"

/* $1: [{id}]: one more caller for case id, per element */
#define Q_ADD_CALLERS                                                                          \
    "UPDATE cases c SET caller_count = c.caller_count + x.n, updated_at = now()"               \
    " FROM (SELECT id, count(*) AS n FROM jsonb_to_recordset($1::jsonb) AS e(id bigint)"       \
    "       GROUP BY id) x WHERE c.id = x.id"

/* $1: [{case_id, channel, name, phone, description, media}] */
#define Q_INSERT_CALLERS                                                                       \
    "INSERT INTO case_callers (case_id, channel, reporter_name, reporter_phone, description,"  \
    " media_urls)"                                                                             \
    " SELECT x.case_id, x.channel, x.name, x.phone, x.description, x.media"                    \
    " FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (case_id bigint, channel text,"         \
    "  name text, phone text, description text, media text[]))"                                \
    "  WITH ORDINALITY AS x(case_id, channel, name, phone, description, media, ord)"           \
    " ORDER BY x.ord"

/* $1: [{key, req, case_id, merged, status, callers}] */
#define Q_INSERT_REQUESTS                                                                      \
    "INSERT INTO intake_requests (key, request_hash, case_id, merged, status, caller_count)"    \
    " SELECT x.key, sha256(decode(x.req, 'hex')), x.case_id, x.merged, x.status, x.callers"    \
    " FROM jsonb_to_recordset($1::jsonb) AS x(key text, req text, case_id bigint,"             \
    "  merged boolean, status text, callers int)"

/* Columns of a case as caseview_from_row() reads them. */
#define Q_CASE_COLUMNS                                                                         \
    "c.id, c.status, c.channel, c.category_code, c.description, c.urgency,"                  \
    " ST_Y(c.location::geometry), ST_X(c.location::geometry), c.address,"                    \
    " coalesce(a.path_json, '[]')::text, c.reporter_name, c.reporter_phone,"                 \
    " array_to_json(c.media_urls)::text, c.caller_count,"                                    \
    " (extract(epoch FROM c.created_at) * 1000)::bigint,"                                    \
    " (extract(epoch FROM c.updated_at) * 1000)::bigint"

#define Q_GET_CASE                                                                             \
    "SELECT " Q_CASE_COLUMNS " FROM cases c LEFT JOIN areas a ON a.id = c.area_id"             \
    " WHERE c.id = $1::bigint"

#define Q_GET_CALLERS                                                                          \
    "SELECT channel, reporter_name, reporter_phone, description, array_to_json(media_urls)::text," \
    " (extract(epoch FROM created_at) * 1000)::bigint"                                         \
    " FROM case_callers WHERE case_id = $1::bigint ORDER BY id"

#define Q_AREA_ID "SELECT id FROM areas WHERE code = $1"

/* $1 area id or NULL, $2 category, $3 status, $4 since ms, $5 until ms,
 * $6 before id, $7 limit */
#define Q_LIST_CASES                                                                           \
    "SELECT " Q_CASE_COLUMNS " FROM cases c LEFT JOIN areas a ON a.id = c.area_id"             \
    " WHERE ($1::bigint IS NULL OR c.area_path @> ARRAY[$1::bigint])"                          \
    "   AND ($2 = '' OR c.category_code = $2)"                                                 \
    "   AND ($3 = '' OR c.status = $3)"                                                        \
    "   AND ($4::bigint = 0 OR c.created_at >= to_timestamp($4::bigint / 1000.0))"             \
    "   AND ($5::bigint = 0 OR c.created_at < to_timestamp($5::bigint / 1000.0))"              \
    "   AND ($6::bigint = 0 OR c.id < $6::bigint)"                                             \
    " ORDER BY c.id DESC LIMIT $7::int"

#endif
