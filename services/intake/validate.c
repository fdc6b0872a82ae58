#include "validate.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

static const char *s_channels[] = {"hotline", "app", "wechat", "grid_patrol", "open311", "visit"};
static const char *s_urgencies[] = {"normal", "urgent", "emergency"};

static int s_one_of(const char *s, const char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

size_t validate_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char) *s & 0xC0) != 0x80)
            n++;
    return n;
}

int validate_phone(const char *phone)
{
    if (strncmp(phone, "+86", 3) == 0)
        phone += 3;
    else if (strncmp(phone, "86", 2) == 0 && strlen(phone) == 13)
        phone += 2;
    char digits[16];
    size_t n = 0, dashes = 0;
    for (const char *p = phone; *p; p++) {
        if (*p == '-' && p != phone && dashes++ == 0)
            continue;
        if (!isdigit((unsigned char) *p) || n == sizeof digits - 1)
            return 0;
        digits[n++] = *p;
    }
    digits[n] = '\0';
    if (n == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9' && dashes == 0)
        return 1;
    return digits[0] == '0' && n >= 10 && n <= 12;
}

static int s_url(const char *url)
{
    if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char) *p <= ' ')
            return 0;
    return strlen(url) <= 2048;
}

validate_error_t validate_submit(const Gov__SubmitCase *req)
{
    validate_error_t ok = {0};
    if (!s_one_of(req->channel, s_channels, 6))
        return (validate_error_t){"INVALID_CHANNEL", "unknown channel",
                                  "use one of hotline, app, wechat, grid_patrol, open311, visit"};
    if (*req->urgency && !s_one_of(req->urgency, s_urgencies, 3))
        return (validate_error_t){"INVALID_URGENCY", "unknown urgency",
                                  "use one of normal, urgent, emergency"};
    if (!*req->category)
        return (validate_error_t){"MISSING_CATEGORY", "category is required",
                                  "`govctl categories list` shows the codes"};
    if (!*req->description)
        return (validate_error_t){"MISSING_DESCRIPTION", "description is required",
                                  "say what happened, where and since when"};
    if (validate_utf8_chars(req->description) > VALIDATE_MAX_DESCRIPTION)
        return (validate_error_t){"DESCRIPTION_TOO_LONG", "description is longer than 4000 characters",
                                  "shorten it, or attach the rest as media"};
    const Gov__Location *loc = req->location;
    if (!loc || (!loc->point && !*loc->address))
        return (validate_error_t){"MISSING_LOCATION", "location is required",
                                  "give a point (lat, lon) or an address, or both"};
    if (loc->point && (!isfinite(loc->point->lat) || !isfinite(loc->point->lon) ||
                       fabs(loc->point->lat) > 90 || fabs(loc->point->lon) > 180))
        return (validate_error_t){"INVALID_POINT", "point is not a WGS84 coordinate",
                                  "lat must be in [-90, 90] and lon in [-180, 180]"};
    if (req->reporter && *req->reporter->phone && !validate_phone(req->reporter->phone))
        return (validate_error_t){"INVALID_PHONE", "phone number is not valid",
                                  "give an 11-digit mobile (13800001234) or a landline with "
                                  "its area code (010-12345678)"};
    if (req->n_media_urls > VALIDATE_MAX_MEDIA)
        return (validate_error_t){"TOO_MANY_MEDIA", "more than 20 media URLs", NULL};
    for (size_t i = 0; i < req->n_media_urls; i++)
        if (!s_url(req->media_urls[i]))
            return (validate_error_t){"INVALID_MEDIA_URL", "media URL is not an http(s) URL",
                                      NULL};
    return ok;
}

const char *validate_urgency(const Gov__SubmitCase *req)
{
    return *req->urgency ? req->urgency : "normal";
}
