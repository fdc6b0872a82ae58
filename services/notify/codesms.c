#include "codesms.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curluv.h"
#include "db.h"
#include "log.h"
#include "pstmt.h"
#include "queries.h"
#include "render.h"

#define CODE_MAX 16           /* the gateway sends six digits */
#define MASK "******"

/* One code under way: the request to answer, the SMS being sent. */
typedef struct send {
    codesms_t *cs;
    rpc_req_t *req;
    rpcsrv_t *srv;
    channel_req_t http;
    int64_t delivery_id;
    char code[CODE_MAX + 1];
    struct send *prev, *next;
} send_t;

struct codesms {
    PGconn *conn;
    pstmt_t *sql;
    const svclock_t *clock;
    channel_config_t ch;
    curluv_t *cu;
    send_t *sends;
    uint64_t sent, failed;
};

void codesms_mask(char *text, const char *code)
{
    size_t n = strlen(code);
    if (n == 0)
        return;
    for (char *at = strstr(text, code); at; at = strstr(at + n, code))
        memset(at, '*', n);
}

int codesms_minutes(int ttl_s)
{
    int minutes = (ttl_s + 59) / 60;
    return minutes < 1 ? 1 : minutes;
}

int codesms_new(uv_loop_t *loop, const char *db_url, const svclock_t *clock,
                const channel_config_t *ch, codesms_t **out)
{
    codesms_t *cs = calloc(1, sizeof *cs);
    if (!cs)
        return -1;
    cs->clock = clock;
    cs->ch = *ch;
    if (!(cs->conn = db_connect(db_url, 10000)) || !(cs->sql = pstmt_new(cs->conn)) ||
        curluv_new(loop, 2, &cs->cu)) {
        log_error("notify: cannot set up the login code sender");
        codesms_destroy(&cs);
        return -1;
    }
    *out = cs;
    return 0;
}

/* Wipes what held the code (the text in the request's URL or body) and
 * frees the send. */
static void s_free(send_t *s)
{
    if (s->http.payload)
        explicit_bzero(s->http.payload, strlen(s->http.payload));
    if (s->http.url)
        explicit_bzero(s->http.url, strlen(s->http.url));
    channel_req_clear(&s->http);
    rpcsrv_req_free(&s->req);
    explicit_bzero(s->code, sizeof s->code);
    free(s);
}

static void s_unlink(codesms_t *cs, send_t *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        cs->sends = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

/* Writes down how the attempt went. Returns 0 or -1 (logged by pstmt). */
static int s_outcome(codesms_t *cs, int64_t id, const char *outcome, const char *state,
                     long status, const char *response, int ms, const char *why)
{
    char sid[24], now[24], st[24], sms[24];
    snprintf(sid, sizeof sid, "%" PRId64, id);
    snprintf(now, sizeof now, "%" PRId64, svclock_now_ms(cs->clock));
    snprintf(st, sizeof st, "%ld", status);
    snprintf(sms, sizeof sms, "%d", ms);
    const char *params[] = {sid, now, outcome, st, response, sms, state, why};
    PGresult *res = pstmt_exec(cs->sql, Q_CODE_OUTCOME, 8, params, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

static void s_reply(rpcsrv_t *srv, rpc_req_t *req, int64_t delivery_id)
{
    Gov__SendLoginCodeReply reply = GOV__SEND_LOGIN_CODE_REPLY__INIT;
    reply.delivery_id = delivery_id;
    rpcsrv_reply(srv, req, "SendLoginCodeReply", &reply.base);
}

static void s_on_done(CURL *easy, CURLcode rc, void *arg)
{
    send_t *s = arg;
    codesms_t *cs = s->cs;
    long status = 0;
    double secs = 0;
    char why[256], response[256];
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &secs);
    outcome_t outcome = ch_sms.judge(&s->http, rc, status, why, sizeof why);
    snprintf(response, sizeof response, "%.255s", s->http.response);
    codesms_mask(response, s->code);
    codesms_mask(why, s->code);
    int sent = outcome == OUTCOME_SENT;
    const char *name = sent ? "sent" : outcome == OUTCOME_RATE_LIMITED ? "rate_limited"
                                     : outcome == OUTCOME_RETRY        ? "retry"
                                                                       : "failed";
    s_outcome(cs, s->delivery_id, name, sent ? "sent" : "dead", status, response,
              (int) (secs * 1000), sent ? "" : why);
    s_unlink(cs, s);
    if (sent) {
        cs->sent++;
        s_reply(s->srv, s->req, s->delivery_id);
    } else {
        cs->failed++;
        log_warn("notify: login code delivery %" PRId64 " not taken by the SMS gateway: %s",
                 s->delivery_id, why);
        rpcsrv_fail(s->srv, s->req, "SMS_NOT_SENT", "the SMS gateway did not take the message",
                    why, "ask again in a moment", NULL);
    }
    s->req = NULL; /* answered, and freed by the answer */
    s_free(s);
}

/* The delivery of a request seen before: its outcome, answered again. */
static void s_again(codesms_t *cs, rpcsrv_t *srv, rpc_req_t *req, const char *key)
{
    const char *params[] = {key};
    PGresult *res = pstmt_exec(cs->sql, Q_CODE_AGAIN, 1, params, NULL);
    if (res && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 1), "sent") == 0)
        s_reply(srv, req, strtoll(PQgetvalue(res, 0, 0), NULL, 10));
    else if (res)
        rpcsrv_fail(srv, req, "SMS_NOT_SENT", "the SMS gateway did not take the message",
                    "this request was made before, and its SMS was not confirmed",
                    "ask for a new code", NULL);
    else
        rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, NULL, NULL);
    PQclear(res);
}

/* The text with the code (`*real`), and with it masked. Returns 0, or -1
 * with both NULL. */
static int s_texts(codesms_t *cs, const char *lang, const char *code, int ttl_s, char **real,
                   char **masked)
{
    const char *params[] = {"LoginCode", lang};
    PGresult *res = pstmt_exec(cs->sql, Q_TEMPLATE, 2, params, NULL);
    char minutes[16];
    snprintf(minutes, sizeof minutes, "%d", codesms_minutes(ttl_s));
    render_vars_t vars = {0};
    render_set(&vars, "minutes", minutes);
    render_set(&vars, "code", code);
    *real = *masked = NULL;
    if (res && PQntuples(res) == 1) {
        *real = render_template(PQgetvalue(res, 0, 1), &vars);
        render_set(&vars, "code", MASK);
        *masked = render_template(PQgetvalue(res, 0, 1), &vars);
    } else if (res) {
        log_error("notify: no LoginCode template (migration 0011)");
    }
    PQclear(res);
    if (*real && *masked)
        return 0;
    if (*real)
        explicit_bzero(*real, strlen(*real));
    free(*real);
    free(*masked);
    *real = *masked = NULL;
    return -1;
}

void codesms_send(codesms_t *cs, rpcsrv_t *srv, rpc_req_t *req, const Gov__SendLoginCode *m)
{
    size_t n = strlen(m->code);
    if (!m->person[0] || n < 4 || n > CODE_MAX || strspn(m->code, "0123456789") != n ||
        m->ttl_s < 1 || m->ttl_s > 3600) {
        rpcsrv_fail(srv, req, "BAD_ARGUMENT", "an argument is not well formed",
                    "person is a code, code 4 to 16 digits, ttl_s 1 to 3600", NULL, NULL);
        return;
    }
    const char *params[] = {m->person};
    PGresult *who = pstmt_exec(cs->sql, Q_CODE_PERSON, 1, params, NULL);
    if (!who || PQntuples(who) != 1 || !PQgetvalue(who, 0, 0)[0]) {
        if (who)
            rpcsrv_fail(srv, req, "UNKNOWN_PERSON", "no such person, or no phone on file",
                        m->person, NULL, NULL);
        else
            rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, NULL, NULL);
        PQclear(who);
        return;
    }
    const char *phone = PQgetvalue(who, 0, 0);
    char *real = NULL, *masked = NULL, key[256], now[24];
    send_t *s = NULL;
    snprintf(key, sizeof key, "gateway:login:%.200s", req->env->message_id);
    snprintf(now, sizeof now, "%" PRId64, svclock_now_ms(cs->clock));
    if (s_texts(cs, PQgetvalue(who, 0, 1), m->code, m->ttl_s, &real, &masked)) {
        rpcsrv_fail(srv, req, "INTERNAL", "the login code's text is missing", NULL, NULL, NULL);
        goto done;
    }
    const char *row[] = {key, m->person, phone, masked, now};
    PGresult *res = pstmt_exec(cs->sql, Q_CODE_BEGIN, 5, row, NULL);
    if (!res || PQntuples(res) != 1) {
        if (res)
            s_again(cs, srv, req, key);
        else
            rpcsrv_fail(srv, req, "DB_UNAVAILABLE", "the database did not answer", NULL, NULL, NULL);
        PQclear(res);
        goto done;
    }
    int64_t id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    delivery_t d = {.id = id, .idem_key = key, .kind = "LoginCode", .recipient = m->person,
                    .channel = "sms", .destination = phone, .secret = "", .subject = "",
                    .body = real};
    s = calloc(1, sizeof *s);
    if (!s || channel_req_init(&s->http, &cs->ch) ||
        ch_sms.prepare(&cs->ch, &d, svclock_now_ms(cs->clock), &s->http)) {
        const char *why = cs->ch.sms_url[0] ? "the SMS request could not be made"
                                            : "no SMS gateway is configured (GOV_NOTIFY_SMS_URL)";
        s_outcome(cs, id, "failed", "dead", 0, "", 0, why);
        cs->failed++;
        rpcsrv_fail(srv, req, "SMS_NOT_SENT", "the SMS gateway did not take the message", why,
                    NULL, NULL);
        goto done;
    }
    s->cs = cs;
    s->srv = srv;
    s->delivery_id = id;
    snprintf(s->code, sizeof s->code, "%s", m->code);
    if (curluv_add(cs->cu, s->http.easy, s_on_done, s)) {
        s_outcome(cs, id, "retry", "dead", 0, "", 0, "cannot start the request");
        cs->failed++;
        rpcsrv_fail(srv, req, "SMS_NOT_SENT", "the SMS gateway did not take the message",
                    "cannot start the request", NULL, NULL);
        goto done;
    }
    s->req = req; /* answered in s_on_done */
    s->next = cs->sends;
    if (cs->sends)
        cs->sends->prev = s;
    cs->sends = s;
    s = NULL;
done:
    if (s)
        s_free(s);
    PQclear(who);
    if (real)
        explicit_bzero(real, strlen(real));
    free(real);
    free(masked);
}

void codesms_stats(const codesms_t *cs, uint64_t *sent, uint64_t *failed)
{
    *sent = cs->sent;
    *failed = cs->failed;
}

void codesms_destroy(codesms_t **self_p)
{
    codesms_t *cs = *self_p;
    if (!cs)
        return;
    *self_p = NULL;
    curluv_destroy(&cs->cu); /* their done callbacks never run */
    while (cs->sends) {
        send_t *s = cs->sends;
        s_unlink(cs, s);
        s_free(s);
    }
    pstmt_destroy(&cs->sql);
    if (cs->conn)
        PQfinish(cs->conn);
    free(cs);
}
