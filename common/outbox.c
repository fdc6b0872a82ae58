#include "outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "dbtime.h"
#include "log.h"

static const char *s_insert =
    "INSERT INTO outbox (stream, type, payload) VALUES ($1, $2, $3)";

static uint8_t *s_pack(const char *stream, const char *type, const Gov__Actor *actor,
                       const char *trace_id, const ProtobufCMessage *payload, size_t *len)
{
    Gov__Envelope env = GOV__ENVELOPE__INIT;
    env.type = (char *) type;
    env.stream = (char *) stream;
    env.actor = (Gov__Actor *) actor;
    if (trace_id)
        env.trace_id = (char *) trace_id;
    return envelope_pack(&env, payload, len);
}

int outbox_add(PGconn *conn, const char *stream, const char *type, const Gov__Actor *actor,
               const char *trace_id, const ProtobufCMessage *payload)
{
    size_t len;
    uint8_t *bytes = s_pack(stream, type, actor, trace_id, payload, &len);
    if (!bytes)
        return -1;
    const char *values[] = {stream, type, (const char *) bytes};
    int lens[] = {0, 0, (int) len}, formats[] = {0, 0, 1};
    uint64_t start = dbtime_now_ns();
    PGresult *res = PQexecParams(conn, s_insert, 3, NULL, values, lens, formats, 0);
    dbtime_observe(DBTIME_INSERT, start);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc)
        log_error("outbox insert failed: %s", PQresultErrorMessage(res));
    PQclear(res);
    free(bytes);
    return rc;
}

struct outbox_batch {
    const char *stream;
    char **types;   /* borrowed type names */
    char **hex;     /* bytea literals: \x then hex */
    size_t n, cap;
};

outbox_batch_t *outbox_batch_new(const char *stream)
{
    outbox_batch_t *batch = calloc(1, sizeof *batch);
    if (batch)
        batch->stream = stream;
    return batch;
}

int outbox_batch_add(outbox_batch_t *batch, const char *type, const Gov__Actor *actor,
                     const char *trace_id, const ProtobufCMessage *payload)
{
    if (batch->n == batch->cap) {
        size_t cap = batch->cap ? 2 * batch->cap : 64;
        char **types = realloc(batch->types, cap * sizeof *types);
        if (types)
            batch->types = types;
        char **hex = realloc(batch->hex, cap * sizeof *hex);
        if (hex)
            batch->hex = hex;
        if (!types || !hex)
            return -1;
        batch->cap = cap;
    }
    size_t len;
    uint8_t *bytes = s_pack(batch->stream, type, actor, trace_id, payload, &len);
    char *hex = bytes ? malloc(2 * len + 3) : NULL;
    if (hex) {
        static const char digits[] = "0123456789abcdef";
        hex[0] = '\\';
        hex[1] = 'x';
        for (size_t i = 0; i < len; i++) {
            hex[2 + 2 * i] = digits[bytes[i] >> 4];
            hex[3 + 2 * i] = digits[bytes[i] & 15];
        }
        hex[2 + 2 * len] = '\0';
        batch->types[batch->n] = (char *) type;
        batch->hex[batch->n++] = hex;
    }
    free(bytes);
    return hex ? 0 : -1;
}

size_t outbox_batch_size(const outbox_batch_t *batch)
{
    return batch->n;
}

/* Sends `sql` with the stream, the types, the payloads and (when it has a
 * fourth parameter) the count; or, with `prepared`, the statement of that
 * name. */
static int s_batch_send(PGconn *conn, const outbox_batch_t *batch, const char *sql, int nparams,
                        int prepared)
{
    char *types = db_text_array(batch->types, batch->n);
    char *payloads = db_text_array(batch->hex, batch->n);
    char count[24];
    snprintf(count, sizeof count, "%zu", batch->n);
    const char *values[] = {batch->stream, types, payloads, count};
    int ok = types && payloads &&
             (prepared ? PQsendQueryPrepared(conn, sql, nparams, values, NULL, NULL, 0)
                       : PQsendQueryParams(conn, sql, nparams, NULL, values, NULL, NULL, 0));
    free(types);
    free(payloads);
    return ok ? 0 : -1;
}

static const char *s_insert_many =
    "INSERT INTO outbox (stream, type, payload)"
    " SELECT $1, t, p FROM unnest($2::text[], $3::bytea[]) AS e(t, p)";

int outbox_batch_send(PGconn *conn, const outbox_batch_t *batch)
{
    return s_batch_send(conn, batch, s_insert_many, 3, 0);
}

int outbox_batch_write(PGconn *conn, const outbox_batch_t *batch, char sqlstate[6])
{
    if (!batch->n)
        return 0;
    char *types = db_text_array(batch->types, batch->n);
    char *payloads = db_text_array(batch->hex, batch->n);
    int rc = -1;
    if (!types || !payloads) {
        log_error("outbox insert failed: out of memory");
        if (sqlstate)
            memcpy(sqlstate, "53200", 6);
    } else {
        const char *values[] = {batch->stream, types, payloads};
        PGresult *res = db_exec(conn, s_insert_many, 3, values, sqlstate);
        rc = res ? 0 : -1;
        PQclear(res);
    }
    free(types);
    free(payloads);
    return rc;
}

int outbox_batch_send_numbered(PGconn *conn, const outbox_batch_t *batch)
{
    return s_batch_send(conn, batch, OUTBOX_NUMBERED_NAME, 4, 1);
}

void outbox_batch_destroy(outbox_batch_t **self_p)
{
    outbox_batch_t *batch = *self_p;
    if (!batch)
        return;
    *self_p = NULL;
    for (size_t i = 0; i < batch->n; i++)
        free(batch->hex[i]);
    free(batch->hex);
    free(batch->types);
    free(batch);
}

/* Calls `cb` for each (seq, type, payload) row of a binary-format result. */
static void s_each(PGresult *res, outbox_event_cb cb, void *arg)
{
    for (int i = 0; i < PQntuples(res); i++) {
        uint64_t seq = strtoull(PQgetvalue(res, i, 0), NULL, 10);
        size_t len;
        unsigned char *bytes = PQunescapeBytea((unsigned char *) PQgetvalue(res, i, 2), &len);
        if (bytes)
            cb(seq, PQgetvalue(res, i, 1), bytes, len, arg);
        PQfreemem(bytes);
    }
}

int outbox_number(PGconn *conn, const char *stream, int limit, outbox_event_cb cb, void *arg)
{
    char limit_text[16];
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *p1[] = {stream};
    const char *p2[] = {stream, limit_text};
    PGresult *res = NULL;
    int n = -1;
    if (db_run(conn, "BEGIN", 0, NULL))
        return -1;
    /* The lock comes first, in its own statement, so that the numbering
     * statement below takes its snapshot after the previous numbering
     * transaction committed (READ COMMITTED: one snapshot per statement). */
    if (db_run(conn,
               "INSERT INTO outbox_streams (stream) VALUES ($1) ON CONFLICT (stream) DO UPDATE "
               "SET last_seq = outbox_streams.last_seq",
               1, p1))
        goto rollback;
    res = db_exec(conn,
                  "WITH todo AS ("
                  "  SELECT o.id, s.last_seq + row_number() OVER (ORDER BY o.id) AS seq"
                  "  FROM outbox o, outbox_streams s"
                  "  WHERE o.stream = $1 AND o.seq IS NULL AND s.stream = $1"
                  "  ORDER BY o.id LIMIT $2::int),"
                  " numbered AS ("
                  "  UPDATE outbox o SET seq = todo.seq FROM todo WHERE o.id = todo.id"
                  "  RETURNING o.seq, o.type, o.payload),"
                  " bump AS ("
                  "  UPDATE outbox_streams SET last_seq = last_seq + (SELECT count(*) FROM todo)"
                  "  WHERE stream = $1)"
                  " SELECT seq, type, payload FROM numbered ORDER BY seq",
                  2, p2, NULL);
    if (!res || db_run(conn, "COMMIT", 0, NULL))
        goto rollback;
    n = PQntuples(res);
    if (cb)
        s_each(res, cb, arg);
    PQclear(res);
    return n;
rollback:
    PQclear(res);
    db_run(conn, "ROLLBACK", 0, NULL);
    return -1;
}

int outbox_read(PGconn *conn, const char *stream, uint64_t after_seq, int limit,
                outbox_event_cb cb, void *arg)
{
    char after[24], limit_text[16];
    snprintf(after, sizeof after, "%" PRIu64, after_seq);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    const char *params[] = {stream, after, limit_text};
    PGresult *res = db_exec(conn,
                            "SELECT seq, type, payload FROM outbox"
                            " WHERE stream = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3::int",
                            3, params, NULL);
    if (!res)
        return -1;
    int n = PQntuples(res);
    s_each(res, cb, arg);
    PQclear(res);
    return n;
}

uint8_t *outbox_stamp(const uint8_t *envelope, size_t len, const char *stream, uint64_t seq,
                      size_t *out_len)
{
    Gov__Envelope *env = gov__envelope__unpack(NULL, len, envelope);
    if (!env)
        return NULL;
    Gov__Envelope copy = *env;
    copy.stream = (char *) stream;
    copy.seq = seq;
    *out_len = gov__envelope__get_packed_size(&copy);
    uint8_t *out = malloc(*out_len ? *out_len : 1);
    if (out)
        gov__envelope__pack(&copy, out);
    gov__envelope__free_unpacked(env, NULL);
    return out;
}
