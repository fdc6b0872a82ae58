/* quiet: a person's quiet hours (default 22:00–07:00 Beijing time), when
 * only urgent messages go through at once and the rest wait until morning. */
#ifndef NOTIFY_QUIET_H
#define NOTIFY_QUIET_H

#include <stdint.h>

/* Quiet hours from minute `from_min` to minute `to_min` of the Beijing day
 * (0..1439; from > to wraps midnight, from == to means none). Returns 0 when
 * `now_ms` is outside them, else the instant (ms) they end. */
int64_t quiet_until(int64_t now_ms, int from_min, int to_min);

#endif
