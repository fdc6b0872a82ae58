/* form: an application/x-www-form-urlencoded body (HTML's URL-encoded form
 * data, the body of an Open311 POST) read into name/value pairs: pairs are
 * joined by '&', name and value by '=', '+' is a space and %XX a byte.
 * Bounded: at most FORM_FIELDS_MAX pairs; a byte the text could not hold
 * (%00) or a broken %-escape refuses the whole body. */
#ifndef GOV_GATEWAY_FORM_H
#define GOV_GATEWAY_FORM_H

#include <stddef.h>

#define FORM_FIELDS_MAX 64

typedef struct {
    const char *name, *value;
} form_field_t;

/* The pairs, in the body's order; they point into `store`. */
typedef struct {
    form_field_t fields[FORM_FIELDS_MAX];
    int n;
    char *store;
} form_t;

/* Reads the `len` bytes of `body` into `out` (which keeps its own copy).
 * An empty pair ("a=1&&b=2") is skipped; a pair without '=' has the value
 * "". Returns 0, or -1 with `why` saying what is wrong (a bad %-escape, a
 * NUL byte, too many pairs, no memory) and `out` empty. Call form_clear
 * either way. */
int form_parse(const char *body, size_t len, form_t *out, char why[96]);

/* The first value of `name`, or NULL when the form has none (borrowed
 * from `f`). */
const char *form_get(const form_t *f, const char *name);

/* Frees what `f` holds and empties it. Safe on an empty or zeroed form. */
void form_clear(form_t *f);

#endif
