/* The outbox's promise: sequence numbers are gap-free and follow commit
 * order, so a reader asking for "seq > last" never skips an event — even when
 * writers commit in a different order than they took their ids, and whether
 * the relay numbers the events or their writers do. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "harness.h"
#include "intake.pb-c.h"
#include "outbox.h"

#define WRITERS 8
#define EVENTS_PER_WRITER 60

static char s_url[256];

typedef struct {
    int writer;
    int failed;
} writer_t;

/* Writers that number their events prepare the statement that does. */
static const db_statement_t s_numbered[] = {OUTBOX_NUMBERED_STATEMENT};

/* Readies `conn` to number events as it writes them. Returns `conn`. */
static PGconn *s_numbering(PGconn *conn)
{
    assert_int_equal(db_prepare(conn, s_numbered, 1), 0);
    return conn;
}

/* Sends one event numbered as it is inserted (outbox_batch_send_numbered)
 * and reads the statement's result. Returns 0 or -1. */
static int s_add_numbered(PGconn *conn, const ProtobufCMessage *payload)
{
    outbox_batch_t *batch = outbox_batch_new("test");
    int rc = batch && outbox_batch_add(batch, "Probe", NULL, NULL, payload) == 0 &&
                     outbox_batch_send_numbered(conn, batch) == 0
                 ? 0
                 : -1;
    for (PGresult *res; (res = PQgetResult(conn));) {
        rc |= PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
        PQclear(res);
    }
    outbox_batch_destroy(&batch);
    return rc;
}

/* Inserts events, holding some transactions open for a while before commit,
 * so that ids (taken at insert) and commits interleave out of order. Odd
 * writers number their own events as they insert them, even ones leave
 * them to the numberer: both kinds share the stream. */
static void *s_writer(void *arg)
{
    writer_t *w = arg;
    PGconn *conn = PQconnectdb(s_url);
    if (db_prepare(conn, s_numbered, 1))
        w->failed = 1;
    unsigned seed = (unsigned) w->writer * 7919u;
    for (int i = 0; i < EVENTS_PER_WRITER && !w->failed; i++) {
        Gov__GetCase payload = GOV__GET_CASE__INIT;
        payload.case_id = w->writer * 100000 + i; /* identifies the event */
        PQclear(PQexec(conn, "BEGIN"));
        if (w->writer % 2 ? s_add_numbered(conn, &payload.base)
                          : outbox_add(conn, "test", "Probe", NULL, NULL, &payload.base))
            w->failed = 1;
        usleep((useconds_t) (rand_r(&seed) % 3000));
        PGresult *res = PQexec(conn, "COMMIT");
        w->failed |= PQresultStatus(res) != PGRES_COMMAND_OK;
        PQclear(res);
    }
    PQfinish(conn);
    return NULL;
}

typedef struct {
    volatile int stop;
    int numbered;
    int failed;
} numberer_t;

static void *s_numberer(void *arg)
{
    numberer_t *n = arg;
    PGconn *conn = PQconnectdb(s_url);
    while (!n->stop) {
        int got = outbox_number(conn, "test", 7, NULL, NULL);
        if (got < 0)
            n->failed = 1;
        else
            n->numbered += got;
        usleep(500);
    }
    PQfinish(conn);
    return NULL;
}

/* A reader that only ever asks for what follows the last thing it saw. */
typedef struct {
    volatile int stop;
    uint64_t last;
    int seen, out_of_order;
    char *seen_payload; /* one flag per (writer, i) */
} reader_t;

static void s_on_event(uint64_t seq, const char *type, const uint8_t *bytes, size_t len, void *arg)
{
    reader_t *r = arg;
    (void) type;
    if (seq != r->last + 1)
        r->out_of_order++;
    r->last = seq;
    r->seen++;
    Gov__Envelope *env = gov__envelope__unpack(NULL, len, bytes);
    Gov__GetCase *p = gov__get_case__unpack(NULL, env->payload.len, env->payload.data);
    int writer = (int) (p->case_id / 100000), i = (int) (p->case_id % 100000);
    r->seen_payload[writer * EVENTS_PER_WRITER + i]++;
    gov__get_case__free_unpacked(p, NULL);
    gov__envelope__free_unpacked(env, NULL);
}

static void *s_reader(void *arg)
{
    reader_t *r = arg;
    PGconn *conn = PQconnectdb(s_url);
    for (;;) {
        int stopping = r->stop;
        while (outbox_read(conn, "test", r->last, 50, s_on_event, r) > 0)
            ;
        if (stopping)
            break;
        usleep(300);
    }
    PQfinish(conn);
    return NULL;
}

static void test_sequence_follows_commit_order_under_concurrent_writers(void **state)
{
    (void) state;
    assert_int_equal(harness_db_new("it_outbox", s_url), 0);
    pthread_t writers[WRITERS], numberer, reader;
    writer_t w[WRITERS];
    numberer_t n = {0};
    reader_t r = {0};
    r.seen_payload = calloc(WRITERS * EVENTS_PER_WRITER + 1, 1);
    /* The hazard, made certain: a writer takes the first id and commits only
     * after 20 later events were numbered and read. */
    PGconn *late = harness_db_connect(s_url);
    Gov__GetCase first = GOV__GET_CASE__INIT;
    first.case_id = WRITERS * 100000; /* writer index WRITERS, event 0 */
    harness_exec(late, "BEGIN");
    assert_int_equal(outbox_add(late, "test", "Probe", NULL, NULL, &first.base), 0);
    pthread_create(&numberer, NULL, s_numberer, &n);
    pthread_create(&reader, NULL, s_reader, &r);
    for (int i = 0; i < WRITERS; i++) {
        w[i] = (writer_t){.writer = i};
        pthread_create(&writers[i], NULL, s_writer, &w[i]);
    }
    PGconn *conn = harness_db_connect(s_url);
    int64_t deadline = harness_now_ms() + 20000;
    while (r.seen < 20 && harness_now_ms() < deadline)
        usleep(1000);
    harness_exec(late, "COMMIT");
    PQfinish(late);
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(writers[i], NULL);
        assert_false(w[i].failed);
    }
    /* Let the numberer take the last commits, then stop it and the reader. */
    while (harness_int(conn, "SELECT count(*) FROM outbox WHERE seq IS NULL", 0, NULL) > 0 &&
           harness_now_ms() < deadline)
        usleep(1000);
    n.stop = 1;
    pthread_join(numberer, NULL);
    r.stop = 1;
    pthread_join(reader, NULL);
    assert_false(n.failed);

    const int total = WRITERS * EVENTS_PER_WRITER + 1;
    /* The numberer numbered the late event and the even writers' events. */
    assert_int_equal(n.numbered, WRITERS / 2 * EVENTS_PER_WRITER + 1);
    /* Gap-free: 1..total, each once. */
    assert_int_equal(harness_int(conn, "SELECT count(DISTINCT seq) FROM outbox", 0, NULL), total);
    assert_int_equal(harness_int(conn, "SELECT min(seq) FROM outbox", 0, NULL), 1);
    assert_int_equal(harness_int(conn, "SELECT max(seq) FROM outbox", 0, NULL), total);
    assert_int_equal(harness_int(conn, "SELECT last_seq FROM outbox_streams WHERE stream = 'test'", 0, NULL), total);
    /* The reader, asking only "after my last", saw every event exactly once. */
    assert_int_equal(r.seen, total);
    assert_int_equal(r.out_of_order, 0);
    for (int i = 0; i < total; i++)
        assert_int_equal(r.seen_payload[i], 1);
    /* And the hazard happened: the first id committed after 20 others were
     * read, so a reader trusting ids ("id > last") would have skipped it. */
    assert_true(harness_int(conn, "SELECT seq FROM outbox ORDER BY id LIMIT 1", 0, NULL) > 20);
    free(r.seen_payload);
    PQfinish(conn);
}

static void test_numbering_sees_only_committed_rows(void **state)
{
    (void) state;
    char url[256];
    assert_int_equal(harness_db_new("it_outbox_open", url), 0);
    PGconn *writer = harness_db_connect(url), *relay = harness_db_connect(url);
    Gov__GetCase payload = GOV__GET_CASE__INIT;
    harness_exec(writer, "BEGIN");
    assert_int_equal(outbox_add(writer, "test", "Probe", NULL, NULL, &payload.base), 0);
    /* Uncommitted: not numbered. */
    assert_int_equal(outbox_number(relay, "test", 100, NULL, NULL), 0);
    /* A later writer that commits first gets seq 1. */
    assert_int_equal(outbox_add(relay, "test", "Probe", NULL, NULL, &payload.base), 0);
    assert_int_equal(outbox_number(relay, "test", 100, NULL, NULL), 1);
    harness_exec(writer, "COMMIT");
    assert_int_equal(outbox_number(relay, "test", 100, NULL, NULL), 1);
    assert_int_equal(harness_int(relay, "SELECT seq FROM outbox ORDER BY id LIMIT 1", 0, NULL), 2);
    /* A rolled-back event never appears and leaves no hole. */
    harness_exec(writer, "BEGIN");
    assert_int_equal(outbox_add(writer, "test", "Probe", NULL, NULL, &payload.base), 0);
    harness_exec(writer, "ROLLBACK");
    assert_int_equal(outbox_add(relay, "test", "Probe", NULL, NULL, &payload.base), 0);
    assert_int_equal(outbox_number(relay, "test", 100, NULL, NULL), 1);
    assert_int_equal(harness_int(relay, "SELECT max(seq) FROM outbox", 0, NULL), 3);
    PQfinish(writer);
    PQfinish(relay);
}

/* A writer that numbers its own events holds the stream until it commits:
 * the next one waits, and takes the numbers after it; a rollback leaves no
 * hole. */
static void test_self_numbering_waits_for_the_commit_before(void **state)
{
    (void) state;
    char url[256];
    assert_int_equal(harness_db_new("it_outbox_self", url), 0);
    PGconn *a = s_numbering(harness_db_connect(url)), *b = s_numbering(harness_db_connect(url));
    PGconn *c = harness_db_connect(url);
    Gov__GetCase first = GOV__GET_CASE__INIT, second = GOV__GET_CASE__INIT;
    first.case_id = 1;
    second.case_id = 2;
    harness_exec(a, "BEGIN");
    assert_int_equal(s_add_numbered(a, &first.base), 0);
    /* b's numbering waits on a's transaction. */
    harness_exec(b, "BEGIN");
    outbox_batch_t *batch = outbox_batch_new("test");
    assert_int_equal(outbox_batch_add(batch, "Probe", NULL, NULL, &second.base), 0);
    assert_int_equal(outbox_batch_send_numbered(b, batch), 0);
    outbox_batch_destroy(&batch);
    usleep(300 * 1000);
    assert_true(PQconsumeInput(b));
    assert_true(PQisBusy(b));
    assert_int_equal(harness_int(c, "SELECT count(*) FROM outbox", 0, NULL), 0);
    harness_exec(a, "COMMIT");
    for (PGresult *res; (res = PQgetResult(b));) {
        assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
        PQclear(res);
    }
    harness_exec(b, "COMMIT");
    assert_int_equal(harness_int(c, "SELECT seq FROM outbox ORDER BY id LIMIT 1", 0, NULL), 1);
    assert_int_equal(harness_int(c, "SELECT max(seq) FROM outbox", 0, NULL), 2);
    /* A rolled-back numbering gives its numbers back. */
    harness_exec(a, "BEGIN");
    assert_int_equal(s_add_numbered(a, &first.base), 0);
    harness_exec(a, "ROLLBACK");
    harness_exec(b, "BEGIN");
    assert_int_equal(s_add_numbered(b, &second.base), 0);
    harness_exec(b, "COMMIT");
    assert_int_equal(harness_int(c, "SELECT max(seq) FROM outbox", 0, NULL), 3);
    assert_int_equal(harness_int(c, "SELECT count(*) FROM outbox", 0, NULL), 3);
    assert_int_equal(harness_int(c, "SELECT last_seq FROM outbox_streams WHERE stream = 'test'", 0, NULL), 3);
    /* Nothing is left for the relay to number. */
    assert_int_equal(outbox_number(c, "test", 100, NULL, NULL), 0);
    PQfinish(a);
    PQfinish(b);
    PQfinish(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_follows_commit_order_under_concurrent_writers),
        cmocka_unit_test(test_numbering_sees_only_committed_rows),
        cmocka_unit_test(test_self_numbering_waits_for_the_commit_before),
    };
    return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
