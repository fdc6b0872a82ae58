/* pbjson: any protobuf-c message as JSON, by walking its descriptor.
 *
 * Field names are the .proto names (snake_case). Every field is present,
 * defaults included, so scripts can rely on the shape. 64-bit integers are
 * JSON numbers; bytes are lowercase hex; enums are their value names. */
#ifndef GOV_PBJSON_H
#define GOV_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* Returns a new JSON object (the caller json_decref()s it), or NULL when out
 * of memory. */
json_t *pbjson_from_message(const ProtobufCMessage *msg);

#endif
