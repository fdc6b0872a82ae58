/* govctl: the command line for operators and scripts. Each command group is
 * one file (cmd_*.c); this header is what they share. Exit codes: 0 done,
 * 1 the server or database refused (the error is printed as JSON on stderr),
 * 2 wrong usage (the usage is printed on stderr). */
#ifndef GOVCTL_H
#define GOVCTL_H

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

/* Connects to GOV_DB_URL, or prints why not and returns NULL. */
PGconn *govctl_db(void);

/* Runs `sql` (one row, one json column) with text params and returns the
 * parsed JSON, or NULL after printing the error. */
json_t *govctl_query_json(PGconn *conn, const char *sql, int nparams, const char *const *params);

/* Parses a non-negative decimal integer; -1 if `s` is not one. */
long long govctl_parse_int(const char *s);

#endif
