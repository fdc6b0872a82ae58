/* pbcheck: the strings of a protobuf message, checked on the wire before it
 * is decoded. protobuf-c copies a string field's bytes as they come and ends
 * them with a NUL, so a NUL inside ("13800001234\0; rm -rf") silently cuts
 * the text short, and bytes that are not UTF-8 pass through to be stored,
 * echoed and republished, where a strict decoder (Python's, Go's) stops on
 * them. Every string field, at any depth, must be valid UTF-8 without NUL;
 * the check walks the wire format with the message's descriptor, so it
 * covers every message type at once. */
#ifndef GOV_PBCHECK_H
#define GOV_PBCHECK_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    PBCHECK_OK = 0,
    PBCHECK_MALFORMED, /* the bytes are not a protobuf message (or nest too deep) */
    PBCHECK_BAD_STRING /* a string field is not UTF-8 or holds a NUL */
} pbcheck_t;

/* Checks the `len` bytes at `data` as a `desc`. On PBCHECK_BAD_STRING,
 * `field` (of `field_len` bytes, may be NULL) names it, e.g.
 * "reporter.phone". */
pbcheck_t pbcheck(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
                  char *field, size_t field_len);

#endif
