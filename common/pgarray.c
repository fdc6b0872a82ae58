#include "pgarray.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pgarray {
    char *buf;
    size_t len, cap, count;
    int oom;
};

pgarray_t *pgarray_new(void)
{
    return calloc(1, sizeof(pgarray_t));
}

/* Makes room for `more` bytes and the closing "}\0". */
static char *s_room(pgarray_t *a, size_t more)
{
    if (a->oom)
        return NULL;
    size_t need = a->len + more + 3;
    if (need > a->cap) {
        size_t cap = a->cap ? a->cap : 256;
        while (cap < need)
            cap *= 2;
        char *grown = realloc(a->buf, cap);
        if (!grown) {
            a->oom = 1;
            return NULL;
        }
        a->buf = grown;
        a->cap = cap;
    }
    if (a->len == 0)
        a->buf[a->len++] = '{';
    else
        a->buf[a->len++] = ',';
    a->count++;
    return a->buf + a->len;
}

void pgarray_add_text(pgarray_t *a, const char *text)
{
    char *p = s_room(a, 2 * strlen(text) + 2);
    if (!p)
        return;
    *p++ = '"';
    for (const char *s = text; *s; s++) {
        if (*s == '"' || *s == '\\')
            *p++ = '\\';
        *p++ = *s;
    }
    *p++ = '"';
    a->len = (size_t) (p - a->buf);
}

void pgarray_add_null(pgarray_t *a)
{
    char *p = s_room(a, 4);
    if (p) {
        memcpy(p, "NULL", 4);
        a->len += 4;
    }
}

void pgarray_add_int(pgarray_t *a, int64_t v)
{
    char *p = s_room(a, 24);
    if (p)
        a->len += (size_t) snprintf(p, 24, "%" PRId64, v);
}

void pgarray_add_double(pgarray_t *a, double v)
{
    char *p = s_room(a, 32);
    if (p)
        a->len += (size_t) snprintf(p, 32, "%.17g", v);
}

void pgarray_add_bytes(pgarray_t *a, const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *p = s_room(a, 2 * len + 5);
    if (!p)
        return;
    memcpy(p, "\"\\\\x", 4); /* "\\x: the element's backslash, escaped */
    p += 4;
    for (size_t i = 0; i < len; i++) {
        *p++ = digits[bytes[i] >> 4];
        *p++ = digits[bytes[i] & 15];
    }
    *p++ = '"';
    a->len = (size_t) (p - a->buf);
}

const char *pgarray_text(pgarray_t *a)
{
    if (a->oom)
        return NULL;
    if (a->len == 0) {
        if (!a->buf && !(a->buf = malloc(3)))
            return NULL;
        memcpy(a->buf, "{}", 3);
        return a->buf;
    }
    a->buf[a->len] = '}';
    a->buf[a->len + 1] = '\0';
    return a->buf;
}

size_t pgarray_count(const pgarray_t *a)
{
    return a->count;
}

void pgarray_destroy(pgarray_t **self_p)
{
    pgarray_t *a = *self_p;
    if (!a)
        return;
    *self_p = NULL;
    free(a->buf);
    free(a);
}

size_t pgarray_parse_ints(const char *literal, int64_t *out)
{
    size_t n = 0;
    for (const char *s = literal; *s;) {
        char *end;
        long long v = strtoll(s, &end, 10);
        if (end == s) {
            s++;
            continue;
        }
        out[n++] = v;
        s = end;
    }
    return n;
}
