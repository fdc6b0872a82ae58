#include "errcodes.h"

#include <string.h>

#define S_ROW(code, kind, message, hint) {#code, kind, message, hint},
static const errcode_t s_table[] = {GOV_ERRCODES(S_ROW)};
#undef S_ROW

#define S_COUNT (sizeof s_table / sizeof s_table[0])

const errcode_t *errcode_find(const char *code)
{
    for (size_t i = 0; code && i < S_COUNT; i++)
        if (strcmp(s_table[i].code, code) == 0)
            return &s_table[i];
    return NULL;
}

const errcode_t *errcode_at(size_t i)
{
    return i < S_COUNT ? &s_table[i] : NULL;
}
