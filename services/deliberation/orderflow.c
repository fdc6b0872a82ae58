#include "orderflow.h"

#include <string.h>

static const struct {
    const char *from, *to;
} s_moves[] = {
    [ORDERFLOW_DISPATCH] = {"ordered", "dispatched"},
    [ORDERFLOW_TAKE] = {"dispatched", "taken"},
    [ORDERFLOW_COMPLETE] = {"taken", "done"},
    [ORDERFLOW_CONFIRM] = {"done", "confirmed"},
    [ORDERFLOW_PUBLISH] = {"confirmed", "published"},
};

/* The order of the states along the flow; an unknown state is -1. */
static int s_rank(const char *state)
{
    static const char *order[] = {"ordered", "dispatched", "taken", "done", "confirmed", "published"};
    for (int i = 0; i < (int) (sizeof order / sizeof *order); i++)
        if (strcmp(order[i], state) == 0)
            return i;
    return -1;
}

const char *orderflow_refusal(orderflow_move_t move, const char *state)
{
    if (!state || (unsigned) move >= sizeof s_moves / sizeof *s_moves)
        return "WRONG_STEP";
    if (strcmp(state, s_moves[move].from) == 0)
        return NULL;
    int past = s_rank(state) > s_rank(s_moves[move].from);
    switch (move) {
    case ORDERFLOW_TAKE:
        return past ? "ALREADY_TAKEN" : "NOT_DISPATCHED";
    case ORDERFLOW_CONFIRM:
        return past ? "ALREADY_RATED" : "WRONG_STEP";
    case ORDERFLOW_PUBLISH:
        return past ? "ALREADY_PUBLISHED" : "WRONG_STEP";
    default:
        return "WRONG_STEP";
    }
}

const char *orderflow_next(orderflow_move_t move)
{
    return (unsigned) move < sizeof s_moves / sizeof *s_moves ? s_moves[move].to : "";
}

int orderflow_escalates(int lapses, int escalated)
{
    return lapses >= 1 && !escalated;
}
