/* govctl: the command line for operators and scripts. Each command group is
 * one file (cmd_*.c); this header is what they share. Exit codes: 0 done,
 * 1 the server or database refused (the error is printed as JSON on stderr),
 * 2 wrong usage (the usage is printed on stderr). */
#ifndef GOVCTL_H
#define GOVCTL_H

#include <getopt.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <protobuf-c/protobuf-c.h>

#include "envelope.h"

#define GOVCTL_USAGE 2

/* A command group: `argv[0]` is the group's name. */
int cmd_case(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_areas(int argc, char **argv);
int cmd_units(int argc, char **argv);
int cmd_categories(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_dispatch(int argc, char **argv);
int cmd_whistle(int argc, char **argv);
int cmd_kpi(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_notify(int argc, char **argv);
int cmd_matter(int argc, char **argv);
int cmd_lists(int argc, char **argv);
int cmd_order(int argc, char **argv);
/* pairing add|remove|report|list: 结对共建 and 双报到 through routing (cmd_pairing.c). */
int cmd_pairing(int argc, char **argv);
/* joint schedule|stop|attend|decide|close|show|list: 联席会议 through deliberation (cmd_joint.c). */
int cmd_joint(int argc, char **argv);
int cmd_errcodes(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_person(int argc, char **argv);
/* person add|list, units add|member|unmember: the directory through routing (cmd_directory.c). */
int cmd_person_directory(int argc, char **argv);
int cmd_units_directory(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_apikey(int argc, char **argv);
int cmd_audit(int argc, char **argv);

/* Prints `usage` to stderr (or stdout for --help) and returns the exit code:
 * 0 when help was asked for, GOVCTL_USAGE otherwise. */
int govctl_usage(const char *usage, int asked);

/* 1 if argv has -h or --help. */
int govctl_wants_help(int argc, char **argv);

/* Prints `json` (stolen) on stdout, pretty unless `compact`. */
void govctl_print(json_t *json, int compact);

/* Sends `payload` as `type` to the intake service and prints the reply's
 * payload as JSON. Returns the exit code. */
int govctl_call_intake(const char *type, const ProtobufCMessage *payload, json_t **reply_out);

/* The same for `service` ("intake", "routing" or "deliberation"), at GOV_<SERVICE>_ENDPOINT.
 * The actor is GOV_ACTOR (person code) of GOV_ACTOR_UNIT with GOV_ACTOR_ROLE;
 * command groups that act for a unit set them from --as and --unit.
 * GOV_MESSAGE_ID, when set, is the request's message id (a retry that must
 * not act twice reuses it); otherwise each call gets a fresh one. */
int govctl_call(const char *service, const char *type, const ProtobufCMessage *payload,
                json_t **reply_out);

/* Consumes leading `--as PERSON` and `--unit UNIT` options (exporting them as
 * GOV_ACTOR and GOV_ACTOR_UNIT) and returns how many argv entries they took. */
int govctl_actor_options(int argc, char **argv);

/* The opening of a command group that acts for someone (`govctl GROUP
 * [--as P] [--unit U] WORD ...`): --help prints `usage`; the actor options
 * are taken; then at least `min_words` must follow. Returns 1 with *argc and
 * *argv moved to the first word, or 0 with *rc the exit code to return. */
int govctl_group_args(int *argc, char ***argv, const char *usage, int min_words, int *rc);

/* One word of a command group's table (`govctl GROUP WORD ...`): what must
 * follow the word — nothing, a word, or an id (a positive integer) — and
 * the function that runs it, with argv[0] the word and `id` the parsed id
 * (0 unless `arg` is GOVCTL_ID). */
typedef enum { GOVCTL_NOTHING, GOVCTL_WORD, GOVCTL_ID } govctl_arg_t;
typedef struct {
    const char *name;
    govctl_arg_t arg;
    int (*run)(int argc, char **argv, long long id);
} govctl_word_t;

/* Runs the row of `words` (`n` rows) that argv[0] names, once what must
 * follow it is there: the usage (exit 2) for an unknown word or a missing
 * or bad argument. */
int govctl_run_word(const govctl_word_t *words, size_t n, int argc, char **argv, const char *usage);

/* The value after option `name` in argv (borrowed), or NULL. */
const char *govctl_opt(int argc, char **argv, const char *name);

/* 1 if flag `name` is in argv. */
int govctl_flag(int argc, char **argv, const char *name);

/* Connects to GOV_DB_URL, or prints why not and returns NULL. */
PGconn *govctl_db(void);

/* Runs `sql` (one row, one json column) with text params and returns the
 * parsed JSON, or NULL after printing the error. */
json_t *govctl_query_json(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* Parses a non-negative decimal integer; -1 if `s` is not one. */
long long govctl_parse_int(const char *s);

/* What every list command takes (paging.c): --since MS, --until MS,
 * --limit N, --before ID (each a non-negative integer), --json. */
typedef struct {
    long long since_ms, until_ms, before_id;
    int32_t limit;
    int json;
} govctl_paging_t;

/* getopt_long over the command's own options `own` (ended by a zero row, at
 * most 24, none with the val 'S', 'U', 'l', 'b' or 'j') and the paging
 * options. The paging options are taken into `p` on the way; returns the val
 * of the next of the command's own (optarg set), -1 at the end of the
 * options (optind is then the first word after them), or '?' for an unknown
 * option or a paging value that is not a non-negative integer. */
int govctl_paging_getopt(int argc, char **argv, const struct option *own, govctl_paging_t *p);

/* Prints "more: COMMAND --before ID" when `reply` names a next page. */
void govctl_paging_more(const json_t *reply, const char *command);

#endif
