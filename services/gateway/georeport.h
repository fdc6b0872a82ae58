/* georeport: our cases in the words of Open311 GeoReport v2
 * (wiki.open311.org/GeoReport_v2) — pure mappings, no I/O, each tested
 * alone (tests/unit/test_open311.c); open311.c does the talking.
 *
 *   category           → service (code, name, group = the category's kind)
 *   case + dispatches  → service request (status open|closed, notes, agency…)
 *   dispatch_log row,
 *   evaluation         → service request update (FixMyStreet's extension)
 *
 * Times are W3C datetimes in Beijing time, +08:00 (Asia/Shanghai has kept
 * one offset and no daylight saving since 1991, so a fixed offset is exact). */
#ifndef GOV_GATEWAY_GEOREPORT_H
#define GOV_GATEWAY_GEOREPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "apperr.h"
#include "intake.pb-c.h"

#define GEOREPORT_SPEC "http://wiki.open311.org/GeoReport_v2"
/* When this endpoint's discovery document or its list of resources last
 * changed (Service Discovery: "changeset", sortable). */
#define GEOREPORT_CHANGESET "2026-12-03T00:00:00+08:00"
#define GEOREPORT_UTC_OFFSET_S (8 * 3600)
/* GET requests: "Default query limit is a span of 90 days or first 1000
 * requests returned, whichever is smallest" (GeoReport v2, Response Volume). */
#define GEOREPORT_SPAN_MS (90LL * 24 * 3600 * 1000)
#define GEOREPORT_MAX_REQUESTS 1000
#define GEOREPORT_TIME_LEN 26 /* "2026-12-03T14:47:21+08:00" and NUL */

/* A category as the categories table holds it (strings borrowed). */
typedef struct {
    const char *code, *name, *kind, *subject, *subject_name;
} georeport_category_t;

/* Something that happened to a case that its reporter may see: a row of
 * routing's dispatch_log for one of the case's dispatches (action sent,
 * signed, contacted, arrived, progress, resolved, returned, reassigned or
 * released), or the reporter's evaluation (action "evaluated", with
 * `result`). Strings borrowed; "" when none. */
typedef struct {
    const char *action;
    int lead;           /* the case's lead dispatch (not an assist or a whistle's) */
    const char *unit;   /* the dispatch's unit, by name */
    const char *text;   /* the note written with it */
    const char *reason; /* a return's reason: function | territory | ownership */
    const char *result; /* an evaluation's: satisfied | basic | dissatisfied */
    int64_t at_ms;
} georeport_event_t;

/* What routing knows of a case: its current lead dispatch and the last
 * event. Strings borrowed. */
typedef struct {
    const char *agency;             /* the lead dispatch's unit name; NULL before routing */
    int64_t expected_ms;            /* the lead's resolve-by deadline (SLA); 0 none */
    const georeport_event_t *last;  /* NULL when nothing happened yet */
} georeport_progress_t;

/* Open311's status for intake's case status: open and dispatched are
 * "open"; resolved (the lead unit says it is done; the reporter may still
 * reopen it) and closed are "closed" — the specification's "closed: it has
 * been resolved". Anything else reads "open". */
const char *georeport_status(const char *case_status);

/* `ms` since the epoch as a W3C datetime in Beijing time, to the second:
 * "2026-12-03T14:47:21+08:00". */
void georeport_time(int64_t ms, char out[GEOREPORT_TIME_LEN]);

/* Reads a W3C datetime: YYYY-MM-DD (midnight, Beijing time), or
 * YYYY-MM-DDThh:mm[:ss[.s…]] with Z or ±hh:mm (a space is read as '+', as
 * an unescaped '+' arrives in a query). Returns 0 with `*ms`, or -1. */
int georeport_parse_time(const char *text, int64_t *ms);

/* The range of requested_datetime a GET requests (or updates) asks for:
 * start_date and end_date, each NULL or "" when not given. Neither: the 90
 * days up to `now_ms`; one: 90 days from or up to it; both: at most 90
 * days apart. `*until_ms` is one past end_date (which is included).
 * Returns 0, or -1 with `err` set: BAD_DATE, RANGE_TOO_LONG. */
int georeport_range(const char *start, const char *end, int64_t now_ms, int64_t *since_ms,
                    int64_t *until_ms, apperr_t *err);

/* Splits what follows /open311/v2/ — "services.xml",
 * "services/complaint.noise.json" — into the resource ("services"), the
 * path's argument ("complaint.noise"; "" when none) and the format (`*xml`
 * 1 for .xml, 0 for .json). Returns 0, or -1 when there is no .json or
 * .xml suffix or the path has more parts. */
int georeport_path(const char *rest, char resource[32], char arg[128], int *xml);

/* The endpoint's URL for the discovery document: http(s)://HOST/open311/v2
 * (https when `tls`, the gateway being behind TLS), from the request's Host
 * header; "/open311/v2" when `host` is missing or not a host[:port]. */
void georeport_endpoint_url(const char *host, int tls, char out[300]);

/* A service request id: a positive decimal number. Returns 0 with `*id`, or -1. */
int georeport_id(const char *text, int64_t *id);

/* The reporter's name from first_name and last_name (either NULL or ""):
 * "john smith", or family name first without a space when either is not
 * ASCII (李 + 雷 → "李雷"). Returns a malloc'd string (the caller frees), or
 * NULL when both are empty or out of memory. */
char *georeport_reporter_name(const char *first, const char *last);

/* A service of GET services: service_code, service_name, description,
 * metadata (false: no category has attributes), type "realtime", keywords
 * (the subject's code and name) and group (the kind). New reference. */
json_t *georeport_service(const georeport_category_t *c);

/* The answer to a POST: service_request_id, service_notice (filed, or
 * joined the open case nearby), account_id (null: not kept). New reference. */
json_t *georeport_filed(int64_t case_id, int merged);

/* The words for `e` (Chinese, as the deployment's people write):
 * "城管执法局已签收", "城管执法局已办结：已处理", "回访评价：满意". A
 * malloc'd string (the caller frees), or NULL when out of memory. */
char *georeport_event_text(const georeport_event_t *e);

/* The request's status after `e`: "closed" after the lead unit resolved it
 * or the reporter was satisfied (or basically), "open" otherwise. */
const char *georeport_event_status(const georeport_event_t *e);

/* A service request of GET requests: the case `c` with `service_name` (NULL
 * when the category is gone) and routing's `p`. No personal data: the
 * reporter and the callers are left out. New reference. */
json_t *georeport_request(const Gov__Case *c, const char *service_name,
                          const georeport_progress_t *p);

/* An update of GET servicerequestupdates: update_id, service_request_id,
 * status, updated_datetime, description, media_url ("" when none, as
 * FixMyStreet expects). New reference. */
json_t *georeport_update(const char *update_id, int64_t case_id, const georeport_event_t *e,
                         const char *media_url);

#endif
