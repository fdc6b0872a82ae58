/* envelope: packing and unpacking the one message that wraps every request,
 * reply and event (proto/envelope.proto). */
#ifndef GOV_ENVELOPE_H
#define GOV_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.pb-c.h"

/* Fills `out` (33 bytes) with a fresh random 128-bit id in hex. */
void envelope_new_id(char out[33]);

/* Milliseconds since the epoch, wall clock. */
int64_t envelope_now_ms(void);

/* Packs `env` with `payload` (may be NULL) packed into its payload field.
 * Fields left empty are filled in: message_id (fresh), time_ms (now) and
 * trace_id (the message id). `env` and `payload` are borrowed and unchanged
 * when this returns. Returns a malloc'd buffer the caller frees and its
 * length in `*len`, or NULL when out of memory. */
uint8_t *envelope_pack(const Gov__Envelope *env, const ProtobufCMessage *payload, size_t *len);

/* The longest id an envelope may carry (message_id, correlation_id,
 * trace_id, an idempotency key), in bytes: our ids are 32 hex digits, a
 * caller's own (an HTTP Idempotency-Key, a UUID) fit with room to spare. */
#define ENVELOPE_ID_MAX 128

/* Decodes `len` bytes. Returns NULL for bytes that are not an envelope, an
 * envelope without a type, or one with a string that is not UTF-8 or holds a
 * NUL (common/pbcheck.h). The caller frees with envelope_free. */
Gov__Envelope *envelope_unpack(const uint8_t *data, size_t len);

/* Decodes the envelope's payload as `desc`. Returns NULL if it does not
 * decode, or a string in it is not UTF-8 or holds a NUL. The caller frees
 * with protobuf_c_message_free_unpacked. */
ProtobufCMessage *envelope_payload(const Gov__Envelope *env, const ProtobufCMessageDescriptor *desc);

/* Frees an envelope from envelope_unpack and NULLs the caller's pointer. */
void envelope_free(Gov__Envelope **env_p);

#endif
