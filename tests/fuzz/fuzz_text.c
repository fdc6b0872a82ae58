/* libFuzzer harness for the small parsers of outside text that are no
 * protobuf or JSON: notify's templates (an operator's text, an event's
 * values), phone masking and cutting; the calendar's days as an import file
 * or ImportCalendar carries them; Open311's query values (dates, ranges,
 * paths, ids) and reporter names. The first byte picks the parser; the rest
 * is its input, split at 0x1f bytes where it takes several strings. Any
 * crash, leak, out-of-bounds access or undefined behaviour is a bug, and so
 * is an answer that breaks the parser's own promise (checked below). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "georeport.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PARTS 6

/* Splits a NUL-ended copy of the input at 0x1f into at most PARTS strings. */
static size_t s_split(char *text, char *part[PARTS])
{
    size_t n = 0;
    part[n++] = text;
    for (char *p = text; *p && n < PARTS; p++)
        if (*p == '\x1f') {
            *p = '\0';
            part[n++] = p + 1;
        }
    for (size_t i = n; i < PARTS; i++)
        part[i] = "";
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *part[PARTS];
    s_split(text, part);
    switch (data[0] % 8) {
    case 0: { /* a template and the values of its fields */
        render_vars_t vars = {0};
        render_set(&vars, "case_id", part[1]);
        render_set(&vars, "unit", part[2]);
        render_set(&vars, "phone", part[3]);
        render_set(&vars, part[4], part[5]);
        char *out = render_template(part[0], &vars);
        free(out);
        break;
    }
    case 1: { /* a phone masked: never longer than what it masks, always ended */
        char out[32];
        render_mask_phone(part[0], out, sizeof out);
        if (strlen(out) >= sizeof out)
            abort();
        break;
    }
    case 2: { /* cut to a channel's length: never longer, never a split character */
        size_t max = 4 + (size_t) (size % 64);
        char *copy = strdup(part[0]);
        if (copy) {
            render_cut(copy, max);
            if (strlen(copy) > max)
                abort();
            free(copy);
        }
        break;
    }
    case 3: { /* a calendar day: one that parses has a weekday */
        int32_t day;
        int weekday;
        if (calendar_parse_day(part[0], &day, &weekday) == 0 && (weekday < 0 || weekday > 6))
            abort();
        break;
    }
    case 4: { /* one row of a calendar import */
        int32_t day;
        (void) calendar_check_day(part[0], part[1], part[2], part[3], &day);
        break;
    }
    case 5: { /* Open311 dates and ranges */
        int64_t ms, since, until;
        apperr_t err;
        (void) georeport_parse_time(part[0], &ms);
        if (georeport_range(part[0], part[1], 1764547200000, &since, &until, &err) == 0 && since > until)
            abort();
        break;
    }
    case 6: { /* an Open311 path and id */
        char resource[32], arg[128];
        int xml;
        int64_t id;
        if (georeport_path(part[0], resource, arg, &xml) == 0 &&
            (strlen(resource) >= sizeof resource || strlen(arg) >= sizeof arg))
            abort();
        if (georeport_id(part[1], &id) == 0 && id <= 0)
            abort();
        break;
    }
    default: { /* a reporter's name from first_name and last_name */
        char *name = georeport_reporter_name(part[0], part[1]);
        free(name);
        break;
    }
    }
    free(text);
    return 0;
}
