#include "areamap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* A ring's points, x (lon) and y (lat) interleaved; the last repeats the first. */
typedef struct {
    double *xy;
    uint32_t n;
} s_ring_t;

/* One polygon: rings[0] is the shell, the rest are holes. */
typedef struct {
    s_ring_t *rings;
    uint32_t nrings;
} s_poly_t;

typedef struct {
    areamap_area_t pub;
    char *path_ids;
    double xmin, ymin, xmax, ymax;
    s_poly_t *polys;
    uint32_t npolys;
} s_area_t;

struct areamap {
    int64_t version;
    s_area_t *areas;   /* in placement order: deepest, then smallest, then lowest id */
    size_t n;
};

/* Every area in placement order, with the version on every row (one row with
 * NULLs when there are no areas). Binary results: WKB comes back as is. */
static const char *s_load_sql =
    "SELECT v.version, a.id, a.path::text, a.path_json::text, ST_AsBinary(a.geom, 'NDR')"
    " FROM areas_version v LEFT JOIN areas a ON true"
    " ORDER BY cardinality(a.path) DESC, ST_Area(a.geom), a.id";

/* Reads WKB, little- or big-endian, from a bounded buffer. */
typedef struct {
    const uint8_t *p, *end;
    int little;
} s_wkb_t;

static int s_u8(s_wkb_t *w, uint8_t *out)
{
    if (w->p >= w->end)
        return -1;
    *out = *w->p++;
    return 0;
}

static int s_u32(s_wkb_t *w, uint32_t *out)
{
    if (w->end - w->p < 4)
        return -1;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t) w->p[w->little ? i : 3 - i] << (8 * i);
    w->p += 4;
    *out = v;
    return 0;
}

static int s_f64(s_wkb_t *w, double *out)
{
    if (w->end - w->p < 8)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t) w->p[w->little ? i : 7 - i] << (8 * i);
    w->p += 8;
    memcpy(out, &v, sizeof *out);
    return 0;
}

/* A geometry header: byte order, then the type, which must be `type`. */
static int s_header(s_wkb_t *w, uint32_t type)
{
    uint8_t order;
    uint32_t got;
    if (s_u8(w, &order) || order > 1)
        return -1;
    w->little = order;
    return s_u32(w, &got) || got != type ? -1 : 0;
}

static int s_read_polygon(s_wkb_t *w, s_area_t *a, s_poly_t *poly)
{
    if (s_header(w, 3) || s_u32(w, &poly->nrings) || poly->nrings > (size_t) (w->end - w->p) / 4)
        return -1;
    poly->rings = calloc(poly->nrings ? poly->nrings : 1, sizeof *poly->rings);
    if (!poly->rings)
        return -1;
    for (uint32_t r = 0; r < poly->nrings; r++) {
        s_ring_t *ring = &poly->rings[r];
        if (s_u32(w, &ring->n) || ring->n > (size_t) (w->end - w->p) / 16)
            return -1;
        ring->xy = malloc((ring->n ? ring->n : 1) * 2 * sizeof *ring->xy);
        if (!ring->xy)
            return -1;
        for (uint32_t i = 0; i < ring->n; i++) {
            if (s_f64(w, &ring->xy[2 * i]) || s_f64(w, &ring->xy[2 * i + 1]))
                return -1;
            if (r == 0) {
                a->xmin = fmin(a->xmin, ring->xy[2 * i]);
                a->xmax = fmax(a->xmax, ring->xy[2 * i]);
                a->ymin = fmin(a->ymin, ring->xy[2 * i + 1]);
                a->ymax = fmax(a->ymax, ring->xy[2 * i + 1]);
            }
        }
    }
    return 0;
}

/* Parses a WKB MultiPolygon into the area's polygons and bounding box. */
static int s_read_geom(s_area_t *a, const uint8_t *wkb, size_t len)
{
    s_wkb_t w = {wkb, wkb + len, 1};
    a->xmin = a->ymin = INFINITY;
    a->xmax = a->ymax = -INFINITY;
    if (s_header(&w, 6) || s_u32(&w, &a->npolys) || a->npolys > len / 9)
        return -1;
    a->polys = calloc(a->npolys ? a->npolys : 1, sizeof *a->polys);
    if (!a->polys)
        return -1;
    for (uint32_t i = 0; i < a->npolys; i++)
        if (s_read_polygon(&w, a, &a->polys[i]))
            return -1;
    return 0;
}

/* The ring test PostGIS's ST_Covers uses for a point in a polygon (its
 * point_in_ring: a winding number, with the same arithmetic, so a point on a
 * border gets the same answer here as there): 1 inside, 0 on the ring, -1
 * outside. */
static int s_in_ring(const s_ring_t *ring, double x, double y)
{
    int wn = 0;
    for (uint32_t i = 0; i + 1 < ring->n; i++) {
        double x1 = ring->xy[2 * i], y1 = ring->xy[2 * i + 1];
        double x2 = ring->xy[2 * i + 2], y2 = ring->xy[2 * i + 3];
        if ((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1) < 1e-12 * 1e-12)
            continue; /* zero-length segments say nothing */
        double side = (x2 - x1) * (y - y1) - (x - x1) * (y2 - y1);
        if (side == 0.0 && x >= fmin(x1, x2) && x <= fmax(x1, x2) && y >= fmin(y1, y2) &&
            y <= fmax(y1, y2))
            return 0;
        if (y1 <= y && y < y2 && side > 0)
            wn++;
        else if (y2 <= y && y < y1 && side < 0)
            wn--;
    }
    return wn == 0 ? -1 : 1;
}

/* Whether the polygon covers the point: inside or on the shell, and not
 * strictly inside a hole. */
static int s_poly_covers(const s_poly_t *poly, double x, double y)
{
    if (poly->nrings == 0 || s_in_ring(&poly->rings[0], x, y) < 0)
        return 0;
    for (uint32_t r = 1; r < poly->nrings; r++)
        if (s_in_ring(&poly->rings[r], x, y) > 0)
            return 0;
    return 1;
}

static void s_area_clear(s_area_t *a)
{
    for (uint32_t i = 0; a->polys && i < a->npolys; i++) {
        for (uint32_t r = 0; a->polys[i].rings && r < a->polys[i].nrings; r++)
            free(a->polys[i].rings[r].xy);
        free(a->polys[i].rings);
    }
    free(a->polys);
    free(a->path_ids);
    areapath_clear(&a->pub.path);
}

static int64_t s_be64(const char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | (uint8_t) p[i];
    return (int64_t) v;
}

int areamap_load(PGconn *conn, areamap_t **out)
{
    PGresult *res = PQexecParams(conn, s_load_sql, 0, NULL, NULL, NULL, NULL, 1);
    areamap_t *map = calloc(1, sizeof *map);
    int rows = PQntuples(res);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || rows < 1 || PQgetlength(res, 0, 0) != 8) {
        log_error("cannot read the map: %s", PQresultErrorMessage(res));
        goto fail;
    }
    if (!map || !(map->areas = calloc((size_t) rows, sizeof *map->areas)))
        goto fail;
    map->version = s_be64(PQgetvalue(res, 0, 0));
    for (int row = 0; row < rows; row++) {
        if (PQgetisnull(res, row, 1))
            continue; /* no areas at all */
        s_area_t *a = &map->areas[map->n++];
        a->pub.id = s_be64(PQgetvalue(res, row, 1));
        a->path_ids = strdup(PQgetvalue(res, row, 2));
        a->pub.path_ids = a->path_ids;
        if (!a->path_ids || areapath_parse(&a->pub.path, PQgetvalue(res, row, 3)) ||
            s_read_geom(a, (const uint8_t *) PQgetvalue(res, row, 4),
                        (size_t) PQgetlength(res, row, 4))) {
            log_error("cannot read area %lld of the map", (long long) a->pub.id);
            goto fail;
        }
    }
    PQclear(res);
    *out = map;
    return 0;
fail:
    PQclear(res);
    areamap_destroy(&map);
    return -1;
}

int64_t areamap_version(const areamap_t *map)
{
    return map->version;
}

const areamap_area_t *areamap_place(const areamap_t *map, double lon, double lat)
{
    for (size_t i = 0; i < map->n; i++) {
        const s_area_t *a = &map->areas[i];
        if (lon < a->xmin || lon > a->xmax || lat < a->ymin || lat > a->ymax)
            continue;
        for (uint32_t k = 0; k < a->npolys; k++)
            if (s_poly_covers(&a->polys[k], lon, lat))
                return &a->pub;
    }
    return NULL;
}

const areamap_area_t *areamap_find(const areamap_t *map, int64_t id)
{
    for (size_t i = 0; id && i < map->n; i++)
        if (map->areas[i].pub.id == id)
            return &map->areas[i].pub;
    return NULL;
}

size_t areamap_size(const areamap_t *map)
{
    return map->n;
}

void areamap_destroy(areamap_t **self_p)
{
    areamap_t *map = *self_p;
    if (!map)
        return;
    *self_p = NULL;
    for (size_t i = 0; map->areas && i < map->n; i++)
        s_area_clear(&map->areas[i]);
    free(map->areas);
    free(map);
}
