#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static const char *s_service = "gov";
static log_level_t s_threshold = LOG_INFO;
static const char *s_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *service)
{
    s_service = service;
    const char *level = getenv("GOV_LOG_LEVEL");
    for (int i = 0; level && i < 4; i++)
        if (strcmp(level, s_names[i]) == 0)
            s_threshold = (log_level_t) i;
}

/* Appends `text` to `out` as the inside of a JSON string. */
static size_t s_escape(char *out, size_t cap, const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) text; *p && n + 7 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char) *p;
        } else if (*p < 0x20) {
            n += (size_t) snprintf(out + n, cap - n, "\\u%04x", *p);
        } else {
            out[n++] = (char) *p;
        }
    }
    out[n] = '\0';
    return n;
}

void log_write(log_level_t level, const char *fmt, ...)
{
    if (level < s_threshold)
        return;
    char msg[2048], escaped[4096], stamp[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_escape(escaped, sizeof escaped, msg);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "{\"ts\":\"%s.%03dZ\",\"level\":\"%s\",\"service\":\"%s\",\"msg\":\"%s\"}\n",
            stamp, (int) (tv.tv_usec / 1000), s_names[level], s_service, escaped);
}
