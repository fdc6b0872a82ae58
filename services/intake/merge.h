/* merge: which open case a new submission joins (one case, many callers),
 * decided apart from the database: the lookup (queries.h, Q_LOOKUP) gives the
 * stored open cases of the same category near the point, and the batch gives
 * the cases it is making itself.
 *
 * The rule (docs/intake.md): the nearest open case within the merge distance,
 * measured on the spheroid; among stored cases at the same distance the lower
 * id; a case new in this batch only when strictly nearer than every stored
 * one. None within the distance: a new case. */
#ifndef INTAKE_MERGE_H
#define INTAKE_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* A stored open case the lookup found. `status` is static. */
typedef struct {
    int64_t id, area_id;
    double lon, lat;
    int callers;
    const char *status; /* "open" or "dispatched" */
} merge_candidate_t;

/* Reads the next "id lon lat callers status area_id" of a candidates list
 * (entries joined by ';'), advancing *text. Returns 0, or -1 at the end or
 * on anything unreadable. */
int merge_next_candidate(const char **text, merge_candidate_t *c);

/* The point of the batch's j-th earlier submission, when it is making a new
 * case of the same category with a point: returns 1 and fills lat/lon;
 * 0 when it does not count. */
typedef int (*merge_batch_fn)(void *arg, size_t j, double *lat, double *lon);

typedef enum { MERGE_NEW, MERGE_STORED, MERGE_BATCH } merge_kind_t;

/* Decides for a submission at (lat, lon): MERGE_STORED with the case in
 * `*stored`, MERGE_BATCH with the earlier submission's index in `*batch`
 * (one of 0 .. nbatch-1, as `batch_point` answered), or MERGE_NEW.
 * `candidates` may be NULL (none). */
merge_kind_t merge_nearest(double lat, double lon, const char *candidates, size_t nbatch,
                           merge_batch_fn batch_point, void *arg, double merge_m,
                           merge_candidate_t *stored, size_t *batch);

#endif
