#include "pbjson.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The member of `msg` that `field` describes, and its quantifier (a has_
 * flag, a oneof case or a repeated count, by the field's label). */
#define MEMBER(msg, field) ((char *) (msg) + (field)->offset)
#define QUANTIFIER(msg, field) ((char *) (msg) + (field)->quantifier_offset)

/* Converts the single value of `field` stored at `member`. */
static json_t *s_value(const ProtobufCFieldDescriptor *field, const void *member)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *) member);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *) member);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        return json_integer(*(const int64_t *) member);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
        uint64_t v = *(const uint64_t *) member;
        if (v <= INT64_MAX)
            return json_integer((json_int_t) v);
        char text[24];
        snprintf(text, sizeof text, "%" PRIu64, v);
        return json_string(text);
    }
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *) member);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *) member);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *) member);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(field->descriptor, *(const int *) member);
        return v ? json_string(v->name) : json_integer(*(const int *) member);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *) member;
        return json_string(s ? s : "");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = member;
        char *hex = malloc(2 * b->len + 1);
        if (!hex)
            return NULL;
        for (size_t i = 0; i < b->len; i++) {
            static const char digits[] = "0123456789abcdef";
            hex[2 * i] = digits[b->data[i] >> 4];
            hex[2 * i + 1] = digits[b->data[i] & 15];
        }
        hex[2 * b->len] = '\0';
        json_t *out = json_string(hex);
        free(hex);
        return out;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(const ProtobufCMessage *const *) member;
        return sub ? pbjson_from_message(sub) : json_null();
    }
    }
    return json_null();
}

static size_t s_size(const ProtobufCFieldDescriptor *field)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

/* Whether a single (not repeated) field holds a value: a oneof member only
 * when it is the chosen one, a proto2 optional one only when it is set. */
static int s_is_set(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field)
{
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        return *(const uint32_t *) QUANTIFIER(msg, field) == field->id;
    if (field->label != PROTOBUF_C_LABEL_OPTIONAL)
        return 1;
    if (field->type == PROTOBUF_C_TYPE_STRING || field->type == PROTOBUF_C_TYPE_MESSAGE) {
        const void *ptr = *(const void *const *) MEMBER(msg, field);
        return ptr && ptr != field->default_value;
    }
    return *(const protobuf_c_boolean *) QUANTIFIER(msg, field);
}

json_t *pbjson_from_message(const ProtobufCMessage *msg)
{
    json_t *obj = json_object();
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; obj && i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        const char *member = MEMBER(msg, field);
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *) QUANTIFIER(msg, field);
            const char *items = *(char *const *) member;
            value = json_array();
            for (size_t k = 0; value && k < n; k++)
                json_array_append_new(value, s_value(field, items + k * s_size(field)));
        } else {
            value = s_is_set(msg, field) ? s_value(field, member) : json_null();
        }
        json_object_set_new(obj, field->name, value ? value : json_null());
    }
    return obj;
}

/* ---- JSON to message ---- */

/* Where pbjson_to_message is, for its error sentence. */
typedef struct {
    char path[256]; /* "location.point.lat", "area_path[2]"; cut when too long */
    char *err;
    size_t err_cap;
} reader_t;

/* Ends `s` before a UTF-8 sequence that cutting it at `len` bytes left incomplete. */
static void s_cut_utf8(char *s, size_t len)
{
    size_t lead = len;
    while (lead > 0 && ((unsigned char) s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0 || (unsigned char) s[lead - 1] < 0xC0)
        return;
    unsigned char c = (unsigned char) s[lead - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

/* Appends a segment to the path and returns the path's length before it, for
 * s_pop. */
static size_t s_push(reader_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t s_push(reader_t *r, const char *fmt, ...)
{
    size_t mark = strlen(r->path), room = sizeof r->path - mark;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->path + mark, room, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t) n >= room)
        s_cut_utf8(r->path, sizeof r->path - 1);
    return mark;
}

static void s_pop(reader_t *r, size_t mark)
{
    r->path[mark] = '\0';
}

/* Pushes field `name`: ".name", or "name" at the top. */
static size_t s_push_name(reader_t *r, const char *name)
{
    return s_push(r, "%s%s", r->path[0] ? "." : "", name);
}

/* Fills the error sentence, "path: what", and returns -1. */
static int s_fail(reader_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int s_fail(reader_t *r, const char *fmt, ...)
{
    if (r->err_cap == 0)
        return -1;
    int n = snprintf(r->err, r->err_cap, "%s%s", r->path, r->path[0] ? ": " : "");
    size_t used = n < 0 ? 0 : (size_t) n < r->err_cap ? (size_t) n : r->err_cap - 1;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(r->err + used, r->err_cap - used, fmt, ap);
    va_end(ap);
    if (n < 0 || used + (size_t) n >= r->err_cap)
        s_cut_utf8(r->err, r->err_cap - 1);
    return -1;
}

/* The text of JSON string `json`, or NULL when it holds a NUL character
 * (jansson strings may, from \u0000). */
static const char *s_text(const json_t *json)
{
    const char *s = json_string_value(json);
    return strlen(s) == json_string_length(json) ? s : NULL;
}

/* The integer types' ranges, -neg_max ... pos_max. */
static void s_range(ProtobufCType type, uint64_t *neg_max, uint64_t *pos_max)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        *neg_max = (uint64_t) INT32_MAX + 1, *pos_max = INT32_MAX;
        return;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        *neg_max = 0, *pos_max = UINT32_MAX;
        return;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        *neg_max = 0, *pos_max = UINT64_MAX;
        return;
    default: /* INT64, SINT64, SFIXED64 */
        *neg_max = (uint64_t) INT64_MAX + 1, *pos_max = INT64_MAX;
        return;
    }
}

/* Reads a decimal string, "-"? then digits, into a sign and a magnitude.
 * Returns 0, -1 when it is not one, -2 when it is beyond 64 bits. */
static int s_decimal(const char *s, size_t len, int *neg, uint64_t *mag)
{
    *neg = len > 0 && s[0] == '-';
    size_t i = *neg ? 1 : 0;
    if (i == len)
        return -1;
    for (*mag = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned digit = (unsigned) (s[i] - '0');
        if (*mag > (UINT64_MAX - digit) / 10)
            return -2;
        *mag = *mag * 10 + digit;
    }
    return 0;
}

static int s_read_integer(reader_t *r, const ProtobufCFieldDescriptor *field, const json_t *json,
                          void *member)
{
    int wide = s_size(field) == 8, neg, rc = 0;
    uint64_t mag, neg_max, pos_max;
    s_range(field->type, &neg_max, &pos_max);
    if (json_is_integer(json)) {
        json_int_t v = json_integer_value(json);
        neg = v < 0;
        mag = neg ? -(uint64_t) v : (uint64_t) v;
    } else if (wide && json_is_string(json)) {
        rc = s_decimal(json_string_value(json), json_string_length(json), &neg, &mag);
        if (rc == -1)
            return s_fail(r, "expected an integer or a decimal string");
    } else {
        return s_fail(r, wide ? "expected an integer or a decimal string" : "expected an integer");
    }
    if (neg && mag > 0 && neg_max == 0)
        return s_fail(r, "expected a non-negative integer");
    if (rc == -2 || (neg ? mag > neg_max : mag > pos_max))
        return s_fail(r, "out of range (%s%" PRIu64 " to %" PRIu64 ")", neg_max ? "-" : "", neg_max,
                      pos_max);
    /* Two's complement: the magnitude negated is the value's bits. */
    uint64_t bits = neg ? -mag : mag;
    if (wide)
        memcpy(member, &bits, 8);
    else
        *(uint32_t *) member = (uint32_t) bits;
    return 0;
}

static int s_read_real(reader_t *r, const ProtobufCFieldDescriptor *field, const json_t *json,
                       void *member)
{
    if (!json_is_number(json))
        return s_fail(r, "expected a number");
    double v = json_number_value(json);
    if (field->type == PROTOBUF_C_TYPE_DOUBLE) {
        *(double *) member = v;
        return 0;
    }
    if (fabs(v) > FLT_MAX)
        return s_fail(r, "out of range for a float");
    *(float *) member = (float) v;
    return 0;
}

static int s_read_bool(reader_t *r, const json_t *json, void *member)
{
    if (!json_is_boolean(json))
        return s_fail(r, "expected true or false");
    *(protobuf_c_boolean *) member = json_is_true(json);
    return 0;
}

static int s_read_enum(reader_t *r, const ProtobufCFieldDescriptor *field, const json_t *json,
                       void *member)
{
    const ProtobufCEnumDescriptor *e = field->descriptor;
    const ProtobufCEnumValue *v = NULL;
    if (json_is_string(json)) {
        const char *name = s_text(json);
        v = name ? protobuf_c_enum_descriptor_get_value_by_name(e, name) : NULL;
        if (!v)
            return s_fail(r, "not a value name of enum %s", e->name);
    } else if (json_is_integer(json)) {
        json_int_t n = json_integer_value(json);
        v = n >= INT32_MIN && n <= INT32_MAX ? protobuf_c_enum_descriptor_get_value(e, (int) n) : NULL;
        if (!v)
            return s_fail(r, "not a value of enum %s", e->name);
    } else {
        return s_fail(r, "expected a value name of enum %s", e->name);
    }
    *(int *) member = v->value;
    return 0;
}

static int s_read_string(reader_t *r, const json_t *json, void *member)
{
    if (!json_is_string(json))
        return s_fail(r, "expected a string");
    const char *s = s_text(json);
    if (!s)
        return s_fail(r, "contains a NUL character");
    char *copy = strdup(s);
    if (!copy)
        return s_fail(r, "out of memory");
    *(char **) member = copy;
    return 0;
}

static int s_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int s_read_bytes(reader_t *r, const json_t *json, void *member)
{
    if (!json_is_string(json))
        return s_fail(r, "expected a hex string");
    const char *hex = json_string_value(json);
    size_t len = json_string_length(json);
    if (len % 2)
        return s_fail(r, "hex string of odd length");
    for (size_t i = 0; i < len; i++)
        if (s_hex_digit(hex[i]) < 0)
            return s_fail(r, "expected a hex string");
    ProtobufCBinaryData *b = member;
    b->len = len / 2;
    b->data = NULL;
    if (b->len == 0)
        return 0;
    if (!(b->data = malloc(b->len))) {
        b->len = 0;
        return s_fail(r, "out of memory");
    }
    for (size_t i = 0; i < b->len; i++)
        b->data[i] = (uint8_t) (s_hex_digit(hex[2 * i]) << 4 | s_hex_digit(hex[2 * i + 1]));
    return 0;
}

static int s_read_message(reader_t *r, ProtobufCMessage *msg, const json_t *json, int depth);

/* Allocates the sub-message and hangs it on `member` before filling it, so
 * that freeing the outermost message frees it too, whatever happens. */
static int s_read_submessage(reader_t *r, const ProtobufCFieldDescriptor *field, const json_t *json,
                             void *member, int depth)
{
    const ProtobufCMessageDescriptor *desc = field->descriptor;
    if (!json_is_object(json))
        return s_fail(r, "expected an object");
    if (depth >= PBJSON_MAX_DEPTH)
        return s_fail(r, "messages nested more than %d deep", PBJSON_MAX_DEPTH);
    ProtobufCMessage *sub = malloc(desc->sizeof_message);
    if (!sub)
        return s_fail(r, "out of memory");
    protobuf_c_message_init(desc, sub);
    *(ProtobufCMessage **) member = sub;
    return s_read_message(r, sub, json, depth + 1);
}

/* Reads one value of `field` into `member`; `depth` is the depth of the
 * message holding it. */
static int s_read_value(reader_t *r, const ProtobufCFieldDescriptor *field, const json_t *json,
                        void *member, int depth)
{
    switch (field->type) {
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        return s_read_real(r, field, json, member);
    case PROTOBUF_C_TYPE_BOOL:
        return s_read_bool(r, json, member);
    case PROTOBUF_C_TYPE_ENUM:
        return s_read_enum(r, field, json, member);
    case PROTOBUF_C_TYPE_STRING:
        return s_read_string(r, json, member);
    case PROTOBUF_C_TYPE_BYTES:
        return s_read_bytes(r, json, member);
    case PROTOBUF_C_TYPE_MESSAGE:
        return s_read_submessage(r, field, json, member, depth);
    default:
        return s_read_integer(r, field, json, member);
    }
}

static int s_read_repeated(reader_t *r, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field,
                           const json_t *json, int depth)
{
    if (!json_is_array(json))
        return s_fail(r, "expected an array");
    size_t n = json_array_size(json), size = s_size(field);
    if (n > PBJSON_MAX_ITEMS)
        return s_fail(r, "more than %d elements", PBJSON_MAX_ITEMS);
    if (n == 0)
        return 0;
    char *items = calloc(n, size);
    if (!items)
        return s_fail(r, "out of memory");
    /* The whole array counts at once: its zeroed elements free as nothing. */
    *(char **) MEMBER(msg, field) = items;
    *(size_t *) QUANTIFIER(msg, field) = n;
    for (size_t k = 0; k < n; k++) {
        size_t mark = s_push(r, "[%zu]", k);
        if (s_read_value(r, field, json_array_get(json, k), items + k * size, depth) < 0)
            return -1;
        s_pop(r, mark);
    }
    return 0;
}

/* Reads a single field's value, and marks the field set: its oneof's case,
 * or its has_ flag. */
static int s_read_single(reader_t *r, ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field,
                         const json_t *json, int depth)
{
    void *member = MEMBER(msg, field);
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
        uint32_t *oneof_case = (uint32_t *) QUANTIFIER(msg, field);
        if (*oneof_case != 0) {
            const ProtobufCFieldDescriptor *other =
                protobuf_c_message_descriptor_get_field(msg->descriptor, *oneof_case);
            return s_fail(r, "conflicts with %s (same oneof)", other ? other->name : "another member");
        }
        /* The case first: a sub-message hung on the member is then freed. */
        *oneof_case = field->id;
        return s_read_value(r, field, json, member, depth);
    }
    if (s_read_value(r, field, json, member, depth) < 0)
        return -1;
    if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->type != PROTOBUF_C_TYPE_STRING &&
        field->type != PROTOBUF_C_TYPE_MESSAGE)
        *(protobuf_c_boolean *) QUANTIFIER(msg, field) = 1;
    return 0;
}

static int s_read_message(reader_t *r, ProtobufCMessage *msg, const json_t *json, int depth)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const char *key;
    size_t key_len;
    json_t *value;
    json_object_keylen_foreach((json_t *) json, key, key_len, value) {
        if (key_len != strlen(key))
            return s_fail(r, "a field name contains a NUL character");
        size_t mark = s_push_name(r, key);
        const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name(desc, key);
        if (!field)
            return s_fail(r, "unknown field");
        if (!json_is_null(value)) {
            int rc = field->label == PROTOBUF_C_LABEL_REPEATED
                         ? s_read_repeated(r, msg, field, value, depth)
                         : s_read_single(r, msg, field, value, depth);
            if (rc < 0)
                return -1;
        }
        s_pop(r, mark);
    }
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        const json_t *given = json_object_get(json, field->name);
        if (field->label == PROTOBUF_C_LABEL_REQUIRED && (!given || json_is_null(given))) {
            s_push_name(r, field->name);
            return s_fail(r, "required field is missing");
        }
    }
    return 0;
}

ProtobufCMessage *pbjson_to_message(const ProtobufCMessageDescriptor *desc, const json_t *json,
                                    char *err, size_t err_cap)
{
    reader_t r = {.path = "", .err = err, .err_cap = err_cap};
    if (err_cap > 0)
        err[0] = '\0';
    if (!json_is_object(json)) {
        s_fail(&r, "expected a JSON object");
        return NULL;
    }
    ProtobufCMessage *msg = malloc(desc->sizeof_message);
    if (!msg) {
        s_fail(&r, "out of memory");
        return NULL;
    }
    protobuf_c_message_init(desc, msg);
    if (s_read_message(&r, msg, json, 1) < 0)
        goto fail;
    return msg;

fail:
    protobuf_c_message_free_unpacked(msg, NULL);
    return NULL;
}
