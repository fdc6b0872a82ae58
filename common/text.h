/* text: the one check every service makes on a text or URL field from a
 * request, before anything reaches the database.
 *
 * A text is valid UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF), holds no control character but tab, newline and carriage
 * return, and is at most its kind's limit long, counted in characters (code
 * points), not bytes: a 4,000-character Chinese note (12,000 bytes) is
 * accepted where 4,000 characters are promised. One limit per kind of field,
 * the same in every service; docs/errcodes.md lists them. */
#ifndef GOV_TEXT_H
#define GOV_TEXT_H

#include <stddef.h>

#include "apperr.h"

/* The kinds of text field and their limits, in characters. */
typedef enum {
    TEXT_NAME,    /* a person's name, a unit's label:                 100 */
    TEXT_TITLE,   /* a title, a list entry, a volunteer's skills:      200 */
    TEXT_ADDRESS, /* an address as a person writes it:                 500 */
    TEXT_BODY,    /* a description, note, reason, motion, result:    4,000 */
} text_kind_t;

/* A URL field's limit, in bytes. */
#define TEXT_URL_MAX 2048

/* The character limit of `kind`. */
size_t text_limit(text_kind_t kind);

/* The number of characters (code points) in the first `len` bytes of `s`,
 * or -1 when those bytes are not valid UTF-8. */
long text_utf8_chars(const char *s, size_t len);

/* Checks the text field `field` (a short name for people, e.g. "text",
 * "the body") holding `s` (NULL reads as ""). `required`: an empty text is
 * refused with MISSING_TEXT. Refusals: INVALID_TEXT (not UTF-8, or a
 * control character), TEXT_TOO_LONG (over the kind's limit). Returns 0, or
 * -1 with `err` set; the detail names the field. */
int text_check(const char *s, text_kind_t kind, int required, const char *field, apperr_t *err);

/* Checks `n` URLs of field `field`: each an http:// or https:// URL of at
 * most TEXT_URL_MAX bytes with no space or control character, and at most
 * `max` of them. Refusals: TOO_MANY_URLS, INVALID_URL. Returns 0 or -1 with
 * `err` set. */
int text_check_urls(char *const *urls, size_t n, size_t max, const char *field, apperr_t *err);

/* 1 if `phone` is a mainland mobile (1[3-9] + 9 digits) or landline (0 +
 * area code + number, 10-12 digits, one optional '-'), optionally with a
 * "+86" or "86" prefix; 0 otherwise. The
 * one check of a phone number, wherever one comes in (intake's reporters,
 * routing's people). */
int text_is_phone(const char *phone);

/* Writes `phone` masked into `out` (strlen(phone) + 1 bytes): the first 3
 * and the last 4 digits kept and every other digit '*' — 13812341234 →
 * 138****1234, 010-12345678 → 010-****5678. A leading "+86" (or "86" before
 * 11 digits) is kept and not counted. Other characters are kept; a phone of
 * fewer than 8 digits has every digit masked; "" stays "". */
void text_mask_phone(const char *phone, char *out);

#endif
