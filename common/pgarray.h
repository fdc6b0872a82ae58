/* pgarray: builds a PostgreSQL array literal ({a,"b c",NULL}) element by
 * element, so a batch can travel as a few typed arrays that the statement
 * unnests (cheaper to make and to read than JSON). */
#ifndef GOV_PGARRAY_H
#define GOV_PGARRAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct pgarray pgarray_t;

/* An empty array, or NULL when out of memory. */
pgarray_t *pgarray_new(void);

/* Append one element: text (quoted and escaped), a NULL, an integer, a
 * double (printed so that it reads back exactly), or a bytea value (as
 * \x hex). Out of memory is remembered and reported by pgarray_text(). */
void pgarray_add_text(pgarray_t *a, const char *text);
void pgarray_add_null(pgarray_t *a);
void pgarray_add_int(pgarray_t *a, int64_t v);
void pgarray_add_double(pgarray_t *a, double v);
void pgarray_add_bytes(pgarray_t *a, const uint8_t *bytes, size_t len);

/* The literal, borrowed from the array (valid until the next add or
 * destroy), or NULL if any add ran out of memory. */
const char *pgarray_text(pgarray_t *a);

/* How many elements were added. */
size_t pgarray_count(const pgarray_t *a);

/* Reads the integers of a PostgreSQL integer array literal ("{1,2,3}",
 * as bigint[]::text gives it) into `out`, which has room for one per two
 * characters of the literal (strlen / 2 + 1 always suffices). NULL elements
 * are skipped. Returns how many were read. */
size_t pgarray_parse_ints(const char *literal, int64_t *out);

/* Frees the array and NULLs the pointer; safe on NULL. */
void pgarray_destroy(pgarray_t **self_p);

#endif
