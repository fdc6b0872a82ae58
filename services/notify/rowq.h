/* rowq: the deliveries the pump claimed and has not started yet, in the
 * order they go: a ring that grows, with rows put at the back (in claim
 * order) or at the front (robots' rows and digests, whose slots in the
 * window are taken already, and rows given back for a moment). */
#ifndef NOTIFY_ROWQ_H
#define NOTIFY_ROWQ_H

#include <stddef.h>
#include <stdint.h>

/* One claimed delivery. Its strings are malloc'd and the row's own. */
typedef struct {
    int64_t id;
    char *idem_key, *kind, *recipient, *channel, *destination, *secret, *subject, *body;
    int failures;
    int fate;                  /* what the claim decided (ration_fate_t) */
    int64_t lease_until;       /* ms: this sender's claim ends then */
} rowq_row_t;

/* Frees the row's strings and empties it; safe on an empty row. */
void rowq_row_free(rowq_row_t *row);

typedef struct rowq rowq_t;

/* Returns an empty queue, or NULL when out of memory. */
rowq_t *rowq_new(void);

/* Puts `row` at the back, or at the front when `front` is nonzero. The
 * queue owns its strings then and `*row` is emptied. Returns 0, or -ENOMEM
 * (the row stays the caller's). */
int rowq_push(rowq_t *q, rowq_row_t *row, int front);

/* Takes the front row into `*out` (the caller's to free). Returns 0, or
 * -ENOENT when the queue is empty (`*out` untouched). */
int rowq_pop(rowq_t *q, rowq_row_t *out);

size_t rowq_len(const rowq_t *q);

/* Frees the queue and every row still in it. NULLs the caller's pointer;
 * safe on NULL. */
void rowq_destroy(rowq_t **self_p);

#endif
