/* validate: the checks on a SubmitCase that need no database.
 *
 * Each failure has its own stable code: INVALID_CHANNEL, INVALID_URGENCY,
 * MISSING_CATEGORY, MISSING_DESCRIPTION, DESCRIPTION_TOO_LONG, MISSING_LOCATION,
 * INVALID_POINT, INVALID_PHONE, TOO_MANY_MEDIA, INVALID_MEDIA_URL. */
#ifndef INTAKE_VALIDATE_H
#define INTAKE_VALIDATE_H

#include "intake.pb-c.h"

#define VALIDATE_MAX_DESCRIPTION 4000 /* characters, not bytes */
#define VALIDATE_MAX_MEDIA 20

typedef struct {
    const char *code;    /* NULL when the request is valid */
    const char *message; /* static strings: never freed */
    const char *hint;
} validate_error_t;

/* Checks `req`. Returns an error with code NULL when it is acceptable. */
validate_error_t validate_submit(const Gov__SubmitCase *req);

/* The urgency to store: the request's, or "normal" when empty. */
const char *validate_urgency(const Gov__SubmitCase *req);

/* 1 if `phone` is a mainland mobile (1[3-9] + 9 digits) or landline (0 +
 * area code + number, 10-12 digits, one optional '-'), optionally with a
 * "+86" or "86" prefix; 0 otherwise. */
int validate_phone(const char *phone);

/* Number of UTF-8 characters in `s`. */
size_t validate_utf8_chars(const char *s);

#endif
