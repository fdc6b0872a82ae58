/* Notify's login codes, its contract alone: the real gov-notify with a key
 * folder, real CURVE handshakes, and a real HTTP server in this process
 * standing in for the SMS provider. The gateway's key gets the code texted
 * and an answer once the provider took it; the same message id again sends
 * nothing more; a provider that fails is SMS_NOT_SENT; nobody, a malformed
 * code and another key (govctl's) are refused with nothing sent; and the
 * delivery keeps the code masked. (tests/cli/test_login_code.sh drives the
 * same through the gateway.) */
#include <microhttpd.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include <cmocka.h>

#include "curve.h"
#include "envelope.h"
#include "harness.h"
#include "notify.pb-c.h"
#include "rpccli.h"

/* The SMS provider: counts what it got, keeps the last body, answers with
 * `status` and the body it got (some providers echo the text). */
typedef struct {
    struct MHD_Daemon *mhd;
    int port;
    pthread_mutex_t lock;
    int received;
    unsigned status;
    char last[2048];
} provider_t;

typedef struct {
    char body[2048];
    size_t len;
} upload_t;

static enum MHD_Result s_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *data, size_t *data_len, void **con_cls)
{
    (void) url, (void) method, (void) version;
    provider_t *p = cls;
    upload_t *up = *con_cls;
    if (!up) {
        *con_cls = calloc(1, sizeof *up);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*data_len) {
        size_t take = *data_len < sizeof up->body - 1 - up->len ? *data_len : sizeof up->body - 1 - up->len;
        memcpy(up->body + up->len, data, take);
        up->len += take;
        *data_len = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&p->lock);
    p->received++;
    snprintf(p->last, sizeof p->last, "%s", up->body);
    unsigned status = p->status;
    pthread_mutex_unlock(&p->lock);
    struct MHD_Response *res =
        MHD_create_response_from_buffer(up->len, up->body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response(conn, status, res);
    MHD_destroy_response(res);
    return rc;
}

static void s_on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode code)
{
    (void) cls, (void) conn, (void) code;
    free(*con_cls);
    *con_cls = NULL;
}

static int s_received(provider_t *p, char *last, size_t cap)
{
    pthread_mutex_lock(&p->lock);
    int n = p->received;
    if (last)
        snprintf(last, cap, "%s", p->last);
    pthread_mutex_unlock(&p->lock);
    return n;
}

typedef struct {
    harness_svc_t svc;
    provider_t sms;
    char root[64], dir[80];
    char url[256];
    PGconn *db;
    void *zctx;
    rpccli_t *cli;
} fixture_t;

static int s_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    *state = f;
    pthread_mutex_init(&f->sms.lock, NULL);
    f->sms.status = 200;
    f->sms.port = harness_free_port();
    f->sms.mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t) f->sms.port, NULL,
                                  NULL, s_on_request, &f->sms, MHD_OPTION_NOTIFY_COMPLETED,
                                  s_on_done, NULL, MHD_OPTION_END);
    snprintf(f->root, sizeof f->root, "/tmp/gov-codesms-XXXXXX");
    if (!f->sms.mhd || !mkdtemp(f->root))
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/keys", f->root);
    const char *gen[] = {"keys", "generate", f->dir, NULL};
    char out[256];
    if (harness_run("govctl", gen, NULL, out, sizeof out, 10000) != 0)
        return -1;
    char env_keys[128], env_sms[128];
    snprintf(env_keys, sizeof env_keys, "GOV_KEYS_DIR=%s", f->dir);
    snprintf(env_sms, sizeof env_sms, "GOV_NOTIFY_SMS_URL=http://127.0.0.1:%d/sms", f->sms.port);
    const char *env[] = {env_keys, env_sms, "GOV_NOTIFY_TIMEOUT_MS=2000", NULL};
    if (harness_db_new("it_codesms", f->url) || harness_notify_start(&f->svc, f->url, env))
        return -1;
    f->db = harness_db_connect(f->url);
    return 0;
}

static int s_teardown(void **state)
{
    fixture_t *f = *state;
    if (!f || !f->svc.pid)
        return -1;
    int status = harness_stop(&f->svc, SIGTERM);
    MHD_stop_daemon(f->sms.mhd);
    PQfinish(f->db);
    char rm[100];
    snprintf(rm, sizeof rm, "rm -rf %.60s", f->root);
    if (system(rm) != 0)
        status = -1;
    curve_reset();
    free(f);
    return status == 0 ? 0 : -1;
}

/* A client with the key `name` of the deployment's folder. */
static void s_connect(fixture_t *f, const char *name)
{
    curve_reset();
    assert_int_equal(curve_init(f->dir, name, 0), 0);
    f->zctx = zmq_ctx_new();
    assert_int_equal(rpccli_new(f->zctx, f->svc.endpoint, &f->cli), 0);
}

static void s_disconnect(fixture_t *f)
{
    rpccli_destroy(&f->cli);
    zmq_ctx_term(f->zctx);
    f->zctx = NULL;
    curve_reset();
}

/* Sends SendLoginCode as message `id`; returns the reply (the caller frees). */
static Gov__Envelope *s_send(fixture_t *f, const char *id, const char *person, const char *code)
{
    Gov__SendLoginCode m = GOV__SEND_LOGIN_CODE__INIT;
    m.person = (char *) person;
    m.code = (char *) code;
    m.ttl_s = 300;
    Gov__Envelope req = GOV__ENVELOPE__INIT, *reply = NULL;
    req.type = "SendLoginCode";
    req.message_id = (char *) id;
    assert_int_equal(rpccli_call(f->cli, &req, &m.base, 5000, &reply), 0);
    return reply;
}

static int64_t s_delivery(const Gov__Envelope *reply)
{
    assert_null(reply->error);
    assert_string_equal(reply->type, "SendLoginCodeReply");
    Gov__SendLoginCodeReply *r =
        (Gov__SendLoginCodeReply *) envelope_payload(reply, &gov__send_login_code_reply__descriptor);
    assert_non_null(r);
    int64_t id = r->delivery_id;
    gov__send_login_code_reply__free_unpacked(r, NULL);
    return id;
}

static void s_refused(Gov__Envelope **reply, const char *code)
{
    assert_non_null((*reply)->error);
    assert_string_equal((*reply)->error->code, code);
    envelope_free(reply);
}

static void test_the_gateway_gets_its_code_texted_once(void **state)
{
    fixture_t *f = *state;
    s_connect(f, "gateway");
    Gov__Envelope *reply = s_send(f, "it-code-1", "r.s1.c1.g1.1.1", "042917");
    int64_t id = s_delivery(reply);
    envelope_free(&reply);
    char last[2048];
    assert_int_equal(s_received(&f->sms, last, sizeof last), 1);
    assert_non_null(strstr(last, "042917"));
    assert_non_null(strstr(last, "5分钟内有效"));
    char sid[24];
    snprintf(sid, sizeof sid, "%lld", (long long) id);
    const char *p[] = {sid};
    assert_int_equal(harness_int(f->db, "SELECT count(*) FROM deliveries WHERE id = $1::bigint"
                                        " AND kind = 'LoginCode' AND state = 'sent'"
                                        " AND body LIKE '%******%' AND body NOT LIKE '%042917%'",
                                 1, p),
                     1);
    /* the provider echoed the text: its answer is stored masked */
    assert_int_equal(harness_int(f->db, "SELECT count(*) FROM delivery_attempts WHERE"
                                        " delivery_id = $1::bigint AND response LIKE '%******%'"
                                        " AND response NOT LIKE '%042917%'",
                                 1, p),
                     1);
    /* the same message id again: the first answer, nothing sent */
    reply = s_send(f, "it-code-1", "r.s1.c1.g1.1.1", "042917");
    assert_int_equal(s_delivery(reply), id);
    envelope_free(&reply);
    assert_int_equal(s_received(&f->sms, NULL, 0), 1);
    s_disconnect(f);
}

static void test_a_failing_provider_is_sms_not_sent(void **state)
{
    fixture_t *f = *state;
    s_connect(f, "gateway");
    int before = s_received(&f->sms, NULL, 0);
    f->sms.status = 500;
    Gov__Envelope *reply = s_send(f, "it-code-2", "r.s1.c1.g1.1.2", "130655");
    f->sms.status = 200;
    assert_int_equal(s_received(&f->sms, NULL, 0), before + 1);
    assert_string_equal(reply->error->detail, "HTTP 500");
    s_refused(&reply, "SMS_NOT_SENT");
    assert_int_equal(harness_int(f->db, "SELECT count(*) FROM deliveries WHERE"
                                        " idem_key = 'gateway:login:it-code-2' AND state = 'dead'"
                                        " AND last_error = 'HTTP 500'",
                                 0, NULL),
                     1);
    /* asked again under the same id, it is not sent again either */
    reply = s_send(f, "it-code-2", "r.s1.c1.g1.1.2", "130655");
    s_refused(&reply, "SMS_NOT_SENT");
    assert_int_equal(s_received(&f->sms, NULL, 0), before + 1);
    s_disconnect(f);
}

static void test_nobody_and_bad_codes_send_nothing(void **state)
{
    fixture_t *f = *state;
    s_connect(f, "gateway");
    int before = s_received(&f->sms, NULL, 0);
    harness_exec(f->db, "INSERT INTO people (code, name) VALUES ('p.it.nophone', '无电话')");
    Gov__Envelope *reply = s_send(f, "it-code-3", "p.nobody", "123456");
    s_refused(&reply, "UNKNOWN_PERSON");
    reply = s_send(f, "it-code-4", "p.it.nophone", "123456");
    s_refused(&reply, "UNKNOWN_PERSON");
    reply = s_send(f, "it-code-5", "r.s1.c1.g1.1.1", "12ab56");
    s_refused(&reply, "BAD_ARGUMENT");
    reply = s_send(f, "it-code-6", "r.s1.c1.g1.1.1", "");
    s_refused(&reply, "BAD_ARGUMENT");
    assert_int_equal(s_received(&f->sms, NULL, 0), before);
    assert_int_equal(harness_int(f->db, "SELECT count(*) FROM deliveries WHERE idem_key IN"
                                        " ('gateway:login:it-code-3', 'gateway:login:it-code-4',"
                                        " 'gateway:login:it-code-5', 'gateway:login:it-code-6')",
                                 0, NULL),
                     0);
    /* a type notify does not answer */
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = "GetCase";
    assert_int_equal(rpccli_call(f->cli, &req, NULL, 5000, &reply), 0);
    s_refused(&reply, "UNKNOWN_TYPE");
    s_disconnect(f);
}

static void test_only_the_gateways_key_may_ask(void **state)
{
    fixture_t *f = *state;
    int before = s_received(&f->sms, NULL, 0);
    /* govctl's key: known to the deployment, even allowed to act for people */
    s_connect(f, "govctl");
    Gov__Envelope *reply = s_send(f, "it-code-7", "r.s1.c1.g1.1.1", "777777");
    assert_non_null(strstr(reply->error->detail, "govctl"));
    s_refused(&reply, "KEY_NOT_ALLOWED");
    s_disconnect(f);
    s_connect(f, "notify");
    reply = s_send(f, "it-code-8", "r.s1.c1.g1.1.1", "777777");
    s_refused(&reply, "KEY_NOT_ALLOWED");
    s_disconnect(f);
    assert_int_equal(s_received(&f->sms, NULL, 0), before);
    assert_int_equal(harness_int(f->db, "SELECT count(*) FROM deliveries WHERE body LIKE '%777777%'"
                                        " OR idem_key IN ('gateway:login:it-code-7',"
                                        " 'gateway:login:it-code-8')",
                                 0, NULL),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_gateway_gets_its_code_texted_once),
        cmocka_unit_test(test_a_failing_provider_is_sms_not_sent),
        cmocka_unit_test(test_nobody_and_bad_codes_send_nothing),
        cmocka_unit_test(test_only_the_gateways_key_may_ask),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
