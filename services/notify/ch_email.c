/* Email over SMTP (GOV_NOTIFY_SMTP_URL, from GOV_NOTIFY_MAIL_FROM): a
 * multipart/alternative message with a plain-text and an HTML part, the
 * subject encoded for UTF-8 (RFC 2047), and the delivery's idempotency key
 * in X-Gov-Idempotency-Key. A 5xx reply from the server is permanent; the
 * rest (4xx, no connection, timeouts) is retried. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "render.h"

static int s_header(channel_req_t *req, const char *line)
{
    struct curl_slist *more = curl_slist_append(req->headers, line);
    if (!more)
        return -1;
    req->headers = more;
    return 0;
}

static int s_prepare(const channel_config_t *cfg, const delivery_t *d, int64_t now_ms,
                     channel_req_t *req)
{
    (void) now_ms;
    char line[1024], from[300], to[300];
    if (strchr(d->destination, '\r') || strchr(d->destination, '\n') || !strchr(d->destination, '@'))
        return -1;
    snprintf(from, sizeof from, "<%s>", cfg->mail_from);
    snprintf(to, sizeof to, "<%s>", d->destination);
    if (!(req->rcpt = curl_slist_append(NULL, to)))
        return -1;
    size_t slen = strlen(d->subject);
    char *b64 = malloc(4 * ((slen + 2) / 3) + 1);
    if (!b64)
        return -1;
    EVP_EncodeBlock((unsigned char *) b64, (const unsigned char *) d->subject, (int) slen);
    int bad = 0;
    snprintf(line, sizeof line, "Subject: =?UTF-8?B?%s?=", b64);
    free(b64);
    bad |= s_header(req, line);
    snprintf(line, sizeof line, "From: %s", from);
    bad |= s_header(req, line);
    snprintf(line, sizeof line, "To: %s", to);
    bad |= s_header(req, line);
    snprintf(line, sizeof line, "X-Gov-Idempotency-Key: %s", d->idem_key);
    bad |= s_header(req, line);
    if (bad)
        return -1;

    char *html = render_html(d->body);
    if (!html)
        return -1;
    req->mime = curl_mime_init(req->easy);
    curl_mime *alt = curl_mime_init(req->easy);
    curl_mimepart *part = curl_mime_addpart(alt);
    curl_mime_data(part, d->body, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=utf-8");
    curl_mime_encoder(part, "base64");
    part = curl_mime_addpart(alt);
    curl_mime_data(part, html, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/html; charset=utf-8");
    curl_mime_encoder(part, "base64");
    free(html);
    part = curl_mime_addpart(req->mime);
    curl_mime_subparts(part, alt);
    curl_mime_type(part, "multipart/alternative");

    curl_easy_setopt(req->easy, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(req->easy, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(req->easy, CURLOPT_MAIL_RCPT, req->rcpt);
    curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(req->easy, CURLOPT_MIMEPOST, req->mime);
    return 0;
}

static outcome_t s_judge(const channel_req_t *req, CURLcode rc, long status, char *why, size_t cap)
{
    (void) req;
    if (rc == CURLE_OK) {
        why[0] = '\0';
        return OUTCOME_SENT;
    }
    snprintf(why, cap, "%s (SMTP %ld)", curl_easy_strerror(rc), status);
    return status >= 500 ? OUTCOME_FAILED : OUTCOME_RETRY;
}

const channel_t ch_email = {"email", 0, s_prepare, s_judge};
