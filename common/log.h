/* log: one JSON object per line on stderr.
 *
 *   {"ts":"2026-11-23T10:00:00.123Z","level":"info","service":"intake","msg":"..."}
 *
 * The message is printf-formatted and JSON-escaped. Not thread-safe beyond what
 * a single fprintf gives; each service logs from its loop thread. */
#ifndef GOV_LOG_H
#define GOV_LOG_H

typedef enum { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR } log_level_t;

/* Names the service in every line and sets the threshold from GOV_LOG_LEVEL
 * (debug|info|warn|error, default info). `service` is borrowed for the
 * process's lifetime. */
void log_init(const char *service);

void log_write(log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)

#endif
