#include "settle.h"

#include <string.h>

#include "backoff.h"

settle_t settle_outcome(const settle_config_t *cfg, outcome_t outcome, int failures,
                        int64_t now_ms, uint32_t random)
{
    settle_t s = {.failures = failures};
    switch (outcome) {
    case OUTCOME_SENT:
        s.outcome = s.state = "sent";
        break;
    case OUTCOME_RATE_LIMITED:
        s.outcome = "rate_limited";
        s.state = "pending";
        s.next_ms = now_ms + cfg->robot_window_ms;
        break;
    case OUTCOME_RETRY:
        s.outcome = "retry";
        s.failures = failures + 1;
        if (s.failures >= cfg->max_attempts) {
            s.state = "dead";
        } else {
            s.state = "pending";
            s.next_ms =
                now_ms + backoff_delay(cfg->retry_base_ms, cfg->retry_max_ms, s.failures, random);
        }
        break;
    case OUTCOME_FAILED:
        s.outcome = "failed";
        s.failures = failures + 1;
        s.state = "dead";
        break;
    }
    return s;
}

int settle_is_dead(const settle_t *s)
{
    return strcmp(s->state, "dead") == 0;
}
