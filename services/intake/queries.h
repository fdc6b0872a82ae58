/* queries: every SQL statement the intake service runs, in one place. The
 * placement and merge logic lives in intake_submit() (deploy/migrations/
 * 0002_intake.sql) so that one round trip does it all for a case. */
#ifndef INTAKE_QUERIES_H
#define INTAKE_QUERIES_H

/* $1 key, $2 request bytes, $3 channel, $4 category, $5 description,
 * $6 urgency, $7 lon, $8 lat, $9 address, $10 name, $11 phone, $12 media[],
 * $13 merge distance (m), $14 merge window */
#define Q_SUBMIT                                                                                  \
    "SELECT code, case_id, merged, replayed, status, caller_count, area_path::text, created_ms" \
    " FROM intake_submit($1, $2, $3, $4, $5, $6, $7::float8, $8::float8, $9, $10, $11,"        \
    " $12::text[], $13::float8, $14::interval)"

/* Columns of a case as cases_from_row() reads them. */
#define Q_CASE_COLUMNS                                                                         \
    "c.id, c.status, c.channel, c.category_code, c.description, c.urgency,"                  \
    " ST_Y(c.location::geometry), ST_X(c.location::geometry), c.address,"                    \
    " coalesce(a.path_json, '[]')::text, c.reporter_name, c.reporter_phone,"                 \
    " array_to_json(c.media_urls)::text, c.caller_count,"                                    \
    " (extract(epoch FROM c.created_at) * 1000)::bigint,"                                    \
    " (extract(epoch FROM c.updated_at) * 1000)::bigint"

#define Q_GET_CASE "SELECT " Q_CASE_COLUMNS " FROM cases c LEFT JOIN areas a ON a.id = c.area_id WHERE c.id = $1::bigint"

#define Q_GET_CALLERS                                                                          \
    "SELECT channel, reporter_name, reporter_phone, description, array_to_json(media_urls)::text," \
    " (extract(epoch FROM created_at) * 1000)::bigint"                                         \
    " FROM case_callers WHERE case_id = $1::bigint ORDER BY id"

#define Q_AREA_ID "SELECT id FROM areas WHERE code = $1"

/* $1 area id or NULL, $2 category, $3 status, $4 since ms, $5 until ms,
 * $6 before id, $7 limit */
#define Q_LIST_CASES                                                                           \
    "SELECT " Q_CASE_COLUMNS " FROM cases c LEFT JOIN areas a ON a.id = c.area_id"                                                 \
    " WHERE ($1::bigint IS NULL OR c.area_path @> ARRAY[$1::bigint])"                          \
    "   AND ($2 = '' OR c.category_code = $2)"                                                 \
    "   AND ($3 = '' OR c.status = $3)"                                                        \
    "   AND ($4::bigint = 0 OR c.created_at >= to_timestamp($4::bigint / 1000.0))"             \
    "   AND ($5::bigint = 0 OR c.created_at < to_timestamp($5::bigint / 1000.0))"              \
    "   AND ($6::bigint = 0 OR c.id < $6::bigint)"                                             \
    " ORDER BY c.id DESC LIMIT $7::int"

#endif
