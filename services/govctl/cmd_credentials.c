/* govctl person passwd | token create|list|revoke | apikey create: how people
 * and integrations prove who they are to the gateway (common/credential.h).
 * A password is read from standard input, never from the command line (where
 * `ps` would show it); a new token or api key is printed once, on the last
 * line, and only its SHA-256 is stored. Like `areas import`, these load the
 * gateway's reference data directly: the gateway answers no ZeroMQ requests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credential.h"
#include "envelope.h"
#include "govctl.h"

static const char *s_person_usage =
    "usage: govctl person passwd PERSON      (the password on standard input)\n"
    "Sets PERSON's password for logging in to the gateway (at least 10 characters).\n";
static const char *s_token_usage =
    "usage: govctl token create --person PERSON [--ttl DURATION] [--name NAME]\n"
    "       govctl token list [--person PERSON]\n"
    "       govctl token revoke ID\n"
    "An API token acts as PERSON (Authorization: Bearer TOKEN); DURATION is N followed\n"
    "by s, m, h or d (default: until revoked). The token is printed once, on the last line.\n"
    "Revoking takes effect on the next request.\n";
static const char *s_apikey_usage =
    "usage: govctl apikey create --name NAME\n"
    "An Open311 api_key for an integration (a city's app); printed once, on the last line.\n";

/* "90m" → 5400000; -1 when not N followed by s, m, h or d. */
static long long s_duration_ms(const char *s)
{
    char *end;
    long long n = strtoll(s, &end, 10);
    if (end == s || n <= 0 || n > 3650LL * 86400 || end[0] == '\0' || end[1] != '\0')
        return -1;
    long long unit = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
    return unit && n * unit <= 3650LL * 86400 ? n * unit * 1000 : -1;
}

/* Runs one statement; prints the server's words on failure. Returns the
 * number of rows it touched or returned, or -1. */
static int s_exec(PGconn *conn, const char *sql, int n, const char *const *params, char *first,
                  size_t cap)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    int rows = -1;
    if (st == PGRES_TUPLES_OK) {
        rows = PQntuples(res);
        if (rows > 0 && first)
            snprintf(first, cap, "%s", PQgetvalue(res, 0, 0));
    } else if (st == PGRES_COMMAND_OK) {
        rows = atoi(PQcmdTuples(res));
    } else {
        fprintf(stderr, "govctl: %s", PQresultErrorMessage(res));
    }
    PQclear(res);
    return rows;
}

static int s_passwd(const char *person)
{
    char line[CREDENTIAL_PASSWORD_MAX + 2], hash[CREDENTIAL_HASH_MAX];
    if (!fgets(line, sizeof line, stdin)) {
        fprintf(stderr, "govctl: give the password on standard input\n");
        return 1;
    }
    line[strcspn(line, "\r\n")] = '\0';
    int rc = credential_hash_password(line, hash);
    memset(line, 0, sizeof line);
    if (rc) {
        fprintf(stderr, "govctl: a password is %d to %d bytes\n", CREDENTIAL_PASSWORD_MIN,
                CREDENTIAL_PASSWORD_MAX);
        return 1;
    }
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long) envelope_now_ms());
    const char *params[] = {person, hash, now};
    int rows = s_exec(conn,
                      "INSERT INTO gateway_passwords (person_id, hash, updated_ms)"
                      " SELECT id, $2, $3 FROM people WHERE code = $1"
                      " ON CONFLICT (person_id) DO UPDATE SET hash = $2, updated_ms = $3",
                      3, params, NULL, 0);
    PQfinish(conn);
    if (rows == 0)
        fprintf(stderr, "govctl: no person %s\n", person);
    if (rows != 1)
        return 1;
    printf("password set for %s\n", person);
    return 0;
}

int cmd_person(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "passwd") != 0)
        return cmd_person_directory(argc, argv); /* add, list: through routing */
    if (argc != 3)
        return govctl_usage(s_person_usage, 0);
    return s_passwd(argv[2]);
}

/* Makes a token of `kind` for `person` (NULL for an api key) and prints it. */
static int s_create(const char *kind, const char *prefix, const char *person, const char *name,
                    long long ttl_ms)
{
    char token[CREDENTIAL_TOKEN_MAX], hex[67], now[24], until[24], id[24] = "";
    if (credential_new_token(prefix, token))
        return 1;
    credential_digest_hex(token, hex);
    long long t = (long long) envelope_now_ms();
    snprintf(now, sizeof now, "%lld", t);
    snprintf(until, sizeof until, "%lld", t + ttl_ms);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    const char *params[] = {kind, hex, person, name, now, ttl_ms > 0 ? until : NULL};
    int rows = s_exec(conn,
                      "INSERT INTO gateway_tokens (kind, digest, person_id, name, created_ms, expires_ms)"
                      " SELECT $1, $2::bytea, p.id, $4, $5, $6 FROM (SELECT NULL) x"
                      " LEFT JOIN people p ON p.code = $3"
                      " WHERE $3::text IS NULL OR p.id IS NOT NULL RETURNING id",
                      6, params, id, sizeof id);
    PQfinish(conn);
    if (rows == 0)
        fprintf(stderr, "govctl: no person %s\n", person);
    if (rows != 1)
        return 1;
    printf("%s %s made%s%s; it is shown once:\n%s\n", kind, id, person ? " for " : "",
           person ? person : "", token);
    memset(token, 0, sizeof token);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_token_usage, 1);
    if (argc < 2)
        return govctl_usage(s_token_usage, 0);
    const char *person = govctl_opt(argc, argv, "--person");
    if (strcmp(argv[1], "create") == 0) {
        const char *ttl = govctl_opt(argc, argv, "--ttl");
        const char *name = govctl_opt(argc, argv, "--name");
        long long ttl_ms = ttl ? s_duration_ms(ttl) : 0;
        if (!person || ttl_ms < 0)
            return govctl_usage(s_token_usage, 0);
        return s_create("token", "gov_t_", person, name ? name : "", ttl_ms);
    }
    if (strcmp(argv[1], "revoke") == 0) {
        if (argc != 3 || govctl_parse_int(argv[2]) < 0)
            return govctl_usage(s_token_usage, 0);
        PGconn *conn = govctl_db();
        if (!conn)
            return 1;
        char now[24];
        snprintf(now, sizeof now, "%lld", (long long) envelope_now_ms());
        const char *params[] = {argv[2], now};
        int rows = s_exec(conn,
                          "UPDATE gateway_tokens SET revoked_ms = $2 WHERE id = $1::bigint"
                          " AND revoked_ms IS NULL",
                          2, params, NULL, 0);
        PQfinish(conn);
        if (rows == 0)
            fprintf(stderr, "govctl: no live token %s\n", argv[2]);
        if (rows != 1)
            return 1;
        printf("token %s revoked\n", argv[2]);
        return 0;
    }
    if (strcmp(argv[1], "list") == 0) {
        PGconn *conn = govctl_db();
        if (!conn)
            return 1;
        const char *params[] = {person};
        json_t *out = govctl_query_json(
            conn,
            "SELECT coalesce(json_agg(t ORDER BY t.id), '[]') FROM ("
            " SELECT t.id, t.kind, p.code AS person, t.name, t.created_ms, t.expires_ms, t.revoked_ms"
            " FROM gateway_tokens t LEFT JOIN people p ON p.id = t.person_id"
            " WHERE t.kind <> 'session' AND ($1::text IS NULL OR p.code = $1)) t",
            1, params);
        PQfinish(conn);
        if (!out)
            return 1;
        govctl_print(out, 0);
        return 0;
    }
    return govctl_usage(s_token_usage, 0);
}

int cmd_apikey(int argc, char **argv)
{
    if (govctl_wants_help(argc, argv))
        return govctl_usage(s_apikey_usage, 1);
    const char *name = govctl_opt(argc, argv, "--name");
    if (argc != 4 || strcmp(argv[1], "create") != 0 || !name || !name[0])
        return govctl_usage(s_apikey_usage, 0);
    return s_create("apikey", "gov_k_", NULL, name, 0);
}
