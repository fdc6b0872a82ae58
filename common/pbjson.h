/* pbjson: any protobuf-c message as JSON and back, by walking its descriptor.
 *
 * Field names are the .proto names (snake_case). pbjson_from_message writes
 * every field, defaults included, so scripts can rely on the shape; a field
 * that is not set (a proto2 `optional` without its value, a oneof member
 * other than the chosen one, an absent sub-message) is null. 64-bit integers
 * are JSON numbers, except an unsigned one above 2^63-1, which no JSON number
 * of jansson's can carry: it is a decimal string. Bytes are lowercase hex;
 * enums are their value names (a number when the value has no name); a
 * float or double that is not finite is null.
 *
 * pbjson_to_message reads the same shape back, strictly, for bodies that
 * come from outside:
 * - an object's keys must be field names; null, or no key, leaves the
 *   field's default; a `required` field must be given;
 * - strings are UTF-8 (jansson checks it) with no NUL character;
 * - integers are JSON integers within the field's range; a negative one for
 *   an unsigned field is refused; 64-bit fields also take a decimal string
 *   ("-12", as proto3's JSON mapping allows), with the same range checks;
 * - float and double take any JSON number (a float must fit one);
 * - bool takes only true or false;
 * - enums take a value name, or a number that is a defined value;
 * - bytes take hex, lowercase or uppercase, of even length;
 * - messages are objects, nested at most PBJSON_MAX_DEPTH deep counting the
 *   outermost one;
 * - repeated fields are arrays of at most PBJSON_MAX_ITEMS elements, none
 *   null;
 * - at most one member of a oneof may be given (null ones do not count).
 * So for any message m whose floats are finite and whose enums hold defined
 * values, pbjson_to_message(desc, pbjson_from_message(m)) packs to the same
 * bytes as m. */
#ifndef GOV_PBJSON_H
#define GOV_PBJSON_H

#include <stddef.h>

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

#define PBJSON_MAX_DEPTH 32
#define PBJSON_MAX_ITEMS 10000

/* Returns a new JSON object (the caller json_decref()s it), or NULL when out
 * of memory. */
json_t *pbjson_from_message(const ProtobufCMessage *msg);

/* Builds a `desc` message from JSON object `json` (borrowed), by the rules
 * above. Returns the message, which the caller frees with
 * protobuf_c_message_free_unpacked(msg, NULL): every string, array, bytes
 * buffer and sub-message in it is malloc'd, as protobuf-c's default allocator
 * expects. Returns NULL when `json` breaks a rule (or memory runs out), with
 * nothing left allocated and `err` holding a short English sentence that
 * names the field's path first: "location.point.lat: expected a number",
 * "area_path[2].code: expected a string". `err` holds `err_cap` bytes and is
 * always NUL-terminated, the sentence cut (at a character boundary) if it
 * does not fit; it may be NULL when `err_cap` is 0. */
ProtobufCMessage *pbjson_to_message(const ProtobufCMessageDescriptor *desc, const json_t *json,
                                    char *err, size_t err_cap);

#endif
