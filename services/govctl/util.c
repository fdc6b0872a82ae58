#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "config.h"
#include "curve.h"
#include "govctl.h"
#include "msgtypes.h"
#include "pbjson.h"
#include "rpccli.h"

int govctl_usage(const char *usage, int asked)
{
    fputs(usage, asked ? stdout : stderr);
    return asked ? 0 : GOVCTL_USAGE;
}

int govctl_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

void govctl_print(json_t *json, int compact)
{
    char *text = json_dumps(json, compact ? JSON_COMPACT : JSON_INDENT(2));
    if (text)
        puts(text);
    free(text);
    json_decref(json);
}

static void s_print_error(const Gov__Error *err)
{
    json_t *json = json_pack("{s:o}", "error", pbjson_from_message(&err->base));
    char *text = json_dumps(json, JSON_INDENT(2));
    if (text)
        fprintf(stderr, "%s\n", text);
    free(text);
    json_decref(json);
}

int govctl_call_intake(const char *type, const ProtobufCMessage *payload, json_t **reply_out)
{
    return govctl_call("intake", type, payload, reply_out);
}

int govctl_call(const char *service, const char *type, const ProtobufCMessage *payload,
                json_t **reply_out)
{
    const char *endpoint =
        strcmp(service, "routing") == 0
            ? config_str("GOV_ROUTING_ENDPOINT", CONFIG_ROUTING_ENDPOINT_DEFAULT)
        : strcmp(service, "deliberation") == 0
            ? config_str("GOV_DELIBERATION_ENDPOINT", CONFIG_DELIBERATION_ENDPOINT_DEFAULT)
            : config_str("GOV_INTAKE_ENDPOINT", CONFIG_INTAKE_ENDPOINT_DEFAULT);
    int timeout = (int) config_int("GOV_TIMEOUT_MS", 5000, 1, 600000, NULL);
    void *zctx = zmq_ctx_new();
    rpccli_t *cli = NULL;
    Gov__Envelope *reply = NULL;
    Gov__Actor actor = GOV__ACTOR__INIT;
    actor.id = (char *) config_str("GOV_ACTOR", "operator:govctl");
    actor.role = (char *) config_str("GOV_ACTOR_ROLE", "operator");
    actor.unit = (char *) config_str("GOV_ACTOR_UNIT", "");
    Gov__Envelope req = GOV__ENVELOPE__INIT;
    req.type = (char *) type;
    req.message_id = (char *) config_str("GOV_MESSAGE_ID", ""); /* a retry reuses its id */
    req.actor = &actor;
    int rc = rpccli_new(zctx, endpoint, &cli);
    if (!rc)
        rc = rpccli_call(cli, &req, payload, timeout, &reply);
    int exit_code = 1;
    if (rc) {
        fprintf(stderr, "govctl: no answer from %s at %s: %s\n", service, endpoint,
                rc == -ETIMEDOUT ? "timed out" : zmq_strerror(-rc));
        if (rc == -ETIMEDOUT && !curve_on())
            fprintf(stderr, "govctl: services speak CURVE when deployed with keys: export "
                            "GOV_KEYS_DIR (make up's is var/keys)\n");
    } else if (reply->error) {
        s_print_error(reply->error);
    } else {
        const ProtobufCMessageDescriptor *desc = msgtypes_find(reply->type);
        ProtobufCMessage *msg = desc ? envelope_payload(reply, desc) : NULL;
        if (msg) {
            json_t *json = pbjson_from_message(msg);
            if (reply_out)
                *reply_out = json;
            else
                govctl_print(json, 0);
            protobuf_c_message_free_unpacked(msg, NULL);
            exit_code = 0;
        } else {
            fprintf(stderr, "govctl: reply of type %s does not decode\n", reply->type);
        }
    }
    envelope_free(&reply);
    rpccli_destroy(&cli);
    zmq_ctx_term(zctx);
    return exit_code;
}

PGconn *govctl_db(void)
{
    PGconn *conn = PQconnectdb(config_str("GOV_DB_URL", CONFIG_DB_URL_DEFAULT));
    if (PQstatus(conn) == CONNECTION_OK) {
        PQclear(PQexec(conn, "SET client_min_messages = warning"));
        return conn;
    }
    fprintf(stderr, "govctl: cannot connect to the database: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return NULL;
}

json_t *govctl_query_json(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    json_t *json = NULL;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        json = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    else
        fprintf(stderr, "govctl: query failed: %s", PQresultErrorMessage(res));
    PQclear(res);
    return json;
}

long long govctl_parse_int(const char *s)
{
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    return (errno || end == s || *end || n < 0) ? -1 : n;
}

int govctl_actor_options(int argc, char **argv)
{
    int used = 0;
    while (used + 1 < argc) {
        if (strcmp(argv[used], "--as") == 0)
            setenv("GOV_ACTOR", argv[used + 1], 1);
        else if (strcmp(argv[used], "--unit") == 0)
            setenv("GOV_ACTOR_UNIT", argv[used + 1], 1);
        else
            break;
        used += 2;
    }
    return used;
}

int govctl_group_args(int *argc, char ***argv, const char *usage, int min_words, int *rc)
{
    if (govctl_wants_help(*argc, *argv)) {
        *rc = govctl_usage(usage, 1);
        return 0;
    }
    int used = govctl_actor_options(*argc - 1, *argv + 1);
    *argc -= used + 1;
    *argv += used + 1;
    if (*argc < min_words) {
        *rc = govctl_usage(usage, 0);
        return 0;
    }
    return 1;
}

int govctl_run_word(const govctl_word_t *words, size_t n, int argc, char **argv, const char *usage)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[0], words[i].name) != 0)
            continue;
        if (words[i].arg != GOVCTL_NOTHING && argc < 2)
            break;
        long long id = words[i].arg == GOVCTL_ID ? govctl_parse_int(argv[1]) : 0;
        if (words[i].arg == GOVCTL_ID && id <= 0)
            break;
        return words[i].run(argc, argv, id);
    }
    return govctl_usage(usage, 0);
}

const char *govctl_opt(int argc, char **argv, const char *name)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

int govctl_flag(int argc, char **argv, const char *name)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}
