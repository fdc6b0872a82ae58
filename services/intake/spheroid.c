#include "spheroid.h"

#include <math.h>

static const double s_a = 6378137.0, s_f = 1 / 298.257223563; /* WGS 84 */
static const double s_rad = M_PI / 180;

double spheroid_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    if (lat1 == lat2 && lon1 == lon2)
        return 0;
    const double b = s_a * (1 - s_f);
    double L = (lon2 - lon1) * s_rad;
    double U1 = atan((1 - s_f) * tan(lat1 * s_rad)), U2 = atan((1 - s_f) * tan(lat2 * s_rad));
    double sinU1 = sin(U1), cosU1 = cos(U1), sinU2 = sin(U2), cosU2 = cos(U2);
    double lambda = L, sigma = 0, sinSigma = 0, cosSigma = 1, cos2Alpha = 1, cos2SigmaM = 0;
    for (int iter = 0;; iter++) {
        if (iter == 200) {
            /* No convergence (nearly antipodal): the mean sphere will do. */
            double dlat = (lat2 - lat1) * s_rad, dlon = (lon2 - lon1) * s_rad;
            double h = sin(dlat / 2) * sin(dlat / 2) +
                       cos(lat1 * s_rad) * cos(lat2 * s_rad) * sin(dlon / 2) * sin(dlon / 2);
            return 2 * 6371008.8 * asin(sqrt(fmin(1, h)));
        }
        double sinLambda = sin(lambda), cosLambda = cos(lambda);
        double t1 = cosU2 * sinLambda, t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosLambda;
        sinSigma = sqrt(t1 * t1 + t2 * t2);
        if (sinSigma == 0)
            return 0; /* coincident */
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLambda;
        sigma = atan2(sinSigma, cosSigma);
        double sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
        cos2Alpha = 1 - sinAlpha * sinAlpha;
        cos2SigmaM = cos2Alpha != 0 ? cosSigma - 2 * sinU1 * sinU2 / cos2Alpha : 0;
        double C = s_f / 16 * cos2Alpha * (4 + s_f * (4 - 3 * cos2Alpha));
        double prev = lambda;
        lambda = L + (1 - C) * s_f * sinAlpha *
                         (sigma + C * sinSigma *
                                      (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
        if (fabs(lambda - prev) < 1e-12)
            break;
    }
    double u2 = cos2Alpha * (s_a * s_a - b * b) / (b * b);
    double A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
    double B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
    double dSigma = B * sinSigma *
                    (cos2SigmaM + B / 4 *
                                      (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
                                       B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) *
                                           (-3 + 4 * cos2SigmaM * cos2SigmaM)));
    return b * A * (sigma - dSigma);
}

void spheroid_box(double lat, double lon, double metres, double *dlat, double *dlon)
{
    /* A degree of latitude is at least 110,574 m, a degree of longitude at
     * least 111,319 m times the cosine of the latitude (its radius of
     * curvature is never below the equatorial radius); 1% spare. */
    *dlat = metres / 110574.0 * 1.01 + 1e-9;
    double far = fabs(lat) + *dlat;
    if (far >= 89.0) {
        *dlon = 360;
        return;
    }
    *dlon = metres / (111319.0 * cos(far * s_rad)) * 1.01 + 1e-9;
    if (lon - *dlon < -180 || lon + *dlon > 180)
        *dlon = 360;
}
