/* 企业微信 group robot: POST {"msgtype":"text","text":{"content":…}} to the
 * robot's …/cgi-bin/webhook/send?key=KEY. Text is at most 2048 bytes. The
 * robot answers 200 even when it refuses: errcode 0 is success, 45009 is
 * "too many messages" (20 a minute). */
#include <jansson.h>
#include <stdlib.h>

#include "channel.h"

#define WECOM_TEXT_MAX 2048

static int s_prepare(const channel_config_t *cfg, const delivery_t *d, int64_t now_ms,
                     channel_req_t *req)
{
    (void) cfg;
    (void) now_ms;
    char *text = channel_text(d, WECOM_TEXT_MAX);
    json_t *doc = text ? json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text", "content", text) : NULL;
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    free(text);
    const char *headers[] = {"Content-Type: application/json; charset=utf-8"};
    return channel_http_post(req, d->destination, body, headers, 1);
}

static outcome_t s_judge(const channel_req_t *req, CURLcode rc, long status, char *why, size_t cap)
{
    static const int rate[] = {45009, 0};
    return channel_robot_judge(req, rc, status, rate, why, cap);
}

const channel_t ch_wecom = {"wecom", 1, s_prepare, s_judge};
