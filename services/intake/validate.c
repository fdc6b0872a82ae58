#include "validate.h"

#include <math.h>
#include <string.h>

#include "envelope.h"
#include "text.h"

static const char *s_channels[] = {"hotline", "app", "wechat", "grid_patrol", "open311", "visit"};
static const char *s_urgencies[] = {"normal", "urgent", "emergency"};

static int s_one_of(const char *s, const char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

int validate_submit(const Gov__SubmitCase *req, apperr_t *err)
{
    if (!s_one_of(req->channel, s_channels, 6))
        return apperr_code(err, "INVALID_CHANNEL", "got \"%.64s\"", req->channel);
    if (*req->urgency && !s_one_of(req->urgency, s_urgencies, 3))
        return apperr_code(err, "INVALID_URGENCY", "got \"%.64s\"", req->urgency);
    if (!*req->category)
        return apperr_code(err, "MISSING_CATEGORY", NULL);
    if (text_check(req->category, TEXT_NAME, 1, "category", err) ||
        text_check(req->description, TEXT_BODY, 1, "description", err))
        return -1;
    const Gov__Location *loc = req->location;
    if (!loc || (!loc->point && !*loc->address))
        return apperr_code(err, "MISSING_LOCATION", NULL);
    if (text_check(loc->address, TEXT_ADDRESS, 0, "address", err))
        return -1;
    if (loc->point && (!isfinite(loc->point->lat) || !isfinite(loc->point->lon) ||
                       fabs(loc->point->lat) > 90 || fabs(loc->point->lon) > 180))
        return apperr_code(err, "INVALID_POINT", NULL);
    if (req->reporter && text_check(req->reporter->name, TEXT_NAME, 0, "reporter name", err))
        return -1;
    if (req->reporter && *req->reporter->phone && !text_is_phone(req->reporter->phone))
        return apperr_code(err, "INVALID_PHONE", NULL);
    if (strlen(req->idempotency_key) > ENVELOPE_ID_MAX)
        return apperr_code(err, "TEXT_TOO_LONG", "idempotency_key has %zu bytes (at most %d)",
                           strlen(req->idempotency_key), ENVELOPE_ID_MAX);
    return text_check_urls(req->media_urls, req->n_media_urls, VALIDATE_MAX_MEDIA, "media_urls",
                           err);
}

const char *validate_urgency(const Gov__SubmitCase *req)
{
    return *req->urgency ? req->urgency : "normal";
}
