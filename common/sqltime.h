/* sqltime: the two SQL fragments that move time between the service clock
 * (svclock: ms since the epoch, passed in as a parameter) and timestamptz
 * columns. Services never read the database's now(): a test moves the
 * service clock, and the database must agree with the timers. */
#ifndef GOV_SQLTIME_H
#define GOV_SQLTIME_H

/* A timestamptz from a parameter or column of ms since the epoch. */
#define TS(ms) "to_timestamp((" ms ")::bigint / 1000.0)"

/* Ms since the epoch from a timestamptz; 0 when it is NULL (not yet). */
#define MS(ts) "coalesce((extract(epoch FROM " ts ") * 1000)::bigint, 0)"

/* As MS, but NULL stays NULL (a min() over no rows: there is none). */
#define MS_OR_NULL(ts) "(extract(epoch FROM " ts ") * 1000)::bigint"

#endif
