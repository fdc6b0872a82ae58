#include "xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code point at `s` and its length in bytes, or 0 for bytes that are
 * not UTF-8 (jansson's strings always are; this is the belt to its braces). */
static size_t s_utf8(const unsigned char *s, uint32_t *cp)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
             : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0)
        return 0;
    uint32_t v = n == 1 ? s[0] : s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < least[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* XML 1.0's Char production (section 2.2). */
static int s_allowed(uint32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static void s_text(FILE *out, const char *text)
{
    const unsigned char *s = (const unsigned char *) text;
    while (*s) {
        uint32_t cp;
        size_t n = s_utf8(s, &cp);
        if (n == 0) { /* not UTF-8: left out */
            s++;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default:
            if (s_allowed(cp))
                fwrite(s, 1, n, out);
        }
        s += n;
    }
}

static const char *s_item(const char *list, const xml_item_t *items, size_t nitems)
{
    for (size_t i = 0; i < nitems; i++)
        if (strcmp(items[i].list, list) == 0)
            return items[i].item;
    return NULL;
}

/* Writes `v` as the element `name`. Returns 0, or -1 for an unnamed array. */
static int s_element(FILE *out, const char *name, const json_t *v, const xml_item_t *items,
                     size_t nitems)
{
    if (json_is_null(v)) {
        fprintf(out, "<%s/>", name);
        return 0;
    }
    fprintf(out, "<%s>", name);
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *) v, key, member)
            if (s_element(out, key, member, items, nitems))
                return -1;
        break;
    }
    case JSON_ARRAY: {
        const char *item = s_item(name, items, nitems);
        if (!item)
            return -1;
        size_t i;
        json_t *element;
        json_array_foreach(v, i, element)
            if (s_element(out, item, element, items, nitems))
                return -1;
        break;
    }
    case JSON_STRING:
        s_text(out, json_string_value(v));
        break;
    case JSON_INTEGER:
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        fprintf(out, "%.12g", json_real_value(v));
        break;
    default:
        fputs(json_is_true(v) ? "true" : "false", out);
    }
    fprintf(out, "</%s>", name);
    return 0;
}

char *xml_from_json(const char *root, const json_t *doc, const xml_item_t *items, size_t nitems,
                    size_t *len)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&buf, &size);
    if (!out)
        return NULL;
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", out);
    int rc = s_element(out, root, doc, items, nitems);
    fputc('\n', out);
    if (fclose(out) != 0 || rc != 0) {
        free(buf);
        return NULL;
    }
    *len = size;
    return buf;
}
