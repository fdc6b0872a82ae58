#include "envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "pbcheck.h"

void envelope_new_id(char out[33])
{
    uint8_t raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t) sizeof raw) {
        /* getrandom cannot fail for 16 bytes once the pool is ready; fall
         * back to time and address entropy rather than abort. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t a = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 20), b = (uint64_t) (uintptr_t) out;
        memcpy(raw, &a, 8);
        memcpy(raw + 8, &b, 8);
    }
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

int64_t envelope_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_empty(const char *s)
{
    return !s || !*s;
}

uint8_t *envelope_pack(const Gov__Envelope *env, const ProtobufCMessage *payload, size_t *len)
{
    Gov__Envelope copy = *env;
    char id[33];
    uint8_t *body = NULL;
    if (s_empty(copy.message_id)) {
        envelope_new_id(id);
        copy.message_id = id;
    }
    if (s_empty(copy.trace_id))
        copy.trace_id = copy.message_id;
    if (copy.time_ms == 0)
        copy.time_ms = envelope_now_ms();
    if (payload) {
        size_t n = protobuf_c_message_get_packed_size(payload);
        body = malloc(n ? n : 1);
        if (!body)
            return NULL;
        protobuf_c_message_pack(payload, body);
        copy.payload.data = body;
        copy.payload.len = n;
    }
    *len = gov__envelope__get_packed_size(&copy);
    uint8_t *out = malloc(*len ? *len : 1);
    if (out)
        gov__envelope__pack(&copy, out);
    free(body);
    return out;
}

Gov__Envelope *envelope_unpack(const uint8_t *data, size_t len)
{
    if (pbcheck(&gov__envelope__descriptor, data, len, NULL, 0) != PBCHECK_OK)
        return NULL;
    Gov__Envelope *env = gov__envelope__unpack(NULL, len, data);
    if (env && s_empty(env->type)) {
        gov__envelope__free_unpacked(env, NULL);
        return NULL;
    }
    return env;
}

ProtobufCMessage *envelope_payload(const Gov__Envelope *env, const ProtobufCMessageDescriptor *desc)
{
    if (pbcheck(desc, env->payload.data, env->payload.len, NULL, 0) != PBCHECK_OK)
        return NULL;
    return protobuf_c_message_unpack(desc, NULL, env->payload.len, env->payload.data);
}

void envelope_free(Gov__Envelope **env_p)
{
    if (*env_p)
        gov__envelope__free_unpacked(*env_p, NULL);
    *env_p = NULL;
}
