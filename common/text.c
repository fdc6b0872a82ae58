#include "text.h"

#include <ctype.h>
#include <string.h>

static const size_t s_limits[] = {
    [TEXT_NAME] = 100,
    [TEXT_TITLE] = 200,
    [TEXT_ADDRESS] = 500,
    [TEXT_BODY] = 4000,
};

size_t text_limit(text_kind_t kind)
{
    return s_limits[kind];
}

/* The length of the UTF-8 sequence starting at `p` (at most `left` bytes),
 * or 0 when it is not a valid one (RFC 3629: shortest form, no surrogates,
 * at most U+10FFFF). */
static size_t s_sequence(const unsigned char *p, size_t left)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (left < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

long text_utf8_chars(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    long chars = 0;
    for (size_t i = 0; i < len; chars++) {
        size_t n = s_sequence(p + i, len - i);
        if (n == 0)
            return -1;
        i += n;
    }
    return chars;
}

static int s_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7F)
            return 1;
    return 0;
}

int text_check(const char *s, text_kind_t kind, int required, const char *field, apperr_t *err)
{
    if (!s)
        s = "";
    if (!s[0])
        return required ? apperr_code(err, "MISSING_TEXT", "%s is empty", field) : 0;
    long chars = text_utf8_chars(s, strlen(s));
    if (chars < 0)
        return apperr_code(err, "INVALID_TEXT", "%s is not valid UTF-8", field);
    if (s_control(s))
        return apperr_code(err, "INVALID_TEXT", "%s holds a control character", field);
    if ((size_t) chars > s_limits[kind])
        return apperr_code(err, "TEXT_TOO_LONG", "%s has %ld characters; at most %zu", field,
                           chars, s_limits[kind]);
    return 0;
}

static int s_url_ok(const char *url)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return 0;
    size_t len = strlen(url);
    for (const unsigned char *p = (const unsigned char *) url; *p; p++)
        if (*p <= ' ' || *p == 0x7F)
            return 0;
    return len <= TEXT_URL_MAX && text_utf8_chars(url, len) >= 0;
}

int text_check_urls(char *const *urls, size_t n, size_t max, const char *field, apperr_t *err)
{
    if (n > max)
        return apperr_code(err, "TOO_MANY_URLS", "%s has %zu URLs; at most %zu", field, n, max);
    for (size_t i = 0; i < n; i++)
        if (!urls[i] || !s_url_ok(urls[i]))
            return apperr_code(err, "INVALID_URL", "%s: URL %zu of %zu", field, i + 1, n);
    return 0;
}

int text_is_phone(const char *phone)
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

void text_mask_phone(const char *phone, char *out)
{
    size_t len = strlen(phone), skip = 0, digits = 0;
    if (strncmp(phone, "+86", 3) == 0)
        skip = 3;
    else if (strncmp(phone, "86", 2) == 0 && len == 13)
        skip = 2;
    for (size_t i = skip; i < len; i++)
        digits += isdigit((unsigned char) phone[i]) != 0;
    size_t seen = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = phone[i];
        if (i >= skip && isdigit((unsigned char) ch)) {
            seen++;
            if (digits < 8 || (seen > 3 && seen <= digits - 4))
                ch = '*';
        }
        out[i] = ch;
    }
    out[len] = '\0';
}
