#include "backoff.h"

int64_t backoff_delay(int64_t base_ms, int64_t max_ms, int failures, uint32_t random)
{
    int64_t delay = base_ms;
    for (int i = 1; i < failures && delay < max_ms; i++)
        delay *= 2;
    if (delay > max_ms)
        delay = max_ms;
    return delay / 2 + (int64_t) (random % (uint64_t) (delay / 2 + 1));
}
