#include "pbjson.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
    case PROTOBUF_C_TYPE_FIXED64:
        return json_integer((json_int_t) *(const uint64_t *) member);
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

json_t *pbjson_from_message(const ProtobufCMessage *msg)
{
    json_t *obj = json_object();
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; obj && i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        const char *member = (const char *) msg + field->offset;
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *) ((const char *) msg + field->quantifier_offset);
            const char *items = *(char *const *) member;
            value = json_array();
            for (size_t k = 0; value && k < n; k++)
                json_array_append_new(value, s_value(field, items + k * s_size(field)));
        } else {
            value = s_value(field, member);
        }
        json_object_set_new(obj, field->name, value ? value : json_null());
    }
    return obj;
}
