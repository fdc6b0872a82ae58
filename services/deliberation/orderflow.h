/* orderflow: the steps of a service order (seed 004: 居民点单、“知行家”派单、
 * 党员志愿者接单、社区党组织晒单), as pure decisions, tested apart
 * (tests/unit/test_orderflow.c):
 *
 *   ordered ─派单→ dispatched ─接单→ taken ─done→ done ─confirm→ confirmed ─晒单→ published
 *                      │ not taken by its deadline
 *                      └──→ ordered (back to the station; the second lapse also
 *                           escalates the order to the community, once)
 */
#ifndef DELIB_ORDERFLOW_H
#define DELIB_ORDERFLOW_H

typedef enum {
    ORDERFLOW_DISPATCH, /* the station's dispatcher gives it to a volunteer */
    ORDERFLOW_TAKE,     /* that volunteer takes it */
    ORDERFLOW_COMPLETE, /* the volunteer reports what was done */
    ORDERFLOW_CONFIRM,  /* the resident confirms and rates it */
    ORDERFLOW_PUBLISH,  /* the community's organisation publishes it (晒单) */
} orderflow_move_t;

/* The refusal code for `move` on an order in `state` (WRONG_STEP,
 * NOT_DISPATCHED, ALREADY_TAKEN, ALREADY_RATED, ALREADY_PUBLISHED), or NULL
 * when the move is allowed. */
const char *orderflow_refusal(orderflow_move_t move, const char *state);

/* The state `move` leads to (a static string). */
const char *orderflow_next(orderflow_move_t move);

/* 1 when a dispatch that lapses now escalates the order: it had lapsed
 * `lapses` times before (it went back to the station once already) and was
 * never escalated. */
int orderflow_escalates(int lapses, int escalated);

#endif
