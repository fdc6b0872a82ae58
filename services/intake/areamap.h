/* areamap: intake's copy of the map, for placing points without asking the
 * database.
 *
 * Areas are reference data, imported rarely (`govctl areas import`); PostGIS
 * stays their truth. The map holds every area's polygons exactly as stored
 * (read as WKB, so no coordinate is rounded) with its path, and answers the
 * question the old lookup asked PostGIS: the smallest area that covers a
 * point — deepest level first, then the smallest area, then the lowest id —
 * where "covers" includes the boundary, as ST_Covers does. The areas table
 * carries a version (migration 0006) that every change bumps; each batch's
 * lookup reads it, and submit.c reloads the map when it moved. */
#ifndef INTAKE_AREAMAP_H
#define INTAKE_AREAMAP_H

#include <libpq-fe.h>
#include <stdint.h>

#include "areapath.h"

typedef struct areamap areamap_t;

/* One area of the map. Borrowed from the map; valid until it is destroyed. */
typedef struct {
    int64_t id;
    const char *path_ids;   /* the path as a bigint[] literal, district first */
    areapath_t path;        /* the path as AreaRefs, for replies and events */
} areamap_area_t;

/* The SQL that reads the map's version (one row, one bigint column). */
#define AREAMAP_VERSION_SQL "SELECT version FROM areas_version"

/* Reads every area and the version from `conn` in one statement (not in
 * pipeline mode; inside the caller's transaction if one is open). Returns 0
 * and sets `*out` (the caller destroys it), or -1 after logging (a database
 * error, or a geometry or path that cannot be read). */
int areamap_load(PGconn *conn, areamap_t **out);

/* The areas version the map was read at. */
int64_t areamap_version(const areamap_t *map);

/* The area a point is placed on, or NULL when no area covers it. */
const areamap_area_t *areamap_place(const areamap_t *map, double lon, double lat);

/* The area with this id, or NULL when the map has none (id 0: unplaced). */
const areamap_area_t *areamap_find(const areamap_t *map, int64_t id);

/* How many areas the map holds. */
size_t areamap_size(const areamap_t *map);

/* Frees the map and NULLs the pointer; safe on NULL. */
void areamap_destroy(areamap_t **self_p);

#endif
