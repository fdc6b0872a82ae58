#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int s_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes `s` in place (it only shrinks). Returns 0, or -1 with `why` set. */
static int s_decode(char *s, char why[96])
{
    char *to = s;
    for (const char *from = s; *from; from++) {
        if (*from == '+') {
            *to++ = ' ';
        } else if (*from == '%') {
            int hi = s_hex(from[1]), lo = hi < 0 ? -1 : s_hex(from[2]);
            if (lo < 0) {
                snprintf(why, 96, "a %% is not followed by two hexadecimal digits");
                return -1;
            }
            if (hi == 0 && lo == 0) {
                snprintf(why, 96, "%%00: a NUL byte is not text");
                return -1;
            }
            *to++ = (char) (hi << 4 | lo);
            from += 2;
        } else {
            *to++ = *from;
        }
    }
    *to = '\0';
    return 0;
}

int form_parse(const char *body, size_t len, form_t *out, char why[96])
{
    memset(out, 0, sizeof *out);
    if (memchr(body, '\0', len)) {
        snprintf(why, 96, "the body holds a NUL byte");
        return -1;
    }
    if (!(out->store = malloc(len + 1))) {
        snprintf(why, 96, "out of memory");
        return -1;
    }
    memcpy(out->store, body, len);
    out->store[len] = '\0';
    char *next = out->store;
    while (next) {
        char *pair = next, *amp = strchr(pair, '&');
        next = amp ? amp + 1 : NULL;
        if (amp)
            *amp = '\0';
        if (!*pair)
            continue;
        if (out->n == FORM_FIELDS_MAX) {
            snprintf(why, 96, "more than %d fields", FORM_FIELDS_MAX);
            goto fail;
        }
        char *eq = strchr(pair, '=');
        char *value = eq ? eq + 1 : pair + strlen(pair);
        if (eq)
            *eq = '\0';
        if (s_decode(pair, why) || s_decode(value, why))
            goto fail;
        out->fields[out->n++] = (form_field_t) {pair, value};
    }
    return 0;
fail:
    form_clear(out);
    return -1;
}

const char *form_get(const form_t *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

void form_clear(form_t *f)
{
    free(f->store);
    memset(f, 0, sizeof *f);
}
