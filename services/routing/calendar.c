#include "calendar.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

#define DAY_MS 86400000LL
#define BEIJING_MS (8 * 3600000LL)

typedef struct {
    int32_t day;
    int working;
} exception_t;

struct calendar {
    exception_t *days;   /* sorted by day, unique */
    size_t n, cap;
};

calendar_t *calendar_new(void)
{
    return calloc(1, sizeof(calendar_t));
}

/* The index of `day`, or of where it would go. */
static size_t s_find(const calendar_t *cal, int32_t day)
{
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cal->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int calendar_set(calendar_t *cal, int32_t day, int working)
{
    size_t i = s_find(cal, day);
    if (i < cal->n && cal->days[i].day == day) {
        cal->days[i].working = working;
        return 0;
    }
    if (cal->n == cal->cap) {
        size_t cap = cal->cap ? cal->cap * 2 : 64;
        exception_t *days = realloc(cal->days, cap * sizeof *days);
        if (!days)
            return -ENOMEM;
        cal->days = days;
        cal->cap = cap;
    }
    memmove(&cal->days[i + 1], &cal->days[i], (cal->n - i) * sizeof *cal->days);
    cal->days[i] = (exception_t){day, working};
    cal->n++;
    return 0;
}

int calendar_load(calendar_t *cal, PGconn *conn)
{
    char sqlstate[6];
    PGresult *res = db_exec(conn,
                            "SELECT (day - DATE '1970-01-01')::int, kind = 'workday'"
                            " FROM calendar_days ORDER BY day",
                            0, NULL, sqlstate);
    if (!res)
        return -1;
    calendar_t fresh = {0};
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++)
        rc = calendar_set(&fresh, (int32_t) atoi(PQgetvalue(res, i, 0)),
                          PQgetvalue(res, i, 1)[0] == 't');
    PQclear(res);
    if (rc) {
        free(fresh.days);
        log_error("calendar: out of memory");
        return -1;
    }
    free(cal->days);
    *cal = fresh;
    log_info("calendar: %zu exception days loaded", cal->n);
    return 0;
}

int calendar_is_working(const calendar_t *cal, int32_t day)
{
    size_t i = s_find(cal, day);
    if (i < cal->n && cal->days[i].day == day)
        return cal->days[i].working;
    int weekday = (int) (((day % 7) + 7 + 3) % 7);  /* 1970-01-01 was a Thursday: 0 = Monday */
    return weekday < 5;
}

int32_t calendar_day_of(int64_t ms)
{
    int64_t local = ms + BEIJING_MS;
    return (int32_t) (local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS));
}

static int64_t s_day_start(int32_t day)
{
    return (int64_t) day * DAY_MS - BEIJING_MS;
}

int64_t calendar_add(const calendar_t *cal, int64_t start_ms, int64_t minutes, int working)
{
    if (!working)
        return start_ms + minutes * 60000;
    int64_t left = minutes * 60000, t = start_ms;
    for (int32_t day = calendar_day_of(t);; day++) {
        int64_t end = s_day_start(day + 1);
        if (calendar_is_working(cal, day)) {
            if (t + left <= end)
                return t + left;
            left -= end - t;
        }
        t = end;
    }
}

int64_t calendar_between(const calendar_t *cal, int64_t from_ms, int64_t to_ms, int working)
{
    if (to_ms <= from_ms)
        return 0;
    if (!working)
        return (to_ms - from_ms) / 60000;
    int64_t total = 0, t = from_ms;
    for (int32_t day = calendar_day_of(t); t < to_ms; day++) {
        int64_t end = s_day_start(day + 1);
        int64_t stop = end < to_ms ? end : to_ms;
        if (calendar_is_working(cal, day))
            total += stop - t;
        t = stop;
    }
    return total / 60000;
}

void calendar_destroy(calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->days);
    free(*self_p);
    *self_p = NULL;
}
