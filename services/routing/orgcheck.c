#include "orgcheck.h"

#include <string.h>

#include "text.h"

static const char *s_kinds[] = {"grid_team",       "community",  "street_office",
                                "department",      "dispatch_centre", "leadership",
                                "supervision",     "admin",      "station"};

static int s_only(const char *s, const char *extra)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr(extra, *p)))
            return 0;
    return 1;
}

int orgcheck_code(const char *code, const char *field, int optional, apperr_t *err)
{
    size_t n = code ? strlen(code) : 0;
    if (n == 0 && optional)
        return 0;
    if (n == 0 || n > 64 || !s_only(code, "._-") || strchr("._-", code[0]))
        return apperr_code(err, "BAD_CODE", "%s: \"%.64s\"", field, code ? code : "");
    return 0;
}

int orgcheck_role(const char *role, apperr_t *err)
{
    size_t n = role ? strlen(role) : 0;
    if (n == 0 || n > 32 || !s_only(role, "_"))
        return apperr_code(err, "BAD_ROLE", "role: \"%.32s\"", role ? role : "");
    return 0;
}

int orgcheck_kind(const char *kind, int optional, apperr_t *err)
{
    if ((!kind || !kind[0]) && optional)
        return 0;
    for (size_t i = 0; kind && i < sizeof s_kinds / sizeof *s_kinds; i++)
        if (strcmp(kind, s_kinds[i]) == 0)
            return 0;
    return apperr_fail(err, "BAD_KIND", "unknown kind of unit", "one of " ORGCHECK_KINDS,
                       "kind: \"%.32s\"", kind ? kind : "");
}

int orgcheck_phone(const char *phone, apperr_t *err)
{
    if (!phone || !phone[0] || text_is_phone(phone))
        return 0;
    return apperr_code(err, "INVALID_PHONE", "phone: \"%.24s\"", phone);
}

int orgcheck_email(const char *email, apperr_t *err)
{
    if (!email || !email[0])
        return 0;
    const char *at = strchr(email, '@');
    size_t n = strlen(email);
    int bad = n > 254 || !at || at == email || !at[1] || strchr(at + 1, '@');
    for (const char *p = email; !bad && *p; p++)
        bad = (unsigned char) *p <= ' ' || *p == 0x7f;
    if (bad)
        return apperr_code(err, "INVALID_EMAIL", "email: \"%.64s\"", email);
    return 0;
}

int orgcheck_clear(char *const *names, size_t n, const char *const *allowed, unsigned *mask,
                   apperr_t *err)
{
    *mask = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned bit = 0;
        for (unsigned k = 0; allowed[k] && !bit; k++)
            if (strcmp(names[i], allowed[k]) == 0)
                bit = 1u << k;
        if (!bit)
            return apperr_code(err, "BAD_FIELD", "clear: \"%.32s\"", names[i]);
        *mask |= bit;
    }
    return 0;
}
