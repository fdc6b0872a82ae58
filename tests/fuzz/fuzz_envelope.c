/* libFuzzer harness for the bytes every service takes from outside: a frame
 * on a ROUTER is unpacked as an envelope, its payload as the message its type
 * names, rendered as JSON, and (for SubmitCase) validated. The same bytes,
 * but the first, are also checked (pbcheck) and decoded as the message type
 * the first byte picks, so every type of proto/ is reached without the
 * fuzzer having to guess a type's name. Any crash, leak, out-of-bounds
 * access or undefined behaviour on any input is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "intake.pb-c.h"
#include "msgtypes.h"
#include "pbcheck.h"
#include "pbjson.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes after the first as the type the first byte picks: checked, then
 * decoded and rendered as JSON (every type's decoder and walker). */
static void s_any_type(const uint8_t *data, size_t size)
{
    if (size == 0)
        return;
    const ProtobufCMessageDescriptor *desc = msgtypes_find(msgtypes_name(data[0] % msgtypes_count()));
    char field[128];
    (void) pbcheck(desc, data + 1, size - 1, field, sizeof field); /* it walks the bytes itself */
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, size - 1, data + 1);
    if (msg) {
        json_t *json = pbjson_from_message(msg);
        json_decref(json);
        protobuf_c_message_free_unpacked(msg, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_any_type(data, size);
    Gov__Envelope *env = envelope_unpack(data, size);
    if (!env)
        return 0;
    const ProtobufCMessageDescriptor *desc = msgtypes_find(env->type);
    /* Unknown types are tried as a SubmitCase too: payloads are untrusted. */
    ProtobufCMessage *msg = envelope_payload(env, desc ? desc : &gov__submit_case__descriptor);
    if (msg) {
        json_t *json = pbjson_from_message(msg);
        char *text = json_dumps(json, JSON_COMPACT);
        free(text);
        json_decref(json);
        if (msg->descriptor == &gov__submit_case__descriptor)
        {
            apperr_t err;
            (void) validate_submit((Gov__SubmitCase *) msg, &err);
        }
        protobuf_c_message_free_unpacked(msg, NULL);
    }
    json_t *whole = pbjson_from_message(&env->base);
    json_decref(whole);
    envelope_free(&env);
    return 0;
}
