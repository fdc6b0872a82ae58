#include "render.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void render_set(render_vars_t *vars, const char *name, const char *value)
{
    for (size_t i = 0; i < vars->n; i++)
        if (strcmp(vars->name[i], name) == 0) {
            vars->value[i] = value ? value : "";
            return;
        }
    if (vars->n == RENDER_MAX_VARS)
        return;
    vars->name[vars->n] = name;
    vars->value[vars->n++] = value ? value : "";
}

static const char *s_lookup(const render_vars_t *vars, const char *name, size_t len)
{
    for (size_t i = 0; i < vars->n; i++)
        if (strlen(vars->name[i]) == len && memcmp(vars->name[i], name, len) == 0)
            return vars->value[i];
    return "";
}

char *render_template(const char *tmpl, const render_vars_t *vars)
{
    size_t cap = strlen(tmpl) + 256, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = tmpl; *p;) {
        const char *piece = p, *close = NULL;
        size_t n = 1;
        if (p[0] == '{' && p[1] == '{' && (close = strstr(p + 2, "}}"))) {
            piece = s_lookup(vars, p + 2, (size_t) (close - p - 2));
            n = strlen(piece);
            p = close + 2;
        } else {
            p++;
        }
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *bigger = realloc(out, cap);
            if (!bigger) {
                free(out);
                return NULL;
            }
            out = bigger;
        }
        memcpy(out + len, piece, n);
        len += n;
    }
    out[len] = '\0';
    return out;
}

void render_mask_phone(const char *phone, char *out, size_t cap)
{
    size_t n = strlen(phone), i = 0;
    if (!cap)
        return;
    if (n > 7) {
        /* 138****1234: the network prefix and the last four, whatever the length. */
        for (size_t k = 0; k < 3 && i + 1 < cap; k++)
            out[i++] = phone[k];
        for (size_t k = 0; k < 4 && i + 1 < cap; k++)
            out[i++] = '*';
        for (size_t k = n - 4; k < n && i + 1 < cap; k++)
            out[i++] = phone[k];
    } else {
        for (size_t k = 0; k < n && i + 1 < cap; k++)
            out[i++] = k + 2 >= n ? phone[k] : '*';
    }
    out[i] = '\0';
}

void render_beijing_time(int64_t ms, char out[20])
{
    if (ms <= 0) {
        out[0] = '\0';
        return;
    }
    time_t t = (time_t) (ms / 1000) + 8 * 3600;  /* Beijing keeps no summer time */
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 20, "%Y-%m-%d %H:%M", &tm);
}

void render_cut(char *s, size_t max_bytes)
{
    size_t n = strlen(s);
    if (n <= max_bytes || max_bytes < 4)
        return;
    size_t end = max_bytes - 3;                   /* room for "…" (3 bytes) */
    while (end > 0 && ((unsigned char) s[end] & 0xC0) == 0x80)
        end--;                                    /* not inside a character */
    memcpy(s + end, "\xE2\x80\xA6", 4);
}

char *render_html(const char *text)
{
    size_t cap = strlen(text) * 6 + 128, o = 0;
    char *html = malloc(cap);
    if (!html)
        return NULL;
    o += (size_t) snprintf(html, cap, "<html><body><p>");
    for (const char *p = text; *p; p++) {
        const char *piece = *p == '&'   ? "&amp;"
                            : *p == '<' ? "&lt;"
                            : *p == '>' ? "&gt;"
                            : *p == '"' ? "&quot;"
                            : *p == '\n' ? "<br>"
                                          : NULL;
        if (piece)
            o += (size_t) snprintf(html + o, cap - o, "%s", piece);
        else
            html[o++] = *p;
    }
    snprintf(html + o, cap - o, "</p></body></html>");
    return html;
}

char *render_json_inner(const char *s)
{
    json_t *str = json_string(s);
    char *quoted = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
    json_decref(str);
    if (!quoted)
        return NULL;
    size_t n = strlen(quoted);
    memmove(quoted, quoted + 1, n - 2);
    quoted[n - 2] = '\0';
    return quoted;
}
