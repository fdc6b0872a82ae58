/* 钉钉 custom robot: POST {"msgtype":"text","text":{"content":…}} to
 * …/robot/send?access_token=T, with &timestamp=MS&sign=S when the robot has
 * a secret (sign.h says how S is made). errcode 0 is success; 130101 ("send
 * too fast", 20 a minute) is a rate limit. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "sign.h"

#define DINGTALK_TEXT_MAX 4096

static int s_prepare(const channel_config_t *cfg, const delivery_t *d, int64_t now_ms,
                     channel_req_t *req)
{
    (void) cfg;
    char *text = channel_text(d, DINGTALK_TEXT_MAX);
    json_t *doc = text ? json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text", "content", text) : NULL;
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    free(text);
    char url[2048];
    if (d->secret[0]) {
        char stamp[24], sign[133];
        snprintf(stamp, sizeof stamp, "%" PRId64, now_ms);
        sign_dingtalk(d->secret, stamp, sign);
        snprintf(url, sizeof url, "%s%ctimestamp=%s&sign=%s", d->destination,
                 strchr(d->destination, '?') ? '&' : '?', stamp, sign);
    } else {
        snprintf(url, sizeof url, "%s", d->destination);
    }
    const char *headers[] = {"Content-Type: application/json; charset=utf-8"};
    return channel_http_post(req, url, body, headers, 1);
}

static outcome_t s_judge(const channel_req_t *req, CURLcode rc, long status, char *why, size_t cap)
{
    static const int rate[] = {130101, 0};
    return channel_robot_judge(req, rc, status, rate, why, cap);
}

const channel_t ch_dingtalk = {"dingtalk", 1, s_prepare, s_judge};
