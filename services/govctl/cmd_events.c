/* govctl events tail: one JSON line per event, in sequence order. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "config.h"
#include "curve.h"
#include "govctl.h"
#include "msgtypes.h"
#include "outbox.h"
#include "pbjson.h"

static const char *s_usage =
    "usage: govctl events tail [--stream S] [--from SEQ] [--count N] [--timeout MS] [--type PREFIX]\n"
    "\n"
    "Follows an event stream, one JSON object per line.\n"
    "  --stream S     intake (default, at GOV_INTAKE_EVENTS), routing (GOV_ROUTING_EVENTS)\n"
    "                 or deliberation (GOV_DELIBERATION_EVENTS)\n"
    "  --from SEQ     first print every stored event after SEQ (0: from the start),\n"
    "                 read from the database (GOV_DB_URL); gaps are filled from it too\n"
    "  --count N      exit after N events\n"
    "  --timeout MS   exit after MS milliseconds (status 1 if --count was not reached)\n"
    "  --type PREFIX  only events whose type starts with PREFIX\n";

typedef struct {
    PGconn *conn;
    const char *stream;
    const char *prefix;
    unsigned long long last;
    long long printed, count;
} s_tail_t;

static void s_print(s_tail_t *t, const Gov__Envelope *env)
{
    if (t->prefix && strncmp(env->type, t->prefix, strlen(t->prefix)) != 0) {
        t->last = env->seq;
        return;
    }
    json_t *line = json_pack("{s:s, s:I, s:s, s:I, s:s}", "stream", env->stream, "seq",
                             (json_int_t) env->seq, "type", env->type, "time_ms",
                             (json_int_t) env->time_ms, "trace_id", env->trace_id);
    if (env->actor)
        json_object_set_new(line, "actor", pbjson_from_message(&env->actor->base));
    const ProtobufCMessageDescriptor *desc = msgtypes_find(env->type);
    ProtobufCMessage *msg = desc ? envelope_payload(env, desc) : NULL;
    json_object_set_new(line, "payload", msg ? pbjson_from_message(msg) : json_null());
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
    govctl_print(line, 1);
    fflush(stdout);
    t->last = env->seq;
    t->printed++;
}

static void s_from_table(uint64_t seq, const char *type, const uint8_t *bytes, size_t len,
                         void *arg)
{
    (void) type;
    s_tail_t *t = arg;
    Gov__Envelope *env = envelope_unpack(bytes, len);
    if (env && (t->count == 0 || t->printed < t->count)) {
        env->seq = seq;
        s_print(t, env);
    }
    envelope_free(&env);
}

/* Prints stored events after t->last; returns -1 on a database error. */
static int s_catch_up(s_tail_t *t)
{
    for (;;) {
        unsigned long long before = t->last;
        int n = outbox_read(t->conn, t->stream, t->last, 500, s_from_table, t);
        if (n < 0)
            return -1;
        if (n < 500 || t->last == before || (t->count && t->printed >= t->count))
            return 0;
    }
}

static long long s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_tail(int argc, char **argv)
{
    static const struct option opts[] = {{"from", 1, 0, 'f'},    {"count", 1, 0, 'n'},
                                         {"timeout", 1, 0, 't'}, {"type", 1, 0, 'y'},
                                         {"stream", 1, 0, 's'},  {0, 0, 0, 0}};
    s_tail_t t = {.stream = "intake"};
    long long from = -1, timeout = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        long long n = c == 'y' || c == 's' ? 0 : govctl_parse_int(optarg);
        if (n < 0)
            return govctl_usage(s_usage, 0);
        switch (c) {
        case 'f': from = n; break;
        case 'n': t.count = n; break;
        case 't': timeout = n; break;
        case 'y': t.prefix = optarg; break;
        case 's': t.stream = optarg; break;
        default: return govctl_usage(s_usage, 0);
        }
    }
    const char *endpoint =
        strcmp(t.stream, "routing") == 0
            ? config_str("GOV_ROUTING_EVENTS", CONFIG_ROUTING_EVENTS_DEFAULT)
        : strcmp(t.stream, "deliberation") == 0
            ? config_str("GOV_DELIBERATION_EVENTS", CONFIG_DELIBERATION_EVENTS_DEFAULT)
        : strcmp(t.stream, "intake") == 0 ? config_str("GOV_INTAKE_EVENTS", CONFIG_INTAKE_EVENTS_DEFAULT)
                                          : NULL;
    if (optind != argc || !endpoint)
        return govctl_usage(s_usage, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);

    void *zctx = zmq_ctx_new();
    void *sub = zmq_socket(zctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    int rc = 1;
    if (curve_client(sub) || zmq_connect(sub, endpoint) != 0) {
        fprintf(stderr, "govctl: cannot connect to %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        goto done;
    }
    if (from >= 0) {
        t.last = (unsigned long long) from;
        if (!(t.conn = govctl_db()) || s_catch_up(&t))
            goto done;
    }
    long long deadline = timeout ? s_now_ms() + timeout : 0;
    while (t.count == 0 || t.printed < t.count) {
        long wait = deadline ? (long) (deadline - s_now_ms()) : -1;
        if (deadline && wait <= 0)
            break;
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, wait) <= 0)
            continue;
        zmq_msg_t type, body;
        zmq_msg_init(&type);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&type, sub, 0) >= 0 && zmq_msg_more(&type) &&
            zmq_msg_recv(&body, sub, 0) >= 0) {
            Gov__Envelope *env = envelope_unpack(zmq_msg_data(&body), zmq_msg_size(&body));
            if (env && t.conn && env->seq > t.last + 1)
                s_catch_up(&t); /* a gap: the table has what PUB dropped */
            if (env && (from < 0 && t.printed == 0 ? 1 : env->seq > t.last) &&
                (t.count == 0 || t.printed < t.count))
                s_print(&t, env);
            envelope_free(&env);
        }
        zmq_msg_close(&type);
        zmq_msg_close(&body);
    }
    rc = (t.count && t.printed < t.count) ? 1 : 0;
done:
    PQfinish(t.conn);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    return rc;
}

int cmd_events(int argc, char **argv)
{
    if (argc < 2 || govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, govctl_wants_help(argc, argv));
    optind = 1;
    if (strcmp(argv[1], "tail") == 0)
        return s_tail(argc - 1, argv + 1);
    fprintf(stderr, "govctl: unknown events command \"%s\"\n", argv[1]);
    return govctl_usage(s_usage, 0);
}
