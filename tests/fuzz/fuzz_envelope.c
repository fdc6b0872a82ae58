/* libFuzzer harness for the bytes every service takes from outside: a frame
 * on a ROUTER is unpacked as an envelope, its payload as the message its type
 * names, rendered as JSON, and (for SubmitCase) validated. Any crash, leak,
 * out-of-bounds access or undefined behaviour on any input is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "intake.pb-c.h"
#include "msgtypes.h"
#include "pbjson.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
