/* libFuzzer harness for the bytes the gateway takes from outside: a body
 * is read as an Open311 form and as JSON, and the JSON turned into each
 * message type of proto/ by its descriptor (pbjson_to_message) and back.
 * Any crash, leak, out-of-bounds access or undefined behaviour on any input
 * is a bug. The first byte picks the request type. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "form.h"
#include "msgtypes.h"
#include "pbjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *type = msgtypes_name(data[0] % msgtypes_count()); /* every type of proto/ */
    const char *body = (const char *) data + 1;
    size_t len = size - 1;

    form_t form;
    char why[96];
    if (form_parse(body, len, &form, why) == 0) {
        (void) form_get(&form, "api_key");
        (void) form_get(&form, "attribute[x]");
        form_clear(&form);
    }

    json_error_t jerr;
    json_t *json = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const ProtobufCMessageDescriptor *desc = msgtypes_find(type);
    if (json && desc) {
        char err[128];
        ProtobufCMessage *msg = pbjson_to_message(desc, json, err, sizeof err);
        if (msg) {
            json_t *back = pbjson_from_message(msg);
            json_decref(back);
            protobuf_c_message_free_unpacked(msg, NULL);
        }
    }
    json_decref(json);
    return 0;
}
