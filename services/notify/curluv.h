/* curluv: libcurl's multi interface on the libuv loop, so many HTTP and SMTP
 * requests run at once on the one thread that owns the loop. curl tells us
 * which sockets to watch (uv_poll) and when to call it back (one uv_timer). */
#ifndef NOTIFY_CURLUV_H
#define NOTIFY_CURLUV_H

#include <curl/curl.h>
#include <uv.h>

typedef struct curluv curluv_t;

/* Called once when `easy` finished (result CURLE_OK or why not), after it
 * was removed from the multi handle; the easy handle is the caller's again. */
typedef void (*curluv_done_cb)(CURL *easy, CURLcode result, void *arg);

/* Returns 0 and sets `*out`, or -1 (logged). Up to `keep` open
 * connections are kept for reuse, however few requests are under way at
 * the moment (libcurl's own default, four per request under way, closes
 * connections whenever the requests ebb, and opens them again as they
 * flow). curl_global_init is the caller's, once per process. */
int curluv_new(uv_loop_t *loop, long keep, curluv_t **out);

/* Starts `easy` (borrowed until `done` runs; its CURLOPT_PRIVATE is
 * curluv's). Returns 0, or -1 without calling `done`. */
int curluv_add(curluv_t *cu, CURL *easy, curluv_done_cb done, void *arg);

/* Requests under way. */
size_t curluv_running(const curluv_t *cu);

/* Stops every request under way without calling their `done` (their easy
 * handles stay the callers'), and frees the rest once the loop has closed
 * its handles. */
void curluv_destroy(curluv_t **self_p);

#endif
