/* orgcheck: what a person, a unit or a membership may look like before the
 * directory (directory.c) writes it; pure, tested apart (test_orgcheck.c).
 *
 * A code (a person's login name, a unit's code) is 1-64 characters of
 * a-z 0-9 . _ -, starting with a letter or digit: codes appear in URLs, logs
 * and X-Gov-Unit, and the demo's look like p.dept.chengguan.head. A role is
 * 1-32 of a-z 0-9 _. A unit's kind is one of ORGCHECK_KINDS. A phone is
 * common/text.h's; an e-mail address has one @ with text either side, no
 * space or control character, at most 254 bytes (RFC 5321's path limit). */
#ifndef ROUTING_ORGCHECK_H
#define ROUTING_ORGCHECK_H

#include <stddef.h>

#include "apperr.h"

#define ORGCHECK_KINDS                                                                         \
    "grid_team, community, street_office, department, dispatch_centre, leadership, supervision, admin, station"

/* Each returns 0, or -1 with `err` set; `field` names the field in the
 * detail. An empty value is refused unless `optional`. */
int orgcheck_code(const char *code, const char *field, int optional, apperr_t *err);
int orgcheck_role(const char *role, apperr_t *err);
int orgcheck_kind(const char *kind, int optional, apperr_t *err);
int orgcheck_phone(const char *phone, apperr_t *err);  /* "" is allowed */
int orgcheck_email(const char *email, apperr_t *err);  /* "" is allowed */

/* Checks the `n` field names of a `clear` list against `allowed` (NULL
 * terminated), and sets bit i of *mask for allowed[i]. Refusal: BAD_FIELD. */
int orgcheck_clear(char *const *names, size_t n, const char *const *allowed, unsigned *mask,
                   apperr_t *err);

#endif
