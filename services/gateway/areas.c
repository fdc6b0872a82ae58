#include "areas.h"

#include <stdlib.h>
#include <string.h>

#include "pstmt.h"

static const char Q_AREAS[] =
    "SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg("
    "  json_build_object('type', 'Feature', 'geometry',"
    "    ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, 0.00005), 6)::json,"
    "    'properties', json_build_object('code', a.code, 'name', a.name, 'level', a.level,"
    "      'parent', p.code))"
    "  ORDER BY array_length(a.path, 1) NULLS FIRST, a.code), '[]'))::text"
    " FROM areas a LEFT JOIN areas p ON p.id = a.parent_id";

void areas_answer(worker_t *w, http_res_t *res)
{
    PGresult *r = pstmt_exec(w->sql, Q_AREAS, 0, NULL, NULL);
    if (!r || PQntuples(r) != 1) {
        if (r)
            PQclear(r);
        http_refuse(res, 503, "DB_UNAVAILABLE", NULL);
        return;
    }
    res->body = strdup(PQgetvalue(r, 0, 0));
    res->body_len = res->body ? strlen(res->body) : 0;
    res->status = 200;
    PQclear(r);
}
