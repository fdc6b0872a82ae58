#include "dbtime.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "hist.h"

static const char *const s_names[DBTIME_NKINDS] = {
    [DBTIME_SELECT] = "select",     [DBTIME_INSERT] = "insert",   [DBTIME_UPDATE] = "update",
    [DBTIME_DELETE] = "delete",     [DBTIME_WITH] = "with",       [DBTIME_BEGIN] = "begin",
    [DBTIME_COMMIT] = "commit",     [DBTIME_ROLLBACK] = "rollback", [DBTIME_OTHER] = "other",
    [DBTIME_PIPELINE] = "pipeline", [DBTIME_PREPARED] = "prepared"};

/* The process's histograms, one a kind (see the header: they are the
 * process's as the database's outages are). */
static hist_t s_hists[DBTIME_NKINDS];

/* Skips blanks, opening parentheses and comments (-- to the line's end,
 * and non-nested slash-star comments). */
static const char *s_skip(const char *p)
{
    for (;;) {
        while (*p && (isspace((unsigned char) *p) || *p == '('))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            p += strcspn(p, "\n");
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

dbtime_kind_t dbtime_kind(const char *sql)
{
    if (!sql)
        return DBTIME_OTHER;
    const char *p = s_skip(sql);
    size_t len = 0;
    while (isalpha((unsigned char) p[len]))
        len++;
    for (int k = DBTIME_SELECT; k <= DBTIME_ROLLBACK; k++)
        if (strlen(s_names[k]) == len && strncasecmp(p, s_names[k], len) == 0)
            return (dbtime_kind_t) k;
    /* START TRANSACTION and END are BEGIN's and COMMIT's other spellings */
    if (len == 5 && strncasecmp(p, "start", 5) == 0)
        return DBTIME_BEGIN;
    if (len == 3 && strncasecmp(p, "end", 3) == 0)
        return DBTIME_COMMIT;
    return DBTIME_OTHER;
}

const char *dbtime_name(dbtime_kind_t kind)
{
    return (unsigned) kind < DBTIME_NKINDS ? s_names[kind] : "other";
}

uint64_t dbtime_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

void dbtime_observe(dbtime_kind_t kind, uint64_t start_ns)
{
    uint64_t now = dbtime_now_ns();
    if ((unsigned) kind >= DBTIME_NKINDS)
        kind = DBTIME_OTHER;
    hist_observe_ns(&s_hists[kind], now > start_ns ? now - start_ns : 0);
}

uint64_t dbtime_count(dbtime_kind_t kind)
{
    return (unsigned) kind < DBTIME_NKINDS ? atomic_load(&s_hists[kind].count) : 0;
}

void dbtime_format(const char *service, char *out, size_t *n, size_t cap)
{
    int header = 0;
    for (int k = 0; k < DBTIME_NKINDS && *n < cap; k++) {
        if (!atomic_load(&s_hists[k].count))
            continue;
        if (!header++) {
            int w = snprintf(out + *n, cap - *n,
                             "# HELP gov_db_duration_seconds database round trips by statement "
                             "kind, from sending to the last result\n"
                             "# TYPE gov_db_duration_seconds histogram\n");
            if (w > 0)
                *n = *n + (size_t) w < cap ? *n + (size_t) w : cap;
        }
        char labels[128];
        snprintf(labels, sizeof labels, "service=\"%s\",kind=\"%s\"", service, s_names[k]);
        hist_format(&s_hists[k], "db_duration_seconds", labels, out, n, cap);
    }
}
