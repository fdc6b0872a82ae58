/* channel: one way of reaching people, behind one interface. A channel
 * turns a delivery into a libcurl request (prepare) and reads the answer
 * into an outcome (judge); curluv runs the request. The modules:
 *   ch_email.c     SMTP, a plain-text and an HTML part
 *   ch_webhook.c   HTTP POST of JSON, HMAC-SHA256 signed
 *   ch_sms.c       an HTTP SMS gateway, URL and body from templates
 *   ch_wecom.c     企业微信 group robot
 *   ch_dingtalk.c  钉钉 custom robot, signed */
#ifndef NOTIFY_CHANNEL_H
#define NOTIFY_CHANNEL_H

#include <curl/curl.h>
#include <stdint.h>

/* One delivery as the sender claimed it. Strings are borrowed. */
typedef struct {
    int64_t id;
    const char *idem_key;
    const char *kind;        /* event kind, or Digest */
    const char *recipient;
    const char *channel;
    const char *destination; /* address, phone or URL */
    const char *secret;
    const char *subject;
    const char *body;
} delivery_t;

/* Settings every channel may read (from GOV_NOTIFY_*). Borrowed strings. */
typedef struct {
    const char *smtp_url;    /* smtp://host:port */
    const char *mail_from;
    const char *sms_url;     /* template: {{phone}} {{text}}, URL-encoded */
    const char *sms_body;    /* template: {{phone}} {{text}}, JSON-escaped; "" = GET */
    long timeout_ms;
} channel_config_t;

typedef enum {
    OUTCOME_SENT,            /* confirmed */
    OUTCOME_RETRY,           /* transient: try again after a backoff */
    OUTCOME_RATE_LIMITED,    /* the receiver asks us to slow down */
    OUTCOME_FAILED           /* permanent: dead at once */
} outcome_t;

/* One request under way; channel_req_clear frees what it holds. */
typedef struct {
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *rcpt;
    curl_mime *mime;
    char *url;
    char *payload;
    char response[1024];     /* the start of the answer, NUL-terminated */
    size_t response_len;
} channel_req_t;

typedef struct {
    const char *name;
    int group;               /* a robot: rate limited, phone numbers masked */
    /* Sets up req->easy (already made by channel_req_init) for `d`. Returns 0,
     * or -1 when the delivery cannot be sent at all (it is then dead). */
    int (*prepare)(const channel_config_t *cfg, const delivery_t *d, int64_t now_ms,
                   channel_req_t *req);
    /* Reads the outcome of a finished request; writes a short reason. */
    outcome_t (*judge)(const channel_req_t *req, CURLcode rc, long status, char *why, size_t cap);
} channel_t;

/* The channel called `name`, or NULL. */
const channel_t *channel_find(const char *name);

/* Makes req->easy with what every channel shares: timeouts, no signals, the
 * answer captured into req->response. Returns 0 or -1. */
int channel_req_init(channel_req_t *req, const channel_config_t *cfg);

void channel_req_clear(channel_req_t *req);

/* Sets a POST of `payload` (taken: freed by channel_req_clear) to `url`
 * (copied) with the given extra header lines. Returns 0 or -1. */
int channel_http_post(channel_req_t *req, const char *url, char *payload, const char *const *headers,
                      size_t n_headers);

/* The outcome of an HTTP answer when the body does not matter: 2xx sent, 429
 * rate limited, 408 and 5xx and transport errors retried, other 4xx failed. */
outcome_t channel_http_judge(CURLcode rc, long status, char *why, size_t cap);

/* For the robots: 2xx with JSON errcode 0 is sent; errcode in `rate_codes`
 * (0-terminated) is rate limited; -1 (busy) is retried; other errcodes fail. */
outcome_t channel_robot_judge(const channel_req_t *req, CURLcode rc, long status,
                              const int *rate_codes, char *why, size_t cap);

/* subject and body as one message for chat robots and SMS (the body alone
 * when there is no subject), cut to `max_bytes` on a character boundary.
 * The caller frees it. */
char *channel_text(const delivery_t *d, size_t max_bytes);

extern const channel_t ch_email, ch_webhook, ch_sms, ch_wecom, ch_dingtalk;

#endif
