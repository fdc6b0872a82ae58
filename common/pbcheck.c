#include "pbcheck.h"

#include <stdio.h>
#include <string.h>

#include "text.h"

#define PBCHECK_DEPTH 32 /* the nesting our messages use is 3; protobuf-c allows 64 */

/* Reads a varint at *p (before end). Returns 0, or -1 when it runs past end
 * or beyond ten bytes. */
static int s_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t) (b & 0x7f) << (shift < 64 ? shift : 63);
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Appends ".name" (or "name" first) to the path. */
static void s_path(char *field, size_t field_len, const char *name)
{
    if (!field || !field_len)
        return;
    size_t used = strlen(field);
    snprintf(field + used, field_len - used, "%s%s", used ? "." : "", name);
}

static pbcheck_t s_check(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end,
                         int depth, char *field, size_t field_len)
{
    if (depth > PBCHECK_DEPTH)
        return PBCHECK_MALFORMED;
    while (p < end) {
        uint64_t key, n;
        if (s_varint(&p, end, &key))
            return PBCHECK_MALFORMED;
        switch (key & 7) {
        case 0: /* varint */
            if (s_varint(&p, end, &n))
                return PBCHECK_MALFORMED;
            break;
        case 1: /* 64-bit */
            if ((size_t) (end - p) < 8)
                return PBCHECK_MALFORMED;
            p += 8;
            break;
        case 5: /* 32-bit */
            if ((size_t) (end - p) < 4)
                return PBCHECK_MALFORMED;
            p += 4;
            break;
        case 2: { /* length-delimited: a string, bytes, a message or a packed array */
            if (s_varint(&p, end, &n) || n > (uint64_t) (end - p))
                return PBCHECK_MALFORMED;
            const uint8_t *body = p;
            p += n;
            if (key >> 3 > UINT32_MAX)
                return PBCHECK_MALFORMED;
            const ProtobufCFieldDescriptor *f =
                protobuf_c_message_descriptor_get_field(desc, (unsigned) (key >> 3));
            if (!f) /* unknown to this version: kept as bytes, never read as text */
                break;
            if (f->type == PROTOBUF_C_TYPE_STRING &&
                (memchr(body, 0, n) || text_utf8_chars((const char *) body, n) < 0)) {
                s_path(field, field_len, f->name);
                return PBCHECK_BAD_STRING;
            }
            if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
                size_t mark = field ? strlen(field) : 0;
                s_path(field, field_len, f->name);
                pbcheck_t rc = s_check(f->descriptor, body, body + n, depth + 1, field, field_len);
                if (rc != PBCHECK_OK)
                    return rc;
                if (field && field_len)
                    field[mark] = '\0';
            }
            break;
        }
        default: /* groups (3, 4) are not proto3, 6 and 7 do not exist */
            return PBCHECK_MALFORMED;
        }
    }
    return PBCHECK_OK;
}

pbcheck_t pbcheck(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                  char *field, size_t field_len)
{
    if (field && field_len)
        field[0] = '\0';
    return s_check(desc, data, data + len, 0, field, field_len);
}
