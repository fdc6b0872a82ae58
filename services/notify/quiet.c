#include "quiet.h"

#define DAY_MS (86400LL * 1000)
#define BEIJING_MS (8LL * 3600 * 1000)

int64_t quiet_until(int64_t now_ms, int from_min, int to_min)
{
    if (from_min == to_min)
        return 0;
    int64_t local = now_ms + BEIJING_MS;
    int64_t day_start = local - ((local % DAY_MS) + DAY_MS) % DAY_MS;
    int64_t minute = (local - day_start) / 60000;
    int inside = from_min < to_min ? minute >= from_min && minute < to_min
                                   : minute >= from_min || minute < to_min;
    if (!inside)
        return 0;
    int64_t end = day_start + (int64_t) to_min * 60000;
    if (end <= local)
        end += DAY_MS;   /* ends tomorrow morning */
    return end - BEIJING_MS;
}
