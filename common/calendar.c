#include "calendar.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"

#define MINUTE_MS 60000LL
#define DAY_MS 86400000LL
#define BEIJING_MS (8 * 3600000LL)   /* UTC+8 all year */

static const char *s_load_sql =
    "SELECT (day - DATE '1970-01-01')::int, kind = 'workday' FROM calendar_days ORDER BY day";

typedef struct {
    int32_t day;
    int working;
} mark_t;

struct calendar {
    mark_t *marks;     /* sorted by day, one per day */
    size_t n, cap;
    int64_t revision;  /* calendar_revision at the last calendar_refresh; -1 none */
};

static const char *s_revision_sql = "SELECT revision FROM calendar_revision";

calendar_t *calendar_new(void)
{
    calendar_t *cal = calloc(1, sizeof(calendar_t));
    if (cal)
        cal->revision = -1;
    return cal;
}

/* The index of `day` in the marks, or where it would go. */
static size_t s_find(const calendar_t *cal, int32_t day)
{
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->marks[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int calendar_set(calendar_t *cal, int32_t day, int working)
{
    assert(cal);
    size_t i = s_find(cal, day);
    if (i < cal->n && cal->marks[i].day == day) {
        cal->marks[i].working = working != 0;
        return 0;
    }
    if (cal->n == cal->cap) {
        size_t cap = cal->cap ? cal->cap * 2 : 64;
        mark_t *marks = realloc(cal->marks, cap * sizeof *marks);
        if (!marks)
            return -ENOMEM;
        cal->marks = marks;
        cal->cap = cap;
    }
    memmove(&cal->marks[i + 1], &cal->marks[i], (cal->n - i) * sizeof *cal->marks);
    cal->marks[i] = (mark_t){day, working != 0};
    cal->n++;
    return 0;
}

int calendar_load(calendar_t *cal, PGconn *conn)
{
    assert(cal && conn);
    PGresult *res = db_exec(conn, s_load_sql, 0, NULL, NULL);
    if (!res)
        return -1;
    calendar_t fresh = {0};
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++)
        rc = calendar_set(&fresh, (int32_t) strtol(PQgetvalue(res, i, 0), NULL, 10),
                          PQgetvalue(res, i, 1)[0] == 't');
    PQclear(res);
    if (rc) {
        log_error("calendar: out of memory loading calendar_days");
        free(fresh.marks);
        return -1;
    }
    free(cal->marks);
    fresh.revision = -1;
    *cal = fresh;
    log_info("calendar: %zu exception days loaded", cal->n);
    return 0;
}

int calendar_refresh(calendar_t *cal, PGconn *conn, int64_t revision)
{
    assert(cal && conn);
    if (revision < 0) {
        PGresult *res = db_exec(conn, s_revision_sql, 0, NULL, NULL);
        if (!res)
            return -1;
        revision = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
    }
    if (revision == cal->revision)
        return 0;
    if (calendar_load(cal, conn))
        return -1;
    cal->revision = revision; /* the rows are as new as this, or newer: at worst one load more */
    return 0;
}

int64_t calendar_revision(const calendar_t *cal)
{
    return cal->revision;
}

int calendar_parse_day(const char *text, int32_t *day, int *weekday)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return -1;
    int y = atoi(text), m = atoi(text + 5), d = atoi(text + 8);
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
    time_t t = timegm(&tm);
    struct tm back;
    if (y < 1970 || t == (time_t) -1 || !gmtime_r(&t, &back) || back.tm_year != y - 1900 ||
        back.tm_mon != m - 1 || back.tm_mday != d)
        return -1; /* 2027-02-30 comes back as 2027-03-02 */
    *day = (int32_t) (t / 86400);
    *weekday = (back.tm_wday + 6) % 7;
    return 0;
}

const char *calendar_check_day(const char *day, const char *kind, const char *name,
                               const char *source, int32_t *day_out)
{
    int weekday;
    if (calendar_parse_day(day, day_out, &weekday))
        return "the day is not a date (YYYY-MM-DD, 1970 or later)";
    if (!kind || (strcmp(kind, "holiday") && strcmp(kind, "workday")))
        return "kind must be holiday or workday";
    if (!strcmp(kind, "workday") && weekday < 5)
        return "a make-up workday must fall on a Saturday or Sunday";
    if (!name || !name[0])
        return "the name is empty";
    if (!source || !source[0])
        return "the source is empty (name the notice the day comes from)";
    return NULL;
}

int calendar_is_working(const calendar_t *cal, int32_t day)
{
    size_t i = s_find(cal, day);
    if (i < cal->n && cal->marks[i].day == day)
        return cal->marks[i].working;
    /* Day 0, 1970-01-01, was a Thursday; 0 = Monday .. 6 = Sunday. */
    int weekday = (int) (((int64_t) day % 7 + 7 + 3) % 7);
    return weekday < 5;
}

int32_t calendar_day_of(int64_t ms)
{
    int64_t local = ms + BEIJING_MS;
    int64_t day = local / DAY_MS;
    if (local % DAY_MS < 0)   /* round towards the past, not towards zero */
        day--;
    return (int32_t) day;
}

/* The first instant of Beijing day `day`. */
static int64_t s_day_start(int32_t day)
{
    return (int64_t) day * DAY_MS - BEIJING_MS;
}

int64_t calendar_add(const calendar_t *cal, int64_t start_ms, int64_t minutes, int working)
{
    assert(minutes >= 0);
    if (!working)
        return start_ms + minutes * MINUTE_MS;
    int64_t left = minutes * MINUTE_MS, t = start_ms;
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
        return (to_ms - from_ms) / MINUTE_MS;
    int64_t total = 0, t = from_ms;
    for (int32_t day = calendar_day_of(t); t < to_ms; day++) {
        int64_t end = s_day_start(day + 1);
        int64_t stop = end < to_ms ? end : to_ms;
        if (calendar_is_working(cal, day))
            total += stop - t;
        t = stop;
    }
    return total / MINUTE_MS;
}

void calendar_destroy(calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free((*self_p)->marks);
    free(*self_p);
    *self_p = NULL;
}
