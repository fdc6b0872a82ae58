/* SMS through an HTTP gateway. GOV_NOTIFY_SMS_URL and GOV_NOTIFY_SMS_BODY
 * are templates with {{phone}} and {{text}}: URL-encoded in the URL,
 * JSON-escaped in the body (no quotes added). An empty body template sends a
 * GET. Any 2xx is accepted. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "render.h"

#define SMS_TEXT_MAX 600  /* about 8 segments of Chinese text */

static int s_prepare(const channel_config_t *cfg, const delivery_t *d, int64_t now_ms,
                     channel_req_t *req)
{
    (void) now_ms;
    if (!cfg->sms_url[0])
        return -1;  /* no gateway configured */
    char *text = channel_text(d, SMS_TEXT_MAX);
    char *url_phone = text ? curl_easy_escape(req->easy, d->destination, 0) : NULL;
    char *url_text = url_phone ? curl_easy_escape(req->easy, text, 0) : NULL;
    char *json_phone = url_text ? render_json_inner(d->destination) : NULL;
    char *json_text = json_phone ? render_json_inner(text) : NULL;
    int rc = -1;
    if (json_text) {
        render_vars_t in_url = {0}, in_body = {0};
        render_set(&in_url, "phone", url_phone);
        render_set(&in_url, "text", url_text);
        render_set(&in_body, "phone", json_phone);
        render_set(&in_body, "text", json_text);
        char *url = render_template(cfg->sms_url, &in_url);
        if (url && cfg->sms_body[0]) {
            const char *headers[] = {"Content-Type: application/json; charset=utf-8"};
            rc = channel_http_post(req, url, render_template(cfg->sms_body, &in_body), headers, 1);
            free(url);
        } else if (url) {
            req->url = url;
            curl_easy_setopt(req->easy, CURLOPT_URL, req->url);
            rc = 0;
        }
    }
    free(text);
    curl_free(url_phone);
    curl_free(url_text);
    free(json_phone);
    free(json_text);
    return rc;
}

static outcome_t s_judge(const channel_req_t *req, CURLcode rc, long status, char *why, size_t cap)
{
    (void) req;
    return channel_http_judge(rc, status, why, cap);
}

const channel_t ch_sms = {"sms", 0, s_prepare, s_judge};
