#include "georeport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A malloc'd printf, or NULL when out of memory. */
static char *s_format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *s_format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : malloc((size_t) n + 1);
    if (s) {
        va_start(ap, fmt);
        vsnprintf(s, (size_t) n + 1, fmt, ap);
        va_end(ap);
    }
    return s;
}

static int s_empty(const char *s)
{
    return !s || !*s;
}

/* A text member: null when empty, as the specification's examples show. */
static json_t *s_text(const char *s)
{
    json_t *v = s_empty(s) ? NULL : json_string(s);
    return v ? v : json_null();
}

static json_t *s_time(int64_t ms)
{
    if (ms <= 0)
        return json_null();
    char t[GEOREPORT_TIME_LEN];
    georeport_time(ms, t);
    return json_string(t);
}

/* --- status and time ---------------------------------------------------------- */

const char *georeport_status(const char *case_status)
{
    if (case_status && (strcmp(case_status, "resolved") == 0 || strcmp(case_status, "closed") == 0))
        return "closed";
    return "open";
}

void georeport_time(int64_t ms, char out[GEOREPORT_TIME_LEN])
{
    time_t t = (time_t) (ms / 1000 + GEOREPORT_UTC_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, GEOREPORT_TIME_LEN, "%Y-%m-%dT%H:%M:%S+08:00", &tm))
        snprintf(out, GEOREPORT_TIME_LEN, "1970-01-01T08:00:00+08:00");
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t s_days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Reads exactly `n` digits at `*p` into `*v`. */
static int s_digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        *v = *v * 10 + (**p - '0');
    }
    return 0;
}

int georeport_parse_time(const char *text, int64_t *ms)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0, frac_ms = 0, offset_s = GEOREPORT_UTC_OFFSET_S;
    if (!p || s_digits(&p, 4, &y) || *p++ != '-' || s_digits(&p, 2, &mo) || *p++ != '-' ||
        s_digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
        return -1;
    if (*p) {
        if (*p++ != 'T' || s_digits(&p, 2, &h) || *p++ != ':' || s_digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (s_digits(&p, 2, &s))
                return -1;
            if (*p == '.') {
                int scale = 100, digits = 0;
                for (p++; *p >= '0' && *p <= '9'; p++, digits++, scale /= 10)
                    frac_ms += (*p - '0') * scale;
                if (digits == 0)
                    return -1;
            }
        }
        if (h > 23 || mi > 59 || s > 59)
            return -1;
        if (*p == 'Z') {
            offset_s = 0;
            p++;
        } else if (*p == '+' || *p == '-' || *p == ' ') {
            int sign = *p++ == '-' ? -1 : 1, oh, om;
            if (s_digits(&p, 2, &oh) || *p++ != ':' || s_digits(&p, 2, &om) || oh > 23 || om > 59)
                return -1;
            offset_s = sign * (oh * 3600 + om * 60);
        } else {
            return -1; /* the specification requires the zone */
        }
        if (*p)
            return -1;
    }
    int64_t secs = s_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_s;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

int georeport_range(const char *start, const char *end, int64_t now_ms, int64_t *since_ms,
                    int64_t *until_ms, apperr_t *err)
{
    int64_t s = 0, e = 0;
    if (!s_empty(start) && georeport_parse_time(start, &s))
        return apperr_code(err, "BAD_DATE", "start_date %.60s", start);
    if (!s_empty(end) && georeport_parse_time(end, &e))
        return apperr_code(err, "BAD_DATE", "end_date %.60s", end);
    if (s_empty(start) && s_empty(end)) {
        e = now_ms;
        s = now_ms - GEOREPORT_SPAN_MS;
    } else if (s_empty(end)) {
        e = s + GEOREPORT_SPAN_MS;
    } else if (s_empty(start)) {
        s = e - GEOREPORT_SPAN_MS;
    }
    if (e < s)
        return apperr_code(err, "BAD_DATE", "end_date is before start_date");
    if (e - s > GEOREPORT_SPAN_MS)
        return apperr_code(err, "RANGE_TOO_LONG", "from %.40s to %.40s", start, end);
    *since_ms = s;
    *until_ms = e + 1;
    return 0;
}

/* --- paths, ids and names ------------------------------------------------------ */

int georeport_path(const char *rest, char resource[32], char arg[128], int *xml)
{
    const char *dot = strrchr(rest, '.');
    if (!dot || (strcmp(dot, ".json") != 0 && strcmp(dot, ".xml") != 0))
        return -1;
    *xml = strcmp(dot, ".xml") == 0;
    const char *slash = memchr(rest, '/', (size_t) (dot - rest));
    size_t rlen = (size_t) ((slash ? slash : dot) - rest);
    size_t alen = slash ? (size_t) (dot - slash - 1) : 0;
    if (rlen == 0 || rlen >= 32 || alen >= 128 || (slash && alen == 0) ||
        (slash && memchr(slash + 1, '/', alen)))
        return -1;
    memcpy(resource, rest, rlen);
    resource[rlen] = '\0';
    if (slash)
        memcpy(arg, slash + 1, alen);
    arg[alen] = '\0';
    return 0;
}

void georeport_endpoint_url(const char *host, int tls, char out[300])
{
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]";
    size_t n = host ? strlen(host) : 0;
    if (n == 0 || n > 255 || strspn(host, allowed) != n)
        snprintf(out, 300, "/open311/v2");
    else
        snprintf(out, 300, "%s://%s/open311/v2", tls ? "https" : "http", host);
}

int georeport_id(const char *text, int64_t *id)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || v <= 0)
        return -1;
    *id = v;
    return 0;
}

static int s_ascii(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char) *s >= 0x80)
            return 0;
    return 1;
}

char *georeport_reporter_name(const char *first, const char *last)
{
    first = first ? first : "";
    last = last ? last : "";
    if (!*first || !*last)
        return *first || *last ? strdup(*first ? first : last) : NULL;
    if (s_ascii(first) && s_ascii(last))
        return s_format("%s %s", first, last);
    return s_format("%s%s", last, first);
}

/* --- services ----------------------------------------------------------------------- */

json_t *georeport_service(const georeport_category_t *c)
{
    char *keywords = s_format("%s, %s", c->subject, c->subject_name);
    json_t *s = json_object();
    json_object_set_new(s, "service_code", s_text(c->code));
    json_object_set_new(s, "service_name", s_text(c->name));
    json_object_set_new(s, "description", s_text(c->name));
    json_object_set_new(s, "metadata", json_false());
    json_object_set_new(s, "type", json_string("realtime"));
    json_object_set_new(s, "keywords", s_text(keywords));
    json_object_set_new(s, "group", s_text(c->kind));
    free(keywords);
    return s;
}

json_t *georeport_filed(int64_t case_id, int merged)
{
    char *notice = merged ? s_format("已并入附近同类工单 %lld，合并办理", (long long) case_id)
                          : s_format("已受理，工单号 %lld，将派至责任单位办理", (long long) case_id);
    json_t *r = json_object();
    json_object_set_new(r, "service_request_id", json_integer(case_id));
    json_object_set_new(r, "service_notice", s_text(notice));
    json_object_set_new(r, "account_id", json_null());
    free(notice);
    return r;
}

/* --- what happened ---------------------------------------------------------------- */

static const char *s_reason(const char *reason)
{
    return s_empty(reason) ? "" : strcmp(reason, "function") == 0 ? "（职能不符）"
         : strcmp(reason, "territory") == 0 ? "（属地不符）"
         : strcmp(reason, "ownership") == 0 ? "（权属不清）" : "";
}

static const char *s_result(const char *result)
{
    return s_empty(result) ? "" : strcmp(result, "satisfied") == 0 ? "满意"
         : strcmp(result, "basic") == 0 ? "基本满意"
         : strcmp(result, "dissatisfied") == 0 ? "不满意" : result;
}

char *georeport_event_text(const georeport_event_t *e)
{
    static const struct {
        const char *action, *before, *after; /* the words around the unit's name */
    } words[] = {
        {"sent", "已派至", "办理"},      {"signed", "", "已签收"},
        {"contacted", "", "已联系诉求人"}, {"arrived", "", "已到达现场"},
        {"progress", "", "办理中"},      {"resolved", "", "已办结"},
        {"returned", "", "退回"},        {"reassigned", "已从", "改派"},
        {"released", "", "已完成协同"},
    };
    const char *unit = e->unit ? e->unit : "", *text = e->text ? e->text : "";
    const char *sep = *text ? "：" : "";
    if (strcmp(e->action, "evaluated") == 0)
        return s_format("回访评价：%s%s%s", s_result(e->result), sep, text);
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcmp(e->action, words[i].action) == 0)
            return s_format("%s%s%s%s%s%s", words[i].before, unit, words[i].after,
                            strcmp(e->action, "returned") == 0 ? s_reason(e->reason) : "", sep,
                            text);
    return s_format("%s%s%s", unit, sep, text);
}

const char *georeport_event_status(const georeport_event_t *e)
{
    if (strcmp(e->action, "resolved") == 0 && e->lead)
        return "closed";
    if (strcmp(e->action, "evaluated") == 0 && !s_empty(e->result) &&
        strcmp(e->result, "dissatisfied") != 0)
        return "closed";
    return "open";
}

/* --- service requests --------------------------------------------------------------- */

/* The address as the reporter wrote it, or else the areas the point lies
 * in, most specific first ("第一网格, 一社区, 一街道, 示范区"), as the
 * specification orders an address. NULL when neither. Caller frees. */
static char *s_address(const Gov__Case *c)
{
    if (c->location && !s_empty(c->location->address))
        return strdup(c->location->address);
    char *out = NULL;
    for (size_t i = c->n_area_path; i-- > 0;) {
        const char *name = c->area_path[i]->name ? c->area_path[i]->name : "";
        char *grown = out ? s_format("%s, %s", out, name) : strdup(name);
        free(out);
        if (!(out = grown))
            return NULL;
    }
    return out;
}

json_t *georeport_request(const Gov__Case *c, const char *service_name,
                          const georeport_progress_t *p)
{
    const georeport_event_t *last = p ? p->last : NULL;
    char *notes = last ? georeport_event_text(last) : NULL;
    char *notice = c->caller_count > 1
                       ? s_format("共 %d 次反映，合并办理", (int) c->caller_count)
                       : NULL;
    char *address = s_address(c);
    int64_t updated = c->updated_ms;
    if (last && last->at_ms > updated)
        updated = last->at_ms;
    const Gov__Point *pt = c->location ? c->location->point : NULL;
    json_t *r = json_object();
    json_object_set_new(r, "service_request_id", json_integer(c->id));
    json_object_set_new(r, "status", json_string(georeport_status(c->status)));
    json_object_set_new(r, "status_notes", s_text(notes));
    json_object_set_new(r, "service_name", s_text(service_name));
    json_object_set_new(r, "service_code", s_text(c->category));
    json_object_set_new(r, "description", s_text(c->description));
    json_object_set_new(r, "agency_responsible", s_text(p ? p->agency : NULL));
    json_object_set_new(r, "service_notice", s_text(notice));
    json_object_set_new(r, "requested_datetime", s_time(c->created_ms));
    json_object_set_new(r, "updated_datetime", s_time(updated));
    json_object_set_new(r, "expected_datetime", s_time(p ? p->expected_ms : 0));
    json_object_set_new(r, "address", s_text(address));
    json_object_set_new(r, "address_id", json_null());
    json_object_set_new(r, "zipcode", json_null());
    json_object_set_new(r, "lat", pt ? json_real(pt->lat) : json_null());
    json_object_set_new(r, "long", pt ? json_real(pt->lon) : json_null());
    json_object_set_new(r, "media_url", s_text(c->n_media_urls ? c->media_urls[0] : NULL));
    free(notes);
    free(notice);
    free(address);
    return r;
}

json_t *georeport_update(const char *update_id, int64_t case_id, const georeport_event_t *e,
                         const char *media_url)
{
    char *text = georeport_event_text(e);
    json_t *u = json_object();
    json_object_set_new(u, "update_id", s_text(update_id));
    json_object_set_new(u, "service_request_id", json_integer(case_id));
    json_object_set_new(u, "status", json_string(georeport_event_status(e)));
    json_object_set_new(u, "updated_datetime", s_time(e->at_ms));
    json_t *description = text ? json_string(text) : NULL;
    json_t *media = media_url ? json_string(media_url) : NULL;
    json_object_set_new(u, "description", description ? description : json_string(""));
    json_object_set_new(u, "media_url", media ? media : json_string(""));
    free(text);
    return u;
}
