/* config: settings from environment variables, with defaults that match
 * `make up`. Every variable is documented in docs/configuration.md. */
#ifndef GOV_CONFIG_H
#define GOV_CONFIG_H

#include <stdint.h>

/* Returns the variable's value, or `fallback` when it is unset or empty.
 * The result is borrowed (from the environment or the caller). */
const char *config_str(const char *name, const char *fallback);

/* Returns the variable parsed as a decimal integer. Unset or empty gives
 * `fallback`; a value that is not an integer in [min, max] is reported in
 * `*err` (set to -1) and gives `fallback`, so a service can refuse to start
 * with a clear message instead of running with a surprise. */
int64_t config_int(const char *name, int64_t fallback, int64_t min, int64_t max, int *err);

/* The default database URL and endpoints, shared by services and clients. */
#define CONFIG_DB_URL_DEFAULT "postgresql://postgres@127.0.0.1:55432/gov"
#define CONFIG_INTAKE_ENDPOINT_DEFAULT "tcp://127.0.0.1:7101"
#define CONFIG_INTAKE_EVENTS_DEFAULT "tcp://127.0.0.1:7102"
#define CONFIG_ROUTING_ENDPOINT_DEFAULT "tcp://127.0.0.1:7201"
#define CONFIG_ROUTING_EVENTS_DEFAULT "tcp://127.0.0.1:7202"
#define CONFIG_DELIBERATION_ENDPOINT_DEFAULT "tcp://127.0.0.1:7301"
#define CONFIG_DELIBERATION_EVENTS_DEFAULT "tcp://127.0.0.1:7302"
#define CONFIG_NOTIFY_ENDPOINT_DEFAULT "tcp://127.0.0.1:7401"

#endif
