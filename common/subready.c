#include "subready.h"

uint64_t subready_lag(int64_t head, uint64_t position)
{
    return head > 0 && (uint64_t) head > position ? (uint64_t) head - position : 0;
}

subready_t subready_judge(int connected, int64_t head, uint64_t position, int64_t max_lag)
{
    if (!connected)
        return SUBREADY_NOT_CONNECTED;
    if (head < 0)
        return SUBREADY_HEAD_UNKNOWN;
    return subready_lag(head, position) > (uint64_t) (max_lag < 0 ? 0 : max_lag) ? SUBREADY_BEHIND
                                                                                 : SUBREADY_OK;
}

const char *subready_name(subready_t s)
{
    switch (s) {
    case SUBREADY_OK: return "caught up";
    case SUBREADY_NOT_CONNECTED: return "not connected";
    case SUBREADY_HEAD_UNKNOWN: return "head unknown";
    case SUBREADY_BEHIND: return "behind";
    }
    return "?";
}
