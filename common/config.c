#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"

const char *config_str(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

int64_t config_int(const char *name, int64_t fallback, int64_t min, int64_t max, int *err)
{
    const char *value = getenv(name);
    if (!value || !*value)
        return fallback;
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (errno || *end || n < min || n > max) {
        log_error("invalid setting %s=\"%s\": expected an integer in [%lld, %lld]", name, value,
                  (long long) min, (long long) max);
        if (err)
            *err = -1;
        return fallback;
    }
    return n;
}
