/* validate: the checks on a SubmitCase that need no database.
 *
 * Each failure has its own stable code (common/errcodes.h): INVALID_CHANNEL,
 * INVALID_URGENCY, MISSING_CATEGORY, MISSING_LOCATION, INVALID_POINT,
 * INVALID_PHONE, and the text checks' (common/text.h) MISSING_TEXT,
 * TEXT_TOO_LONG, INVALID_TEXT, TOO_MANY_URLS, INVALID_URL; the detail names
 * the field. */
#ifndef INTAKE_VALIDATE_H
#define INTAKE_VALIDATE_H

#include "apperr.h"
#include "intake.pb-c.h"

#define VALIDATE_MAX_MEDIA 20

/* Checks `req`. Returns 0 when it is acceptable, or -1 with `err` set. */
int validate_submit(const Gov__SubmitCase *req, apperr_t *err);

/* The urgency to store: the request's, or "normal" when empty. */
const char *validate_urgency(const Gov__SubmitCase *req);

#endif
