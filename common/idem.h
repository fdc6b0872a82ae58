/* idem: every command of every service is idempotent by its message id.
 *
 * The first time a command succeeds, what it produced (an answer: a few ids
 * and a short note, each service saying what they mean) is stored in the
 * service's requests table with a digest of the request, in the command's
 * own transaction. A retry with the same id and the same request is answered
 * from that answer without running again; the same id with a different
 * request is refused with IDEMPOTENCY_CONFLICT. A refused command stores
 * nothing (it rolled back), so its retry is judged afresh.
 *
 * The digest covers the type, the actor (person and unit) and a body: the
 * payload, unless the service passes something else. A secret ballot's vote
 * passes its matter alone, so the digest cannot give the choice away to a
 * reader of the table (deliberation's meeting.c says more).
 *
 * A service with a batched pipeline of its own (intake) takes just the
 * digest and idem_judge, and keeps its records in its own statement. */
#ifndef GOV_IDEM_H
#define GOV_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include "apperr.h"
#include "envelope.h"
#include "pstmt.h"

#define IDEM_IDS 4
#define IDEM_DIGEST_HEX 65

/* What a command produced, as stored for its retries. */
typedef struct {
    int64_t ids[IDEM_IDS]; /* the service's meaning; 0 when unused */
    char note[80];         /* a short word (a state, a direction, a receipt); "" when none */
} idem_answer_t;

typedef struct idem idem_t;

/* The requests of table `table` (a migration made it with the columns
 * message_id, type, digest, ids, note, created_ms); the name is copied.
 * Returns 0 and sets `*out`, or -ENOMEM / -EINVAL (a name that is not a
 * plain identifier). */
int idem_new(const char *table, idem_t **out);

/* SHA-256 of `env`'s type and actor and of `body` (`len` bytes), or of the
 * payload when `body` is NULL: as 32 bytes, or in hex. */
void idem_digest_bytes(const Gov__Envelope *env, const void *body, size_t len, uint8_t out[32]);
void idem_digest(const Gov__Envelope *env, const void *body, size_t len,
                 char out[IDEM_DIGEST_HEX]);

/* The pure rule: a stored digest against a request's. Returns 1 (the same
 * request: replay), or -1 with `err` set to IDEMPOTENCY_CONFLICT naming
 * `message_id`. */
int idem_judge(const char *stored, const char *digest, const char *message_id, apperr_t *err);

/* Inside the caller's transaction on `sql`'s connection: looks `env`'s
 * message id up. Returns 1 with `out` filled (a replay), 0 when the request
 * is new or has no message id, -1 with `err` set (a conflict, or the
 * database failed). */
int idem_lookup(idem_t *self, pstmt_t *sql, const Gov__Envelope *env,
                const char digest[IDEM_DIGEST_HEX], idem_answer_t *out, apperr_t *err);

/* Inside the caller's transaction: records that `env` (with `digest`)
 * produced `answer`, at `now_ms` by the service clock. A request without a
 * message id records nothing. Returns 0, or -1 with `err` set. */
int idem_store(idem_t *self, pstmt_t *sql, const Gov__Envelope *env,
               const char digest[IDEM_DIGEST_HEX], const idem_answer_t *answer, int64_t now_ms,
               apperr_t *err);

/* Frees; NULLs the pointer; safe on NULL. */
void idem_destroy(idem_t **self_p);

#endif
