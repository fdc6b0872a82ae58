#include "recur.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *s_holidays[] = {"next", "keep", "skip"};

/* Days from 1970-01-01 of a civil date (Howard Hinnant's days_from_civil). */
int32_t recur_day(int year, int month, int day)
{
    year -= month <= 2;
    int era = (year >= 0 ? year : year - 399) / 400;
    int yoe = year - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t) (era * 146097 + doe - 719468);
}

void recur_date(int32_t z, int *year, int *month, int *mday)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *mday = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (*month <= 2);
}

/* 0 = Monday: 1970-01-01 was a Thursday. */
static int s_weekday(int32_t day)
{
    int w = (int) ((day + 3) % 7);
    return w < 0 ? w + 7 : w;
}

static int s_word(const char *w, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(w, words[i]) == 0)
            return i;
    return -1;
}

int recur_parse(const char *text, recur_t *out)
{
    if (!text || strlen(text) > 64)
        return -1;
    char buf[65], *w[5], *save = NULL;
    int n = 0;
    snprintf(buf, sizeof buf, "%s", text);
    for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (n == 5)
            return -1;
        w[n++] = t;
    }
    recur_t r = {.holiday = RECUR_NEXT};
    int i = 1;
    if (n >= 3 && strcmp(w[0], "monthly") == 0) {
        r.freq = RECUR_MONTHLY;
        if (strcmp(w[1], "last") == 0)
            r.nth = -1;
        else if (strlen(w[1]) == 1 && w[1][0] >= '1' && w[1][0] <= '4')
            r.nth = w[1][0] - '0';
        else
            return -1;
        i = 2;
    } else if (n >= 2 && strcmp(w[0], "weekly") == 0) {
        r.freq = RECUR_WEEKLY;
    } else {
        return -1;
    }
    if ((r.weekday = s_word(w[i++], s_days, 7)) < 0)
        return -1;
    if (i < n) {
        int h = s_word(w[i++], s_holidays, 3);
        if (h < 0)
            return -1;
        r.holiday = (recur_holiday_t) h;
    }
    if (i != n)
        return -1;
    *out = r;
    return 0;
}

const char *recur_format(const recur_t *r, char *buf, size_t size)
{
    if (r->freq == RECUR_WEEKLY)
        snprintf(buf, size, "weekly %s %s", s_days[r->weekday], s_holidays[r->holiday]);
    else if (r->nth < 0)
        snprintf(buf, size, "monthly last %s %s", s_days[r->weekday], s_holidays[r->holiday]);
    else
        snprintf(buf, size, "monthly %d %s %s", r->nth, s_days[r->weekday], s_holidays[r->holiday]);
    return buf;
}

int32_t recur_in_month(const recur_t *r, int year, int month)
{
    if (r->freq != RECUR_MONTHLY)
        return INT32_MIN;
    if (r->nth > 0) {
        int32_t first = recur_day(year, month, 1);
        return first + (r->weekday - s_weekday(first) + 7) % 7 + 7 * (r->nth - 1);
    }
    int32_t last = recur_day(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - 1;
    return last - (s_weekday(last) - r->weekday + 7) % 7;
}

static int s_working(const calendar_t *cal, int32_t day)
{
    return cal ? calendar_is_working(cal, day) : s_weekday(day) < 5;
}

/* Where nominal day `day` is held: itself, the next working day, or
 * INT32_MIN (skipped). */
static int32_t s_held(const recur_t *r, const calendar_t *cal, int32_t day)
{
    if (r->holiday == RECUR_KEEP || s_working(cal, day))
        return day;
    if (r->holiday == RECUR_SKIP)
        return INT32_MIN;
    int32_t d = day + 1;
    while (!s_working(cal, d) && d < day + 366)
        d++;
    return d;
}

int32_t recur_next(const recur_t *r, const calendar_t *cal, int32_t after_day)
{
    /* Start a while before: an earlier nominal day may be held after
     * after_day once a holiday moves it (a week of National Day). */
    int32_t from = after_day - 40, limit = after_day + 3653;
    if (r->freq == RECUR_WEEKLY) {
        for (int32_t d = from + (r->weekday - s_weekday(from) + 7) % 7; d <= limit; d += 7) {
            int32_t held = s_held(r, cal, d);
            if (held != INT32_MIN && held > after_day)
                return held;
        }
        return INT32_MIN;
    }
    int y, m, md;
    recur_date(from, &y, &m, &md);
    for (int k = 0; k < 12 * 10 + 3; k++) {
        int32_t held = s_held(r, cal, recur_in_month(r, y, m));
        if (held != INT32_MIN && held > after_day)
            return held;
        if (++m == 13) {
            m = 1;
            y++;
        }
    }
    return INT32_MIN;
}
