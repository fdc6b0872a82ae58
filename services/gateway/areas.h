/* areas: GET /api/v1/areas, the district's areas (district, streets,
 * communities, grids) as one GeoJSON FeatureCollection, for the console's
 * map: no tile server is reachable from a deployment, so the map draws these
 * polygons themselves (docs/console.md). The areas are the deployment's
 * shared reference data (the `areas` table every service reads, like the
 * people auth.c reads); boundaries are public, but the route asks for a
 * login like every other /api/v1/ read. Geometry is simplified to about
 * 5 m and printed with 6 decimals (~0.1 m), so a district of a few hundred
 * grids is a few hundred KB. */
#ifndef GOV_GATEWAY_AREAS_H
#define GOV_GATEWAY_AREAS_H

#include "http.h"
#include "pool.h"

/* Answers 200 with the collection, each feature's properties
 * {code, name, level, parent}; or 503 DB_UNAVAILABLE. */
void areas_answer(worker_t *w, http_res_t *res);

#endif
