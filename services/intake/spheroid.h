/* spheroid: distances on the WGS 84 spheroid, as PostGIS measures geography
 * (ST_Distance / ST_DWithin with use_spheroid, the default). */
#ifndef INTAKE_SPHEROID_H
#define INTAKE_SPHEROID_H

/* The geodesic distance in metres between two points given in degrees
 * (Vincenty's inverse formula; agrees with PostGIS to well under a
 * millimetre at merge distances). Identical points are 0. For nearly
 * antipodal points, where the iteration does not converge, it falls back to
 * the great-circle distance on the mean sphere. */
double spheroid_distance_m(double lat1, double lon1, double lat2, double lon2);

/* A lon/lat box that holds every point within `metres` of (lat, lon), for an
 * index probe: half-widths in degrees, with a margin. *dlon is 360 when the
 * circle reaches a pole or the box would cross the antimeridian (search all
 * longitudes then). */
void spheroid_box(double lat, double lon, double metres, double *dlat, double *dlon);

#endif
