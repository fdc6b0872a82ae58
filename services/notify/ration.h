/* ration: how the robot messages of one claim share their robots' windows.
 *
 * A robot takes at most `limit` messages a window (ratelimit.h). For each
 * robot destination in a claim, with `room` free slots and `waiting`
 * messages for it:
 *   - no room: every message waits (held) for the next free slot;
 *   - waiting <= room: every message goes alone;
 *   - otherwise room - 1 go alone, and the rest go merged into one digest
 *     in the last slot: at least two, at most RATION_DIGEST_MAX (a robot
 *     shows about 2 KB, a line is a subject); any more wait.
 * Other channels' messages all go. Pure, but for the slots it takes. */
#ifndef NOTIFY_RATION_H
#define NOTIFY_RATION_H

#include <stddef.h>
#include <stdint.h>

#include "ratelimit.h"
#include "rowq.h"

#define RATION_DIGEST_MAX 30

typedef enum {
    RATION_UNDECIDED = 0,
    RATION_SEND,               /* goes now, alone */
    RATION_HOLD,               /* waits for its robot's next free slot */
    RATION_MERGE,              /* goes in its robot's digest */
    RATION_MERGED              /* the digest is written (the pump's mark) */
} ration_fate_t;

/* For `waiting` messages to one robot with `room` free slots: the first
 * `alone` go alone, the next `merged` go as one digest, the rest wait. */
typedef struct {
    size_t alone, merged;
} ration_split_t;

ration_split_t ration_split(size_t waiting, int room);

/* Decides rows[i].fate for each undecided row of a claim's `n` (in claim
 * order): robots' rows (channel_find(channel)->group) by ration_split per
 * destination, with the room `robots` has at `now_ms`; the rest
 * RATION_SEND. Takes the robots' slots at once, one for each row that goes
 * alone and one for each digest, so the next claim's rationing counts them
 * even before they start. */
void ration_claim(ratelimit_t *robots, rowq_row_t *rows, size_t n, int64_t now_ms);

#endif
