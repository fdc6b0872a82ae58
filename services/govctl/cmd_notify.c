/* govctl notify log|dead|retry: what notify sent, to whom, and how each
 * attempt went. Phone numbers and robot keys are masked in the output, as
 * in notify's own logs. */
#include <stdio.h>
#include <string.h>

#include "govctl.h"

static const char *s_usage =
    "usage: govctl notify log [--delivery ID] [--recipient R] [--kind K] [--state S] [--limit N]\n"
    "       govctl notify dead [--limit N]\n"
    "       govctl notify retry ID\n"
    "log: deliveries, newest first, each with its attempts. dead: those given up.\n"
    "retry: sends a dead delivery again (its failure count starts over); not a login code.\n";

/* A delivery as operators see it: $1 delivery id (0 any), $2 recipient, $3
 * kind, $4 state ('' any), $5 limit. */
static const char *s_log_sql =
    "SELECT coalesce(json_agg(t ORDER BY t.id DESC), '[]') FROM ("
    " SELECT d.id, d.kind, d.recipient, d.channel,"
    "  CASE WHEN d.channel = 'sms' AND length(d.destination) > 7"
    "   THEN left(d.destination, 3) || '****' || right(d.destination, 4)"
    "   ELSE regexp_replace(d.destination, '(key|access_token)=[^&]+', '\\1=***', 'g') END"
    "   AS destination,"
    "  d.state, d.held, d.urgent, d.attempts, d.failures, d.idem_key, d.subject, d.last_error,"
    "  d.digest_id, d.created_at, d.next_at, d.sent_at,"
    "  (SELECT coalesce(json_agg(json_build_object('at', a.at, 'outcome', a.outcome,"
    "    'status', a.status, 'ms', a.ms, 'response', left(a.response, 200)) ORDER BY a.id), '[]')"
    "   FROM delivery_attempts a WHERE a.delivery_id = d.id) AS attempts_log"
    " FROM deliveries d"
    " WHERE ($1::bigint = 0 OR d.id = $1::bigint) AND ($2 = '' OR d.recipient = $2)"
    "  AND ($3 = '' OR d.kind = $3) AND ($4 = '' OR d.state = $4)"
    "  AND ($4 <> 'dead' OR d.settled = 'dead')"  /* the dead have an index */
    " ORDER BY d.id DESC LIMIT $5::int) t";

/* A login code is never sent again: its text is stored masked, and a late
 * code is of no use (services/notify/codesms.h). */
static const char *s_retry_sql =
    "WITH r AS (UPDATE deliveries SET state = 'pending', failures = 0, held = NULL,"
    " next_at = now(), last_error = '' WHERE id = $1::bigint AND state = 'dead'"
    " AND kind <> 'LoginCode' RETURNING id)"
    " SELECT json_build_object('retried', count(*),"
    "  'state', (SELECT state FROM deliveries WHERE id = $1::bigint),"
    "  'kind', (SELECT kind FROM deliveries WHERE id = $1::bigint)) FROM r";

static int s_fail(const char *message, const char *detail)
{
    fprintf(stderr, "{\"error\": \"%s\", \"detail\": \"%s\"}\n", message, detail);
    return 1;
}

int cmd_notify(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, 1);
    if (argc < 2)
        return govctl_usage(s_usage, 0);
    const char *sub = argv[1];
    int retry = strcmp(sub, "retry") == 0;
    if (!retry && strcmp(sub, "log") != 0 && strcmp(sub, "dead") != 0)
        return govctl_usage(s_usage, 0);
    if (retry && (argc != 3 || govctl_parse_int(argv[2]) <= 0))
        return govctl_usage(s_usage, 0);
    const char *delivery = govctl_opt(argc, argv, "--delivery");
    const char *limit = govctl_opt(argc, argv, "--limit");
    if ((delivery && govctl_parse_int(delivery) <= 0) ||
        (limit && (govctl_parse_int(limit) <= 0 || govctl_parse_int(limit) > 10000)))
        return govctl_usage(s_usage, 0);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    json_t *out;
    if (retry) {
        const char *params[] = {argv[2]};
        out = govctl_query_json(conn, s_retry_sql, 1, params);
        if (out && json_integer_value(json_object_get(out, "retried")) == 0) {
            const char *state = json_string_value(json_object_get(out, "state"));
            const char *kind = json_string_value(json_object_get(out, "kind"));
            int code = kind && strcmp(kind, "LoginCode") == 0;
            int rc = s_fail(code    ? "a login code is never sent again: ask for a new one"
                            : state ? "delivery is not dead"
                                    : "no such delivery",
                            state ? state : argv[2]);
            json_decref(out);
            PQfinish(conn);
            return rc;
        }
    } else {
        const char *recipient = govctl_opt(argc, argv, "--recipient");
        const char *kind = govctl_opt(argc, argv, "--kind");
        const char *state = strcmp(sub, "dead") == 0 ? "dead" : govctl_opt(argc, argv, "--state");
        const char *params[] = {delivery ? delivery : "0", recipient ? recipient : "",
                                kind ? kind : "", state ? state : "", limit ? limit : "50"};
        out = govctl_query_json(conn, s_log_sql, 5, params);
    }
    PQfinish(conn);
    if (!out)
        return 1;
    govctl_print(out, 0);
    return 0;
}
