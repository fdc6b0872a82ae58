/* render: the text of a message — a template with {{name}} fields filled
 * from an event, phone numbers masked where they must be, Beijing times, and
 * text cut to what a channel takes. */
#ifndef NOTIFY_RENDER_H
#define NOTIFY_RENDER_H

#include <stddef.h>
#include <stdint.h>

#define RENDER_MAX_VARS 32

/* The fields of one event. Names and values are borrowed. */
typedef struct {
    const char *name[RENDER_MAX_VARS];
    const char *value[RENDER_MAX_VARS];
    size_t n;
} render_vars_t;

/* Sets `name` to `value` (NULL counts as ""), replacing an earlier value of
 * the same name. Beyond RENDER_MAX_VARS names the call is ignored. */
void render_set(render_vars_t *vars, const char *name, const char *value);

/* Returns `tmpl` with every {{name}} replaced by its value; an unknown name
 * becomes "" (a template may name fields some events lack). A "{{" without a
 * closing "}}" is kept as it is. The caller frees the result; NULL when out
 * of memory. */
char *render_template(const char *tmpl, const render_vars_t *vars);

/* Masks a phone number for anyone but the member assigned to the dispatch:
 * 13812341234 -> 138****1234. Numbers of 7 or fewer digits keep only their
 * last two; "" stays "". Writes at most `cap` bytes including the NUL. */
void render_mask_phone(const char *phone, char *out, size_t cap);

/* Formats `ms` since the epoch as Beijing time, "2026-11-24 15:30"; "" for 0. */
void render_beijing_time(int64_t ms, char out[20]);

/* Cuts `s` in place to at most `max_bytes` bytes without splitting a UTF-8
 * character, ending with "…" when anything was cut (max_bytes >= 4). */
void render_cut(char *s, size_t max_bytes);

/* `text` as the HTML part of an email: <html><body><p>…</p></body></html>
 * with & < > " escaped and line breaks as <br>, so no value rendered into a
 * template can open a tag. The caller frees it; NULL when out of memory. */
char *render_html(const char *text);

/* `s` as the inside of a JSON string (escaped, without the quotes), for a
 * value put into a JSON body template between quotes. NULL when `s` is not
 * valid UTF-8 (JSON cannot carry it) or out of memory; the caller frees it. */
char *render_json_inner(const char *s);

#endif
