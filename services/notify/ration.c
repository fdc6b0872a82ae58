#include "ration.h"

#include <string.h>

#include "channel.h"

ration_split_t ration_split(size_t waiting, int room)
{
    ration_split_t s = {0};
    if (room <= 0)
        return s;
    if (waiting <= (size_t) room) {
        s.alone = waiting;
        return s;
    }
    s.alone = (size_t) room - 1;
    s.merged = waiting - s.alone < RATION_DIGEST_MAX ? waiting - s.alone : RATION_DIGEST_MAX;
    return s;
}

/* Rations the undecided rows for the destination of rows[first] (a robot's). */
static void s_ration(ratelimit_t *robots, rowq_row_t *rows, size_t n, size_t first,
                     int64_t now_ms)
{
    const char *dest = rows[first].destination;
    size_t waiting = 0;
    for (size_t i = first; i < n; i++)
        if (strcmp(rows[i].destination, dest) == 0 && rows[i].fate == RATION_UNDECIDED)
            waiting++;
    ration_split_t s = ration_split(waiting, ratelimit_room(robots, dest, now_ms));
    size_t seen = 0;
    for (size_t i = first; i < n; i++) {
        if (strcmp(rows[i].destination, dest) != 0 || rows[i].fate != RATION_UNDECIDED)
            continue;
        rows[i].fate = seen < s.alone                ? RATION_SEND
                       : seen < s.alone + s.merged ? RATION_MERGE
                                                   : RATION_HOLD;
        seen++;
    }
    for (size_t i = 0; i < s.alone + (s.merged ? 1 : 0); i++)
        ratelimit_take(robots, dest, now_ms);
}

void ration_claim(ratelimit_t *robots, rowq_row_t *rows, size_t n, int64_t now_ms)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i].fate != RATION_UNDECIDED)
            continue;
        const channel_t *ch = channel_find(rows[i].channel);
        if (ch && ch->group)
            s_ration(robots, rows, n, i, now_ms);
        else
            rows[i].fate = RATION_SEND;
    }
}
