/* chain: the record of a matter, each entry carrying the hash of the one
 * before, so an edited, removed or reordered entry shows.
 *
 * An entry's hash is the hex SHA-256 of its canonical form:
 *   "gov.matter.v1\n" matter_id "\n" n "\n" kind "\n" actor "\n" at_ms "\n"
 *   body "\n" prev_hash
 * where body is JSON with sorted keys and no spaces (jansson's JSON_COMPACT |
 * JSON_SORT_KEYS) and the first entry's prev_hash is 64 zeros. The matter row
 * keeps the head (records, head_hash); the 公示 prints it. */
#ifndef DELIB_CHAIN_H
#define DELIB_CHAIN_H

#include <jansson.h>
#include <stdint.h>

#include "delib.h"

#define CHAIN_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Writes the hex SHA-256 of the canonical form into `out` (65 bytes). */
void chain_hash(int64_t matter_id, int n, const char *kind, const char *actor, int64_t at_ms,
                const char *body, const char *prev_hash, char out[65]);

/* Writes the hex SHA-256 of `len` bytes into `out` (65 bytes). */
void chain_sha256_hex(const void *data, size_t len, char out[65]);

/* Appends an entry of `kind` by `actor` with `body` (borrowed; serialised
 * canonically) to matter `matter_id`, whose row the caller has locked, and
 * moves the head. Fills `rec` (may be NULL; its strings point into `buf`,
 * which the caller frees) for the event. Returns 0 or -1 with `err` set. */
int chain_append(delib_t *d, int64_t matter_id, const char *kind, const char *actor,
                 json_t *body, Gov__MatterRecord *rec, char **buf, apperr_t *err);

/* Recomputes matter `matter_id`'s chain from its stored entries and compares
 * it with the head on the matter row. Fills `out`: ok, or the first broken
 * entry and what is wrong with it (`problem` points into `buf`, which the
 * caller frees). Returns 0 (whatever it found), or -1 with `err` set
 * (NOT_FOUND, or the database failed). */
int chain_verify(delib_t *d, int64_t matter_id, Gov__VerifyMatterReply *out, char **buf,
                 apperr_t *err);

#endif
