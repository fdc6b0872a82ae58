#include "channel.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

const channel_t *channel_find(const char *name)
{
    static const channel_t *const all[] = {&ch_email, &ch_webhook, &ch_sms, &ch_wecom, &ch_dingtalk};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

static size_t s_on_data(char *data, size_t size, size_t n, void *arg)
{
    channel_req_t *req = arg;
    size_t len = size * n, room = sizeof req->response - 1 - req->response_len;
    size_t take = len < room ? len : room;
    memcpy(req->response + req->response_len, data, take);
    req->response_len += take;
    req->response[req->response_len] = '\0';
    return len;
}

int channel_req_init(channel_req_t *req, const channel_config_t *cfg)
{
    memset(req, 0, sizeof *req);
    if (!(req->easy = curl_easy_init()))
        return -1;
    curl_easy_setopt(req->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(req->easy, CURLOPT_TIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(req->easy, CURLOPT_CONNECTTIMEOUT_MS, cfg->timeout_ms);
    curl_easy_setopt(req->easy, CURLOPT_WRITEFUNCTION, s_on_data);
    curl_easy_setopt(req->easy, CURLOPT_WRITEDATA, req);
    curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
    return 0;
}

void channel_req_clear(channel_req_t *req)
{
    if (req->easy)
        curl_easy_cleanup(req->easy);
    curl_slist_free_all(req->headers);
    curl_slist_free_all(req->rcpt);
    curl_mime_free(req->mime);
    free(req->url);
    free(req->payload);
    memset(req, 0, sizeof *req);
}

int channel_http_post(channel_req_t *req, const char *url, char *payload, const char *const *headers,
                      size_t n_headers)
{
    req->payload = payload;
    if (!payload || !(req->url = strdup(url)))
        return -1;
    for (size_t i = 0; i < n_headers; i++) {
        struct curl_slist *more = curl_slist_append(req->headers, headers[i]);
        if (!more)
            return -1;
        req->headers = more;
    }
    curl_easy_setopt(req->easy, CURLOPT_URL, req->url);
    curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(req->easy, CURLOPT_POSTFIELDS, req->payload);
    curl_easy_setopt(req->easy, CURLOPT_POSTFIELDSIZE, (long) strlen(req->payload));
    return 0;
}

outcome_t channel_http_judge(CURLcode rc, long status, char *why, size_t cap)
{
    if (rc != CURLE_OK) {
        snprintf(why, cap, "%s", curl_easy_strerror(rc));
        return OUTCOME_RETRY;
    }
    if (status >= 200 && status < 300) {
        why[0] = '\0';
        return OUTCOME_SENT;
    }
    snprintf(why, cap, "HTTP %ld", status);
    if (status == 429)
        return OUTCOME_RATE_LIMITED;
    if (status == 408 || status >= 500)
        return OUTCOME_RETRY;
    return OUTCOME_FAILED;
}

outcome_t channel_robot_judge(const channel_req_t *req, CURLcode rc, long status,
                              const int *rate_codes, char *why, size_t cap)
{
    outcome_t http = channel_http_judge(rc, status, why, cap);
    if (http != OUTCOME_SENT)
        return http;
    /* Robots answer 200 even when they refuse: the errcode says. */
    json_t *answer = json_loads(req->response, 0, NULL);
    json_t *code = answer ? json_object_get(answer, "errcode") : NULL;
    if (!json_is_integer(code)) {
        snprintf(why, cap, "no errcode in the answer");
        json_decref(answer);
        return OUTCOME_RETRY;
    }
    long long errcode = json_integer_value(code);
    const char *msg = json_string_value(json_object_get(answer, "errmsg"));
    snprintf(why, cap, "errcode %lld%s%s", errcode, msg ? ": " : "", msg ? msg : "");
    json_decref(answer);
    if (errcode == 0) {
        why[0] = '\0';
        return OUTCOME_SENT;
    }
    for (const int *r = rate_codes; *r; r++)
        if (errcode == *r)
            return OUTCOME_RATE_LIMITED;
    return errcode == -1 ? OUTCOME_RETRY : OUTCOME_FAILED;
}

char *channel_text(const delivery_t *d, size_t max_bytes)
{
    size_t len = strlen(d->subject) + 1 + strlen(d->body) + 1;
    char *text = malloc(len);
    if (!text)
        return NULL;
    snprintf(text, len, "%s%s%s", d->subject, d->subject[0] ? "\n" : "", d->body);
    render_cut(text, max_bytes);
    return text;
}
